"""The business summary's monitoring plan: what a weekly dashboard tracks, and when it alerts.

Each alert level is derived from today's measured baselines by a stated rule, so the
plan changes when the numbers do.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from .text import pct

ALERT_OOV_POINTS = 5.0
"""Unknown-word rate this many points above the test (2016) baseline raises an alert."""
ALERT_COVERAGE_POINTS = 10.0
"""Auto-accepted share this many points below its test baseline raises an alert."""
ALERT_PRECISION_MARGIN = 0.10
"""Auto-accepted precision this far below the dev target raises an alert."""
ALERT_REVIEW_FACTOR = 1.25
"""Review workload this many times its test baseline raises an alert (staffing)."""
ALERT_LATENCY_FACTOR = 2.0
"""p99 latency this many times the measured baseline raises an alert."""


_DRIFT_METRICS = (
    ("unknown-word rate of incoming tweets (vs training vocabulary)", "oov_token_rate"),
    ("entities with names never seen in training (weekly labelled sample)", "unseen_entity_share"),
)
"""The drift rows of the plan: what is shown, and which EDA drift number it tracks."""


def monitoring_plan(
    models: Mapping[str, dict], leader_id: str, drift: Mapping[str, dict], timings: Mapping[str, dict]
) -> pd.DataFrame:
    """The weekly dashboard: each metric, today's baselines on dev and test, and the alert rule."""
    record = models[leader_id]
    routing = record.get("details", {}).get("routing")
    rows = _drift_rows(drift) + _routing_rows(routing) + [_f1_row(record)]
    cost = timings.get(leader_id)
    if cost:
        rows.append(
            _metric(
                "single-tweet latency p99 (ms)",
                None,
                cost["latency_ms_p99"],
                f"above {ALERT_LATENCY_FACTOR:g} x measured",
                cost["latency_ms_p99"] * ALERT_LATENCY_FACTOR,
                percent=False,
            )
        )
    return pd.DataFrame(rows).set_index("metric")


def _drift_rows(drift: Mapping[str, dict]) -> list[dict]:
    if "dev" not in drift or "test" not in drift:
        return []
    rule = f"above test baseline + {ALERT_OOV_POINTS:.0f} points"
    return [
        _metric(name, drift["dev"][key], drift["test"][key], rule, drift["test"][key] + ALERT_OOV_POINTS / 100)
        for name, key in _DRIFT_METRICS
    ]


def _routing_rows(routing: Mapping[str, Any] | None) -> list[dict]:
    if not routing or routing.get("threshold") is None:
        return []
    dev, test = routing["dev"], routing["test"]
    target = routing["min_precision"] - ALERT_PRECISION_MARGIN
    return [
        _metric(
            "share of predicted entities auto-accepted",
            dev["auto_accepted_share"],
            test["auto_accepted_share"],
            f"below test baseline - {ALERT_COVERAGE_POINTS:.0f} points",
            test["auto_accepted_share"] - ALERT_COVERAGE_POINTS / 100,
        ),
        _metric(
            "precision of auto-accepted entities (weekly labelled sample)",
            dev["auto_accepted_precision"],
            test["auto_accepted_precision"],
            f"below {pct(target)} (target {pct(routing['min_precision'])} - {100 * ALERT_PRECISION_MARGIN:.0f} points)",
            target,
        ),
        _metric(
            "review items per 1,000 tweets",
            dev["review_per_1000_tweets"],
            test["review_per_1000_tweets"],
            f"above {ALERT_REVIEW_FACTOR:g} x test baseline",
            test["review_per_1000_tweets"] * ALERT_REVIEW_FACTOR,
            percent=False,
        ),
    ]


def _f1_row(record: Mapping[str, Any]) -> dict:
    test_entity = record["splits"]["test"]["entity"]
    dev_f1 = (
        record["splits"].get("dev", {}).get("entity", {}).get("f1", record.get("details", {}).get("selection_dev_f1"))
    )
    return _metric(
        "entity F1 on the weekly labelled sample",
        dev_f1,
        test_entity["f1"],
        "below the test 95% interval",
        test_entity["ci_low"],
    )


def _metric(name: str, dev: float | None, test: float, rule: str, alert_at: float, percent: bool = True) -> dict:
    scale = 100 if percent else 1
    return {
        "metric": name + (" (%)" if percent else ""),
        "baseline dev": None if dev is None else round(scale * dev, 1),
        "baseline test": round(scale * test, 1),
        "alert when": rule,
        "alert at": round(scale * alert_at, 1),
    }


def monitoring_lines(plan: pd.DataFrame, leader: str) -> list[str]:
    """How to use the plan."""
    return [
        f"Track these {len(plan)} numbers weekly for {leader}; the dev and test columns are today's values on 2015 "
        "and 2016 tweets, and each alert level is derived from them by the rule shown.",
        "The two sample-based rows need about 200 freshly labelled tweets a week; the others come from the "
        "model's own output and need no labelling.",
        "An unknown-word or new-name alert means the language has moved: refresh the gazetteers and retrain; a "
        "precision or coverage alert means the routing threshold must be re-chosen on a new labelled sample.",
    ]

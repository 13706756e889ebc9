"""The business summary's monitoring plan: what a weekly dashboard tracks, and when it alerts.

Rows computed from the model's own output over all of a week's tweets need no labels and
have little sampling noise, so their alert levels follow a stated rule from today's
baselines. Rows that need the weekly labelled sample take the levels the strong-model step
set for that sample's size (``evaluation.monitoring``), with the measured share of weeks
that would alert with nothing changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from ...data.corpora import CorpusSpec
from .text import pct

ALERT_OOV_POINTS = 5.0
"""Unknown-word rate this many points above the test baseline raises an alert."""
ALERT_COVERAGE_POINTS = 10.0
"""Auto-accepted share this many points below its test baseline raises an alert."""
ALERT_REVIEW_FACTOR = 1.25
"""Review workload this many times its test baseline raises an alert (staffing)."""
ALERT_LATENCY_FACTOR = 2.0
"""p99 latency this many times the measured baseline raises an alert."""


LATENCY_METRIC = "single-tweet latency p99 (ms)"
"""The plan's one row measured by a timing (present when timings are given)."""
_DRIFT_METRICS = (("unknown-word rate of incoming tweets (vs training vocabulary)", "oov_token_rate"),)
"""The drift rows of the plan computed on all tweets: what is shown, and which EDA drift number it tracks."""


def monitoring_plan(
    models: Mapping[str, dict], leader_id: str, drift: Mapping[str, dict], timings: Mapping[str, dict]
) -> pd.DataFrame:
    """The weekly dashboard: each metric, today's baselines on dev and test, and the alert rule."""
    record = models[leader_id]
    routing = record.get("details", {}).get("routing")
    rows = _drift_rows(drift) + _routing_rows(routing) + _labelled_rows(record.get("details", {}).get("weekly_plan"))
    cost = timings.get(leader_id)
    if cost:
        rows.append(
            _metric(
                LATENCY_METRIC,
                None,
                cost["latency_ms_p99"],
                f"above {ALERT_LATENCY_FACTOR:g} x measured",
                cost["latency_ms_p99"] * ALERT_LATENCY_FACTOR,
                percent=False,
            )
        )
    return pd.DataFrame(rows).set_index("metric")


def recorded_plan(plan: pd.DataFrame) -> list[dict]:
    """The plan as the results record it: without the latency row, which is a timing, so
    that the results (and their digest) are the same bytes on every run."""
    return plan.drop(index=[LATENCY_METRIC], errors="ignore").reset_index().to_dict(orient="records")


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
    return [
        _metric(
            "share of predicted entities auto-accepted",
            dev["auto_accepted_share"],
            test["auto_accepted_share"],
            f"below test baseline - {ALERT_COVERAGE_POINTS:.0f} points",
            test["auto_accepted_share"] - ALERT_COVERAGE_POINTS / 100,
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


def _labelled_rows(weekly: Mapping[str, Any] | None) -> list[dict]:
    if not weekly:
        return []
    rows = []
    for row in weekly["rows"]:
        side = "below" if row["alert_below"] else "above"
        share = f"{100 * (1 - weekly['false_alarm_target']):.0f}%"
        rule = f"{side} what {share} of unchanged {weekly['week_tweets']}-tweet weeks reach"
        entry = _metric(
            f"{row['metric']} (weekly labelled sample)", row["baseline_dev"], row["baseline_test"], rule, row["level"]
        )
        entry["needs labels"] = "yes"
        entry["unchanged weeks alerting, test-like (%)"] = round(100 * row["false_alarm_test"], 1)
        entry["unchanged weeks alerting, dev-like (%)"] = round(100 * row["false_alarm_dev"], 1)
        rows.append(entry)
    return rows


def _metric(name: str, dev: float | None, test: float, rule: str, alert_at: float, percent: bool = True) -> dict:
    scale = 100 if percent else 1
    return {
        "metric": name + (" (%)" if percent else ""),
        "baseline dev": None if dev is None else round(scale * dev, 1),
        "baseline test": round(scale * test, 1),
        "alert when": rule,
        "alert at": round(scale * alert_at, 1),
        "needs labels": "no",
    }


def monitoring_lines(
    plan: pd.DataFrame, leader: str, weekly: Mapping[str, Any] | None, *, corpus: CorpusSpec
) -> list[str]:
    """How to use the plan: what needs labels, how often it cries wolf, what an alert means."""
    labelled = int((plan["needs labels"] == "yes").sum())
    lines = [
        f"Track these {len(plan)} numbers weekly for {leader}; the dev and test columns are today's values on the "
        f"{corpus.words('dev')} and the {corpus.words('test')}, and each alert level is derived from them by the "
        "rule shown."
    ]
    if weekly and labelled:
        rates = weekly["any_row_false_alarm"]
        lines.append(
            f"{labelled} rows need a labelled sample of {weekly['week_tweets']} tweets a week; the other "
            f"{len(plan) - labelled} come from the model's own output on all tweets and need no labelling."
        )
        lines.append(
            f"The labelled rows' alert levels are set for {weekly['week_tweets']}-tweet samples: with nothing "
            f"changed, at least one of them alerts in {pct(rates['test'])} of weeks like the {corpus.words('test')} "
            f"and {pct(rates['dev'])} of weeks like the {corpus.words('dev')} (measured over "
            f"{weekly['simulated_weeks']:,} simulated weeks each). Act on an alert that repeats the next week, "
            "not on a single one."
        )
        lines += [line for row in weekly["rows"] if (line := _beyond_today(row, corpus))]
    else:
        lines.append(f"None of the {len(plan)} rows needs labelled tweets; no labelled-sample levels were recorded.")
    lines.append(
        "An unknown-word or new-name alert means the language has moved: refresh the gazetteers and retrain; a "
        "precision or coverage alert means the routing threshold must be re-chosen on a new labelled sample."
    )
    return lines


def _beyond_today(row: Mapping[str, Any], corpus: CorpusSpec) -> str:
    """A warning when today's dev value already sits beyond the row's alert level."""
    dev, level = row["baseline_dev"], row["level"]
    beyond = dev < level if row["alert_below"] else dev > level
    if not beyond:
        return ""
    return (
        f"Today's dev value of {row['metric']} ({pct(dev)}) is already beyond its alert level ({pct(level)}): "
        f"weeks like the {corpus.words('dev')} would alert often on this row."
    )

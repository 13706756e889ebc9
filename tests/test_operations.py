"""The summary's operational sections from hand-written records."""

from __future__ import annotations

import pandas as pd
import pytest

from tweetner_utils.reporting.summary import cost, drift, monitoring, routing, stability


def record(label: str, f1: float, routing: dict | None = None, **details) -> dict:
    block = {"entity": {"f1": f1, "ci_low": f1 - 0.02, "precision": 0.6, "recall": 0.4}}
    return {
        "label": label,
        "splits": {"test": block, "dev": {"entity": {"f1": f1 + 0.05}}},
        "details": {**({"routing": routing} if routing else {}), **details},
    }


ROUTING = {
    "min_precision": 0.8,
    "threshold": 0.9,
    "dev": {"auto_accepted_share": 0.5, "auto_accepted_precision": 0.81, "review_per_1000_tweets": 300.0},
    "test": {"auto_accepted_share": 0.4, "auto_accepted_precision": 0.75, "review_per_1000_tweets": 320.0},
}
SEEN = {"seen": {"recall": 0.85, "gold": 400}, "unseen": {"recall": 0.3, "gold": 3000}}
DRIFT = {
    split: {
        "oov_token_rate": oov,
        "oov_type_rate": 0.3,
        "unseen_entity_share": unseen,
        "type_shift_distance": 0.1,
        "largest_type_change": {"type": "person", "points": -4.0},
    }
    for split, oov, unseen in (("dev", 0.10, 0.6), ("test", 0.15, 0.87))
}
MODELS = {"strong": record("Strong", 0.45, ROUTING, seen_unseen=SEEN), "weak": record("Weak", 0.1)}
TIMINGS = {
    "strong": {
        "train_seconds": 90.0,
        "tweets_per_s": 5000.0,
        "latency_ms_p50": 1.0,
        "latency_ms_p99": 3.0,
        "workers": 2,
        "cpu_count": 2,
    }
}


def test_monitoring_plan_derives_every_alert_level_from_its_baseline() -> None:
    plan = monitoring.monitoring_plan(MODELS, "strong", DRIFT, TIMINGS)
    oov = plan.loc["unknown-word rate of incoming tweets (vs training vocabulary) (%)"]
    assert (oov["baseline dev"], oov["baseline test"], oov["alert at"]) == (10.0, 15.0, 20.0)
    assert plan.loc["share of predicted entities auto-accepted (%)", "alert at"] == 30.0
    assert plan.loc["precision of auto-accepted entities (weekly labelled sample) (%)", "alert at"] == 70.0
    assert plan.loc["review items per 1,000 tweets", "alert at"] == 400.0
    assert plan.loc["entity F1 on the weekly labelled sample (%)", "alert at"] == 43.0
    assert plan.loc["single-tweet latency p99 (ms)", "alert at"] == 6.0
    assert "single-tweet latency p99 (ms)" not in monitoring.monitoring_plan(MODELS, "strong", DRIFT, {}).index


def test_routing_lines_quote_the_leaders_band_and_name_models_without_one() -> None:
    no_band = {**ROUTING, "threshold": None}
    lines = routing.routing_lines({**MODELS, "weak": record("Weak", 0.1, no_band)}, "strong")
    assert "confidence ≥ 0.90" in lines[0] and "40.0% of its predictions at 75.0%" in lines[0]
    assert "320 items per 1,000 tweets" in lines[0]
    assert lines[-1].startswith("Weak: no confidence level reaches the precision target")


def test_drift_lines_explain_the_gap_with_new_names() -> None:
    comparison = pd.DataFrame({"dev_f1": [0.5], "f1": [0.45], "dev_same_fit": [True]}, index=["Strong"])
    lines = drift.drift_lines(DRIFT, MODELS, comparison)
    assert "15.0% of the words in the 2016 test tweets are unknown (dev: 10.0%)" in lines[0]
    assert "finds 85.0% of entities with known names but only 30.0% of new ones" in lines[1]
    assert "87.0% of test entities against 60.0% of dev; its drop from dev F1 50.0% to test F1 45.0%" in lines[1]
    same = {**DRIFT, "test": {**DRIFT["test"], "unseen_entity_share": 0.61}}
    steady = pd.DataFrame({"dev_f1": [0.5], "f1": [0.495], "dev_same_fit": [True]}, index=["Strong"])
    assert "not a change between them" in drift.drift_lines(same, MODELS, steady)[1]


def test_cost_lines_use_the_measured_numbers() -> None:
    table = cost.cost_table(MODELS, TIMINGS)
    (line, fastest) = cost.cost_lines(table, "Strong")
    assert "trained in 90 s" in line and "5,000 tweets per second" in line and "2-core" in line
    assert "about 432 million a day" in line and "3.0 ms at the 99th percentile" in line
    assert cost.cost_lines(table, "Strong", useless=["Strong"]) == [line]
    assert "Strong" in fastest


def test_stability_table_marks_deterministic_models() -> None:
    models = {
        "crf": record("CRF", 0.4, deterministic=True),
        "sgd": record(
            "SGD", 0.2, stability={"seeds": 3, "mean": 0.2, "std": 0.03, "min": 0.17, "max": 0.23, "unstable": True}
        ),
    }
    table = stability.stability_table(models)
    assert table.loc["CRF", "verdict"].startswith("deterministic") and table.loc["CRF", "std"] == 0.0
    assert table.loc["SGD", "verdict"] == "unstable" and table.loc["SGD", "seeds"] == 3
    assert stability.stability_table({"x": record("X", 0.1)}).empty
    assert drift.seen_unseen_table(MODELS).loc["Strong", "recall, new names"] == pytest.approx(0.3)

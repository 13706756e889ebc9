"""The summary's operational sections from hand-written records."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from tweetner_utils.data.corpora import CorpusSpec, corpus_spec
from tweetner_utils.evaluation import monitoring
from tweetner_utils.reporting.summary import cost, drift_text, monitoring_text, routing_text, stability_text

WNUT16 = corpus_spec("wnut16")
OWN = CorpusSpec("mine", "Mine", {"dev": "March tweets", "test": "April tweets"})
"""A corpus of one's own: the sentences must name its tweets, never WNUT16's years."""


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


def weekly_counts(tweets: int, seed: int, hit: float) -> dict[str, list[int]]:
    """Per-tweet counts of a model that finds each of 0-2 gold entities with probability ``hit``."""
    rng = np.random.default_rng(seed)
    gold = rng.integers(0, 3, tweets)
    correct = rng.binomial(gold, hit)
    predicted = correct + rng.binomial(1, 0.3, tweets)
    accepted = rng.binomial(predicted, 0.5)
    return {
        "gold": gold.tolist(),
        "predicted": predicted.tolist(),
        "correct": correct.tolist(),
        "accepted": accepted.tolist(),
        "accepted_correct": np.minimum(accepted, correct).tolist(),
        "unseen_gold": rng.binomial(gold, 0.8).tolist(),
    }


WEEKLY = monitoring.weekly_plan(weekly_counts(3850, 1, 0.5), weekly_counts(1000, 2, 0.45), weeks=3000)


def test_monitoring_plan_derives_every_alert_level_from_its_baseline() -> None:
    models = {**MODELS, "strong": record("Strong", 0.45, ROUTING, seen_unseen=SEEN, weekly_plan=WEEKLY)}
    plan = monitoring_text.monitoring_plan(models, "strong", DRIFT, TIMINGS)
    oov = plan.loc["unknown-word rate of incoming tweets (vs training vocabulary) (%)"]
    assert (oov["baseline dev"], oov["baseline test"], oov["alert at"]) == (10.0, 15.0, 20.0)
    assert plan.loc["share of predicted entities auto-accepted (%)", "alert at"] == 30.0
    assert plan.loc["review items per 1,000 tweets", "alert at"] == 400.0
    assert plan.loc["single-tweet latency p99 (ms)", "alert at"] == 6.0
    f1 = plan.loc["entity F1 (weekly labelled sample) (%)"]
    assert f1["alert at"] == round(100 * WEEKLY["rows"][0]["level"], 1) < f1["baseline test"]
    assert f1["needs labels"] == "yes" and plan.loc["review items per 1,000 tweets", "needs labels"] == "no"
    assert "share of real entities the model misses (weekly labelled sample) (%)" in plan.index
    assert "single-tweet latency p99 (ms)" not in monitoring_text.monitoring_plan(models, "strong", DRIFT, {}).index


def test_the_recorded_plan_is_the_shown_plan_without_its_timing() -> None:
    models = {**MODELS, "strong": record("Strong", 0.45, ROUTING, seen_unseen=SEEN, weekly_plan=WEEKLY)}
    shown = monitoring_text.monitoring_plan(models, "strong", DRIFT, TIMINGS)
    recorded = monitoring_text.recorded_plan(shown)
    assert len(recorded) == len(shown) - 1 and monitoring_text.LATENCY_METRIC in shown.index
    untimed = monitoring_text.monitoring_plan(models, "strong", DRIFT, {})
    assert json.dumps(recorded) == json.dumps(untimed.reset_index().to_dict(orient="records"))
    assert json.dumps(monitoring_text.recorded_plan(untimed)) == json.dumps(recorded)  # nothing to drop


def test_monitoring_lines_count_the_labelled_rows_and_state_the_false_alarm_rate() -> None:
    models = {**MODELS, "strong": record("Strong", 0.45, ROUTING, seen_unseen=SEEN, weekly_plan=WEEKLY)}
    plan = monitoring_text.monitoring_plan(models, "strong", DRIFT, TIMINGS)
    lines = monitoring_text.monitoring_lines(plan, "Strong", WEEKLY, corpus=WNUT16)
    assert lines[1].startswith("4 rows need a labelled sample of 200 tweets a week; the other 4 come from")
    rates = WEEKLY["any_row_false_alarm"]
    assert f"alerts in {100 * rates['test']:.1f}% of weeks like the 2016 test tweets" in lines[2]
    own = monitoring_text.monitoring_lines(plan, "Strong", WEEKLY, corpus=OWN)
    assert f"alerts in {100 * rates['test']:.1f}% of weeks like the April tweets" in own[2]
    assert "today's values on the March tweets and the April tweets" in own[0]
    assert not any("2015" in line or "2016" in line for line in own)
    unlabelled = monitoring_text.monitoring_plan(MODELS, "strong", DRIFT, TIMINGS)
    assert (
        "None of the 4 rows needs labelled tweets"
        in monitoring_text.monitoring_lines(unlabelled, "Strong", None, corpus=WNUT16)[1]
    )


def test_a_dev_value_beyond_its_alert_level_is_said() -> None:
    shifted = monitoring.weekly_plan(weekly_counts(3850, 1, 0.5), weekly_counts(1000, 2, 0.2), weeks=2000)
    models = {**MODELS, "strong": record("Strong", 0.45, ROUTING, weekly_plan=shifted)}
    lines = monitoring_text.monitoring_lines(
        monitoring_text.monitoring_plan(models, "strong", DRIFT, {}), "Strong", shifted, corpus=OWN
    )
    assert any(line.startswith("Today's dev value of entity F1") for line in lines)
    assert not any(
        line.startswith("Today's dev value of entity F1")
        for line in monitoring_text.monitoring_lines(
            monitoring_text.monitoring_plan(
                {**MODELS, "strong": record("S", 0.45, ROUTING, weekly_plan=WEEKLY)}, "strong", DRIFT, {}
            ),
            "S",
            WEEKLY,
            corpus=OWN,
        )
    )


def test_the_stated_false_alarm_rate_is_what_an_independent_simulation_of_200_tweet_weeks_finds() -> None:
    """The issue's check: resample 200-tweet weeks from the dev and test predictions with
    nothing changed; the share alerting on any labelled row must be within 2 points of the page."""
    for split in ("test", "dev"):
        drawn = monitoring.simulated_weeks(WEEKLY["per_tweet"][split], 20_000, 200, seed=12345)
        fired = np.zeros(20_000, dtype=bool)
        for metric, row in zip(monitoring.METRICS, WEEKLY["rows"]):
            fired |= monitoring.alerts(metric, monitoring.metric_values(metric, drawn), row["level"])
        assert abs(fired.mean() - WEEKLY["any_row_false_alarm"][split]) < 0.02, split
    assert 0.02 <= WEEKLY["any_row_false_alarm"]["test"] <= 0.08  # four rows at 1.25% each: about 5% in all


def test_routing_lines_quote_the_leaders_band_and_name_models_without_one() -> None:
    no_band = {**ROUTING, "threshold": None}
    lines = routing_text.routing_lines({**MODELS, "weak": record("Weak", 0.1, no_band)}, "strong", corpus=WNUT16)
    assert "on the 2016 test tweets that is" in lines[0]
    assert "on the April tweets that is" in routing_text.routing_lines(MODELS, "strong", corpus=OWN)[0]
    assert "confidence ≥ 0.90" in lines[0] and "40.0% of its predictions at 75.0%" in lines[0]
    assert "320 items per 1,000 tweets" in lines[0]
    assert lines[-1].startswith("Weak: no confidence level reaches the precision target")


def test_drift_lines_explain_the_gap_with_new_names() -> None:
    comparison = pd.DataFrame({"dev_f1": [0.5], "f1": [0.45], "dev_same_fit": [True]}, index=["Strong"])
    lines = drift_text.drift_lines(DRIFT, MODELS, comparison, corpus=WNUT16)
    assert "15.0% of the words in the 2016 test tweets are unknown (dev: 10.0%)" in lines[0]
    assert "of the words in the April tweets are" in drift_text.drift_lines(DRIFT, MODELS, comparison, corpus=OWN)[0]
    assert "finds 85.0% of entities with known names but only 30.0% of new ones" in lines[1]
    assert "87.0% of test entities against 60.0% of dev; its drop from dev F1 50.0% to test F1 45.0%" in lines[1]
    same = {**DRIFT, "test": {**DRIFT["test"], "unseen_entity_share": 0.61}}
    steady = pd.DataFrame({"dev_f1": [0.5], "f1": [0.495], "dev_same_fit": [True]}, index=["Strong"])
    assert "not a change between them" in drift_text.drift_lines(same, MODELS, steady, corpus=WNUT16)[1]


def test_cost_lines_use_the_measured_numbers() -> None:
    table = cost.cost_table(MODELS, TIMINGS)
    (line, fastest) = cost.cost_lines(table, "Strong")
    assert "trained in 90 s (90 s, one run so far)" in line and "5,000 tweets per second" in line
    assert (
        "measured 5,000 in separate parts" in line
        and "2-core" in line
        and "first pass over new tweets is slower" in line
    )
    assert "about 432 million a day" in line and "3.0 ms at the 99th percentile (3 ms over" in line
    assert cost.cost_lines(table, "Strong", useless=["Strong"]) == [line]
    assert "Strong" in fastest
    ranged = {
        "strong": {
            **TIMINGS["strong"],
            "train_seconds_runs": [84.0, 90.0, 97.4],
            "tweets_per_s_range": [4500.2, 5400.0],
            "latency_ms_p99_range": [2.5, 3.25],
        }
    }
    (line, _) = cost.cost_lines(cost.cost_table(MODELS, ranged), "Strong")
    assert "(84–97.4 s over the last 3 runs)" in line and "measured 4,500–5,400 in" in line and "(2.5–3.25 ms" in line
    cold = {"strong": {**ranged["strong"], "cold_tweets_per_s": 2100.4, "cold_tweets_per_s_range": [1900.0, 2300.2]}}
    table = cost.cost_table(MODELS, cold)
    (line, fastest) = cost.cost_lines(table, "Strong")
    assert "(2,100 tweets per second on a first pass, 1,900–2,300; 5,000 tweets per second warm" in fastest
    assert "tags 2,100 tweets per second in batches on its first pass over tweets it has never seen" in line
    assert "(1,900–2,300 over three processes), and 5,000 once its caches are warm (4,500–5,400)" in line
    assert "about 181 million a day" in line and "slower" not in line  # a day at the cold rate
    both = cost.cost_table(MODELS, {**cold, "weak": TIMINGS["strong"]})
    assert both.loc["Strong", cost.COLD] == 2100.4 and both.loc["Weak", cost.COLD] == cost.NOT_MEASURED


@pytest.mark.slow  # starts fresh Python processes
def test_a_first_pass_is_measured_in_fresh_processes_from_the_saved_folder(tmp_path) -> None:
    from tweetner_utils import synthetic_splits
    from tweetner_utils.features.knowledge import KnowledgeFeaturizer, synthetic_knowledge
    from tweetner_utils.models.crf import CrfTagger
    from tweetner_utils.serving import costs

    splits = synthetic_splits(3)
    crf = CrfTagger(c1=0.1, c2=0.1, max_iterations=20, featurizer=KnowledgeFeaturizer(synthetic_knowledge()))
    crf.fit(splits["train"].tokens, splits["train"].tags)
    crf.save(str(tmp_path / "crf"), {})
    texts = [" ".join(t.tokens) for t in splits["test"]]
    measured = costs.cold_throughput(tmp_path / "crf", texts, repeats=2)
    low, high = measured["cold_tweets_per_s_range"]
    assert 0 < low <= measured["cold_tweets_per_s"] <= high
    with pytest.raises(RuntimeError, match="fresh process failed"):
        costs.cold_throughput(tmp_path / "missing", texts, repeats=1)


def test_stability_table_marks_deterministic_models() -> None:
    models = {
        "crf": record("CRF", 0.4, deterministic=True),
        "sgd": record(
            "SGD", 0.2, stability={"seeds": 3, "mean": 0.2, "std": 0.03, "min": 0.17, "max": 0.23, "unstable": True}
        ),
    }
    table = stability_text.stability_table(models)
    assert table.loc["CRF", "verdict"].startswith("deterministic") and table.loc["CRF", "std (F1 points)"] == 0.0
    assert table.loc["SGD", "verdict"] == "unstable" and table.loc["SGD", "seeds"] == 3
    assert stability_text.stability_table({"x": record("X", 0.1)}).empty
    assert drift_text.seen_unseen_table(MODELS).loc["Strong", "recall, new names"] == pytest.approx(0.3)

"""The labelling plan's sentences, each on the records that make it true and false, and the
record itself from a small run on the synthetic corpus."""

from __future__ import annotations

import json

import numpy as np

from tweetner_utils import synthetic_splits
from tweetner_utils.evaluation.labelling import LabellingPlanSettings, analyse_labelling
from tweetner_utils.evaluation.learning_curve import PowerLaw
from tweetner_utils.features.knowledge import KnowledgeFeaturizer, synthetic_knowledge
from tweetner_utils.models.crf import CrfTagger
from tweetner_utils.reporting.summary.labelling_text import goal_line, next_labels_line, plan_lines, strategy_line

LAW = PowerLaw(0.55, 1.2, 0.4)


def comparisons(verdicts: dict) -> list[dict]:
    gains = {"confidence": 0.004, "uncertainty": 0.021}
    return [
        {"strategy": s, "labelled": 1200, "gain": g, "low": g - 0.01, "high": g + 0.01, "added": 900, "seeds": 3}
        | {"verdict": verdicts[s]}
        for s, g in gains.items()
    ]


def record(
    law: PowerLaw = LAW,
    low: float | None = None,
    high: float | None = None,
    best="uncertainty",
    verdicts=None,
    test_verdicts=None,
):
    today = float(law(2394))
    at_1000 = float(law(3394))
    low, high = at_1000 - 0.003 if low is None else low, at_1000 + 0.003 if high is None else high
    verdicts = verdicts or {"confidence": "unclear", "uncertainty": "better"}
    return {
        "recipe": "the knowledge CRF alone",
        "train_tweets": 2394,
        "curve": [{}] * 16,
        "power_law": {"a": law.a, "b": law.b, "c": law.c},
        "extrapolated": [{"extra": 1000, "f1": at_1000, "low": low, "high": high, "gain": at_1000 - today}],
        "dev_comparisons": comparisons(verdicts),
        "comparisons": comparisons(test_verdicts or verdicts),
        "best_strategy": best,
    }


def test_the_next_thousand_labels_are_a_gain_with_its_range_or_no_gain() -> None:
    gained = record()
    today = LAW(2394)
    line = next_labels_line(gained)
    gain = 100 * (float(LAW(3394)) - today)
    assert (
        line is not None
        and f"about {gain:.1f} points of test F1 (95% interval {gain - 0.3:.1f} to {gain + 0.3:.1f})" in line
    )
    assert "extrapolation" in line and "2,394" in line and "16 fits" in line
    flat = record(low=float(today) - 0.002, high=float(today) + 0.01)
    flat_gain = 100 * (float(LAW(3394)) - today)
    assert f"about {flat_gain:.1f} points of test F1 by the fitted curve, though its 95% interval (" in (
        next_labels_line(flat) or ""
    )
    assert "includes no gain" in (next_labels_line(flat) or "") and "includes no gain" not in line
    assert next_labels_line(gained, extra=2500) is None


def test_a_goal_is_a_number_of_tweets_and_hours_or_out_of_reach() -> None:
    line = goal_line(record(), 2.0, 120)
    needed = int(line.split("takes about ")[1].split(" more")[0].replace(",", ""))
    assert float(LAW(2394 + needed)) >= float(LAW(2394)) + 0.02 > float(LAW(2394 + needed - 1))
    assert f"{needed / 120:,.0f} hours" in line and "120 tweets an hour (an assumed rate" in line
    capped = goal_line(record(law=PowerLaw(0.50, 0.1, 0.4)), 2.0, 120)  # within half a point of its ceiling
    assert "out of reach by labelling alone" in capped and "levels off at" in capped


def test_the_strategy_line_follows_the_simulations_verdict() -> None:
    chosen = strategy_line(record())
    assert "choosing by uncertainty beat a random sample on dev by 2.1 points" in chosen
    assert "--strategy uncertainty" in chosen and "2.3 points per 1,000 tweets added" in chosen
    assert "test agrees" in chosen
    unconfirmed = strategy_line(record(test_verdicts={"confidence": "unclear", "uncertainty": "unclear"}))
    assert "test cannot tell it from nothing" in unconfirmed and "test agrees" not in unconfirmed
    none = strategy_line(record(best="random", verdicts={"confidence": "worse", "uncertainty": "unclear"}))
    assert "no way of choosing beat a random sample" in none and "confidence did worse" in none
    assert "--strategy random" in none
    quiet = strategy_line(record(best="random", verdicts={"confidence": "unclear", "uncertainty": "unclear"}))
    assert "did worse" not in quiet


def test_no_record_no_plan() -> None:
    assert plan_lines(None, 2.0, 120) == [] and len(plan_lines(record(), 2.0, 120)) == 3


def test_the_record_of_a_small_synthetic_run_is_complete_and_the_same_in_parallel() -> None:
    splits = synthetic_splits(3)
    template = CrfTagger(c1=0.1, c2=0.1, max_iterations=10, featurizer=KnowledgeFeaturizer(synthetic_knowledge()))
    settings = LabellingPlanSettings(
        shares=(0.25, 0.5, 0.75, 1.0),
        seeds=(1, 2),
        simulation_seeds=(1, 2, 3),
        extras=(100,),
        start=20,
        batch=20,
        rounds=2,
        max_iterations=10,
    )
    first = analyse_labelling(template, splits, settings, log=lambda line: None)
    here = analyse_labelling(template, splits, settings, log=lambda line: None, workers=1)
    assert json.dumps(first) == json.dumps(here)  # two forked workers or none: the same record
    assert first["train_tweets"] == len(splits["train"])
    assert len(first["curve"]) == 3 * 2 + 1  # the curve's shares below 1 x its seeds, and all of train once
    assert len(first["simulation"]) == 3 * 3 * 3  # the simulation's seeds x strategies x (start + rounds)
    assert {c["strategy"] for c in first["comparisons"]} == {"confidence", "uncertainty"}
    assert [c["strategy"] for c in first["dev_comparisons"]] == ["confidence", "uncertainty"]
    assert first["best_strategy"] in {"random", "confidence", "uncertainty"}
    assert np.isfinite(first["power_law"]["a"]) and "10 iterations" in first["recipe"]

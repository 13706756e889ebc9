"""Seed-stability runs and the instability rule."""

from __future__ import annotations

import pandas as pd
import pytest

from tweetner_utils import Corpus, Tweet
from tweetner_utils.evaluation.stability import UNSTABLE_STD, seed_runs, summarise
from tweetner_utils.reporting.summary.stability_text import describe_stability

GOLD = Corpus((Tweet(("Bob", "ran"), ("B-person", "O")), Tweet(("Ann", "sat"), ("B-person", "O"))))


class _SeedDependent:
    def __init__(self, seed: int) -> None:
        self.seed = seed

    def predict(self, tokens):
        # Odd seeds find both names, even seeds only the first.
        return [["B-person", "O"], ["B-person" if self.seed % 2 else "O", "O"]]


def test_seed_runs_score_each_seed_on_each_corpus() -> None:
    runs = seed_runs(_SeedDependent, {"test": GOLD}, [1, 2, 3])
    assert list(runs["seed"]) == [1, 2, 3]
    assert list(runs["test_f1"]) == pytest.approx([1.0, 2 / 3, 1.0])


def test_summary_and_flag() -> None:
    summary = summarise(pd.DataFrame({"test_f1": [0.40, 0.41, 0.42]}))
    assert summary["mean"] == pytest.approx(0.41) and summary["std"] == pytest.approx(0.01)
    assert summary["unstable"] is False
    assert summarise(pd.DataFrame({"test_f1": [0.3, 0.4, 0.5]}))["unstable"] is True
    assert UNSTABLE_STD == 0.02
    assert describe_stability(summary, "M").endswith("stable: the spread (1.0 points) is within the 2-point limit.")
    shaky = summarise(pd.DataFrame({"test_f1": [0.3, 0.4, 0.5]}))
    assert describe_stability(shaky, "M").endswith("unstable: the spread (10.0 points) exceeds the 2-point limit.")


# The leading model's spread over seeds, recorded by benchmarks/stability.py --leader.


def spread_record(runs: dict[int, float]) -> dict:
    return {"commit": "0123456789abcdef", "runs": [{"seed": s, "test_f1": f1} for s, f1 in runs.items()]}


def test_the_seed_spread_sentence_quotes_this_run_and_the_spread_when_the_record_is_of_this_configuration():
    from tweetner_utils.reporting.summary.stability_text import seed_spread_line

    line = seed_spread_line(spread_record({42: 0.5419, 7: 0.5302, 123: 0.5377}), "Ensemble", 0.54189, 42)
    assert line.startswith("Ensemble, this run (seed 42): test entity F1 54.2%; over 3 seeds (42, 7, 123;")
    assert "at commit 0123456789) mean 53.7%, range 53.0%-54.2%" in line
    assert line.endswith("the seed alone moves it by 1.2 points.")
    assert "another configuration" not in line


def test_the_seed_spread_sentence_says_when_the_record_is_of_another_configuration():
    from tweetner_utils.reporting.summary.stability_text import seed_spread_line

    other = seed_spread_line(spread_record({42: 0.5302, 7: 0.5377}), "Ensemble", 0.5419, 42)
    assert "but that measurement is of another configuration (there seed 42 scored 53.0%)" in other
    assert "moves it by" not in other
    missing_seed = seed_spread_line(spread_record({7: 0.53, 123: 0.54}), "Ensemble", 0.5419, 42)
    assert "seed 42 was not among them" in missing_seed
    never = seed_spread_line(None, "Ensemble", 0.5419, 42)
    assert never.endswith("its spread over seeds has not been measured (`python benchmarks/stability.py --leader`).")


def test_a_seed_spread_record_is_read_by_corpus_and_a_damaged_one_is_named(tmp_path):
    import json

    from tweetner_utils import ResultsError
    from tweetner_utils.evaluation.stability import read_seed_spread, seed_spread_path

    assert read_seed_spread(tmp_path, "wnut16") is None
    seed_spread_path(tmp_path, "wnut16").write_text(json.dumps(spread_record({42: 0.5, 7: 0.52})))
    assert [run["seed"] for run in read_seed_spread(tmp_path, "wnut16")["runs"]] == [42, 7]
    assert read_seed_spread(tmp_path, "wnut17") is None
    seed_spread_path(tmp_path, "wnut17").write_text('{"runs": [{"seed": 42}]}')
    with pytest.raises(ResultsError, match=r"leader_seeds_wnut17.json: not a seed-spread record \(KeyError"):
        read_seed_spread(tmp_path, "wnut17")
    seed_spread_path(tmp_path, "wnut17").write_text(json.dumps(spread_record({42: 0.5})))
    with pytest.raises(ResultsError, match="needs at least 2 runs, found 1"):
        read_seed_spread(tmp_path, "wnut17")


def test_the_fast_model_has_its_own_seed_spread_sentence_from_the_same_record():
    from tweetner_utils.evaluation.stability import FAST_SCORE
    from tweetner_utils.reporting.summary.stability_text import seed_spread_line

    record = spread_record({42: 0.5366, 7: 0.5449})
    for run, fast in zip(record["runs"], (0.5164, 0.4849), strict=True):
        run[FAST_SCORE] = fast
    line = seed_spread_line(record, "The fast model", 0.51641, 42, FAST_SCORE)
    assert line.startswith("The fast model, this run (seed 42): test entity F1 51.6%; over 2 seeds (42, 7;")
    assert "mean 50.1%, range 48.5%-51.6%: the seed alone moves it by 3.1 points." in line
    other = seed_spread_line(record, "The fast model", 0.4424, 42, FAST_SCORE)
    assert "another configuration (there seed 42 scored 51.6%)" in other
    del record["runs"][1][FAST_SCORE]  # one run with a fast score is no spread
    once = seed_spread_line(record, "The fast model", 0.51641, 42, FAST_SCORE)
    assert once.endswith("its spread over seeds has not been measured (`python benchmarks/stability.py --leader`).")

"""Seed-stability runs and the instability rule."""

from __future__ import annotations

import pandas as pd
import pytest

from tweetner_utils import Corpus, Tweet
from tweetner_utils.evaluation.stability import UNSTABLE_STD, describe, seed_runs, summarise

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
    assert describe(summary, "M").endswith("stable: the spread (1.0 points) is within the 2-point limit.")
    shaky = summarise(pd.DataFrame({"test_f1": [0.3, 0.4, 0.5]}))
    assert describe(shaky, "M").endswith("unstable: the spread (10.0 points) exceeds the 2-point limit.")

"""Drift numbers on hand-written splits."""

from __future__ import annotations

import pytest

from tweetner_utils.analysis.drift import drift_record, oov_table, type_shift
from tweetner_utils.data.conll import Corpus, Tweet

TRAIN = Corpus((Tweet(("Obama", "in", "Paris"), ("B-person", "O", "B-geo-loc")), Tweet(("hi",), ("O",))))
TEST = Corpus(
    (
        Tweet(("obama", "in", "Lyon"), ("B-person", "O", "B-geo-loc")),
        Tweet(("Apple", "Apple"), ("B-company", "B-company")),
    )
)
CORPORA = {"train": TRAIN, "test": TEST}


def test_oov_counts_running_words_and_distinct_forms_case_insensitively() -> None:
    row = oov_table(CORPORA).loc["test"]
    assert row["tokens"] == 5
    assert row["oov_token_rate"] == pytest.approx(3 / 5)  # lyon, apple, apple
    assert row["oov_type_rate"] == pytest.approx(2 / 4)  # obama, in known; lyon, apple new


def test_type_shift_and_the_summary_record() -> None:
    shift = type_shift(CORPORA)
    assert shift.loc["company", "test - train"] == pytest.approx(0.5)
    assert shift.loc["person", "test - train"] == pytest.approx(0.25 - 0.5)
    record = drift_record(CORPORA)["test"]
    assert record["type_shift_distance"] == pytest.approx(0.5)  # (0.25 + 0.25 + 0.5) / 2
    assert record["unseen_entity_share"] == pytest.approx(0.75)  # only "obama" (person) is known
    assert record["largest_type_change"] == {"type": "company", "points": 50.0}

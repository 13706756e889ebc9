"""Entity scores agree with conlleval; the original's token score is reproduced."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from conlleval_reference import chunks, micro_prf
from label_sets import ENTITY_TYPES, LABELS
from seqeval.metrics import f1_score, precision_score, recall_score

from tweetner_utils import (
    bootstrap_f1_ci,
    entities,
    entity_scores,
    token_macro_non_o,
    write_conlleval_file,
)

# (tags, conlleval's chunks as (type, first, last))
CHUNK_TABLE = [
    (["O", "O"], set()),
    (["B-person"], {("person", 0, 0)}),
    (["I-person"], {("person", 0, 0)}),  # I- without B- starts an entity
    (["O", "I-person", "I-person"], {("person", 1, 2)}),
    (["B-person", "I-person", "B-person"], {("person", 0, 1), ("person", 2, 2)}),
    (["B-person", "I-geo-loc"], {("person", 0, 0), ("geo-loc", 1, 1)}),  # type switch inside a span
    (["B-person", "I-person", "I-geo-loc", "I-geo-loc"], {("person", 0, 1), ("geo-loc", 2, 3)}),
    (["O", "B-tvshow", "I-tvshow"], {("tvshow", 1, 2)}),  # entity at the end of a tweet
    (["B-geo-loc", "I-geo-loc", "O", "I-geo-loc"], {("geo-loc", 0, 1), ("geo-loc", 3, 3)}),
]


@pytest.mark.parametrize(("tags", "expected"), CHUNK_TABLE)
def test_entities_follow_conlleval_chunking(tags: list[str], expected: set) -> None:
    assert entities(tags) == expected
    assert chunks(tags) == expected


# (gold, pred, precision, recall, f1)
SCORE_TABLE = [
    ([["B-person", "I-person", "O"]], [["B-person", "I-person", "O"]], 1.0, 1.0, 1.0),
    ([["B-person", "I-person", "O"]], [["B-person", "O", "O"]], 0.0, 0.0, 0.0),  # wrong boundary
    ([["B-person", "I-person", "O"]], [["B-geo-loc", "I-geo-loc", "O"]], 0.0, 0.0, 0.0),  # wrong type
    ([["B-person", "I-person", "O"]], [["O", "I-person", "O"]], 0.0, 0.0, 0.0),
    ([["B-person", "O", "B-company"]], [["I-person", "O", "O"]], 1.0, 0.5, 2 / 3),  # I- without B- is right
    ([["B-person", "O"]], [["O", "O"]], 0.0, 0.0, 0.0),  # empty prediction
    ([["O", "O"]], [["O", "O"]], 0.0, 0.0, 0.0),  # nothing to find, nothing found
    ([["O", "B-movie"], ["B-movie"]], [["O", "B-movie"], ["O"]], 1.0, 0.5, 2 / 3),  # end of tweet
]


@pytest.mark.parametrize(("gold", "pred", "precision", "recall", "f1"), SCORE_TABLE)
def test_entity_scores_table(gold, pred, precision: float, recall: float, f1: float) -> None:
    overall = entity_scores(gold, pred).overall
    assert (overall.precision, overall.recall, overall.f1) == pytest.approx((precision, recall, f1))
    assert (overall.precision, overall.recall, overall.f1) == pytest.approx(micro_prf(gold, pred))


def _random_tags(rng: random.Random, n: int) -> list[str]:
    # Few types and many I- tags so that odd sequences (I- after O, type switches) abound.
    pool = ["O", "O", "O", "B-person", "I-person", "B-geo-loc", "I-geo-loc", "I-other"]
    return [rng.choice(pool) for _ in range(n)]


@pytest.mark.parametrize("seed", range(5))
def test_random_sequences_agree_with_reference_and_seqeval(seed: int) -> None:
    rng = random.Random(seed)
    gold = [_random_tags(rng, rng.randint(1, 15)) for _ in range(200)]
    pred = [_random_tags(rng, len(g)) for g in gold]
    overall = entity_scores(gold, pred).overall
    expected = micro_prf(gold, pred)
    assert (overall.precision, overall.recall, overall.f1) == pytest.approx(expected)
    assert overall.precision == pytest.approx(precision_score(gold, pred))
    assert overall.recall == pytest.approx(recall_score(gold, pred))
    assert overall.f1 == pytest.approx(f1_score(gold, pred))
    for tweet in gold:
        assert entities(tweet) == chunks(tweet)


def test_per_type_scores_and_counts() -> None:
    gold = [["B-person", "O", "B-geo-loc", "I-geo-loc"], ["B-person"]]
    pred = [["B-person", "O", "B-geo-loc", "O"], ["O"]]
    assert set(entity_scores(gold, pred).per_type) == {"person", "geo-loc"}  # the types found
    scores = entity_scores(gold, pred, ENTITY_TYPES)
    assert list(scores.per_type) == sorted(ENTITY_TYPES)  # a corpus's full label set, in order
    person = scores.per_type["person"]
    assert (person.n_correct, person.n_pred, person.n_gold) == (1, 1, 2)
    assert person.recall == 0.5
    geo = scores.per_type["geo-loc"]
    assert (geo.n_correct, geo.n_pred, geo.n_gold, geo.f1) == (0, 1, 1, 0.0)
    assert scores.per_type["movie"].n_gold == 0
    assert scores.to_dict()["overall"]["n_gold"] == 3


def test_types_of_any_label_set_are_scored() -> None:
    gold = [["B-creative-work", "I-creative-work", "O", "B-group"]]
    pred = [["B-creative-work", "I-creative-work", "O", "B-corporation"]]
    scores = entity_scores(gold, pred, ["group"])
    assert list(scores.per_type) == ["corporation", "creative-work", "group"]
    assert scores.per_type["creative-work"].f1 == 1.0
    assert (scores.per_type["corporation"].n_pred, scores.per_type["group"].n_gold) == (1, 1)
    assert scores.overall.f1 == 0.5


def test_misaligned_sequences_are_rejected() -> None:
    with pytest.raises(ValueError, match="not aligned"):
        entity_scores([["O", "O"]], [["O"]])
    with pytest.raises(ValueError, match="not aligned"):
        entity_scores([["O"]], [["O"], ["O"]])


def test_token_macro_matches_hand_computation() -> None:
    gold = [["B-person", "I-person", "O", "B-geo-loc"]]
    pred = [["B-person", "O", "O", "B-person"]]
    # B-person: P 1/2, R 1/1; I-person: P 0, R 0; B-geo-loc: P 0, R 0; all other 17 labels 0.
    scores = token_macro_non_o(gold, pred, [t for t in LABELS if t != "O"])
    assert scores["precision_non_o_macro"] == pytest.approx(0.5 / 20)
    assert scores["recall_non_o_macro"] == pytest.approx(1.0 / 20)
    assert scores["f1_non_o_macro"] == pytest.approx((2 / 3) / 20)
    assert token_macro_non_o(gold, pred, labels=["B-person"])["f1_non_o_macro"] == pytest.approx(2 / 3)
    # by default: both tags of each type found (person, geo-loc), so 4 labels
    assert token_macro_non_o(gold, pred)["f1_non_o_macro"] == pytest.approx((2 / 3) / 4)


def test_majority_baseline_token_macro_is_zero() -> None:
    gold = [["B-person", "O", "I-other"]]
    assert token_macro_non_o(gold, [["O", "O", "O"]])["f1_non_o_macro"] == 0.0


def test_bootstrap_interval_is_seeded_and_brackets_the_score() -> None:
    rng = random.Random(7)
    gold = [_random_tags(rng, 10) for _ in range(300)]
    pred = [[t if rng.random() < 0.7 else "O" for t in g] for g in gold]
    low, high = bootstrap_f1_ci(gold, pred, n_resamples=400, seed=3)
    f1 = entity_scores(gold, pred).overall.f1
    assert low < f1 < high
    assert high - low < 0.2
    assert bootstrap_f1_ci(gold, pred, n_resamples=400, seed=3) == (low, high)
    assert bootstrap_f1_ci(gold, pred, n_resamples=400, seed=4) != (low, high)


def test_bootstrap_of_perfect_predictions_is_degenerate() -> None:
    gold = [["B-person", "O"], ["O", "B-movie"]]
    assert bootstrap_f1_ci(gold, gold, n_resamples=50) == (1.0, 1.0)


def test_conlleval_file_has_token_gold_pred_columns(tmp_path: Path) -> None:
    path = tmp_path / "pred.txt"
    write_conlleval_file(path, [["Hi", "Bob"], ["New York"]], [["O", "B-person"], ["O"]], [["O", "O"], ["O"]])
    assert path.read_text() == "Hi O O\nBob B-person O\n\nNew_York O O\n\n"
    rows = [line.split(" ") for line in path.read_text().splitlines() if line]  # conlleval.pl: split(/ /)
    assert all(len(row) == 3 and row[1] in LABELS and row[2] in LABELS for row in rows)

"""Calibration chosen on dev: it fixes overconfidence, leaves calibrated scores alone, and is stored as numbers."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tweetner_utils.models.calibration import (
    Calibrator,
    choose_calibrator,
    expected_calibration_error,
    fit_calibrator,
    reliability_table,
)


def entities(n: int, seed: int, honest: bool) -> tuple[np.ndarray, np.ndarray]:
    """Raw confidences, and right/wrong drawn at the confidence itself (honest) or far below it."""
    rng = np.random.default_rng(seed)
    raw = rng.uniform(0.3, 1.0, n)
    return raw, rng.random(n) < (raw if honest else raw**4)


def test_an_overconfident_model_is_calibrated_on_dev_and_its_test_error_falls():
    dev, test = entities(3000, 1, honest=False), entities(3000, 2, honest=False)
    calibrator, table = choose_calibrator(*dev)
    assert calibrator.kind in ("platt", "isotonic") and table.loc["identity", "brier"] > table["brier"].min()
    before, after = expected_calibration_error(*test), expected_calibration_error(calibrator(test[0]), test[1])
    assert before > 0.15 and after < 0.05


def test_calibrated_scores_stay_about_where_they_are_and_the_map_is_monotone():
    dev, test = entities(3000, 3, honest=True), entities(3000, 4, honest=True)
    calibrator, _ = choose_calibrator(*dev)
    assert expected_calibration_error(calibrator(test[0]), test[1]) < expected_calibration_error(*test) + 0.02
    grid = np.linspace(0, 1, 101)
    assert np.all(np.diff(calibrator(grid)) >= -1e-12)


@pytest.mark.parametrize("kind", ["platt", "isotonic", "identity"])
def test_a_calibrator_is_stored_as_plain_numbers_and_read_back(kind):
    raw, right = entities(500, 5, honest=False)
    calibrator = fit_calibrator(kind, raw, right)
    back = Calibrator.from_dict(json.loads(json.dumps(calibrator.to_dict())))
    assert np.allclose(back(raw), calibrator(raw))
    with pytest.raises(ValueError, match="unknown calibration kind 'spline'"):
        Calibrator.from_dict({"kind": "spline"})


def test_the_reliability_table_bins_by_confidence():
    table = reliability_table([0.05, 0.95, 0.91, 0.5], [False, True, False, True])
    assert list(table.index) == ["0.0-0.1", "0.5-0.6", "0.9-1.0"]
    assert table.loc["0.9-1.0", "entities"] == 2 and table.loc["0.9-1.0", "share right"] == 0.5


def test_a_calibration_that_would_reverse_the_order_is_not_used():
    raw = np.linspace(0.3, 1.0, 400)
    assert fit_calibrator("platt", raw, raw < 0.6).kind == "identity"  # the least confident are the right ones
    assert fit_calibrator("platt", raw, raw > 0.6).kind == "platt"


@pytest.mark.parametrize(
    ("stored", "said"),
    [
        ({"kind": "platt", "a": 1.0}, "platt calibration needs numbers 'a' and 'b'"),
        ({"kind": "platt", "a": "1", "b": 0}, "platt calibration needs numbers"),
        ({"kind": "isotonic", "x": [0.5, 0.2], "y": [0.1, 0.2]}, "x increasing"),
        ({"kind": "isotonic", "x": [0.5], "y": []}, "equal-length lists"),
    ],
)
def test_a_recorded_calibration_of_the_wrong_shape_is_refused_saying_what_is_wrong(stored, said):
    with pytest.raises(ValueError, match=said):
        Calibrator.from_dict(stored)


PLATT = Calibrator("platt", {"a": 3.0, "b": -2.0})
"""Pulls raw confidences apart: 0.9 -> 0.97, 0.6 -> 0.36."""


@pytest.fixture(scope="module")
def calibrated_model(tmp_path_factory):
    """A small knowledge CRF saved with a calibration and a threshold, as `make reports` saves it."""
    from tweetner_utils import synthetic_splits
    from tweetner_utils.features.knowledge import KnowledgeFeaturizer, synthetic_knowledge
    from tweetner_utils.models.crf import CrfTagger

    splits = synthetic_splits(9)
    folder = tmp_path_factory.mktemp("models") / "strong_crf"
    crf = CrfTagger(c1=0.5, c2=0.5, max_iterations=8, featurizer=KnowledgeFeaturizer(synthetic_knowledge()))
    crf.fit(splits["train"].tokens, splits["train"].tags)
    crf.save(str(folder), {"routing_threshold": 0.8, "calibration": PLATT.to_dict()})
    return folder, splits["test"]


def raw_entity_confidences(tagger, tokens) -> list[float]:
    from tweetner_utils.data.labels import bio_spans
    from tweetner_utils.models.protocol import entity_confidence

    tags, confidences = tagger.tag_tokens(tokens)
    return [entity_confidence(c, first, last) for t, c in zip(tags, confidences) for _, first, last in bio_spans(t)]


def test_the_api_reports_the_calibrated_confidence_its_folder_records(calibrated_model):
    from tweetner_utils.data.tokenizer import tokenize
    from tweetner_utils.serving.api import load_tagger, model_tokens

    folder, test = calibrated_model
    tagger = load_tagger(folder)
    texts = [" ".join(tweet.tokens) for tweet in test]
    reported = [entity.confidence for found in tagger.tag(texts) for entity in found]
    raw = raw_entity_confidences(tagger, [model_tokens(tokenize(text)) for text in texts])
    assert reported == pytest.approx([PLATT.value(r) for r in raw], abs=6e-5)  # reported to 4 decimals
    assert max(abs(a - b) for a, b in zip(reported, raw)) > 0.01  # the calibration changed something


def test_the_review_queue_compares_the_calibrated_confidence_with_the_threshold(calibrated_model):
    from tweetner_utils.data.tokenizer import tokenize
    from tweetner_utils.serving.api import load_tagger
    from tweetner_utils.serving.review import review_queue

    folder, test = calibrated_model
    tagger = load_tagger(folder)
    texts = [" ".join(tweet.tokens) for tweet in test]
    items = [type("Item", (), {"id": n, "text": t, "tokens": tokenize(t)})() for n, t in enumerate(texts)]
    raw = raw_entity_confidences(tagger, [[token.text for token in item.tokens] for item in items])
    threshold = float(np.median(PLATT(raw)))
    _, summary = review_queue(tagger, items, threshold)
    assert summary.review_items == sum(PLATT.value(r) < threshold for r in raw)
    assert summary.review_items != sum(r < threshold for r in raw)  # raw values would route differently


def test_monitoring_counts_accept_what_routing_accepts_in_calibrated_units():
    from tweetner_utils.data.conll import Corpus, Tweet
    from tweetner_utils.evaluation.monitoring import tweet_counts
    from tweetner_utils.evaluation.routing import apply_threshold, scored_entities

    gold = Corpus(
        (
            Tweet(("Bob", "met", "Ann"), ("B-person", "O", "B-person")),
            Tweet(("in", "Paris", "now"), ("O", "B-geo-loc", "O")),
        )
    )
    pred = [["B-person", "O", "B-person"], ["O", "B-geo-loc", "O"]]
    confidences = [[0.62, 1.0, 0.95], [1.0, 0.7, 1.0]]
    threshold = PLATT.value(0.68)  # accepts raw 0.7 and 0.95, not 0.62
    counts = tweet_counts(gold, pred, confidences, threshold, Corpus(()), PLATT)
    routed = apply_threshold(scored_entities(gold.tags, pred, confidences, PLATT), threshold, len(gold))
    assert sum(counts["accepted"]) == 2 == round(routed["auto_accepted_share"] * 3)
    assert sum(tweet_counts(gold, pred, confidences, threshold, Corpus(()))["accepted"]) == 3  # raw: all three

"""BIO-constrained decoding and probability averaging."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from label_sets import LABELS

from tweetner_utils.models.bio_decoding import allowed_transitions, decode_all, viterbi_bio
from tweetner_utils.models.ensemble import EnsembleTagger, average_distributions

INDEX = {label: i for i, label in enumerate(LABELS)}


def distribution(*rows: dict[str, float]) -> np.ndarray:
    matrix = np.full((len(rows), len(LABELS)), 1e-6)
    for t, row in enumerate(rows):
        for label, p in row.items():
            matrix[t, INDEX[label]] = p
    return matrix


def test_transitions_forbid_i_without_matching_b() -> None:
    allowed = allowed_transitions(LABELS)
    assert allowed[INDEX["B-person"], INDEX["I-person"]]
    assert allowed[INDEX["I-person"], INDEX["I-person"]]
    assert not allowed[INDEX["O"], INDEX["I-person"]]
    assert not allowed[INDEX["B-geo-loc"], INDEX["I-person"]]
    assert allowed[INDEX["I-geo-loc"], INDEX["B-person"]]


def test_viterbi_repairs_an_invalid_argmax() -> None:
    # Token-wise argmax would be O, I-person: invalid. The best valid path is B-person, I-person.
    probs = distribution({"O": 0.55, "B-person": 0.45}, {"I-person": 0.9, "O": 0.1})
    assert viterbi_bio(probs, LABELS) == ["B-person", "I-person"]


def test_viterbi_keeps_a_valid_argmax_and_handles_empty() -> None:
    probs = distribution({"B-movie": 0.9}, {"I-movie": 0.8}, {"O": 0.9})
    assert viterbi_bio(probs, LABELS) == ["B-movie", "I-movie", "O"]
    assert viterbi_bio(np.zeros((0, len(LABELS))), LABELS) == []


def test_average_is_weighted_per_tweet() -> None:
    a = [distribution({"O": 1.0})]
    b = [distribution({"B-person": 1.0})]
    mixed = average_distributions([a, b], [3, 1])[0]
    assert mixed[0, INDEX["O"]] == pytest.approx(0.75, abs=1e-5)
    with pytest.raises(ValueError, match="positive weight"):
        average_distributions([a, b], [1])


class _Fixed:
    labels = LABELS

    def __init__(self, rows: list[np.ndarray]) -> None:
        self.rows = rows

    def fit(self, tokens, tags):
        return self

    def predict_proba(self, tokens):
        return self.rows


def test_ensemble_lets_the_confident_member_win() -> None:
    unsure = _Fixed([distribution({"O": 0.5, "B-company": 0.5})])
    sure = _Fixed([distribution({"B-company": 0.95, "O": 0.05})])
    assert EnsembleTagger([unsure, sure], [0.5, 0.5]).predict([["Zentrix"]]) == [["B-company"]]
    assert EnsembleTagger([unsure, sure], [1.0, 0.0001]).predict([["Zentrix"]])[0][0] in {"O", "B-company"}


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 6), min_size=1, max_size=12), st.integers(0, 2**16))
def test_batched_decoding_equals_the_readable_viterbi(lengths: list[int], seed: int) -> None:
    rng = np.random.default_rng(seed)
    distributions = [rng.dirichlet(np.full(len(LABELS), 0.3), size=n) for n in lengths]
    assert decode_all(distributions, LABELS) == [viterbi_bio(d, LABELS) for d in distributions]


def test_a_saved_one_member_ensemble_loads_as_the_member_itself(tmp_path) -> None:
    """Wrapped, the member would be decoded from its marginals and tag unlike the scored model."""
    from tweetner_utils import synthetic_splits
    from tweetner_utils.features.knowledge import KnowledgeFeaturizer, synthetic_knowledge
    from tweetner_utils.models.artifacts import write_artifact
    from tweetner_utils.models.crf import CrfTagger
    from tweetner_utils.models.loading import load_model

    train = synthetic_splits(3)["train"]
    crf = CrfTagger(c1=0.1, c2=0.1, max_iterations=5, featurizer=KnowledgeFeaturizer(synthetic_knowledge()))
    crf.fit(train.tokens[:40], train.tags[:40]).save(str(tmp_path / "strong_crf"), {})
    members = [{"folder": "strong_crf", "weight": 1.0}]
    write_artifact(tmp_path / "strong", {}, {"kind": "ensemble", "label": "Knowledge CRF", "members": members})
    assert isinstance(load_model(tmp_path / "strong"), CrfTagger)
    write_artifact(tmp_path / "pair", {}, {"kind": "ensemble", "label": "two", "members": members * 2})
    assert isinstance(load_model(tmp_path / "pair"), EnsembleTagger)

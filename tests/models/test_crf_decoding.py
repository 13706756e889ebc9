"""The NumPy CRF path must give CRFsuite's tags and marginals, on small exact cases and on a trained model."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from tweetner_utils import synthetic_splits
from tweetner_utils.data.access import CACHE_DIR_ENV
from tweetner_utils.data.labels import bio_spans, entities, repair_bio
from tweetner_utils.exceptions import CrfModelFormatError
from tweetner_utils.features.knowledge import KnowledgeFeaturizer, synthetic_knowledge
from tweetner_utils.models.crf import CrfTagger
from tweetner_utils.models.crf_decoding import PartScorer, cached_weights, marginals, read_weights, viterbi
from tweetner_utils.serving.api import TweetTagger

SPLITS = synthetic_splits(5)
SCORES = st.floats(-4, 4, allow_nan=False)


def score(emission: np.ndarray, transitions: np.ndarray, path) -> float:
    return sum(emission[t, y] for t, y in enumerate(path)) + sum(transitions[a, b] for a, b in itertools.pairwise(path))


def brute_force(emission: np.ndarray, transitions: np.ndarray) -> tuple[list[int], np.ndarray]:
    """Best path and marginals by enumerating every label sequence."""
    steps, n = emission.shape
    paths = list(itertools.product(range(n), repeat=steps))
    totals = np.array([score(emission, transitions, p) for p in paths])
    weights = np.exp(totals - totals.max())
    table = np.zeros((steps, n))
    for p, w in zip(paths, weights):
        table[np.arange(steps), list(p)] += w
    return list(paths[int(totals.argmax())]), table / weights.sum()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(1, 4), min_size=1, max_size=5).flatmap(
        lambda lengths: st.tuples(
            st.just(lengths),
            arrays(float, (sum(lengths), 3), elements=SCORES),
            arrays(float, (3, 3), elements=SCORES),
        )
    )
)
def test_batched_viterbi_and_marginals_equal_enumeration(case) -> None:
    lengths, flat, transitions = case
    emissions = np.split(flat, np.cumsum(lengths)[:-1])
    paths, probabilities = viterbi(emissions, transitions), marginals(emissions, transitions)
    for emission, path, table in zip(emissions, paths, probabilities):
        best, expected = brute_force(emission, transitions)
        best_score = score(emission, transitions, best)
        assert score(emission, transitions, path) == pytest.approx(best_score, abs=1e-9)  # ties may pick either
        assert table == pytest.approx(expected, abs=1e-9)


def test_empty_tweets_decode_to_nothing() -> None:
    paths = viterbi([np.zeros((0, 3)), np.ones((2, 3))], np.zeros((3, 3)))
    assert len(paths[0]) == 0 and len(paths[1]) == 2


@pytest.fixture(scope="module")
def trained() -> CrfTagger:
    model = CrfTagger(c1=0.1, c2=0.1, max_iterations=40, featurizer=KnowledgeFeaturizer(synthetic_knowledge()))
    return model.fit(SPLITS["train"].tokens, SPLITS["train"].tags)


def test_numpy_path_gives_crfsuite_tags_and_marginals(trained: CrfTagger) -> None:
    tokens = [*SPLITS["test"].tokens, []]
    fast_tags, fast_confidences = trained.tags_and_confidences(tokens)
    slow_tags, slow_confidences = trained._crfsuite_tags(tokens, True)
    assert fast_tags == slow_tags
    for fast, slow in zip(fast_confidences, slow_confidences):
        assert fast == pytest.approx(slow, abs=1e-9)


def test_emissions_are_the_sum_of_every_feature_weight(trained: CrfTagger) -> None:
    """The parts of a token must not overlap, or a shared feature would be counted twice."""
    scorer = trained._scorer()
    assert isinstance(scorer, PartScorer)
    sentence = SPLITS["test"].tokens[0]
    expected = np.array([scorer.weights.project(row) for row in trained.featurizer(sentence)])
    assert scorer.emissions([sentence])[0] == pytest.approx(expected, abs=1e-12)
    for parts in trained.featurizer.layout(sentence):
        assert sum(len(p) for p in parts) == len({key for p in parts for key in p})


VOCABULARY = sorted({token for sentence in SPLITS["train"].tokens for token in sentence})[:300]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(VOCABULARY) | st.text(max_size=8), max_size=9), min_size=1, max_size=4))
def test_new_tokens_are_scored_from_their_own_features_as_the_full_features_would_be(
    trained: CrfTagger, sentences: list[list[str]]
) -> None:
    """A fresh scorer scores every token from its own features under each view's prefix;
    that must equal projecting every feature the featurizer gives the token's position."""
    scorer = PartScorer(trained._scorer().weights, trained.featurizer)
    for sentence, got in zip(sentences, scorer.emissions(sentences)):
        expected = [scorer.weights.project(row) for row in trained.featurizer(sentence)]
        assert got.shape == (len(sentence), len(scorer.weights.labels))
        assert got == pytest.approx(np.array(expected).reshape(got.shape), abs=1e-12)


def test_scorer_memory_is_bounded(trained: CrfTagger) -> None:
    scorer = PartScorer(trained._scorer().weights, trained.featurizer)
    scorer.LIMIT = 50
    for i in range(40):
        scorer.emissions([[f"new{i}", f"word{i}", "the"]] * 3)
        assert scorer.size <= 50 + 3 * 8 * scorer.views


def test_a_model_file_with_an_unexpected_layout_is_refused(trained: CrfTagger) -> None:
    data = bytearray(trained.model_bytes)
    data[48:52] = b"XXXX"  # the feature chunk's tag
    with pytest.raises(CrfModelFormatError, match="FEAT"):
        read_weights(bytes(data), trained._require())


def test_worker_processes_give_the_in_process_answer(trained: CrfTagger) -> None:
    texts = [" ".join(t.tokens) for t in SPLITS["test"]] * 20
    assert len(texts) >= 256  # large enough to be split over the workers
    with TweetTagger(trained, "crf", workers=2) as parallel:
        assert parallel.tag(texts) == TweetTagger(trained, "crf").tag(texts)
        assert parallel.tag_tokens(SPLITS["test"].tokens * 20) == TweetTagger(trained, "crf").tag_tokens(
            SPLITS["test"].tokens * 20
        )


@settings(deadline=None)  # the first call imports seqeval (and scikit-learn) lazily
@given(st.lists(st.sampled_from(["O", "B-person", "I-person", "B-geo-loc", "I-geo-loc"]), max_size=12))
def test_spans_of_repaired_tags_are_conlleval_entities(tags: list[str]) -> None:
    repaired = repair_bio(tags)
    assert set(bio_spans(repaired)) == entities(repaired) == entities(tags)


def test_compiled_weights_equal_the_dump_and_a_damaged_file_is_rebuilt(trained: CrfTagger, monkeypatch, tmp_path):
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path))
    assert trained.model_bytes is not None
    exact = read_weights(trained.model_bytes, trained._require())
    built = cached_weights(trained.model_bytes, trained._require())
    (stored,) = (tmp_path / "compiled").glob("crf-weights-*.npz")
    loaded = cached_weights(trained.model_bytes, trained._require())
    for weights in (built, loaded):
        assert weights.labels == exact.labels and weights.attributes == exact.attributes
        assert np.array_equal(weights.state, exact.state) and np.array_equal(weights.transitions, exact.transitions)
    stored.write_bytes(stored.read_bytes()[:100])
    rebuilt = cached_weights(trained.model_bytes, trained._require())
    assert rebuilt.attributes == exact.attributes and np.array_equal(rebuilt.state, exact.state)
    assert stored.stat().st_size > 100

"""The strong model's parts on the synthetic corpus: the CRF layer, the BiLSTM-CRF, the MiniLM
CRF head, ensemble weights, and saved models that load identically in a fresh process."""

from __future__ import annotations

import hashlib
import itertools
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from label_sets import LABELS, SYNTHETIC
from torch import nn

from tweetner_utils import entity_scores, synthetic_splits
from tweetner_utils.data.word_vectors import glove_vectors
from tweetner_utils.features.knowledge import synthetic_knowledge
from tweetner_utils.features.neural import NeuralInputs
from tweetner_utils.models.bilstm_crf import BilstmCrfSettings, BilstmCrfTagger, _collate
from tweetner_utils.models.bio_decoding import allowed_starts, allowed_transitions
from tweetner_utils.models.crf_layer import CrfLayer
from tweetner_utils.models.ensemble import search_weights, weight_grid
from tweetner_utils.models.loading import load_best_model
from tweetner_utils.models.lstm_tagging import _convolved_max, char_tables, char_vectors
from tweetner_utils.models.transformer import TransformerSettings, TransformerTagger
from tweetner_utils.serving.api import load_tagger

SPLITS = synthetic_splits(8)
ROOT = Path(__file__).resolve().parents[2]
FRESH = """
import hashlib, json, sys
from tweetner_utils import synthetic_splits
from tweetner_utils.models.loading import load_model
from pathlib import Path
model = load_model(Path(sys.argv[1]))
tags, confidences = model.tags_and_confidences(synthetic_splits(8)["test"].tokens)
print(hashlib.sha256(json.dumps([tags, confidences]).encode()).hexdigest())
"""


def digest(model) -> str:
    tags, confidences = model.tags_and_confidences(SPLITS["test"].tokens)
    return hashlib.sha256(json.dumps([tags, confidences]).encode()).hexdigest()


def fresh_digest(folder: Path) -> str:
    done = subprocess.run([sys.executable, "-c", FRESH, str(folder)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


IN_WORKERS = """
import hashlib, json, sys
from tweetner_utils import synthetic_splits
from tweetner_utils.serving.api import load_tagger
tokens = synthetic_splits(8)["test"].tokens
with load_tagger(sys.argv[1], workers=2) as tagger:
    tagger.tag_tokens(tokens[:10])  # in this process first: PyTorch starts its threads here
    tags, confidences = tagger.tag_tokens((tokens * 3)[:300])  # enough to go to the workers
print(json.dumps([tags, confidences]))
"""


def f1(model, split: str = "test") -> float:
    return entity_scores(SPLITS[split].tags, model.predict(SPLITS[split].tokens)).overall.f1


# The CRF layer against brute force over every label sequence of a short tweet.

LABEL_COUNT = len(LABELS)
ALLOWED = allowed_transitions(LABELS)
STARTS = allowed_starts(LABELS)
SEQUENCES = [
    s
    for s in itertools.product(range(LABEL_COUNT), repeat=3)
    if STARTS[s[0]] and ALLOWED[s[0], s[1]] and ALLOWED[s[1], s[2]]
]


def sequence_scores(layer: CrfLayer, emissions: torch.Tensor, length: int) -> tuple[list[tuple[int, ...]], np.ndarray]:
    """Every valid label sequence of ``length`` and its score."""
    moves, start = layer.transitions.detach(), layer.start.detach()
    sequences = sorted({s[:length] for s in SEQUENCES})
    scores = []
    for s in sequences:
        score = start[s[0]] + emissions[0, s[0]] + layer.end.detach()[s[-1]]
        score += sum(moves[a, b] + emissions[t + 1, b] for t, (a, b) in enumerate(itertools.pairwise(s)))
        scores.append(float(score))
    return sequences, np.array(scores)


def brute_force(layer: CrfLayer, emissions: torch.Tensor, length: int) -> tuple[np.ndarray, list[int], np.ndarray]:
    """Log-probability of every valid sequence of ``length``, the best one, and the marginals."""
    sequences, scores = sequence_scores(layer, emissions, length)
    log_p = scores - np.logaddexp.reduce(scores)
    marginals = np.zeros((length, LABEL_COUNT))
    for s, lp in zip(sequences, log_p):
        for t, label in enumerate(s):
            marginals[t, label] += np.exp(lp)
    return log_p, list(sequences[int(np.argmax(log_p))]), marginals


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 10_000), st.permutations([1, 2, 3]))
def test_crf_layer_matches_brute_force(seed: int, lengths: list[int]) -> None:
    """Three tweets of lengths 1-3 in one padded batch, in any order: each row alone is what
    enumerating every label sequence gives."""
    generator = torch.Generator().manual_seed(seed)
    layer = CrfLayer(LABELS)
    with torch.no_grad():
        for parameter in layer.parameters():
            parameter.copy_(torch.randn(parameter.shape, generator=generator))
    emissions = torch.randn((3, 3, LABEL_COUNT), generator=generator, dtype=torch.float32)
    mask = torch.tensor([[t < length for t in range(3)] for length in lengths])
    found = layer.marginals(emissions, mask).detach().numpy()
    paths = layer.decode(emissions, mask)
    for row, length in enumerate(lengths):
        log_p, best, marginals = brute_force(layer, emissions[row], length)
        gold = torch.tensor([list(best) + [0] * (3 - length)])
        nll = float(layer.neg_log_likelihood(emissions[row : row + 1], gold, mask[row : row + 1]).detach())
        assert nll == pytest.approx(-log_p.max(), abs=1e-3)
        assert paths[row] == best
        assert found[row, :length] == pytest.approx(marginals, abs=1e-6)


def soft_brute_force(layer: CrfLayer, emissions: torch.Tensor, targets: np.ndarray) -> float:
    """The expected loss by enumeration: every label sequence (BIO-valid or not) drawn from the
    positions' independent ``targets``, times log Z minus its score (forbidden moves score 0)."""
    length = len(targets)
    log_z = np.logaddexp.reduce(sequence_scores(layer, emissions, length)[1])
    moves = layer.transitions.detach().masked_fill(layer.forbidden, 0.0)
    start = layer.start.detach().masked_fill(layer.forbidden_start, 0.0)
    expected = 0.0
    for labels in itertools.product(range(LABEL_COUNT), repeat=length):
        weight = float(np.prod([targets[t, k] for t, k in enumerate(labels)]))
        score = start[labels[0]] + layer.end.detach()[labels[-1]] + sum(emissions[t, k] for t, k in enumerate(labels))
        score += sum(moves[a, b] for a, b in itertools.pairwise(labels))
        expected += weight * (log_z - float(score))
    return expected


@settings(max_examples=6, deadline=None)
@given(st.integers(0, 10_000))
def test_the_soft_crf_loss_is_the_expected_loss_under_the_targets(seed: int) -> None:
    """Three tweets of lengths 1-3 with random per-position targets: the loss is what
    enumerating every sequence gives, its gradient on the emissions is the layer's marginals
    minus the targets, and one-hot targets of valid tags give the plain loss."""
    generator = torch.Generator().manual_seed(seed)
    layer = CrfLayer(LABELS)
    with torch.no_grad():
        for parameter in layer.parameters():
            parameter.copy_(torch.randn(parameter.shape, generator=generator))
    lengths = [3, 1, 2]
    emissions = torch.randn((3, 3, LABEL_COUNT), generator=generator, dtype=torch.float64, requires_grad=True)
    mask = torch.tensor([[t < length for t in range(3)] for length in lengths])
    targets = torch.softmax(torch.randn((3, 3, LABEL_COUNT), generator=generator, dtype=torch.float64), dim=2)
    loss = layer.double().soft_neg_log_likelihood(emissions, targets, mask)
    expected = [
        soft_brute_force(layer, emissions[row].detach(), targets[row, :n].numpy()) for row, n in enumerate(lengths)
    ]
    assert float(loss.detach()) == pytest.approx(np.mean(expected), abs=1e-6)
    loss.backward()
    assert emissions.grad is not None
    marginals = layer.marginals(emissions.detach(), mask)
    for row, n in enumerate(lengths):
        wanted = (marginals[row, :n] - targets[row, :n]) / len(lengths)
        assert emissions.grad[row, :n].numpy() == pytest.approx(wanted.numpy(), abs=1e-6)
        assert not emissions.grad[row, n:].any()  # padding learns nothing
    tags = torch.tensor([list(SEQUENCES[seed % len(SEQUENCES)])] * 3)
    one_hot = torch.nn.functional.one_hot(tags, LABEL_COUNT).double()
    with torch.no_grad():
        plain = layer.neg_log_likelihood(emissions, tags, mask)
        assert float(layer.soft_neg_log_likelihood(emissions, one_hot, mask)) == pytest.approx(float(plain))


# Ensemble weights.


def test_weight_grid_covers_the_simplex_without_zero_weights() -> None:
    assert weight_grid(2, 0.5) == [(0.5, 0.5)]
    three = weight_grid(3, 0.25)
    assert (0.25, 0.25, 0.5) in three and all(min(w) > 0 and sum(w) == pytest.approx(1) for w in three)
    assert len(three) == 3


def onehot(labels: list[str], confidence: float) -> np.ndarray:
    rows = np.full((len(labels), LABEL_COUNT), (1 - confidence) / (LABEL_COUNT - 1))
    for i, label in enumerate(labels):
        rows[i, LABELS.index(label)] = confidence
    return rows


def test_search_weights_trusts_the_member_that_is_right() -> None:
    gold = [["B-person", "O"], ["O", "B-geo-loc"]]
    right = [onehot(g, 0.6) for g in gold]
    wrong = [onehot(["O", "B-company"], 0.9), onehot(["B-movie", "O"], 0.9)]
    weights, score = search_weights([wrong, right], gold, 0.25, LABELS)
    assert score == 1.0 and weights == (0.25, 0.75)
    weights, score = search_weights([right, right], gold, 0.25, LABELS)
    assert weights == (0.25, 0.75) and score == 1.0  # a tie goes to the first weights in grid order


# The BiLSTM-CRF and the MiniLM CRF head.


@pytest.fixture(scope="module")
def inputs():
    resources, vectors = synthetic_knowledge(), glove_vectors()
    return lambda chars: NeuralInputs(resources, vectors, chars)


@pytest.fixture(scope="module")
def bilstm_crf(inputs) -> BilstmCrfTagger:
    model = BilstmCrfTagger(BilstmCrfSettings(max_epochs=8, hidden_dim=64, seed=3), inputs)
    return model.fit(
        SPLITS["train"].tokens,
        SPLITS["train"].tags,
        validation=(SPLITS["dev"].tokens, SPLITS["dev"].tags),
        progress=lambda _: None,
    )


def test_bilstm_crf_learns_the_synthetic_pattern_and_is_seeded(bilstm_crf: BilstmCrfTagger, inputs) -> None:
    assert f1(bilstm_crf, "dev") > 0.6
    assert 1 <= bilstm_crf.best_epoch <= 8 and len(bilstm_crf.history) >= bilstm_crf.best_epoch
    some = SPLITS["train"].tokens[:100], SPLITS["train"].tags[:100]  # enough to show the seeding
    again = bilstm_crf.with_epochs(bilstm_crf.best_epoch).fit(*some, progress=lambda _: None)
    first = BilstmCrfTagger(BilstmCrfSettings(max_epochs=bilstm_crf.best_epoch, hidden_dim=64, seed=3), inputs)
    assert digest(again) == digest(first.fit(*some, progress=lambda _: None))


def test_bilstm_crf_marginals_agree_with_its_decisions(bilstm_crf: BilstmCrfTagger) -> None:
    tokens = SPLITS["test"].tokens[:20]
    tags, confidences = bilstm_crf.tags_and_confidences(tokens)
    assert tags == bilstm_crf.predict(tokens)
    for seq, conf, matrix in zip(tags, confidences, bilstm_crf.predict_proba(tokens)):
        assert matrix.sum(axis=1) == pytest.approx(np.ones(len(seq)), abs=1e-4)
        assert conf == pytest.approx([matrix[i, bilstm_crf.labels.index(t)] for i, t in enumerate(seq)])


def test_a_bilstm_crf_tweet_gets_the_same_probabilities_alone_and_in_any_batch(bilstm_crf: BilstmCrfTagger) -> None:
    """The backward LSTM must not read the padding of a batch's shorter tweets (it did: up to 0.5
    on WNUT16 test, so the review export and the report counted different items)."""
    tweets = sorted(SPLITS["test"].tokens[:40], key=len)
    assert len({len(t) for t in tweets}) > 1  # lengths differ: the short ones are padded
    together = bilstm_crf.predict_proba(tweets)
    alone = [bilstm_crf.predict_proba([tweet])[0] for tweet in tweets]
    for a, b in zip(together, alone):  # float32 products of other shapes round differently: 4e-6 seen
        assert a == pytest.approx(b, abs=1e-5)
    assert bilstm_crf.predict(tweets) == [bilstm_crf.predict([t])[0] for t in tweets]


def test_bilstm_crf_tagging_arithmetic_gives_the_modules_emissions(bilstm_crf: BilstmCrfTagger) -> None:
    """Tagging multiplies once per distinct word and folds the character CNN into tables
    (``lstm_tagging``); it must compute what PyTorch's modules compute, up to rounding."""
    network, inputs = bilstm_crf.network, bilstm_crf.inputs
    assert network is not None and inputs is not None
    tweets = sorted(SPLITS["test"].tokens[:40], key=len)
    batch = _collate([inputs(t) for t in tweets], None, inputs)
    assert len({token for tweet in tweets for token in tweet}) < sum(map(len, tweets))  # words repeat
    assert batch["gazetteer"].any()  # and some tokens are listed
    with torch.no_grad():
        modules = network.eval()(batch)
        [(start, fast, lengths)] = list(bilstm_crf._emissions(tweets, batch=len(tweets)))
    assert start == 0 and lengths.tolist() == [len(t) for t in tweets]
    mask = batch["mask"]
    assert fast.shape == modules.shape
    assert torch.allclose(fast[mask], modules[mask], atol=1e-5)
    assert not torch.allclose(fast[mask], modules[mask] + 1e-3, atol=1e-5)  # the check can fail


@pytest.mark.parametrize("pad_embedding", [0.0, 0.5])
def test_character_vectors_by_word_length_are_the_full_convolutions_bits(pad_embedding: float) -> None:
    """Convolving a word only to one position past its end must give exactly the max over all
    positions (and every position counts if the padding's embedding is not zero)."""
    generator = torch.Generator().manual_seed(7)
    embedding, conv = nn.Embedding(30, 6, padding_idx=0), nn.Conv1d(6, 5, kernel_size=3, padding=1)
    with torch.no_grad():
        embedding.weight.copy_(torch.randn((30, 6), generator=generator))
        embedding.weight[0] = pad_embedding
    lengths = [1, 2, 4, 5, 8, 9, 12, 13, 19, 20, 3, 20]
    words = torch.zeros((len(lengths), 20), dtype=torch.long)
    for row, n in enumerate(lengths):
        words[row, :n] = torch.randint(1, 30, (n,), generator=generator)
    with torch.no_grad():
        tables, bias = char_tables(embedding, conv)
        modules = conv(embedding(words).transpose(1, 2)).max(dim=2).values
        grouped = char_vectors(words, tables, bias)
    assert torch.equal(grouped, _convolved_max(words, tables, bias))
    assert torch.allclose(grouped, modules, atol=1e-6)


def test_bilstm_crf_tags_in_two_worker_processes_as_in_one(bilstm_crf: BilstmCrfTagger, tmp_path: Path) -> None:
    """Forked workers have none of PyTorch's threads: they hung on their first parallel operation.
    They compute on one thread, which rounds some sums another way: the same tags, confidences
    within 1e-4."""
    folder = tmp_path / "bilstm_crf"
    bilstm_crf.save(str(folder), {"features": {"kind": "synthetic", "vectors": "glove-6b-50d"}})
    done = subprocess.run(
        [sys.executable, "-c", IN_WORKERS, str(folder)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    tags, confidences = bilstm_crf.tags_and_confidences((SPLITS["test"].tokens * 3)[:300])
    worker_tags, worker_confidences = json.loads(done.stdout.strip().splitlines()[-1])
    assert worker_tags == tags
    for here, there in zip(confidences, worker_confidences):
        assert there == pytest.approx(here, abs=1e-4)


def test_bilstm_crf_loads_identically_in_a_fresh_process(bilstm_crf: BilstmCrfTagger, tmp_path: Path) -> None:
    folder = tmp_path / "bilstm_crf"
    bilstm_crf.save(str(folder), {"features": {"kind": "synthetic", "vectors": "glove-6b-50d"}})
    assert fresh_digest(folder) == digest(bilstm_crf)


@pytest.fixture(scope="module")
def minilm_crf() -> TransformerTagger:
    model = TransformerTagger(TransformerSettings(max_epochs=3, batch_size=16, crf=True, seed=3), SYNTHETIC.labels)
    return model.fit(SPLITS["train"].tokens, SPLITS["train"].tags, progress=lambda _: None)


@pytest.mark.slow  # fine-tunes MiniLM (minutes on 2 cores)
def test_minilm_with_a_crf_head_learns_and_loads_identically_in_a_fresh_process(
    minilm_crf: TransformerTagger, tmp_path: Path
) -> None:
    assert f1(minilm_crf) > 0.4
    folder = tmp_path / "minilm"
    minilm_crf.save(str(folder), {})
    assert fresh_digest(folder) == digest(minilm_crf)


def test_an_unknown_device_is_refused() -> None:
    with pytest.raises(ValueError, match="device must be one of"):
        TransformerTagger(TransformerSettings(device="tpu"), SYNTHETIC.labels)


@pytest.mark.slow  # fine-tunes MiniLM (minutes on 2 cores)
def test_an_ensemble_folder_names_its_members_and_is_what_best_loads(
    bilstm_crf: BilstmCrfTagger, minilm_crf: TransformerTagger, tmp_path: Path, capfd
) -> None:
    from tweetner_utils.models.artifacts import write_artifact
    from tweetner_utils.models.ensemble import EnsembleTagger

    bilstm_crf.save(str(tmp_path / "strong_bilstm_crf"), {"features": {"kind": "synthetic", "vectors": "glove-6b-50d"}})
    minilm_crf.save(str(tmp_path / "strong_transformer"), {})
    members = [{"folder": "strong_transformer", "weight": 0.6}, {"folder": "strong_bilstm_crf", "weight": 0.4}]
    write_artifact(tmp_path / "strong", {}, {"kind": "ensemble", "label": "Ensemble: test", "members": members})
    loaded, folder = load_best_model(tmp_path)
    assert folder == tmp_path / "strong" and isinstance(loaded, EnsembleTagger)
    assert load_tagger(tmp_path).name == "strong (Ensemble: test)"
    assert digest(loaded) == digest(EnsembleTagger([minilm_crf, bilstm_crf], [0.6, 0.4]))
    assert fresh_digest(tmp_path / "strong") == digest(loaded)
    capfd.readouterr()
    load_tagger(tmp_path)
    assert "Loading weights" not in capfd.readouterr().err  # no library progress bar on every start

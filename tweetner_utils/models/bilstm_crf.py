"""A BiLSTM-CRF tagger in the style of the shared task's winners, small enough for a laptop CPU.

Each token is represented by its GloVe vector (frozen, so words never seen in training
keep theirs), a character CNN, its casing class, the gazetteer lists that match it and
its Brown-cluster prefixes (``features.neural``); a bidirectional LSTM reads the tweet
and a constrained CRF (``crf_layer``) scores whole tag sequences. Training stops early on
dev entity F1 and keeps the best epoch; everything is seeded and single-process, so a
seed gives one model.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Self

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from ..data.conll import TagLists, TokenLists
from ..data.labels import LabelSet
from ..exceptions import ArtifactError
from ..features.neural import CLUSTER_BITS, MAX_WORD_CHARS, NeuralInputs, TweetInputs, character_vocabulary
from ..features.orthographic import CASING_CLASSES
from .artifacts import read_artifact, write_artifact
from .crf_layer import CrfLayer
from .portable_ops import configure_torch
from .protocol import Confidences
from .seeding import Seeded, seed_everything
from .training import length_batches, train_epochs

configure_torch()  # oneDNN off under portable numerics, before any network runs

WEIGHTS = "weights.pt"


@dataclass(frozen=True)
class BilstmCrfSettings(Seeded):
    """Sizes and training of the BiLSTM-CRF."""

    char_dim: int = 25
    char_filters: int = 50
    casing_dim: int = 8
    gazetteer_dim: int = 32
    cluster_dim: int = 16
    hidden_dim: int = 200
    """Both directions together."""
    dropout: float = 0.5
    lr: float = 2e-3
    batch_size: int = 16
    max_epochs: int = 25
    patience: int = 4
    """Epochs without a better dev F1 before training stops."""
    num_threads: int = 2


class _Network(nn.Module):
    def __init__(self, settings: BilstmCrfSettings, inputs: NeuralInputs, labels: Sequence[str]) -> None:
        super().__init__()
        s = settings
        dimensions = inputs.vectors.dimensions if inputs.vectors is not None else 1
        self.unknown = nn.Parameter(torch.zeros(dimensions))
        """The vector of every word without a GloVe vector (learned)."""
        self.chars = nn.Embedding(len(inputs.chars) + 2, s.char_dim, padding_idx=0)
        self.char_cnn = nn.Conv1d(s.char_dim, s.char_filters, kernel_size=3, padding=1)
        self.casing = nn.Embedding(CASING_CLASSES, s.casing_dim)
        self.gazetteer = nn.Linear(max(1, inputs.gazetteer_width), s.gazetteer_dim)
        self.clusters = nn.ModuleList(nn.Embedding(n, s.cluster_dim) for n in inputs.cluster_vocabulary_sizes)
        width = dimensions + s.char_filters + s.casing_dim + s.gazetteer_dim + s.cluster_dim * len(CLUSTER_BITS)
        self.drop = nn.Dropout(s.dropout)
        self.lstm = nn.LSTM(width, s.hidden_dim // 2, batch_first=True, bidirectional=True)
        self.emit = nn.Linear(s.hidden_dim, len(labels))
        self.crf = CrfLayer(labels)

    def char_vectors(self, chars: torch.Tensor) -> torch.Tensor:
        """(B, T, char_filters) from (B, T, MAX_WORD_CHARS) character ids.

        When tagging, the convolution runs once per distinct word of the batch (a batch
        repeats many words, and all its padding is one), which halves its share of the
        tagging time; it runs word by word, so a word's vector is the same bits whatever else
        is in the batch, and the same as convolving every token. Training convolves every
        token: summing a repeated word's gradients first would round the weights' gradient
        differently, and change every trained model."""
        b, t, c = chars.shape
        flat = chars.view(b * t, c)
        if torch.is_grad_enabled():
            return self.char_cnn(self.chars(flat).transpose(1, 2)).max(dim=2).values.view(b, t, -1)
        words, inverse = torch.unique(flat, dim=0, return_inverse=True)
        return self.char_cnn(self.chars(words).transpose(1, 2)).max(dim=2).values[inverse].view(b, t, -1)

    def forward(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        """(B, T, labels) emission scores."""
        known = batch["vectors"]
        word = torch.where(batch["has_vector"].unsqueeze(-1), known, self.unknown.expand_as(known))
        char = self.char_vectors(batch["chars"])
        clusters = [emb(batch["clusters"][:, :, k]) for k, emb in enumerate(self.clusters)]
        gazetteer = self.gazetteer(batch["gazetteer"])
        features = torch.cat([word, char, self.casing(batch["casing"]), gazetteer, *clusters], dim=-1)
        # Packed, so the backward LSTM starts at each tweet's last word, not at the batch's padding
        # (which moved a tweet's probabilities by up to 0.5 with the other tweets of its batch).
        lengths = batch["mask"].sum(dim=1).cpu()
        packed = pack_padded_sequence(self.drop(features), lengths, batch_first=True, enforce_sorted=False)
        hidden, _ = pad_packed_sequence(self.lstm(packed)[0], batch_first=True, total_length=batch["chars"].shape[1])
        return self.emit(self.drop(hidden))


class BilstmCrfTagger:
    """Fit (with early stopping on validation), predict, marginals, save and load."""

    def __init__(self, settings: BilstmCrfSettings, inputs: Callable[[Sequence[str]], NeuralInputs]) -> None:
        """``inputs`` builds the token featurizer from the training tokens (its character vocabulary)."""
        self.settings = settings
        self.labels: tuple[str, ...] = ()
        """The training data's tags: the network's output columns and :meth:`predict_proba`'s."""
        self._make_inputs = inputs
        self.inputs: NeuralInputs | None = None
        self.network: _Network | None = None
        self.history: list[dict] = []
        self.best_epoch = 0

    def fit(
        self,
        tokens: TokenLists,
        tags: TokenLists,
        *,
        validation: tuple[TokenLists, TokenLists] | None = None,
        progress: Callable[[str], None] = print,
    ) -> Self:
        """Train; with ``validation`` (tokens, tags) stop when dev entity F1 stops improving and
        keep the best epoch, else train ``max_epochs``."""
        s = self.settings
        seed_everything(s.seed, s.num_threads)
        self.inputs = self._make_inputs(character_vocabulary(tokens))
        self.labels = LabelSet.from_tags(tags).labels
        self.network = _Network(s, self.inputs, self.labels)
        optimizer = torch.optim.Adam([p for p in self.network.parameters() if p.requires_grad], lr=s.lr)
        index = {label: k for k, label in enumerate(self.labels)}
        encoded = [(self.inputs(x), [index[t] for t in y]) for x, y in zip(tokens, tags)]
        self.history, self.best_epoch = train_epochs(
            self.network,
            lambda: self._train_epoch(encoded, optimizer),
            self.predict,
            validation,
            epochs=s.max_epochs,
            max_epochs=s.max_epochs,
            patience=s.patience,
            progress=progress,
        )
        return self

    def _train_epoch(self, encoded: list[tuple[TweetInputs, list[int]]], optimizer: torch.optim.Optimizer) -> float:
        assert self.network is not None and self.inputs is not None
        self.network.train()
        batches = length_batches([len(x.words) for x, _ in encoded], self.settings.batch_size)
        total = 0.0
        for index in torch.randperm(len(batches)).tolist():
            chosen = [encoded[i] for i in batches[index]]
            batch = _collate([x for x, _ in chosen], [y for _, y in chosen], self.inputs)
            loss = self.network.crf.neg_log_likelihood(self.network(batch), batch["tags"], batch["mask"])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(self.network.parameters(), 5.0)
            optimizer.step()
            total += loss.item()
        return total / max(1, len(batches))

    def predict(self, tokens: TokenLists) -> TagLists:
        """The best valid BIO sequence per tweet (CRF Viterbi)."""
        paths, _ = self._run(tokens, marginals=False)
        return [[self.labels[k] for k in path] for path in paths]

    def predict_proba(self, tokens: TokenLists) -> list[np.ndarray]:
        """Per tweet, a (tokens x labels) array of CRF marginal probabilities (:attr:`labels` order)."""
        return self._run(tokens, marginals=True)[1]

    def tags_and_confidences(self, tokens: TokenLists) -> tuple[TagLists, Confidences]:
        """Viterbi tags and each tag's marginal probability."""
        paths, probabilities = self._run(tokens, marginals=True)
        tags = [[self.labels[k] for k in path] for path in paths]
        return tags, [p[np.arange(len(path)), path].tolist() for path, p in zip(paths, probabilities)]

    def _run(self, tokens: TokenLists, *, marginals: bool, batch: int = 128) -> tuple[list, list[np.ndarray]]:
        """Viterbi paths (label indices) and, if asked, marginals, per tweet in input order
        (batches of similar lengths; the LSTM reads packed sequences, so a tweet's result does
        not depend on the other tweets of its batch)."""
        if self.network is None or self.inputs is None:
            raise RuntimeError("BilstmCrfTagger used before fit or load")
        self.network.eval()
        order = [i for i in sorted(range(len(tokens)), key=lambda i: len(tokens[i])) if tokens[i]]
        paths: list = [[] for _ in tokens]
        probabilities = [np.zeros((len(t), len(self.labels))) for t in tokens]
        with torch.no_grad():
            for start in range(0, len(order), batch):
                rows = order[start : start + batch]
                inputs = _collate([self.inputs(tokens[i]) for i in rows], None, self.inputs)
                emissions = self.network(inputs)
                for i, path in zip(rows, self.network.crf.decode(emissions, inputs["mask"])):
                    paths[i] = path
                if marginals:
                    found = self.network.crf.marginals(emissions, inputs["mask"]).double().numpy()
                    for k, i in enumerate(rows):
                        probabilities[i] = found[k, : len(tokens[i])]
        return paths, probabilities

    def save(self, folder: str, metadata: dict) -> None:
        """The trained weights (without the frozen GloVe table: the package holds it) and settings."""
        if self.network is None or self.inputs is None:
            raise RuntimeError("nothing to save: the tagger is not trained")
        buffer = io.BytesIO()
        torch.save(self.network.state_dict(), buffer)
        meta = {
            "kind": "bilstm_crf",
            "labels": list(self.labels),
            "settings": asdict(self.settings),
            "characters": list(self.inputs.chars),
            "vectors_sha256": self.inputs.vectors.sha256 if self.inputs.vectors is not None else None,
            **metadata,
        }
        write_artifact(folder, {WEIGHTS: buffer.getvalue()}, meta)

    @classmethod
    def load(cls, folder: str, inputs: Callable[[Sequence[str]], NeuralInputs]) -> Self:
        """Load with ``weights_only=True``; ``inputs`` rebuilds the featurizer (same resources, same vectors)."""
        meta, files = read_artifact(folder)
        tagger = cls(BilstmCrfSettings(**meta["settings"]), inputs)
        tagger.inputs = inputs(meta["characters"])
        tagger.labels = tuple(meta["labels"])
        found = tagger.inputs.vectors.sha256 if tagger.inputs.vectors is not None else None
        if found != meta["vectors_sha256"]:
            raise ArtifactError(f"{folder}: trained with word vectors {meta['vectors_sha256']}, found {found}")
        tagger.network = _Network(tagger.settings, tagger.inputs, tagger.labels)
        tagger.network.load_state_dict(torch.load(io.BytesIO(files[WEIGHTS]), weights_only=True))
        tagger.network.eval()
        return tagger

    def with_epochs(self, epochs: int) -> BilstmCrfTagger:
        """An untrained copy that trains exactly ``epochs`` epochs (the refit on train+dev)."""
        return BilstmCrfTagger(replace(self.settings, max_epochs=epochs), self._make_inputs)


def _collate(
    items: Sequence[TweetInputs], tags: Sequence[list[int]] | None, inputs: NeuralInputs
) -> dict[str, torch.Tensor]:
    """Pad a batch; word vectors are gathered here from the memory-mapped table (rows -1: none)."""
    b, t = len(items), max(len(x.words) for x in items)
    width = items[0].gazetteer.shape[1]
    words = np.full((b, t), -1, dtype=np.int64)
    for row, x in enumerate(items):
        words[row, : len(x.words)] = x.words
    vectors = inputs.vectors
    batch = {
        "vectors": torch.from_numpy(np.asarray(vectors.matrix[np.maximum(words, 0)], dtype=np.float32))
        if vectors is not None
        else torch.zeros((b, t, 1)),
        "has_vector": torch.from_numpy(words >= 0),
        "chars": torch.zeros((b, t, MAX_WORD_CHARS), dtype=torch.long),
        "casing": torch.zeros((b, t), dtype=torch.long),
        "gazetteer": torch.zeros((b, t, max(1, width))),
        "clusters": torch.zeros((b, t, len(CLUSTER_BITS)), dtype=torch.long),
        "mask": torch.zeros((b, t), dtype=torch.bool),
        "tags": torch.zeros((b, t), dtype=torch.long),
    }
    for row, x in enumerate(items):
        n = len(x.words)
        batch["chars"][row, :n] = torch.from_numpy(x.chars)
        batch["casing"][row, :n] = torch.from_numpy(x.casing)
        batch["gazetteer"][row, :n, :width] = torch.from_numpy(x.gazetteer)
        batch["clusters"][row, :n] = torch.from_numpy(x.clusters)
        batch["mask"][row, :n] = True
        if tags is not None:
            batch["tags"][row, :n] = torch.tensor(tags[row])
    return batch

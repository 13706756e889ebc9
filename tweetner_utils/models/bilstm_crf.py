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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from typing import ClassVar, NamedTuple, Self

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
from .lstm_tagging import WordArrays, bidirectional_lstm, both_directions, char_tables, char_vectors
from .portable_ops import configure_torch, product
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
        """(B, T, char_filters) from (B, T, MAX_WORD_CHARS) character ids (training)."""
        b, t, c = chars.shape
        return self.char_cnn(self.chars(chars.view(b * t, c)).transpose(1, 2)).max(dim=2).values.view(b, t, -1)

    def features(self, batch: dict[str, torch.Tensor], char: torch.Tensor) -> torch.Tensor:
        """(B, T, width): each token's vectors side by side, given its character vectors."""
        known = batch["vectors"]
        word = torch.where(batch["has_vector"].unsqueeze(-1), known, self.unknown.expand_as(known))
        clusters = [emb(batch["clusters"][:, :, k]) for k, emb in enumerate(self.clusters)]
        gazetteer = self.gazetteer(batch["gazetteer"])
        return torch.cat([word, char, self.casing(batch["casing"]), gazetteer, *clusters], dim=-1)

    def forward(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        """(B, T, labels) emission scores (training: PyTorch's modules, dropout included)."""
        features = self.features(batch, self.char_vectors(batch["chars"]))
        # Packed, so the backward LSTM starts at each tweet's last word, not at the batch's padding
        # (which moved a tweet's probabilities by up to 0.5 with the other tweets of its batch).
        lengths = batch["mask"].sum(dim=1).cpu()
        packed = pack_padded_sequence(self.drop(features), lengths, batch_first=True, enforce_sorted=False)
        hidden, _ = pad_packed_sequence(self.lstm(packed)[0], batch_first=True, total_length=batch["chars"].shape[1])
        return self.emit(self.drop(hidden))

    def word_products(self, words: WordArrays) -> torch.Tensor:
        """(words, 2 x 4 x hidden): the LSTM's input product of all that depends on the word
        alone (every input but the gazetteer's), both directions (tagging: once per distinct word)."""
        vectors, has_vector, chars, casing, clusters = words
        word = torch.where(has_vector[:, None], vectors, self.unknown.detach().expand_as(vectors))
        char = char_vectors(chars, *char_tables(self.chars, self.char_cnn))
        parts = [word, char, self.casing(casing), *(emb(clusters[:, k]) for k, emb in enumerate(self.clusters))]
        first, last = self._gazetteer_columns(word.shape[1])
        weight = self._input_weight()
        return product(torch.cat(parts, dim=1), torch.cat([weight[:, :first], weight[:, last:]], dim=1))

    def gazetteer_products(self, patterns: np.ndarray) -> torch.Tensor:
        """(patterns, 2 x 4 x hidden): the rest of the input product, for each distinct row of
        gazetteer matches (a few hundred in a few thousand tweets), with the LSTM's biases."""
        first, last = self._gazetteer_columns(self.unknown.shape[0])
        listed = self.gazetteer(torch.from_numpy(patterns))
        biases = (both_directions(self.lstm, "bias_ih_l0") + both_directions(self.lstm, "bias_hh_l0")).reshape(-1)
        return product(listed, self._input_weight()[:, first:last]) + biases

    def _input_weight(self) -> torch.Tensor:
        """(2 x 4 x hidden, width): both directions' input weights, stacked."""
        return both_directions(self.lstm, "weight_ih_l0").flatten(0, 1)

    def _gazetteer_columns(self, word_width: int) -> tuple[int, int]:
        """Where the gazetteer layer's outputs sit in :meth:`features`' columns."""
        first = word_width + self.char_cnn.out_channels + self.casing.embedding_dim
        return first, first + self.gazetteer.out_features

    def tagging_emissions(self, products: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """(B, T, labels) emission scores of a batch (tagging: no gradients, no dropout) from its
        (B, T, 2 x 4 x hidden) input products (:meth:`word_products` + :meth:`gazetteer_products`)."""
        return self.emit(bidirectional_lstm(self.lstm, products, lengths))


class SoftTargets(NamedTuple):
    """What a network learns from a teacher's probabilities instead of its tags: per training
    tweet, a (tokens, len(labels)) array of the teacher's marginals, or None for a tweet whose
    tags are to be learnt as they are (a gold tweet)."""

    labels: tuple[str, ...]
    """The columns' labels (the teacher's order)."""
    per_tweet: Sequence[np.ndarray | None]


def target_distributions(soft: SoftTargets, tags: Sequence[list[int]], labels: Sequence[str]) -> list[np.ndarray]:
    """Per tweet, (tokens, len(labels)) float32 distributions in ``labels``' order: the
    teacher's, renormalised over ``labels``, or one-hot of ``tags`` where it gave none."""
    missing = sorted(set(labels) - set(soft.labels))
    if missing:
        raise ValueError(f"the teacher's probabilities have no column for {', '.join(missing)}")
    columns = [soft.labels.index(label) for label in labels]
    found = []
    for ids, given in zip(tags, soft.per_tweet, strict=True):
        if given is None:
            found.append(np.eye(len(labels), dtype=np.float32)[ids].reshape(len(ids), len(labels)))
            continue
        if len(given) != len(ids):
            raise ValueError(f"a tweet of {len(ids)} tokens has the teacher's probabilities of {len(given)}")
        kept = np.asarray(given, dtype=np.float32)[:, columns]
        found.append(kept / np.maximum(kept.sum(axis=1, keepdims=True), np.float32(1e-12)))
    return found


class BilstmCrfTagger:
    """Fit (with early stopping on validation), predict, marginals, save and load."""

    ONE_PROCESS_PER_CORE: ClassVar[bool] = True
    """Its tagging products are small: 2 one-thread processes tagged 1.5 times as many tweets
    a second as one process with 2 threads (docs/benchmarks.md)."""

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
        soft: SoftTargets | None = None,
        after_epoch: Callable[[int], None] | None = None,
    ) -> Self:
        """Train; with ``validation`` (tokens, tags) stop when dev entity F1 stops improving and
        keep the best epoch, else train ``max_epochs``. With ``soft``, learn the teacher's
        probabilities where it gives them (:meth:`CrfLayer.soft_neg_log_likelihood`), ``tags``
        elsewhere. ``after_epoch`` hears each epoch's number while the tagger holds that epoch's
        weights (``benchmarks/refit_epochs.py`` scores held-out tweets there)."""
        s = self.settings
        seed_everything(s.seed, s.num_threads)
        self.inputs = self._make_inputs(character_vocabulary(tokens))
        self.labels = LabelSet.from_tags(tags).labels
        self.network = _Network(s, self.inputs, self.labels)
        optimizer = torch.optim.Adam([p for p in self.network.parameters() if p.requires_grad], lr=s.lr)
        index = {label: k for k, label in enumerate(self.labels)}
        ids = [[index[t] for t in y] for y in tags]
        targets = target_distributions(soft, ids, self.labels) if soft is not None else [None] * len(ids)
        encoded = [(self.inputs(x), y, target) for x, y, target in zip(tokens, ids, targets)]
        self.history, self.best_epoch = train_epochs(
            self.network,
            lambda: self._train_epoch(encoded, optimizer),
            self.predict,
            validation,
            epochs=s.max_epochs,
            max_epochs=s.max_epochs,
            patience=s.patience,
            progress=progress,
            after_epoch=after_epoch,
        )
        return self

    def _train_epoch(
        self, encoded: list[tuple[TweetInputs, list[int], np.ndarray | None]], optimizer: torch.optim.Optimizer
    ) -> float:
        assert self.network is not None and self.inputs is not None
        self.network.train()
        batches = length_batches([len(x.words) for x, _, _ in encoded], self.settings.batch_size)
        total = 0.0
        for index in torch.randperm(len(batches)).tolist():
            chosen = [encoded[i] for i in batches[index]]
            batch = _collate([x for x, _, _ in chosen], [y for _, y, _ in chosen], self.inputs)
            loss = self._loss(batch, [target for _, _, target in chosen])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(self.network.parameters(), 5.0)
            optimizer.step()
            total += loss.item()
        return total / max(1, len(batches))

    def _loss(self, batch: dict[str, torch.Tensor], targets: list[np.ndarray | None]) -> torch.Tensor:
        """The batch's CRF loss: of its tags, or of its target distributions when it has them."""
        assert self.network is not None
        emissions = self.network(batch)
        given = [target for target in targets if target is not None]
        if len(given) < len(targets):
            return self.network.crf.neg_log_likelihood(emissions, batch["tags"], batch["mask"])
        padded = torch.zeros(emissions.shape)
        for row, target in enumerate(given):
            padded[row, : len(target)] = torch.from_numpy(target)
        return self.network.crf.soft_neg_log_likelihood(emissions, padded, batch["mask"])

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

    def _run(
        self, tokens: TokenLists, *, marginals: bool, batch: int = 128, chunk: int = 4096
    ) -> tuple[list, list[np.ndarray]]:
        """Viterbi paths (label indices) and, if asked, marginals, per tweet in input order.

        Tweets go in batches of similar lengths; the backward LSTM starts at each tweet's last
        word, so a tweet's result does not depend on the other tweets of its batch. What
        depends on a word alone is computed once per distinct word of ``chunk`` tweets (a
        chunk, not all of them, so that tagging 100,000 tweets holds a few thousand)."""
        if self.network is None or self.inputs is None:
            raise RuntimeError("BilstmCrfTagger used before fit or load")
        network = self.network.eval()
        order = [i for i in sorted(range(len(tokens)), key=lambda i: len(tokens[i])) if tokens[i]]
        paths: list = [[] for _ in tokens]
        probabilities = [np.zeros((len(t), len(self.labels))) for t in tokens]
        with torch.no_grad():
            for first in range(0, len(order), chunk):
                chunk_rows = order[first : first + chunk]
                for start, emissions, lengths in self._emissions([tokens[i] for i in chunk_rows], batch):
                    rows = chunk_rows[start : start + len(lengths)]
                    mask = torch.arange(emissions.shape[1])[None, :] < lengths[:, None]
                    for i, path in zip(rows, network.crf.decode(emissions, mask)):
                        paths[i] = path
                    if marginals:
                        found = network.crf.marginals(emissions, mask).numpy()
                        for k, i in enumerate(rows):
                            probabilities[i] = found[k, : len(tokens[i])]
        return paths, probabilities

    def _emissions(
        self, tweets: Sequence[Sequence[str]], batch: int
    ) -> Iterator[tuple[int, torch.Tensor, torch.Tensor]]:
        """Per ``batch`` consecutive (non-empty) tweets: the first one's index, the (B, T,
        labels) emission scores and the lengths (tagging arithmetic, no gradients)."""
        assert self.network is not None
        words, word_ids, patterns, pattern_ids = self._distinct(tweets)
        per_word, per_pattern = self.network.word_products(words), self.network.gazetteer_products(patterns)
        starts = np.cumsum([0, *(len(tweet) for tweet in tweets)])
        for start in range(0, len(tweets), batch):
            lengths = torch.tensor([len(tweet) for tweet in tweets[start : start + batch]])
            at = _token_rows(starts[start : start + len(lengths)], lengths)
            yield (
                start,
                self.network.tagging_emissions(per_word[word_ids[at]] + per_pattern[pattern_ids[at]], lengths),
                lengths,
            )

    def _distinct(self, tweets: Sequence[Sequence[str]]) -> tuple[WordArrays, torch.Tensor, np.ndarray, torch.Tensor]:
        """The distinct words of ``tweets`` as network inputs, and each token's (tweet after
        tweet) row among them; the distinct rows of gazetteer matches, and each token's."""
        assert self.inputs is not None
        vocabulary: dict[str, int] = {}
        ids = [vocabulary.setdefault(token, len(vocabulary)) for tweet in tweets for token in tweet]
        rows, chars, casing, clusters = self.inputs.token_arrays(list(vocabulary))
        vectors = self.inputs.vectors
        found = (
            torch.from_numpy(np.asarray(vectors.matrix[np.maximum(rows, 0)], dtype=np.float32))
            if vectors is not None
            else torch.zeros((len(rows), 1))
        )
        words = WordArrays(found, torch.from_numpy(rows >= 0), *map(torch.from_numpy, (chars, casing, clusters)))
        matches = np.concatenate([self.inputs.gazetteer(tweet) for tweet in tweets])
        packed = np.packbits(matches > 0, axis=1)  # a row as bytes: one key to compare
        keys = np.ascontiguousarray(packed).view(np.dtype((np.void, packed.shape[1]))).reshape(-1)
        _, first, pattern_ids = np.unique(keys, return_index=True, return_inverse=True)
        return words, torch.tensor(ids), matches[first], torch.from_numpy(pattern_ids.reshape(-1))

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

    def with_epochs(self, epochs: int, hidden_dim: int | None = None) -> BilstmCrfTagger:
        """An untrained copy that trains exactly ``epochs`` epochs (the refit on train+dev), or at
        most that many when given a validation set; ``hidden_dim`` resizes its LSTM (a student's
        width: ``StrongModelSettings.bilstm_crf_student_hidden_dim``)."""
        hidden = self.settings.hidden_dim if hidden_dim is None else hidden_dim
        return BilstmCrfTagger(replace(self.settings, max_epochs=epochs, hidden_dim=hidden), self._make_inputs)


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


def _token_rows(starts: np.ndarray, lengths: torch.Tensor) -> torch.Tensor:
    """(B, T) rows of a batch's tokens among its chunk's, for tweets that start at ``starts``;
    padding gets row 0 (its results are never read)."""
    positions = torch.arange(int(lengths.max()))[None, :]
    rows = torch.from_numpy(starts)[:, None] + positions
    return torch.where(positions < lengths[:, None], rows, torch.tensor(0))

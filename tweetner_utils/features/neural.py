"""What a neural tagger sees of each token, as integer arrays: word vector row, characters,
casing class, gazetteer matches and Brown-cluster prefixes.

The same knowledge the CRF reads as feature strings (``knowledge``), but as indices a
network can embed. A word that never occurred in training still has its GloVe vector,
its cluster and its gazetteer matches, which is how such a model reaches new names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..data.resources import normalise_phrase
from ..data.word_vectors import GLOVE_NAME, WordVectors
from .knowledge import KnowledgeResources
from .orthographic import casing_class

CLUSTER_BITS: tuple[int, ...] = (8, 12, 16)
"""Brown cluster path lengths embedded (coarse to fine); the CRF uses more, the network learns the rest."""
MAX_WORD_CHARS = 20
"""Characters a word's character CNN reads (longer words are cut; tweets rarely have them)."""
PAD_CHAR, UNKNOWN_CHAR = 0, 1


@dataclass(frozen=True)
class TweetInputs:
    """One tweet as index arrays, one row per token."""

    words: np.ndarray
    """(tokens,) GloVe rows, -1 where the word has no vector."""
    chars: np.ndarray
    """(tokens, MAX_WORD_CHARS) character ids, 0-padded."""
    casing: np.ndarray
    """(tokens,) casing classes 1-6."""
    gazetteer: np.ndarray
    """(tokens, 2 x lists) 1.0 where a listed phrase begins at (first half) or covers (second half) the token."""
    clusters: np.ndarray
    """(tokens, len(CLUSTER_BITS)) cluster-prefix ids, 0 for words without a cluster."""


class NeuralInputs:
    """Turns tokenized tweets into :class:`TweetInputs` with fixed vocabularies.

    Args:
        resources: gazetteers and Brown clusters (synthetic ones in quick runs).
        vectors: word vectors, or None to leave every word without one.
        chars: the character vocabulary (from :func:`character_vocabulary` on train).
    """

    def __init__(self, resources: KnowledgeResources, vectors: WordVectors | None, chars: Sequence[str]) -> None:
        self.vectors = vectors
        self.chars = {c: i for i, c in enumerate(chars, start=2)}
        self.index = resources.index
        names = sorted(resources.index.list_names)
        self.lists = {name: i for i, name in enumerate(names)}
        self.clusters = resources.clusters
        self.cluster_ids = _cluster_vocabulary(resources)
        self._tokens: dict[str, tuple[int, np.ndarray, int, np.ndarray]] = {}
        self._normalised: dict[str, str] = {}
        """Each token's phrase-matching form (Unicode normalisation is slow; words repeat)."""

    @property
    def gazetteer_width(self) -> int:
        return 2 * len(self.lists)

    @property
    def cluster_vocabulary_sizes(self) -> list[int]:
        return [len(ids) + 1 for ids in self.cluster_ids]

    def __call__(self, tokens: Sequence[str]) -> TweetInputs:
        words, chars, casing, clusters = self.token_arrays(tokens)
        return TweetInputs(words, chars, casing, self.gazetteer(tokens), clusters)

    def token_arrays(self, tokens: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """What depends on each token alone (:class:`TweetInputs` without the gazetteer): word
        rows, characters, casing classes and cluster ids, one row per token."""
        parts = [self._token(t) for t in tokens]
        if not parts:
            empty = np.zeros(0, dtype=np.int64)
            return empty, np.zeros((0, MAX_WORD_CHARS), np.int64), empty, np.zeros((0, len(CLUSTER_BITS)), np.int64)
        return (
            np.array([p[0] for p in parts], dtype=np.int64),
            np.stack([p[1] for p in parts]),
            np.array([p[2] for p in parts], dtype=np.int64),
            np.stack([p[3] for p in parts]),
        )

    def gazetteer(self, tokens: Sequence[str]) -> np.ndarray:
        """(tokens, 2 x lists) gazetteer matches of one tweet (a phrase spans tokens: the tweet matters)."""
        found = np.zeros((len(tokens), self.gazetteer_width), dtype=np.float32)
        normalised = self._normalised
        for t in tokens:
            if t not in normalised:
                normalised[t] = normalise_phrase(t)
        for i, matches in enumerate(self.index.found([normalised[t] for t in tokens])):
            for match in matches or ():
                name, position = match.rsplit(":", 1)
                found[i, self.lists[name] + (0 if position == "B" else len(self.lists))] = 1.0
        return found

    def _token(self, token: str) -> tuple[int, np.ndarray, int, np.ndarray]:
        hit = self._tokens.get(token)
        if hit is None:
            row = self.vectors.row(token) if self.vectors is not None else -1
            chars = np.zeros(MAX_WORD_CHARS, dtype=np.int64)
            for k, char in enumerate(token[:MAX_WORD_CHARS]):
                chars[k] = self.chars.get(char, UNKNOWN_CHAR)
            hit = self._tokens[token] = (row, chars, casing_class(token), self._cluster_row(token))
        return hit

    def _cluster_row(self, token: str) -> np.ndarray:
        paths = self.clusters.prefixes(token, CLUSTER_BITS) if self.clusters is not None else None
        if paths is None:
            return np.zeros(len(CLUSTER_BITS), dtype=np.int64)
        return np.array([ids.get(paths[bits], 0) for ids, bits in zip(self.cluster_ids, CLUSTER_BITS)], dtype=np.int64)


def character_vocabulary(tokens: Sequence[Sequence[str]], min_count: int = 2) -> list[str]:
    """Characters seen at least ``min_count`` times in ``tokens``, most frequent first (ties by code point)."""
    counts: dict[str, int] = {}
    for sentence in tokens:
        for token in sentence:
            for char in token[:MAX_WORD_CHARS]:
                counts[char] = counts.get(char, 0) + 1
    kept = [c for c, n in counts.items() if n >= min_count]
    return sorted(kept, key=lambda c: (-counts[c], c))


def _cluster_vocabulary(resources: KnowledgeResources) -> list[dict[int, int]]:
    """Per prefix length, every prefix value the cluster file has -> an id from 1."""
    if resources.clusters is None:
        return [{} for _ in CLUSTER_BITS]
    vocabularies = []
    for bits in CLUSTER_BITS:
        values = sorted({cluster & ((1 << bits) - 1) for cluster in resources.clusters.ids.values()})
        vocabularies.append({value: i for i, value in enumerate(values, start=1)})
    return vocabularies


def neural_spec(resources: KnowledgeResources, vectors: WordVectors | None) -> dict:
    """How a saved network names the resources and vectors its inputs need (``features.registry``)."""
    return {**resources.spec, "vectors": GLOVE_NAME if vectors is not None else None}

"""Combine taggers by averaging their per-token label distributions, then decode validly.

Different model families (a feature CRF, a fine-tuned transformer) make different
mistakes; averaging their probabilities and decoding the best valid BIO sequence keeps
what each gets right. The weights are chosen on dev, never on test.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Self

import numpy as np

from ..data.conll import TagLists, TokenLists
from .bio_decoding import decode_all, decode_with_confidences
from .protocol import Confidences, ProbabilisticTagger


def average_distributions(members: Sequence[Sequence[np.ndarray]], weights: Sequence[float]) -> list[np.ndarray]:
    """Weighted mean, tweet by tweet, of several models' (tokens x labels) distributions."""
    total = float(sum(weights))
    if total <= 0 or len(members) != len(weights):
        raise ValueError("need one positive weight per member")
    return [np.asarray(sum(w * m[i] for w, m in zip(weights, members))) / total for i in range(len(members[0]))]


class EnsembleTagger:
    """Probabilistic taggers combined by :func:`average_distributions` and BIO-constrained Viterbi."""

    def __init__(self, members: Sequence[ProbabilisticTagger], weights: Sequence[float]) -> None:
        self.members, self.weights = list(members), list(weights)
        labels = {tuple(m.labels) for m in self.members}
        if len(labels) != 1:
            raise ValueError("ensemble members must share one label order")
        self.labels: tuple[str, ...] = labels.pop()

    def fit(self, tokens: TokenLists, tags: TokenLists) -> Self:
        """Fit every member on the same data (the weights stay as chosen)."""
        for member in self.members:
            member.fit(tokens, tags)
        return self

    def predict_proba(self, tokens: TokenLists) -> list[np.ndarray]:
        return average_distributions([m.predict_proba(tokens) for m in self.members], self.weights)

    def predict(self, tokens: TokenLists) -> TagLists:
        return decode_all(self.predict_proba(tokens), self.labels)

    def tags_and_confidences(self, tokens: TokenLists) -> tuple[TagLists, Confidences]:
        return decode_with_confidences(self.predict_proba(tokens), self.labels)

"""Combine taggers by averaging their per-token label distributions, then decode validly.

Different model families (a feature CRF, a fine-tuned transformer, a BiLSTM-CRF) make
different mistakes; averaging their probabilities and decoding the best valid BIO
sequence keeps what each gets right. The members and weights are chosen on dev, never
on test (:func:`search_weights`).
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from collections.abc import Sequence
from typing import Self

import numpy as np

from ..data.conll import TagLists, TokenLists
from ..metrics import entity_scores
from .bio_decoding import decode_all, decode_with_confidences
from .protocol import Confidences, ProbabilisticTagger

Distributions = list[np.ndarray]
"""Per tweet, a (tokens x labels) array of probabilities."""


def average_distributions(members: Sequence[Sequence[np.ndarray]], weights: Sequence[float]) -> list[np.ndarray]:
    """Weighted mean, tweet by tweet, of several models' (tokens x labels) distributions."""
    total = float(sum(weights))
    if total <= 0 or len(members) != len(weights):
        raise ValueError("need one positive weight per member")
    return [np.asarray(sum(w * m[i] for w, m in zip(weights, members))) / total for i in range(len(members[0]))]


def weight_grid(members: int, step: float) -> list[tuple[float, ...]]:
    """Every way to give ``members`` models positive weights in multiples of ``step`` summing to 1.

    >>> weight_grid(2, 0.25)
    [(0.25, 0.75), (0.5, 0.5), (0.75, 0.25)]
    """
    units = round(1 / step)
    return [
        tuple(round(k * step, 10) for k in parts)
        for parts in itertools.product(range(1, units), repeat=members)
        if sum(parts) == units
    ]


def search_weights(
    distributions: Sequence[Distributions], gold: TokenLists, step: float, labels: Sequence[str]
) -> tuple[tuple[float, ...], float]:
    """The weights (on :func:`weight_grid`) whose averaged, BIO-decoded dev predictions score
    the best entity F1 against ``gold``, and that F1. Ties go to the first in grid order, so
    the choice never depends on float noise between runs. ``labels`` names the distributions' columns."""
    best: tuple[tuple[float, ...], float] | None = None
    for weights in weight_grid(len(distributions), step):
        f1 = entity_scores(gold, decode_all(average_distributions(distributions, weights), labels)).overall.f1
        if best is None or f1 > best[1]:
            best = (weights, f1)
    if best is None:
        raise ValueError(f"no weights of step {step} for {len(distributions)} members")
    return best


class EnsembleTagger:
    """Probabilistic taggers combined by :func:`average_distributions` and BIO-constrained Viterbi.

    The last few inputs' distributions are kept, so that scoring, routing and the
    analyses of the same tweets do not run every member again.
    """

    CACHED_INPUTS = 4

    def __init__(self, members: Sequence[ProbabilisticTagger], weights: Sequence[float]) -> None:
        self.members, self.weights = list(members), list(weights)
        self._cache: OrderedDict[tuple, list[np.ndarray]] = OrderedDict()

    @property
    def labels(self) -> tuple[str, ...]:
        """The members' common column order (they learn it when fitted on the same data).

        Raises:
            ValueError: the members disagree (trained on corpora with different types).
        """
        labels = {tuple(m.labels) for m in self.members}
        if len(labels) != 1:
            raise ValueError(f"ensemble members must share one label order, found {sorted(labels)}")
        return labels.pop()

    def fit(self, tokens: TokenLists, tags: TokenLists) -> Self:
        """Fit every member on the same data (the weights stay as chosen)."""
        for member in self.members:
            member.fit(tokens, tags)
        self._cache.clear()
        return self

    def predict_proba(self, tokens: TokenLists) -> list[np.ndarray]:
        key = tuple(tuple(sentence) for sentence in tokens)
        found = self._cache.get(key)
        if found is None:
            found = average_distributions([m.predict_proba(tokens) for m in self.members], self.weights)
            self._cache[key] = found
            if len(self._cache) > self.CACHED_INPUTS:
                self._cache.popitem(last=False)
        return found

    def predict(self, tokens: TokenLists) -> TagLists:
        return decode_all(self.predict_proba(tokens), self.labels)

    def tags_and_confidences(self, tokens: TokenLists) -> tuple[TagLists, Confidences]:
        return decode_with_confidences(self.predict_proba(tokens), self.labels)

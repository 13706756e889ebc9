"""Combine taggers by averaging their per-token label distributions, then decode validly.

Different model families (a feature CRF, a fine-tuned transformer) make different
mistakes; averaging their probabilities and decoding the best valid BIO sequence keeps
what each gets right. The weights are chosen on dev, never on test.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .labels import LABELS, OUTSIDE, entity_type

TokenLists = Sequence[Sequence[str]]
_FLOOR = 1e-9


def allowed_transitions(labels: Sequence[str] = LABELS) -> np.ndarray:
    """``allowed[a, b]``: may label ``b`` follow label ``a`` in BIO? (``I-x`` only after ``B-x``/``I-x``)."""
    allowed = np.ones((len(labels), len(labels)), dtype=bool)
    for b, to in enumerate(labels):
        if to.startswith("I-"):
            for a, frm in enumerate(labels):
                allowed[a, b] = frm != OUTSIDE and entity_type(frm) == entity_type(to)
    return allowed


def allowed_starts(labels: Sequence[str] = LABELS) -> np.ndarray:
    """Labels a tweet may start with (anything but ``I-``)."""
    return np.array([not label.startswith("I-") for label in labels])


def viterbi_bio(probabilities: np.ndarray, labels: Sequence[str] = LABELS) -> list[str]:
    """The label sequence with the highest product of per-token probabilities that is valid BIO."""
    if len(probabilities) == 0:
        return []
    scores = np.log(np.maximum(probabilities, _FLOOR))
    forbidden = np.where(allowed_transitions(labels), 0.0, -np.inf)
    best = np.where(allowed_starts(labels), scores[0], -np.inf)
    back = np.zeros((len(scores), len(labels)), dtype=np.int64)
    for t in range(1, len(scores)):
        candidates = best[:, None] + forbidden
        back[t] = candidates.argmax(axis=0)
        best = candidates.max(axis=0) + scores[t]
    path = [int(best.argmax())]
    for t in range(len(scores) - 1, 0, -1):
        path.append(int(back[t, path[-1]]))
    return [labels[i] for i in reversed(path)]


def average_distributions(members: Sequence[Sequence[np.ndarray]], weights: Sequence[float]) -> list[np.ndarray]:
    """Weighted mean, tweet by tweet, of several models' (tokens x labels) distributions."""
    total = float(sum(weights))
    if total <= 0 or len(members) != len(weights):
        raise ValueError("need one positive weight per member")
    return [sum(w * m[i] for w, m in zip(weights, members)) / total for i in range(len(members[0]))]


def decode_all(distributions: Sequence[np.ndarray]) -> list[list[str]]:
    """:func:`viterbi_bio` for every tweet."""
    return [viterbi_bio(d) for d in distributions]


_INDEX = {label: i for i, label in enumerate(LABELS)}


def tags_and_confidences(model, tokens: TokenLists) -> tuple[list[list[str]], list[list[float]]]:
    """Valid BIO tags and, per token, the probability the model gave its chosen tag.

    A model with its own fast path (the CRF's Viterbi plus marginals) uses it; any other
    is decoded from its full distributions by :func:`viterbi_bio`.
    """
    own = getattr(model, "tags_and_confidences", None)
    if own is not None:
        return own(tokens)
    probabilities = model.predict_proba(tokens)
    tags = decode_all(probabilities)
    confidences = [[float(p[i, _INDEX[t]]) for i, t in enumerate(seq)] for seq, p in zip(tags, probabilities)]
    return tags, confidences


class EnsembleTagger:
    """Taggers with ``predict_proba`` combined by :func:`average_distributions` and :func:`viterbi_bio`."""

    def __init__(self, members: Sequence[object], weights: Sequence[float]) -> None:
        self.members, self.weights = list(members), list(weights)

    def predict_proba(self, tokens: TokenLists) -> list[np.ndarray]:
        return average_distributions([m.predict_proba(tokens) for m in self.members], self.weights)

    def predict(self, tokens: TokenLists) -> list[list[str]]:
        return decode_all(self.predict_proba(tokens))

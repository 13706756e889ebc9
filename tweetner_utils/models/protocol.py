"""What every tagger offers, so that evaluation, serving and ensembles treat all models alike.

Every model's ``fit`` returns the model itself (training logs, where a model keeps any,
are in its ``history``), ``predict`` returns valid BIO tags per tweet, and
``tags_and_confidences`` adds the probability the model gave each tag (what routing and
the API need). Models that produce a full distribution per token also offer
``predict_proba``, with columns in the order of their ``labels``; ensembles average those.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, Self, runtime_checkable

import numpy as np

from ..data.conll import TagLists, TokenLists

Confidences = list[list[float]]
"""Per tweet, per token: the probability the model gave the tag it chose."""


def entity_confidence(confidences: Sequence[float], first: int, last: int) -> float:
    """An entity's confidence: the mean probability the model gave its tags (tokens ``first``
    to ``last``). Routing, monitoring, the API and the review queue all compare this one
    value with the dev-chosen threshold.

    >>> entity_confidence([0.9, 0.5, 0.7], 1, 2)
    0.6
    """
    return sum(confidences[first : last + 1]) / (last + 1 - first)


@runtime_checkable
class Tagger(Protocol):
    """A trainable sequence tagger."""

    @property
    def labels(self) -> Sequence[str]:
        """Every tag the model may output (those of its training data's types), sorted."""
        ...

    def fit(self, tokens: TokenLists, tags: TokenLists) -> Self:
        """Train on tokenized tweets and their gold tags; returns the model."""
        ...

    def predict(self, tokens: TokenLists) -> TagLists:
        """Valid BIO tags per tweet."""
        ...

    def tags_and_confidences(self, tokens: TokenLists) -> tuple[TagLists, Confidences]:
        """:meth:`predict`'s tags and, per token, the probability of the chosen tag."""
        ...


@runtime_checkable
class ProbabilisticTagger(Tagger, Protocol):
    """A tagger that gives a full label distribution per token, columns in :attr:`labels` order."""

    def predict_proba(self, tokens: TokenLists) -> list[np.ndarray]:
        """Per tweet, a (tokens x labels) array of probabilities."""
        ...


@runtime_checkable
class SavedTagger(Tagger, Protocol):
    """A tagger that can be saved as a verified model folder (``artifacts``)."""

    def save(self, folder: str, metadata: dict) -> None:
        """Write the model folder; ``metadata`` is added to what the model records itself."""
        ...

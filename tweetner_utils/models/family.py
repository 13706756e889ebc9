"""What a model family is to the rest of the package: one object per family, so that selection,
refit, loading and the reports treat every family alike and a new one is added in one place.

A family is loaded by the ``kind`` its saved folders record (its name). A family that can be a
candidate of the strong-model selection also says how it is fit on train (early stopping or a
grid on dev), fit again as chosen, and refit on train + dev. The families themselves live in
``models/families/``, registered there by name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..data.conll import Corpus
from ..data.labels import LabelSet
from ..data.word_vectors import WordVectors
from ..features.knowledge import KnowledgeResources
from ..metrics import entity_scores
from .protocol import ProbabilisticTagger, Tagger

if TYPE_CHECKING:  # the settings import PyTorch's model modules; loading a CRF must not
    from .strong_settings import StrongModelSettings


@dataclass(frozen=True)
class FitContext:
    """Everything a candidate fit may read: the splits, the selection's settings, the knowledge."""

    corpora: dict[str, Corpus]
    settings: StrongModelSettings
    resources: KnowledgeResources
    vectors: WordVectors | None
    log: Callable[[str], None]

    @property
    def train(self) -> Corpus:
        return self.corpora["train"]

    @property
    def labels(self) -> tuple[str, ...]:
        """The tags of train's types: every member's column order, so that members can be averaged."""
        return LabelSet.from_tags(self.train.tags).labels

    @property
    def validation(self) -> tuple[list[list[str]], list[list[str]]]:
        return self.corpora["dev"].tokens, self.corpora["dev"].tags

    def f1(self, split: str, tags: list[list[str]]) -> float:
        return entity_scores(self.corpora[split].tags, tags).overall.f1

    def train_and_dev(self, dev_copies: int = 1) -> Corpus:
        """Train plus ``dev_copies`` copies of dev: the refit's data."""
        return Corpus(self.train.tweets + self.corpora["dev"].tweets * dev_copies, source="train+dev")


@dataclass
class MemberFit:
    """One member fit on train: the model, its dev/test distributions and scores, what validation chose."""

    name: str
    model: ProbabilisticTagger
    dev: list[np.ndarray]
    test: list[np.ndarray]
    dev_f1: float
    """Of the member's own predictions (its Viterbi decoding), like every single-model score."""
    test_f1: float
    fit_seconds: float
    settings: dict
    """What the refit repeats: c1/c2, or the number of epochs validation chose."""


@dataclass(frozen=True)
class Candidate:
    """How a family takes part in the strong-model selection (``models/selection.py``)."""

    enabled: Callable[[StrongModelSettings], bool]
    fit: Callable[[FitContext, list[dict]], MemberFit]
    """Fit on train, choosing on dev what the family chooses; appends extra table rows (a
    grid's other points) to the list and returns the chosen fit, distributions included."""
    fit_as_chosen: Callable[[FitContext, dict], ProbabilisticTagger]
    """Fit on train with what validation chose before (its settings dict), nothing re-chosen."""
    refit: Callable[[FitContext, MemberFit], ProbabilisticTagger]
    """The chosen fit again on train + dev, repeating what validation chose."""
    plan: Callable[[StrongModelSettings, KnowledgeResources], str]
    """What the selection will try of this family, for the report."""


@dataclass(frozen=True)
class Family:
    """A model family: its name (the ``kind`` its folders record), its label in reports, how a
    saved folder loads, and how it is a candidate (``None``: not one)."""

    name: str
    label: str
    load: Callable[[Path, dict, str], Tagger]
    """``(folder, verified metadata, data_dir)`` -> the tagger; heavy libraries imported inside."""
    candidate: Candidate | None = None
    saved_metadata: Callable[[dict], dict] = lambda neural_spec: {}
    """What a saved member's folder needs besides the model (a BiLSTM-CRF: its inputs' spec)."""
    fast: bool = False
    """Whether its saved folders tag at least 3,000 unseen tweets a second in fresh processes on
    2 cores (``benchmarks/predict.py``, docs/benchmarks.md): only such a family may be the fast
    model, which a team runs on a whole stream."""

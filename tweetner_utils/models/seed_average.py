"""Several fine-tuned MiniLMs, one per seed, tagging as one, and the seeds and settings that
name them: apart from the selection stage (``transformer_seeds``) so that the students, the
MiniLM family and loading can use them without importing the selection."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Self

import numpy as np

from ..data.conll import TagLists, TokenLists
from .artifacts import read_artifact, write_artifact
from .bio_decoding import decode_all, decode_with_confidences
from .ensemble import average_distributions
from .family import FitContext
from .protocol import Confidences
from .transformer import TransformerTagger

SEEDS_KEY = "seeds"
"""The field of a MiniLM folder's metadata (and of a member's settings) listing its seeds."""
SEED_EPOCHS_KEY = "seed_epochs"
"""The field of a member's settings listing the epochs each seed's early stopping chose."""


def seeds(first: int, count: int) -> list[int]:
    """The seeds a ``count``-seed average uses: the run's seed and the next ones."""
    return [first + k for k in range(count)]


def seeded_context(context: FitContext, seed: int) -> FitContext:
    """``context`` with the selection's seed replaced: another seed's MiniLM fit."""
    return dataclasses.replace(context, settings=dataclasses.replace(context.settings, seed=seed))


def averaged_settings(first: dict, seed_list: Sequence[int], epochs: Sequence[int] | None = None) -> dict:
    """A candidate's settings as a seed average: the first seed's, with every seed (and, for the
    member, the epochs each seed's early stopping chose, which a fit as chosen repeats)."""
    return {**first, SEEDS_KEY: list(seed_list)} | ({SEED_EPOCHS_KEY: list(epochs)} if epochs is not None else {})


class SeedAveragedMiniLM:
    """Several fine-tuned MiniLMs, one per seed, tagging as one: the equal-weight mean of their
    word distributions. It continues, saves and loads like a single MiniLM."""

    def __init__(self, taggers: Sequence[TransformerTagger]) -> None:
        if not taggers or any(t.labels != taggers[0].labels for t in taggers):
            raise ValueError("a seed average needs one or more MiniLMs with the same labels")
        self.taggers = list(taggers)
        self.labels = list(taggers[0].labels)

    @property
    def seeds(self) -> list[int]:
        return [t.settings.seed for t in self.taggers]

    def fit(self, tokens: TokenLists, tags: TokenLists) -> Self:
        """Fine-tune every seed's MiniLM on the same tweets, each from its own seed."""
        for tagger in self.taggers:
            tagger.fit(tokens, tags)
        return self

    def predict_proba(self, tokens: TokenLists) -> list[np.ndarray]:
        return average_distributions([t.predict_proba(tokens) for t in self.taggers], [1.0] * len(self.taggers))

    def predict(self, tokens: TokenLists) -> TagLists:
        return decode_all(self.predict_proba(tokens), self.labels)

    def tags_and_confidences(self, tokens: TokenLists) -> tuple[TagLists, Confidences]:
        return decode_with_confidences(self.predict_proba(tokens), self.labels)

    def continued(
        self, tokens: TokenLists, tags: TokenLists, epochs: int, progress: Callable[[str], None] = print
    ) -> SeedAveragedMiniLM:
        """Every seed's MiniLM continued alike (``TransformerTagger.continued``); this one is unchanged."""
        return SeedAveragedMiniLM(
            [t.continued(tokens, tags, epochs, progress=_seeded(progress, t)) for t in self.taggers]
        )

    def save(self, folder: str, metadata: dict) -> None:
        """One verified folder: each seed's weights as ``weights-<seed>.pt``, the first seed's
        settings and the list of seeds in the metadata."""
        files = {_weights_file(seed): t.weights_bytes() for seed, t in zip(self.seeds, self.taggers)}
        write_artifact(folder, files, {**self.taggers[0].saved_metadata(), SEEDS_KEY: self.seeds, **metadata})

    @classmethod
    def load(cls, folder: str, device: str = "auto") -> Self:
        meta, files = read_artifact(folder)
        return cls(
            [
                TransformerTagger.from_weights(
                    {**meta["settings"], "seed": seed}, meta["labels"], files[_weights_file(seed)], device
                )
                for seed in meta[SEEDS_KEY]
            ]
        )


MiniLM = TransformerTagger | SeedAveragedMiniLM
"""What the MiniLM member and its students are: one fine-tuned MiniLM or a seed average."""


def _weights_file(seed: int) -> str:
    return f"weights-{seed}.pt"


def _seeded(progress: Callable[[str], None], tagger: TransformerTagger) -> Callable[[str], None]:
    return lambda line: progress(f"seed {tagger.settings.seed}: {line}")

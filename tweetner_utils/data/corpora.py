"""Which tweets a run uses (the real WNUT16 splits or, in quick mode, synthetic ones), and the
names their gold entities carry."""

from __future__ import annotations

import numpy as np
from sklearn.model_selection import train_test_split

from .access import SPLITS, load_split
from .conll import Corpus
from .labels import entities
from .synthetic import synthetic_splits


def load_corpora(quick: bool, seed: int, data_dir: str = "") -> dict[str, Corpus]:
    """All four splits: verified WNUT16 files, or the seeded synthetic corpus when ``quick``."""
    if quick:
        return synthetic_splits(seed)
    return {name: load_split(name, data_dir or None) for name in SPLITS}


def validation_split(corpus: Corpus, fraction: float, seed: int) -> tuple[Corpus, Corpus]:
    """The original analysis's tweet-level split of ``train``, stratified by "has an entity".

    With ``fraction=0.2`` and ``seed=42`` this is exactly the original's 1915/479 split,
    which its SGD alpha and BiLSTM early stopping were chosen on.
    """
    has_entity = np.array([int(any(t != "O" for t in tweet.tags)) for tweet in corpus])
    fit_idx, val_idx = train_test_split(
        np.arange(len(corpus)), test_size=fraction, random_state=seed, stratify=has_entity
    )
    return _subset(corpus, fit_idx, "fit"), _subset(corpus, val_idx, "validation")


def _subset(corpus: Corpus, indices: np.ndarray, label: str) -> Corpus:
    return Corpus(tuple(corpus[int(i)] for i in indices), source=f"{corpus.source} [{label}]")


def describe_source(quick: bool) -> str:
    """One sentence for reports saying which data the numbers come from."""
    if quick:
        return "> **Quick run on the synthetic corpus: these numbers say nothing about real tweets.**"
    return "Data: the WNUT16 release, every file checked against its pinned SHA-256."


def entity_strings(corpus: Corpus) -> list[tuple[str, str]]:
    """Every gold entity as ``(type, surface string)``, in corpus order."""
    found = []
    for tweet in corpus:
        for kind, start, end in sorted(entities(tweet.tags), key=lambda e: e[1]):
            found.append((kind, " ".join(tweet.tokens[start : end + 1])))
    return found


def known_names(corpus: Corpus) -> set[tuple[str, str]]:
    """``(type, lowercased string)`` of every gold entity: what a model could have memorised."""
    return {(kind, text.lower()) for kind, text in entity_strings(corpus)}

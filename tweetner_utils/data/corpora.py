"""Which tweets a run uses (the real WNUT16 splits or, in quick mode, synthetic ones), and the
names their gold entities carry."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.model_selection import train_test_split

from .access import SPLITS, load_split
from .conll import Corpus, read_conll
from .labels import entities
from .synthetic import synthetic_splits


def load_corpora(quick: bool, seed: int, data_dir: str = "") -> dict[str, Corpus]:
    """All four splits: verified WNUT16 files, or the seeded synthetic corpus when ``quick``."""
    if quick:
        return synthetic_splits(seed)
    return {name: load_split(name, data_dir or None) for name in SPLITS}


HELD_OUT: tuple[str, ...] = ("dev", "test")
"""The splits reviewed tweets must never copy: they choose and score the models."""


@dataclass(frozen=True)
class ExtraTraining:
    """Reviewed tweets added to ``train`` (``run_all.py --extra-train``), and those refused."""

    tweets: Corpus
    refused: tuple[str, ...] = ()
    """One line per refused tweet: which file, which tweet (id and line), which split it copies."""
    files: tuple[str, ...] = ()

    def added_to(self, corpora: Mapping[str, Corpus]) -> dict[str, Corpus]:
        """The corpora with these tweets appended to ``train`` (dev and test untouched)."""
        if not len(self.tweets):
            return dict(corpora)
        train = corpora["train"]
        return {**corpora, "train": Corpus(train.tweets + self.tweets.tweets, source=f"{train.source} + reviewed")}

    def describe(self) -> str:
        """What was added and what refused, for the reports ("" when nothing was asked)."""
        if not self.files:
            return ""
        names = ", ".join(f"`{Path(f).name}`" for f in self.files)
        text = f"**Reviewed tweets added to train:** {len(self.tweets)} from {names}."
        if self.refused:
            text += f" Refused, because dev or test holds the same tweet ({len(self.refused)}): " + "; ".join(
                self.refused
            )
        return text


def extra_training(paths: Sequence[str], corpora: Mapping[str, Corpus]) -> ExtraTraining:
    """Read reviewed CoNLL files strictly and keep the tweets that copy no dev or test tweet.

    A tweet in dev or test as well would leak into choosing or scoring the models; it is
    refused by its id (its ``# id =`` line, as ``tweetner review import`` writes it) and line.

    Raises:
        ConllFormatError: a file cannot be read or has a malformed line (file and line named).
    """
    held_out = {tweet.tokens: split for split in HELD_OUT for tweet in corpora[split]}
    kept, refused = [], []
    for path in paths:
        for tweet in read_conll(path):
            if tweet.tokens in held_out:
                refused.append(f"{Path(path).name}: {tweet.name} is also in {held_out[tweet.tokens]}")
            else:
                kept.append(tweet)
    return ExtraTraining(Corpus(tuple(kept), source="reviewed"), tuple(refused), tuple(map(str, paths)))


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

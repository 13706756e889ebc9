"""Which tweets a run uses (a built-in corpus, your own folder, or in quick mode synthetic
ones), the label set they define, and the names their gold entities carry."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.model_selection import train_test_split

from ..exceptions import ConllFormatError, DataError
from .access import DEFAULT_CORPUS, catalogue, load_split
from .conll import Corpus, read_conll
from .labels import OUTSIDE, LabelSet, entities
from .synthetic import SYNTHETIC_TITLE, synthetic_splits

REQUIRED_SPLITS: tuple[str, ...] = ("train", "dev", "test")
"""What every corpus must have: train to fit, dev to choose, test to score once."""
FOLDER_SUFFIXES: tuple[str, ...] = ("", ".conll", ".txt", ".tsv")
"""How a split may be named in a corpus folder: ``train``, ``train.conll``, ..."""


@dataclass(frozen=True)
class CorpusSpec:
    """A corpus as reports speak of it: its name, its title and the words for each split's tweets.

    ``splits`` maps each split to the noun phrase reports use for its tweets ("2016 test
    tweets"), so no sentence in the package names a year or a corpus.
    """

    name: str
    title: str
    splits: Mapping[str, str]
    shift: str = "the difference between the dev and the test tweets"
    """What separates dev from test, in a report's words (for WNUT16: two years of language drift)."""
    folder: str = ""
    """The user folder the splits are read from ("" for a built-in corpus)."""
    files: Mapping[str, str] = field(default_factory=dict)
    """Split -> file in ``folder``."""

    def words(self, split: str) -> str:
        """How reports name the tweets of ``split`` ("2016 test tweets")."""
        return self.splits.get(split, f"{self.title} {split} tweets")

    def to_dict(self) -> dict:
        """Plain data for results files (the folder is left out: it differs between machines)."""
        return {"name": self.name, "title": self.title, "splits": dict(self.splits), "shift": self.shift}

    @classmethod
    def from_dict(cls, data: Mapping) -> CorpusSpec:
        """The spec :meth:`to_dict` recorded (the business summary reads it from the EDA's results)."""
        return cls(data["name"], data["title"], dict(data["splits"]), data["shift"])


def corpus_spec(corpus: str = DEFAULT_CORPUS, corpus_dir: str = "", *, quick: bool = False) -> CorpusSpec:
    """The spec of a built-in corpus, of the folder ``corpus_dir``, or of the synthetic one.

    Raises:
        DataError: the corpus is not built in, or the folder lacks a split or holds two files for one.
    """
    if quick:
        return CorpusSpec("synthetic", SYNTHETIC_TITLE, {s: f"synthetic {s} tweets" for s in ("train", "dev", "test")})
    if corpus_dir:
        return _folder_spec(Path(corpus_dir).expanduser())
    known = catalogue()
    if corpus not in known:
        raise DataError(f"unknown corpus {corpus!r}; built in: {', '.join(known)} (or give a folder: --corpus-dir)")
    entry = known[corpus]
    return CorpusSpec(corpus, entry["title"], entry["splits"], entry["shift"])


def _folder_spec(folder: Path) -> CorpusSpec:
    if not folder.is_dir():
        raise DataError(f"corpus folder {folder}: not a folder")
    files = {}
    for split in REQUIRED_SPLITS:
        found = [folder / f"{split}{suffix}" for suffix in FOLDER_SUFFIXES if (folder / f"{split}{suffix}").is_file()]
        if not found:
            names = ", ".join(f"{split}{suffix}" for suffix in FOLDER_SUFFIXES)
            raise DataError(f"corpus folder {folder}: no {split} split (looked for {names})")
        if len(found) > 1:
            raise DataError(
                f"corpus folder {folder}: {len(found)} files for the {split} split: "
                + ", ".join(p.name for p in found)
                + "; keep one"
            )
        files[split] = str(found[0])
    name = folder.resolve().name
    return CorpusSpec(name, name, {s: f"{name} {s} tweets" for s in REQUIRED_SPLITS}, folder=str(folder), files=files)


def load_corpora(
    quick: bool, seed: int, data_dir: str = "", corpus: str = DEFAULT_CORPUS, corpus_dir: str = ""
) -> dict[str, Corpus]:
    """Every split of the corpus: verified files of a built-in corpus, the files of a folder
    (read strictly, not verified), or the seeded synthetic corpus when ``quick``.

    The label set is checked across the splits (:func:`corpus_labels`) before anything is returned.
    """
    if quick:
        corpora = synthetic_splits(seed)
    else:
        spec = corpus_spec(corpus, corpus_dir)
        if spec.folder:
            corpora = {split: read_conll(path) for split, path in spec.files.items()}
        else:
            corpora = {split: load_split(split, data_dir or None, corpus=spec.name) for split in spec.splits}
    corpus_labels(corpora)
    return corpora


def corpus_labels(corpora: Mapping[str, Corpus]) -> LabelSet:
    """The label set of a corpus: the types of ``train``, which every other split must keep to.

    A type that only dev or test holds could never be predicted, and would silently count
    as missed; it is an error instead.

    Raises:
        ConllFormatError: a split holds a type train lacks (file, line and type named), or
            train holds no entity.
    """
    train = corpora["train"]
    try:
        labels = LabelSet.from_tags(train.tags)
    except ValueError as exc:
        raise ConllFormatError(train.source, None, "", str(exc)) from None
    for split, corpus in corpora.items():
        check_types(corpus, labels.types, f"is not in train ({split} may only use train's types: {{known}})")
    return labels


def check_types(corpus: Corpus, types: Sequence[str], reason: str) -> None:
    """Refuse the first tag whose type is not in ``types``, naming file, line, token and type.

    ``reason`` follows ``type 'x' ``; ``{known}`` in it becomes the list of ``types``.

    Raises:
        ConllFormatError: a tag has another type.
    """
    allowed = set(types)
    for tweet in corpus:
        for offset, tag in enumerate(tweet.tags):
            if tag != OUTSIDE and tag[2:] not in allowed:
                line = tweet.line + offset if tweet.line else None
                why = f"type {tag[2:]!r} " + reason.format(known=", ".join(sorted(allowed)))
                raise ConllFormatError(corpus.source, line, f"{tweet.tokens[offset]}\t{tag}", why)


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
        ConllFormatError: a file cannot be read, has a malformed line, or uses a type the
            corpus's train split lacks (file and line named).
    """
    held_out = {tweet.tokens: split for split in HELD_OUT for tweet in corpora[split]}
    types = corpus_labels(corpora).types if paths else ()
    kept, refused = [], []
    for path in paths:
        reviewed = read_conll(path)
        check_types(reviewed, types, "is not one of the corpus's types ({known})")
        for tweet in reviewed:
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


def describe_source(quick: bool, spec: CorpusSpec | None = None) -> str:
    """One sentence for reports saying which data the numbers come from."""
    if quick:
        return "> **Quick run on the synthetic corpus: these numbers say nothing about real tweets.**"
    spec = spec or corpus_spec()
    if spec.folder:
        return f"Data: the corpus folder `{spec.name}` (every line read strictly; no pinned hashes to check)."
    return f"Data: the {spec.title} release, every file checked against its pinned SHA-256."


def describe_splits(spec: CorpusSpec, corpora: Mapping[str, Corpus]) -> str:
    """What each split holds and the label set, in one sentence counted from the data.

    >>> from .synthetic import synthetic_splits
    >>> describe_splits(corpus_spec(quick=True), synthetic_splits(0))[:57]
    'The synthetic corpus: train: 240 (synthetic train tweets)'
    """
    parts = [f"{split}: {len(corpus):,} ({spec.words(split)})" for split, corpus in corpora.items()]
    types = corpus_labels(corpora).types
    return (
        f"The {spec.title} corpus: {'; '.join(parts)}. Its {len(types)} entity types, read from train: "
        + ", ".join(f"`{t}`" for t in types)
        + "."
    )


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

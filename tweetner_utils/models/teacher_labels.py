"""Teacher labels: what a trained model (the teacher) tags on unlabelled tweets, with its
probabilities, so that students can learn from hard or soft labels.

Tagging 100,000 tweets with the leading ensemble takes many minutes on 2 cores, so the
labels are computed once per (teacher, tweets) and kept in the user cache under a key made
of the teacher's saved bytes (:func:`model_digest`) and the tweets' own SHA-256: a second
run with the same teacher and files reads them back; any change to either computes them
again. A damaged cache file is computed again too, never trusted.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..atomic_files import atomic_writer
from ..data.access import cache_dir
from ..data.conll import TagLists, TokenLists
from .artifacts import CHECKSUMS
from .ensemble import EnsembleTagger
from .protocol import ProbabilisticTagger, SavedTagger

FORMAT = 1
"""Bumped whenever what is cached changes meaning."""

BATCH = 256


@dataclass(frozen=True)
class TeacherLabels:
    """Per tweet: the teacher's tags and its (tokens x labels) probabilities, float32."""

    tags: TagLists
    probabilities: list[np.ndarray]
    labels: tuple[str, ...]

    def tweet_confidence(self) -> np.ndarray:
        """Per tweet, the lowest probability the teacher gave any of its chosen tags (1.0 for
        a tweet without tokens): what a confidence filter compares with its threshold."""
        index = {label: i for i, label in enumerate(self.labels)}
        return np.array(
            [
                min((float(p[i, index[t]]) for i, t in enumerate(tags)), default=1.0)
                for tags, p in zip(self.tags, self.probabilities)
            ]
        )


def default_cache(folder: str = "") -> Path:
    """Where teacher labels are kept: ``folder``, else ``teacher_labels/`` in the download cache."""
    return Path(folder) if folder else cache_dir() / "teacher_labels"


def model_digest(model: ProbabilisticTagger) -> str:
    """A SHA-256 naming a trained model by its saved bytes: an ensemble by its members'
    digests and weights. Equal digests mean equal weights, hence equal labels."""
    if isinstance(model, EnsembleTagger):
        parts = [model_digest(member) for member in model.members] + [json.dumps(model.weights)]
    elif isinstance(model, SavedTagger):
        with tempfile.TemporaryDirectory() as folder:
            model.save(os.path.join(folder, "model"), {})
            parts = [Path(folder, "model", CHECKSUMS).read_text("utf-8")]
    else:
        raise TypeError(f"{type(model).__name__} cannot be saved, so it cannot name its teacher labels")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def tweets_digest(tokens: TokenLists) -> str:
    """A SHA-256 of the tweets themselves (after cleaning), in order."""
    digest = hashlib.sha256()
    for tweet in tokens:
        digest.update(("\t".join(tweet) + "\n").encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def teacher_key(teacher: str, tweets: str) -> str:
    """The cache key of one teacher (:func:`model_digest`) on one set of tweets (:func:`tweets_digest`)."""
    return hashlib.sha256(json.dumps([FORMAT, teacher, tweets]).encode()).hexdigest()


def teacher_labels(
    model: ProbabilisticTagger,
    tokens: TokenLists,
    cache: Path | None,
    key: str,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> tuple[TeacherLabels, bool]:
    """The teacher's labels for ``tokens`` and whether they came from ``cache`` (a folder;
    None: no cache). ``key`` is :func:`teacher_key` of this teacher and these tweets;
    ``progress`` hears (tweets done, total) after each batch."""
    path = None if cache is None else cache / f"teacher-{key[:32]}.npz"
    if path is not None and path.is_file():
        found = _read(path, [len(t) for t in tokens])
        if found is not None:
            return found, True
    tags: TagLists = []
    probabilities: list[np.ndarray] = []
    for start in range(0, len(tokens), BATCH):
        batch = tokens[start : start + BATCH]
        probabilities += [np.asarray(p, dtype=np.float32) for p in model.predict_proba(batch)]
        tags += model.predict(batch)
        progress(min(start + BATCH, len(tokens)), len(tokens))
    labels = TeacherLabels(tags, probabilities, tuple(model.labels))
    if path is not None:
        _write(path, labels)
    return labels, False


def _write(path: Path, labels: TeacherLabels) -> None:
    index = {label: i for i, label in enumerate(labels.labels)}
    flat = np.concatenate(labels.probabilities) if labels.probabilities else np.zeros((0, len(labels.labels)))
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_writer(path, "wb") as handle:
        np.savez_compressed(
            handle,
            lengths=np.array([len(t) for t in labels.tags], dtype=np.int64),
            tags=np.array([index[t] for tags in labels.tags for t in tags], dtype=np.int16),
            probabilities=flat.astype(np.float32),
            labels=np.array(labels.labels),
        )


def _read(path: Path, lengths: Sequence[int]) -> TeacherLabels | None:
    """The cached labels, or None when the file is damaged or does not fit the tweets."""
    try:
        with np.load(path, allow_pickle=False) as data:
            stored = data["lengths"].tolist()
            labels = tuple(str(label) for label in data["labels"])
            flat_tags, flat_probs = data["tags"], data["probabilities"].astype(np.float32)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None
    if stored != list(lengths) or len(flat_tags) != sum(lengths) or flat_probs.shape != (sum(lengths), len(labels)):
        return None
    spans = list(itertools.pairwise(np.cumsum([0, *lengths]).tolist()))
    tags = [[labels[i] for i in flat_tags[a:b]] for a, b in spans]
    probabilities = [flat_probs[a:b] for a, b in spans]
    return TeacherLabels(tags, probabilities, labels)

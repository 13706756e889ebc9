"""Teacher labels: what a trained model (the teacher) tags on unlabelled tweets, with its
probabilities, so that students can learn from hard or soft labels.

Tagging 100,000 tweets with the leading ensemble takes many minutes on 2 cores, so the
labels are computed once per (teacher, tweets) and kept in the user cache under a key made
of the teacher's saved bytes (:func:`model_digest`) and the tweets' own SHA-256: a second
run with the same teacher and files reads them back; any change to either computes them
again. A damaged cache file is computed again too, never trusted.

Given a Dask scheduler (:class:`DaskTeaching`), the teacher is saved as folders the workers
load, and they tag chunks of whole batches: the same batches as here, hence the same labels.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import shutil
import tempfile
import threading
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..atomic_files import atomic_writer
from ..data.access import cache_dir
from ..data.conll import TagLists, TokenLists
from ..exceptions import UsageError
from .artifacts import CHECKSUMS
from .ensemble import EnsembleTagger
from .ensemble_folders import save_ensemble
from .loading import load_model
from .protocol import ProbabilisticTagger, SavedTagger

FORMAT = 2
"""Bumped whenever what is cached changes meaning, or a model's tagging arithmetic changes
its probabilities for the same weights (the key names the weights, not the code): 2, the
BiLSTM-CRF's ``lstm_tagging``, whose marginals moved by up to 1.2e-4."""

BATCH = 256
CHUNK = BATCH * 8
"""Tweets per Dask task: whole batches, so that a worker tags the batches this process would."""
CONNECT_TIMEOUT_S = 10.0

Batches = Callable[[TokenLists], Iterator[tuple[TagLists, list[np.ndarray]]]]
"""What tags tweets for :func:`teacher_labels`: per consecutive chunk, its tags and probabilities."""


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


@dataclass(frozen=True)
class Teacher:
    """A teacher and what rebuilds it elsewhere: its members by family name, and their weights."""

    model: ProbabilisticTagger
    members: Mapping[str, ProbabilisticTagger]
    weights: tuple[float, ...]


@dataclass(frozen=True)
class DaskTeaching:
    """Teacher labels computed on the Dask cluster at ``address``. The workers must see
    ``folder`` (the teacher is saved there while they tag, then removed) and ``data_dir`` at
    the same paths as this machine; ``neural`` is the inputs' spec a neural member saves."""

    address: str
    folder: Path
    data_dir: str = ""
    neural: Mapping[str, object] | None = None


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


def cache_file(cache: Path, key: str) -> Path:
    """Where the labels of :func:`teacher_key` ``key`` are kept in the ``cache`` folder."""
    return cache / f"teacher-{key[:32]}.npz"


def read_teacher_labels(path: Path, tokens: TokenLists) -> TeacherLabels:
    """A cache file's labels of ``tokens``, for a study that reuses what a run's teacher tagged
    (``benchmarks/refit_epochs.py``); a file that does not fit them is an error naming it."""
    if not path.is_file():
        raise UsageError(f"{path}: no such teacher-labels file")
    found = _read(path, [len(t) for t in tokens])
    if found is None:
        raise UsageError(
            f"{path}: not teacher labels of these {len(tokens):,} tweets "
            "(labels of other tweets, another count of them, or a damaged file)"
        )
    return found


def teacher_labels(
    model: ProbabilisticTagger,
    tokens: TokenLists,
    cache: Path | None,
    key: str,
    progress: Callable[[int, int], None] = lambda done, total: None,
    batches: Batches | None = None,
) -> tuple[TeacherLabels, bool]:
    """The teacher's labels for ``tokens`` and whether they came from ``cache`` (a folder;
    None: no cache). ``key`` is :func:`teacher_key` of this teacher and these tweets;
    ``progress`` hears (tweets done, total) after each chunk; ``batches`` tags them
    (default: ``model`` in this process; :func:`batches_on_dask`: on a cluster)."""
    path = None if cache is None else cache_file(cache, key)
    if path is not None and path.is_file():
        found = _read(path, [len(t) for t in tokens])
        if found is not None:
            return found, True
    tags: TagLists = []
    probabilities: list[np.ndarray] = []
    for chunk_tags, chunk_probabilities in (batches or batches_here(model))(tokens):
        tags += chunk_tags
        probabilities += chunk_probabilities
        progress(len(tags), len(tokens))
    labels = TeacherLabels(tags, probabilities, tuple(model.labels))
    if path is not None:
        _write(path, labels)
    return labels, False


def batches_here(model: ProbabilisticTagger) -> Batches:
    """Tag in this process, :data:`BATCH` tweets at a time."""

    def run(tokens: TokenLists) -> Iterator[tuple[TagLists, list[np.ndarray]]]:
        for start in range(0, len(tokens), BATCH):
            yield label_batches(model, tokens[start : start + BATCH])

    return run


def label_batches(model: ProbabilisticTagger, tokens: TokenLists) -> tuple[TagLists, list[np.ndarray]]:
    """Tags and float32 probabilities of ``tokens``, :data:`BATCH` tweets at a time."""
    tags: TagLists = []
    probabilities: list[np.ndarray] = []
    for start in range(0, len(tokens), BATCH):
        batch = tokens[start : start + BATCH]
        probabilities += [np.asarray(p, dtype=np.float32) for p in model.predict_proba(batch)]
        tags += model.predict(batch)
    return tags, probabilities


def batches_on_dask(teacher: Teacher, dask: DaskTeaching) -> Batches:
    """Tag on the cluster, :data:`CHUNK` tweets per task, results taken in order. The teacher
    is saved under ``dask.folder`` only when labels are needed, and removed afterwards.

    Raises:
        UsageError: Dask is not installed, or the scheduler cannot be reached.
    """

    def run(tokens: TokenLists) -> Iterator[tuple[TagLists, list[np.ndarray]]]:
        try:
            from distributed import Client
        except ImportError:
            raise UsageError(
                "teacher labels on a Dask scheduler need Dask, which the base install leaves out:"
                " pip install 'tweetner[dask]'"
            ) from None
        dask.folder.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix="teacher-", dir=dask.folder))
        try:
            save_ensemble(teacher.members, teacher.weights, folder, dict(dask.neural or {}))
            try:
                client = Client(dask.address, timeout=CONNECT_TIMEOUT_S)
            except (OSError, TimeoutError, ValueError) as exc:
                raise UsageError(f"Dask scheduler {dask.address}: cannot reach it ({exc})") from None
            with client:
                futures = [
                    client.submit(
                        label_on_worker, str(folder), dask.data_dir, tokens[start : start + CHUNK], pure=False
                    )
                    for start in range(0, len(tokens), CHUNK)
                ]
                for future in futures:
                    yield future.result()
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    return run


_WORKER_TEACHER: dict[tuple[str, str], ProbabilisticTagger] = {}
_WORKER_LOCK = threading.Lock()


def label_on_worker(folder: str, data_dir: str, tokens: TokenLists) -> tuple[TagLists, list[np.ndarray]]:
    """What a Dask worker runs per chunk: the teacher saved in ``folder`` is loaded on the
    worker's first chunk and kept (only the latest teacher: a run has two in turn)."""
    with _WORKER_LOCK:
        key = (folder, data_dir)
        if key not in _WORKER_TEACHER:
            _WORKER_TEACHER.clear()
            _WORKER_TEACHER[key] = load_model(Path(folder) / "strong", data_dir)  # type: ignore[assignment]
        return label_batches(_WORKER_TEACHER[key], tokens)


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

"""Tag new tweets with a saved model: ``load_tagger(path).tag(texts)``.

Raw text is tokenized the WNUT16 way with offsets, tagged, decoded into valid BIO, and
returned as entities with character spans into the input and a confidence: the mean
probability the model gave the entity's tags, mapped by the calibrator its run chose on
dev (recorded in the model folder), so that 0.8 means about 8 such entities in 10 are
right; the folder's ``routing_threshold`` is in the same units.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from multiprocessing.pool import Pool
from pathlib import Path
from typing import TypeVar

import threadpoolctl

from ..data.conll import TagLists, TokenLists
from ..data.labels import LabelSet, bio_spans
from ..data.tokenizer import Token, model_tokens, tokenize
from ..models.artifacts import METADATA, ArtifactError
from ..models.calibration import IDENTITY, Calibrator
from ..models.crf import CrfTagger
from ..models.ensemble_folders import FAST_KEY
from ..models.loading import display_name, load_best_model, read_metadata
from ..models.protocol import Confidences, Tagger, entity_confidence

MODELS_DIR_ENV = "TWEETNER_MODELS_DIR"
"""Environment variable naming the folder ``best`` and ``fast`` are looked up in."""
CHECKOUT_MODELS_DIR = Path(__file__).resolve().parents[2] / "models"
"""``models/`` of the checkout the package runs from, where ``make reports`` saves the models."""
MODEL_NAMES: dict[str, str] = {"best": "strong", "fast": "strong_crf_student", "crf": "strong_crf"}
"""Names for the saved models ``make reports`` writes: ``best`` (the strong model chosen on dev,
the default), ``fast`` (the model dev chose among those that tag thousands of tweets a second,
whose folder the ``strong`` descriptor names; :func:`model_folder`) and ``crf`` (the knowledge
CRF alone, gold tweets only). ``fast``'s folder here is that of models saved before the
descriptor named it."""
FALLBACKS: dict[str, str] = {"fast": "crf"}
"""A name whose folder is missing means this one's: ``fast`` was the knowledge CRF alone when
dev chose no student, in models saved before the descriptor named the fast model."""
_Item = TypeVar("_Item")
_Result = TypeVar("_Result")


@dataclass(frozen=True)
class Entity:
    """One entity found in a text: its surface, type, ``[start, end)`` offsets and confidence."""

    text: str
    type: str
    start: int
    end: int
    confidence: float

    def to_dict(self) -> dict:
        return asdict(self)


PARALLEL_MIN = 256
"""Fewer tweets than this are tagged in-process: handing them to workers costs more than it saves."""
CHUNKS_PER_WORKER = 4
"""Parts of a large batch per worker process (at least ``PARALLEL_MIN // 2`` tweets each)."""


class TweetTagger:
    """A loaded model plus the tokenizer; ``name`` says which model it is.

    With ``workers`` > 1, large batches are split over that many forked processes
    (the CRF path is single-threaded Python and NumPy, so this is how it uses every
    core). Use it as a context manager, or call :meth:`close`, to stop them.
    """

    def __init__(self, model: Tagger, name: str, workers: int = 1, calibrator: Calibrator = IDENTITY) -> None:
        self.model, self.name, self.workers = model, name, check_workers(workers)
        self.calibrator = calibrator
        """Maps an entity's mean tag probability to the confidence the API reports."""
        self.metadata: dict = {}
        """The model folder's verified ``metadata.json`` (test F1, training-tweet fingerprints)."""
        self._pool: Pool | None = None
        self._froze = False
        """Whether starting the workers froze this process's objects (:func:`_freeze_for_workers`)."""

    @property
    def entity_types(self) -> tuple[str, ...]:
        """The entity types the model tags (its training corpus's), e.g. for a review project's labels."""
        return LabelSet.from_tags([self.model.labels]).types

    @property
    def description(self) -> str:
        """Its name and its test entity F1 on its corpus, as the command announces it."""
        f1 = self.metadata.get("test_entity_f1")
        corpus = self.metadata.get("corpus")
        split = f"{corpus} test" if isinstance(corpus, str) and corpus else "test"
        return self.name + (f", {split} entity F1 {100 * f1:.2f}" if isinstance(f1, int | float) else "")

    def tag_tokens(self, tokens: TokenLists) -> tuple[TagLists, Confidences]:
        """Valid BIO tags and the confidence of each tag, per tweet (a list of token lists).

        Raises:
            TypeError: ``tokens`` is a string, or a flat list of strings (one tweet's tokens).
        """
        if isinstance(tokens, str) or (len(tokens) and isinstance(tokens[0], str)):
            raise TypeError("tag_tokens() takes a list of tweets, each a list of tokens: [tokens] for one tweet")
        with _collection_paused():
            if self._parallel(len(tokens)):
                parts = self._map(_tag_tokens_in_worker, tokens)
                return [t for tags, _ in parts for t in tags], [c for _, conf in parts for c in conf]
            return self.model.tags_and_confidences(tokens)

    def tag(self, texts: Sequence[str]) -> list[list[Entity]]:
        """Entities in each text (an empty text has none).

        Offsets are Python string indices (Unicode code points) into each text as given.
        Text in decomposed form (NFD, e.g. ``e`` + combining accent) is tagged as its NFC
        form would be, and its spans still cover the combining marks.

        Raises:
            TypeError: ``texts`` is a single string (which would be tagged letter by letter).
        """
        if isinstance(texts, str):
            raise TypeError("tag() takes a list of texts; for one text call tag([text])")
        with _collection_paused():
            if self._parallel(len(texts)):
                return [found for part in self._map(_tag_in_worker, texts) for found in part]
            tokenized = [tokenize(text) for text in texts]
            tags, confidences = self.model.tags_and_confidences([model_tokens(toks) for toks in tokenized])
            return [
                entities_from_tags(text, toks, tweet_tags, conf, self.calibrator)
                for text, toks, tweet_tags, conf in zip(texts, tokenized, tags, confidences)
            ]

    def close(self) -> None:
        """Stop the worker processes, if any were started: they finish the tasks they hold
        (at most one batch) and exit.

        Also after Ctrl-C or an error: ``Pool.terminate()`` kills workers and then waits to
        put a sentinel on the result queue, whose lock a killed worker may hold (it was
        sending a large result), and so it could wait forever; 1 Ctrl-C in 6 in the middle
        of tagging hung so. Killing the workers directly instead lets the pool's worker
        thread start new ones behind our back. Letting them finish is bounded and clean.
        """
        if self._pool is None:
            return
        pool, self._pool = self._pool, None
        with _interrupts_held():  # a second Ctrl-C must not leave workers behind
            pool.close()
            pool.join()
        if self._froze:
            gc.unfreeze()

    def __enter__(self) -> TweetTagger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _parallel(self, n: int) -> bool:
        return self.workers > 1 and n >= PARALLEL_MIN

    def _map(self, function: Callable[[list[_Item]], _Result], items: Sequence[_Item]) -> list[_Result]:
        # Several chunks a worker, handed out as workers free up: on a shared machine one worker
        # can run slower than the other, and equal halves left the faster one idle.
        size = max(PARALLEL_MIN // 2, -(-len(items) // (self.workers * CHUNKS_PER_WORKER)))
        chunks = [list(items[k : k + size]) for k in range(0, len(items), size)]
        if self._pool is None:
            global _WORKER_TAGGER
            _WORKER_TAGGER = TweetTagger(
                self.model, self.name, calibrator=self.calibrator
            )  # inherited by the forked workers
            self._froze = _freeze_for_workers()
            with _interrupts_blocked():  # workers start with Ctrl-C blocked until they ignore it
                self._pool = multiprocessing.get_context("fork").Pool(
                    self.workers, initializer=_start_worker, initargs=(not isinstance(self.model, CrfTagger),)
                )
        return self._pool.map(function, chunks, chunksize=1)


_WORKER_TAGGER: TweetTagger | None = None


@contextlib.contextmanager
def _collection_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a batch is tagged, back on after it (if it
    was on). A batch makes hundreds of thousands of small objects that live until it ends
    (tokens, feature rows, entities) and make no cycles, and their number set off full
    collections, each traversing every object loaded before (the gazetteers, the model):
    0.1-0.3 s each on Zen 4, three in a first pass over WNUT16's 3,850 test tweets, which
    took 1.7-2.2 s in one process (docs/benchmarks.md). Reference counting frees objects as
    usual; only cycles wait for the next collection."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _freeze_for_workers() -> bool:
    """Move every object of this process out of the collector's reach (``gc.freeze``) before
    the workers fork, as Python's documentation advises; True if it did (nothing was frozen).

    Otherwise each worker's collections traverse the whole inherited heap, and the parent's
    next full collection touches every page the workers share with it, so that each is
    copied: 0.13-0.54 s at the end of a first pass over 3,850 tweets that took 1.1-1.8 s.
    ``close()`` unfreezes them, so that cycles among the caller's objects are collected again;
    a process that froze its objects itself keeps them frozen."""
    if gc.get_freeze_count():
        return False
    gc.freeze()
    return True


@contextlib.contextmanager
def _interrupts_held() -> Iterator[None]:
    """Ignore Ctrl-C while workers are being stopped (main thread only: signals live there)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _start_worker(one_blas_thread: bool) -> None:
    """Workers leave Ctrl-C to the main process, which stops them: otherwise every worker
    prints its own ``KeyboardInterrupt`` traceback and the pool can hang on a lock.

    A worker of a PyTorch model computes on one thread: a forked process has none of the
    parent's OpenMP threads, and its first parallel operation waited for them for ever
    (``--workers 2`` with a BiLSTM-CRF hung). One thread per worker also keeps the workers
    from taking more cores than there are; with ``one_blas_thread`` (every model but the CRF)
    OpenBLAS too: its two threads in each of two workers made a BiLSTM-CRF tag slower than
    one process (a CRF's workers, on the contrary, tagged 10% faster with them). One thread
    rounds some sums another way than two: the BiLSTM-CRF's tags on WNUT16 test are the same
    as in one process (which the reports' scores come from), its confidences up to 5e-7 apart,
    which the API's four decimals seldom show; ``--workers 1`` gives the reports' bits."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(1)
    if one_blas_thread:
        threadpoolctl.threadpool_limits(1, user_api="blas")


@contextlib.contextmanager
def _interrupts_blocked() -> Iterator[None]:
    """Hold Ctrl-C back while worker processes are forked (a child interrupted before its
    initializer ran would print a traceback); it is delivered when the block ends."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _tag_in_worker(texts: list[str]) -> list[list[Entity]]:
    assert _WORKER_TAGGER is not None
    return _WORKER_TAGGER.tag(texts)


def _tag_tokens_in_worker(tokens: list[Sequence[str]]) -> tuple[TagLists, Confidences]:
    assert _WORKER_TAGGER is not None
    return _WORKER_TAGGER.tag_tokens(tokens)


def entities_from_tags(
    text: str,
    tokens: Sequence[Token],
    tags: Sequence[str],
    confidences: Sequence[float],
    calibrator: Calibrator = IDENTITY,
) -> list[Entity]:
    """Turn token tags into character-span entities; confidence is the mean of their tags',
    calibrated."""
    found = []
    for kind, first, last in bio_spans(list(tags)):
        start, end = tokens[first].start, tokens[last].end
        confidence = calibrator.value(entity_confidence(confidences, first, last))
        found.append(Entity(text[start:end], kind, start, end, round(confidence, 4)))
    return found


def load_tagger(
    path: str | os.PathLike[str] | None = None,
    data_dir: str = "",
    workers: int | None = None,
    models: str | os.PathLike[str] | None = None,
) -> TweetTagger:
    """Load a model folder, or pick the best model in a models folder.

    Args:
        path: a saved model folder, a folder of them such as ``models/`` (the default,
            where the strong model chosen on dev is preferred), or one of the names in
            :data:`MODEL_NAMES` (``best``, ``fast``) for a model in the models folder.
        data_dir: where a CRF's gazetteers and clusters are found (see ``data_path``).
        workers: processes for large batches; by default every core for a CRF (single-
            threaded) and 1 for neural models (PyTorch already uses every core).
        models: the models folder the names look in (default: :func:`models_dir`).

    Raises:
        ArtifactError: nothing loadable is there, or a file fails its checksum.
    """
    model, folder = load_best_model(model_folder(path, models), data_dir)
    metadata = read_metadata(folder)
    workers = default_workers(model) if workers is None else workers
    tagger = TweetTagger(model, display_name(folder, metadata), workers, model_calibrator(folder, metadata))
    tagger.metadata = metadata
    return tagger


def model_calibrator(folder: Path, metadata: dict) -> Calibrator:
    """The calibrator the model's run chose on dev (none for folders saved before calibration).

    Raises:
        ArtifactError: the recorded calibration is not one this version can apply.
    """
    try:
        return Calibrator.from_dict(metadata.get("calibration", {}))
    except ValueError as exc:
        raise ArtifactError(f"{folder / 'metadata.json'}: calibration: {exc}") from None


def models_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The folder the names ``best`` and ``fast`` look in: ``explicit`` (``--models-dir``), else
    ``$TWEETNER_MODELS_DIR``, else the checkout's ``models/`` when the package runs from one.

    Raises:
        ArtifactError: none of them applies (an installed package with nothing set).
    """
    chosen = explicit or os.environ.get(MODELS_DIR_ENV)
    if chosen:
        return Path(chosen)
    if (CHECKOUT_MODELS_DIR.parent / "pyproject.toml").is_file():
        return CHECKOUT_MODELS_DIR
    raise ArtifactError(
        f"no models folder: give --models-dir DIR or set ${MODELS_DIR_ENV} to the folder `make reports` saved "
        "its models in, or give --model a model folder"
    )


def model_folder(path: str | os.PathLike[str] | None, models: str | os.PathLike[str] | None = None) -> Path:
    """Where ``path`` (as ``load_tagger`` takes it) points: nothing means the models folder
    (:func:`models_dir`), a name from :data:`MODEL_NAMES` that folder's model of the name, and
    anything else is a path (``./best`` for a folder called ``best`` where you are)."""
    if path is None:
        return models_dir(models)
    name = str(path)
    if name in MODEL_NAMES:
        named = fast_folder(models_dir(models)) if name == "fast" else None
        if named is not None:
            return named
        folder = models_dir(models) / MODEL_NAMES[name]
        if not folder.exists() and name in FALLBACKS:
            return model_folder(FALLBACKS[name], models)
        return folder
    return Path(path)


def fast_folder(models: Path) -> Path | None:
    """The fast model's folder as the ``strong`` descriptor names it (None: no descriptor, or
    one saved before it named the fast model).

    Raises:
        ArtifactError: the descriptor fails its checksum, or names a folder outside ``models``.
    """
    descriptor = models / MODEL_NAMES["best"]
    if not (descriptor / METADATA).is_file():
        return None
    named = read_metadata(descriptor).get(FAST_KEY)
    if named is None:
        return None
    if not isinstance(named, str) or Path(named).name != named:
        raise ArtifactError(f"{descriptor / METADATA}: {FAST_KEY!r} must name a folder beside it, not {named!r}")
    return models / named


def check_workers(workers: int) -> int:
    """``workers`` if it is between 1 and the number of cores: more processes than cores only
    compete for them (64 workers on 2 cores were 3.4 times slower than 2).

    Raises:
        ValueError: outside that range.
    """
    cores = os.cpu_count() or 1
    if not 1 <= workers <= cores:
        raise ValueError(f"workers must be between 1 and {cores} (the cores of this machine), not {workers}")
    return workers


def default_workers(model: Tagger) -> int:
    """Every core for a model that tags fastest with a process per core (its class's
    ``ONE_PROCESS_PER_CORE``: the CRF, the BiLSTM-CRF), else 1 (MiniLM, an ensemble: PyTorch
    already uses every core)."""
    return (os.cpu_count() or 1) if getattr(model, "ONE_PROCESS_PER_CORE", False) else 1

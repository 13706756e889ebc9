"""Tag new tweets with a saved model: ``load_tagger(path).tag(texts)``.

Raw text is tokenized the WNUT16 way with offsets, tagged, decoded into valid BIO, and
returned as entities with character spans into the input and a confidence (the mean
probability the model gave the entity's tags).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from multiprocessing.pool import Pool
from pathlib import Path
from typing import TypeVar

from ..data.conll import TagLists, TokenLists
from ..data.labels import bio_spans
from ..data.tokenizer import Token, tokenize
from ..models.crf import CrfTagger
from ..models.loading import load_best_model
from ..models.protocol import Confidences, Tagger

DEFAULT_MODELS_DIR = Path(__file__).resolve().parents[2] / "models"
MODEL_NAMES: dict[str, str] = {"best": "strong", "fast": "strong_crf"}
"""Names for the saved models ``make reports`` writes: ``best`` (the strong model chosen on dev,
the default) and ``fast`` (the knowledge CRF alone: thousands of tweets a second)."""
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


class TweetTagger:
    """A loaded model plus the tokenizer; ``name`` says which model it is.

    With ``workers`` > 1, large batches are split over that many forked processes
    (the CRF path is single-threaded Python and NumPy, so this is how it uses every
    core). Use it as a context manager, or call :meth:`close`, to stop them.
    """

    def __init__(self, model: Tagger, name: str, workers: int = 1) -> None:
        self.model, self.name, self.workers = model, name, max(1, workers)
        self._pool: Pool | None = None

    def tag_tokens(self, tokens: TokenLists) -> tuple[TagLists, Confidences]:
        """Valid BIO tags and the confidence of each tag, per tweet."""
        if self._parallel(len(tokens)):
            parts = self._map(_tag_tokens_in_worker, tokens)
            return [t for tags, _ in parts for t in tags], [c for _, conf in parts for c in conf]
        return self.model.tags_and_confidences(tokens)

    def tag(self, texts: Sequence[str]) -> list[list[Entity]]:
        """Entities in each text (an empty text has none)."""
        if self._parallel(len(texts)):
            return [found for part in self._map(_tag_in_worker, texts) for found in part]
        tokenized = [tokenize(text) for text in texts]
        tags, confidences = self.model.tags_and_confidences([[t.text for t in toks] for toks in tokenized])
        return [
            entities_from_tags(text, toks, tweet_tags, conf)
            for text, toks, tweet_tags, conf in zip(texts, tokenized, tags, confidences)
        ]

    def close(self) -> None:
        """Stop the worker processes, if any were started."""
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None

    def __enter__(self) -> TweetTagger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _parallel(self, n: int) -> bool:
        return self.workers > 1 and n >= PARALLEL_MIN

    def _map(self, function: Callable[[list[_Item]], _Result], items: Sequence[_Item]) -> list[_Result]:
        size = -(-len(items) // self.workers)
        chunks = [list(items[k : k + size]) for k in range(0, len(items), size)]
        if self._pool is None:
            global _WORKER_TAGGER
            _WORKER_TAGGER = TweetTagger(self.model, self.name)  # inherited by the forked workers
            self._pool = multiprocessing.get_context("fork").Pool(self.workers)
        return self._pool.map(function, chunks)


_WORKER_TAGGER: TweetTagger | None = None


def _tag_in_worker(texts: list[str]) -> list[list[Entity]]:
    assert _WORKER_TAGGER is not None
    return _WORKER_TAGGER.tag(texts)


def _tag_tokens_in_worker(tokens: list[Sequence[str]]) -> tuple[TagLists, Confidences]:
    assert _WORKER_TAGGER is not None
    return _WORKER_TAGGER.tag_tokens(tokens)


def entities_from_tags(
    text: str, tokens: Sequence[Token], tags: Sequence[str], confidences: Sequence[float]
) -> list[Entity]:
    """Turn token tags into character-span entities; confidence is the mean of their tags'."""
    found = []
    for kind, first, last in bio_spans(list(tags)):
        start, end = tokens[first].start, tokens[last].end
        confidence = sum(confidences[first : last + 1]) / (last + 1 - first)
        found.append(Entity(text[start:end], kind, start, end, round(confidence, 4)))
    return found


def load_tagger(
    path: str | os.PathLike[str] | None = None, data_dir: str = "", workers: int | None = None
) -> TweetTagger:
    """Load a model folder, or pick the best model in a models folder.

    Args:
        path: a saved model folder, a folder of them such as ``models/`` (the default,
            where the strong model chosen on dev is preferred), or one of the names in
            :data:`MODEL_NAMES` (``best``, ``fast``) for a model in ``models/``.
        data_dir: where a CRF's gazetteers and clusters are found (see ``data_path``).
        workers: processes for large batches; by default every core for a CRF (single-
            threaded) and 1 for neural models (PyTorch already uses every core).

    Raises:
        ArtifactError: nothing loadable is there, or a file fails its checksum.
    """
    model, name = load_best_model(model_folder(path), data_dir)
    return TweetTagger(model, name, default_workers(model) if workers is None else workers)


def model_folder(path: str | os.PathLike[str] | None) -> Path:
    """Where ``path`` (as ``load_tagger`` takes it) points: a name from :data:`MODEL_NAMES`
    means that folder of ``models/``, unless a folder of that name exists where you are."""
    if path is None:
        return DEFAULT_MODELS_DIR
    if str(path) in MODEL_NAMES and not Path(path).exists():
        return DEFAULT_MODELS_DIR / MODEL_NAMES[str(path)]
    return Path(path)


def default_workers(model: Tagger) -> int:
    """Every core for a CRF (single-threaded Python and NumPy), 1 for neural models (PyTorch uses every core)."""
    return (os.cpu_count() or 1) if isinstance(model, CrfTagger) else 1

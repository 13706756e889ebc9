"""Tag new tweets with a saved model: ``load_tagger(path).tag(texts)``.

Raw text is tokenized the WNUT16 way with offsets, tagged, decoded into valid BIO, and
returned as entities with character spans into the input and a confidence (the mean
probability the model gave the entity's tags).
"""

from __future__ import annotations

import json
import multiprocessing
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from .artifacts import METADATA, ArtifactError
from .ensemble import EnsembleTagger, tags_and_confidences
from .labels import bio_spans
from .tokenizer import Token, tokenize

DEFAULT_MODELS_DIR = Path(__file__).resolve().parents[1] / "models"


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


class Tagger:
    """A loaded model plus the tokenizer; ``name`` says which model it is.

    With ``workers`` > 1, large batches are split over that many forked processes
    (the CRF path is single-threaded Python and NumPy, so this is how it uses every
    core). Use it as a context manager, or call :meth:`close`, to stop them.
    """

    def __init__(self, model: object, name: str, workers: int = 1) -> None:
        self.model, self.name, self.workers = model, name, max(1, workers)
        self._pool = None

    def tag_tokens(self, tokens: Sequence[Sequence[str]]) -> tuple[list[list[str]], list[list[float]]]:
        """Valid BIO tags and the confidence of each tag, per tweet."""
        if self._parallel(len(tokens)):
            parts = self._map(_tag_tokens_in_worker, tokens)
            return [t for tags, _ in parts for t in tags], [c for _, conf in parts for c in conf]
        return tags_and_confidences(self.model, tokens)

    def tag(self, texts: Sequence[str]) -> list[list[Entity]]:
        """Entities in each text (an empty text has none)."""
        if self._parallel(len(texts)):
            return [found for part in self._map(_tag_in_worker, texts) for found in part]
        tokenized = [tokenize(text) for text in texts]
        tags, confidences = tags_and_confidences(self.model, [[t.text for t in toks] for toks in tokenized])
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

    def __enter__(self) -> Tagger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _parallel(self, n: int) -> bool:
        return self.workers > 1 and n >= PARALLEL_MIN

    def _map(self, function, items: Sequence) -> list:
        size = -(-len(items) // self.workers)
        chunks = [list(items[k : k + size]) for k in range(0, len(items), size)]
        if self._pool is None:
            global _WORKER_TAGGER
            _WORKER_TAGGER = Tagger(self.model, self.name)  # inherited by the forked workers
            self._pool = multiprocessing.get_context("fork").Pool(self.workers)
        return self._pool.map(function, chunks)


_WORKER_TAGGER: Tagger | None = None


def _tag_in_worker(texts: list[str]) -> list[list[Entity]]:
    assert _WORKER_TAGGER is not None
    return _WORKER_TAGGER.tag(texts)


def _tag_tokens_in_worker(tokens: list[list[str]]) -> tuple[list[list[str]], list[list[float]]]:
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


def load_tagger(path: str | os.PathLike[str] | None = None, data_dir: str = "", workers: int | None = None) -> Tagger:
    """Load a model folder, or pick the best model in a models folder.

    Args:
        path: a saved model folder (``kind`` crf, bilstm or transformer in its
            metadata), or a folder of them such as ``models/`` (the default), where the
            strong ensemble is preferred, then the strong CRF, then the BiLSTM.
        data_dir: where a CRF's gazetteers and clusters are found (see ``data_path``).
        workers: processes for large batches; by default every core for a CRF (single-
            threaded) and 1 for neural models (PyTorch already uses every core).

    Raises:
        ArtifactError: nothing loadable is there, or a file fails its checksum.
    """
    model, name = _load_model(Path(path) if path is not None else DEFAULT_MODELS_DIR, data_dir)
    return Tagger(model, name, default_workers(model) if workers is None else workers)


def default_workers(model: object) -> int:
    """Every core for a CRF (single-threaded Python and NumPy), 1 for neural models (PyTorch uses every core)."""
    from .crf_tagger import CrfTagger

    return (os.cpu_count() or 1) if isinstance(model, CrfTagger) else 1


def _load_model(folder: Path, data_dir: str) -> tuple[object, str]:
    if (folder / METADATA).is_file():
        return _load_one(folder, data_dir), folder.name
    crf, transformer = folder / "strong_crf", folder / "strong_transformer"
    if (crf / METADATA).is_file():
        weight = _metadata(crf).get("ensemble_weight")
        if weight is not None and (transformer / METADATA).is_file():
            members = [_load_one(crf, data_dir), _load_one(transformer, data_dir)]
            return EnsembleTagger(members, [1 - weight, weight]), "strong ensemble"
        return _load_one(crf, data_dir), "strong_crf"
    if ((folder / "bilstm") / METADATA).is_file():
        return _load_one(folder / "bilstm", data_dir), "bilstm"
    raise ArtifactError(
        f"{folder}: no saved model found (expected a model folder or models/strong_crf); "
        "run `make reports` first or pass --model"
    )


def _metadata(folder: Path) -> dict:
    return json.loads((folder / METADATA).read_text("utf-8"))


def _load_one(folder: Path, data_dir: str) -> object:
    kind = _metadata(folder).get("kind")
    if kind == "crf":
        from .crf_tagger import CrfTagger

        return CrfTagger.load(str(folder), data_dir)
    if kind == "bilstm":
        from .bilstm import BilstmTagger

        return BilstmTagger.load(str(folder))
    if kind == "transformer":
        from .transformer_tagger import TransformerTagger

        return TransformerTagger.load(str(folder))
    raise ArtifactError(f"{folder}: unknown model kind {kind!r}")

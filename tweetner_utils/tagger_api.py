"""Tag new tweets with a saved model: ``load_tagger(path).tag(texts)``.

Raw text is tokenized the WNUT16 way with offsets, tagged, decoded into valid BIO, and
returned as entities with character spans into the input and a confidence (the mean
probability the model gave the entity's tags).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from .artifacts import METADATA, ArtifactError
from .ensemble import EnsembleTagger, decode_all
from .labels import LABELS
from .metrics import entities
from .tokenizer import Token, tokenize

DEFAULT_MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
_INDEX = {label: i for i, label in enumerate(LABELS)}


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


class Tagger:
    """A loaded model plus the tokenizer; ``name`` says which model it is."""

    def __init__(self, model: object, name: str) -> None:
        self.model, self.name = model, name

    def tag_tokens(self, tokens: Sequence[Sequence[str]]) -> tuple[list[list[str]], list[np.ndarray]]:
        """Valid BIO tags and the (tokens x labels) probabilities behind them, per tweet."""
        probabilities = self.model.predict_proba(tokens)
        return decode_all(probabilities), probabilities

    def tag(self, texts: Sequence[str]) -> list[list[Entity]]:
        """Entities in each text (an empty text has none)."""
        tokenized = [tokenize(text) for text in texts]
        tags, probabilities = self.tag_tokens([[t.text for t in toks] for toks in tokenized])
        return [
            entities_from_tags(text, toks, tweet_tags, probs)
            for text, toks, tweet_tags, probs in zip(texts, tokenized, tags, probabilities)
        ]


def entities_from_tags(text: str, tokens: Sequence[Token], tags: Sequence[str], probs: np.ndarray) -> list[Entity]:
    """Turn token tags into character-span entities with mean tag probability as confidence."""
    found = []
    for kind, first, last in sorted(entities(tags), key=lambda e: e[1]):
        start, end = tokens[first].start, tokens[last].end
        confidence = float(np.mean([probs[i, _INDEX[tags[i]]] for i in range(first, last + 1)]))
        found.append(Entity(text[start:end], kind, start, end, round(confidence, 4)))
    return found


def load_tagger(path: str | os.PathLike[str] | None = None, data_dir: str = "") -> Tagger:
    """Load a model folder, or pick the best model in a models folder.

    Args:
        path: a saved model folder (``kind`` crf, bilstm or transformer in its
            metadata), or a folder of them such as ``models/`` (the default), where the
            strong ensemble is preferred, then the strong CRF, then the BiLSTM.
        data_dir: where a CRF's gazetteers and clusters are found (see ``data_path``).

    Raises:
        ArtifactError: nothing loadable is there, or a file fails its checksum.
    """
    folder = Path(path) if path is not None else DEFAULT_MODELS_DIR
    if (folder / METADATA).is_file():
        return Tagger(_load_one(folder, data_dir), folder.name)
    crf, transformer = folder / "strong_crf", folder / "strong_transformer"
    if (crf / METADATA).is_file():
        weight = _metadata(crf).get("ensemble_weight")
        if weight is not None and (transformer / METADATA).is_file():
            members = [_load_one(crf, data_dir), _load_one(transformer, data_dir)]
            return Tagger(EnsembleTagger(members, [1 - weight, weight]), "strong ensemble")
        return Tagger(_load_one(crf, data_dir), "strong_crf")
    if ((folder / "bilstm") / METADATA).is_file():
        return Tagger(_load_one(folder / "bilstm", data_dir), "bilstm")
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

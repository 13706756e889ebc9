"""Featurizers by name: a saved CRF names its featurizer in metadata, and this rebuilds it.

Saved models never pickle code, so the featurizer is stored as a small spec (``kind``
plus options) and reconstructed here, its resources re-verified through the manifest.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from ..data.word_vectors import GLOVE_NAME, glove_vectors
from .knowledge import KnowledgeFeaturizer, KnowledgeResources, load_knowledge, synthetic_knowledge
from .neural import NeuralInputs
from .orthographic import OrthographicFeaturizer


class Featurizer(Protocol):
    """Features of every token of one tweet, plus the spec that rebuilds the featurizer."""

    @property
    def spec(self) -> Mapping[str, object]:
        """``kind`` and options: what :func:`featurizer_from_spec` needs to rebuild it."""
        ...

    def __call__(self, tokens: Sequence[str]) -> Sequence[Mapping[str, object]]: ...


def featurizer_from_spec(spec: Mapping[str, object], data_dir: str = "") -> Featurizer:
    """Rebuild the featurizer a saved CRF names in its metadata (nothing is unpickled).

    Raises:
        ValueError: the spec names no known kind.
    """
    if spec.get("kind") == "orthographic":
        return OrthographicFeaturizer()
    return KnowledgeFeaturizer(knowledge_from_spec(spec, data_dir))


def knowledge_from_spec(spec: Mapping[str, object], data_dir: str = "") -> KnowledgeResources:
    """The gazetteers and clusters a saved model names in its metadata (``kind`` knowledge or synthetic)."""
    kind = spec.get("kind")
    if kind == "synthetic":
        return synthetic_knowledge()
    if kind == "knowledge":
        return load_knowledge(data_dir, **{k: bool(spec[k]) for k in ("wnut", "wikidata", "clusters")})
    raise ValueError(f"unknown knowledge resources {kind!r} in model metadata")


def neural_inputs_from_spec(spec: Mapping[str, object], data_dir: str = "") -> Callable[[Sequence[str]], NeuralInputs]:
    """What rebuilds a saved neural tagger's token inputs from a character vocabulary.

    ``spec`` is the knowledge spec plus ``vectors``: ``"glove-6b-50d"`` or None.
    """
    resources = knowledge_from_spec(spec, data_dir)
    vectors = glove_vectors() if spec.get("vectors") == GLOVE_NAME else None
    return functools.partial(NeuralInputs, resources, vectors)

"""Featurizers by name: a saved CRF names its featurizer in metadata, and this rebuilds it.

Saved models never pickle code, so the featurizer is stored as a small spec (``kind``
plus options) and reconstructed here, its resources re-verified through the manifest.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from .knowledge import KnowledgeFeaturizer, load_knowledge, synthetic_knowledge
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
    kind = spec.get("kind")
    if kind == "orthographic":
        return OrthographicFeaturizer()
    if kind == "synthetic":
        return KnowledgeFeaturizer(synthetic_knowledge())
    if kind == "knowledge":
        options = {k: bool(spec[k]) for k in ("wnut", "wikidata", "clusters")}
        return KnowledgeFeaturizer(load_knowledge(data_dir, **options))
    raise ValueError(f"unknown featurizer kind {kind!r} in model metadata")

"""CRF features from the knowledge resources: gazetteer matches and Brown cluster paths.

A token gets a gazetteer feature for every list containing a 1-5 token window that
covers it, marked ``B`` when the window starts at the token and ``I`` otherwise. Single
stop words are never matched: a TV-programme list that contains "It" would otherwise
mark every "it".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .features import FeatureDict, crf_token_features
from .resources import (
    MAX_PHRASE_TOKENS,
    BrownClusters,
    Gazetteer,
    brown_clusters,
    normalise_phrase,
    read_list,
    wikidata_gazetteer,
    wnut_gazetteer,
)

CLUSTER_PREFIXES: tuple[int, ...] = (4, 8, 12, 16, 20)
"""Brown cluster path lengths used as features (coarse to fine)."""


@dataclass(frozen=True)
class KnowledgeResources:
    """Everything the knowledge features look up."""

    gazetteers: tuple[Gazetteer, ...]
    clusters: BrownClusters | None
    stopwords: frozenset[str]
    spec: dict = field(default_factory=dict, compare=False)


def load_knowledge(
    data_dir: str = "", *, wnut: bool = True, wikidata: bool = True, clusters: bool = True
) -> KnowledgeResources:
    """Load the chosen resources through the data manifest (verified, cached per process)."""
    from .data_access import data_path

    gazetteers = tuple(
        g for g, use in ((wnut_gazetteer(data_dir), wnut), (wikidata_gazetteer(data_dir), wikidata)) if use
    )
    stop = frozenset(normalise_phrase(w) for w in read_list(data_path("wnut16/lexicon/english.stop", data_dir or None)))
    spec = {"kind": "knowledge", "wnut": wnut, "wikidata": wikidata, "clusters": clusters}
    return KnowledgeResources(gazetteers, brown_clusters(data_dir) if clusters else None, stop, spec)


def gazetteer_matches(tokens: Sequence[str], resources: KnowledgeResources) -> list[set[str]]:
    """For each token, ``"<list>:B"``/``"<list>:I"`` for every matching window covering it."""
    normalised = [normalise_phrase(t) for t in tokens]
    found: list[set[str]] = [set() for _ in tokens]
    for start in range(len(tokens)):
        if not normalised[start]:
            continue
        for end in range(start, min(start + MAX_PHRASE_TOKENS, len(tokens))):
            if not normalised[end]:
                continue
            words = [w for w in normalised[start : end + 1] if w]
            if len(words) == 1 and words[0] in resources.stopwords:
                continue
            phrase = " ".join(words)
            for gazetteer in resources.gazetteers:
                for name in gazetteer.lists_for(phrase):
                    found[start].add(f"{name}:B")
                    for inside in range(start + 1, end + 1):
                        found[inside].add(f"{name}:I")
    return found


def cluster_features(token: str, clusters: BrownClusters | None, prefix: str = "") -> FeatureDict:
    """Brown cluster path prefixes of ``token`` (``bc16`` etc.), or ``bc_unknown``."""
    if clusters is None:
        return {}
    paths = clusters.prefixes(token, CLUSTER_PREFIXES)
    if paths is None:
        return {f"{prefix}bc_unknown": True}
    return {f"{prefix}bc{n}": str(value) for n, value in paths.items()}


class KnowledgeFeaturizer:
    """Orthographic window features plus gazetteer and cluster features, for the CRF."""

    def __init__(self, resources: KnowledgeResources) -> None:
        self.resources = resources
        self.spec = resources.spec

    def __call__(self, tokens: Sequence[str]) -> list[FeatureDict]:
        matches = gazetteer_matches(tokens, self.resources)
        rows = []
        for i, token in enumerate(tokens):
            features = crf_token_features(tokens, i)
            features.update(cluster_features(token, self.resources.clusters))
            for offset in (-1, 1):
                if 0 <= i + offset < len(tokens):
                    features.update(cluster_features(tokens[i + offset], self.resources.clusters, f"{offset:+d}:"))
                    for match in matches[i + offset]:
                        features[f"{offset:+d}:gaz={match}"] = True
            for match in matches[i]:
                features[f"gaz={match}"] = True
                features[f"gaz={match.rsplit(':', 1)[0]}"] = True
            rows.append(features)
        return rows


def synthetic_knowledge() -> KnowledgeResources:
    """Resources for quick runs: gazetteers of the synthetic corpus's names, no clusters."""
    from .resources import build_gazetteer
    from .synthetic import synthetic_gazetteer_lists

    return KnowledgeResources((build_gazetteer(synthetic_gazetteer_lists()),), None, frozenset(), {"kind": "synthetic"})


def featurizer_from_spec(spec: dict, data_dir: str = ""):
    """Rebuild the featurizer a saved CRF names in its metadata (nothing is unpickled)."""
    from .features import OrthographicFeaturizer

    kind = spec.get("kind")
    if kind == "orthographic":
        return OrthographicFeaturizer()
    if kind == "synthetic":
        return KnowledgeFeaturizer(synthetic_knowledge())
    if kind == "knowledge":
        options = {k: bool(spec[k]) for k in ("wnut", "wikidata", "clusters")}
        return KnowledgeFeaturizer(load_knowledge(data_dir, **options))
    raise ValueError(f"unknown featurizer kind {kind!r} in model metadata")

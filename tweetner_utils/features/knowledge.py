"""CRF features from the knowledge resources: gazetteer matches and Brown cluster paths.

A token gets a gazetteer feature for every list containing a 1-5 token window that
covers it, marked ``B`` when the window starts at the token and ``I`` otherwise. Single
stop words are never matched: a TV-programme list that contains "It" would otherwise
mark every "it".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..data.access import data_path
from ..data.resources import (
    MAX_PHRASE_TOKENS,
    BrownClusters,
    Gazetteer,
    brown_clusters,
    build_gazetteer,
    normalise_phrase,
    read_list,
    wikidata_gazetteer,
    wnut_gazetteer,
)
from ..data.synthetic import synthetic_gazetteer_lists
from .orthographic import CONTEXT_WINDOW, NEIGHBOUR_KEYS, FeatureDict, crf_token_features, orthographic_features

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
    gazetteers = tuple(
        g for g, use in ((wnut_gazetteer(data_dir), wnut), (wikidata_gazetteer(data_dir), wikidata)) if use
    )
    stop = frozenset(normalise_phrase(w) for w in read_list(data_path("wnut16/lexicon/english.stop", data_dir or None)))
    spec = {"kind": "knowledge", "wnut": wnut, "wikidata": wikidata, "clusters": clusters}
    return KnowledgeResources(gazetteers, brown_clusters(data_dir) if clusters else None, stop, spec)


def gazetteer_matches(tokens: Sequence[str], resources: KnowledgeResources) -> list[set[str]]:
    """For each token, ``"<list>:B"``/``"<list>:I"`` for every matching window covering it.

    The readable definition; :class:`PhraseIndex` computes the same faster.
    """
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


class PhraseIndex:
    """All gazetteers merged, plus every phrase's word prefixes, so a window stops growing
    as soon as no listed phrase starts with it (most tokens start none)."""

    def __init__(self, resources: KnowledgeResources) -> None:
        merged: dict[str, set[str]] = {}
        for gazetteer in resources.gazetteers:
            for phrase, names in gazetteer.phrases.items():
                merged.setdefault(phrase, set()).update(names)
        self.lists = {phrase: tuple(sorted(names)) for phrase, names in merged.items()}
        self.prefixes = {p[:i] for p in self.lists for i, c in enumerate(p) if c == " "}
        self.stopwords = resources.stopwords

    def matches(self, normalised: Sequence[str]) -> list[set[str]]:
        """:func:`gazetteer_matches` over already normalised tokens."""
        found: list[set[str]] = [set() for _ in normalised]
        n = len(normalised)
        for start, first in enumerate(normalised):
            if not first:
                continue
            phrase, single_stopword = first, first in self.stopwords
            for end in range(start, min(start + MAX_PHRASE_TOKENS, n)):
                if end > start:
                    if not normalised[end]:
                        continue
                    phrase, single_stopword = f"{phrase} {normalised[end]}", False
                names = self.lists.get(phrase)
                if names and not single_stopword:
                    for name in names:
                        found[start].add(f"{name}:B")
                        for inside in range(start + 1, end + 1):
                            found[inside].add(f"{name}:I")
                if phrase not in self.prefixes:
                    break
        return found


def cluster_features(token: str, clusters: BrownClusters | None, prefix: str = "") -> FeatureDict:
    """Brown cluster path prefixes of ``token`` (``bc16`` etc.), or ``bc_unknown``."""
    if clusters is None:
        return {}
    paths = clusters.prefixes(token, CLUSTER_PREFIXES)
    if paths is None:
        return {f"{prefix}bc_unknown": True}
    return {f"{prefix}bc{n}": str(value) for n, value in paths.items()}


def reference_knowledge_features(tokens: Sequence[str], resources: KnowledgeResources) -> list[FeatureDict]:
    """The knowledge features in their readable form (typed values, one dict per token).

    :class:`KnowledgeFeaturizer` produces exactly ``flatten_features`` of these, faster.
    """
    matches = gazetteer_matches(tokens, resources)
    rows = []
    for i, token in enumerate(tokens):
        features = crf_token_features(tokens, i)
        features.update(cluster_features(token, resources.clusters))
        for offset in (-1, 1):
            if 0 <= i + offset < len(tokens):
                features.update(cluster_features(tokens[i + offset], resources.clusters, f"{offset:+d}:"))
                for match in matches[i + offset]:
                    features[f"{offset:+d}:gaz={match}"] = True
        for match in matches[i]:
            features[f"gaz={match}"] = True
            features[f"gaz={match.rsplit(':', 1)[0]}"] = True
        rows.append(features)
    return rows


def flatten_features(features: FeatureDict) -> dict[str, float]:
    """CRFsuite's reading of a feature dict: ``key:value`` for strings, ``key`` weighted by numbers.

    Features weighted 0 (``False``) are dropped: CRFsuite ignores them too.

    >>> flatten_features({"lower": "nyc", "is_title": False, "is_upper": True, "length": 3})
    {'lower:nyc': 1.0, 'is_upper': 1.0, 'length': 3.0}
    """
    flat: dict[str, float] = {}
    for key, value in features.items():
        if isinstance(value, str):
            flat[f"{key}:{value}"] = 1.0
        elif value:
            flat[key] = float(value)
    return flat


_OFFSETS = tuple(o for o in range(-CONTEXT_WINDOW, CONTEXT_WINDOW + 1) if o)
FeatureVector = dict[str, float]
"""Flattened features (:func:`flatten_features`): CRFsuite attribute name -> weight."""
_BOUNDARY = {o: {f"{o:+d}:boundary": 1.0} for o in _OFFSETS}
_FIRST, _LAST = {"first": 1.0}, {"last": 1.0}


class KnowledgeFeaturizer:
    """Orthographic window features plus gazetteer and cluster features, for the CRF.

    A token's features are assembled from cached *parts* with disjoint keys: its own
    features, each neighbour's features as seen from its offset, boundary marks and
    its own and its neighbours' gazetteer matches. Each distinct token's parts are computed once (the cache is
    bounded, so a million-line input does not grow memory). :meth:`layout` exposes the
    parts so the CRF can score them once each (see ``crf_decoding``).
    """

    CACHE_LIMIT = 50_000

    def __init__(self, resources: KnowledgeResources) -> None:
        self.resources = resources
        self.spec = resources.spec
        self.index = PhraseIndex(resources)
        self._tokens: dict[str, tuple[str, FeatureVector, dict[int, FeatureVector]]] = {}
        self._gaz: dict[frozenset[str], tuple[FeatureVector, dict[int, FeatureVector]]] = {}

    def __call__(self, tokens: Sequence[str]) -> list[FeatureVector]:
        rows = []
        for parts in self.layout(tokens):
            row: FeatureVector = {}
            for part in parts:
                row.update(part)
            rows.append(row)
        return rows

    def layout(self, tokens: Sequence[str]) -> list[list[FeatureVector]]:
        """Per token, the feature parts (dicts with disjoint keys) whose union is its features."""
        cached = [self._token(t) for t in tokens]
        gazetteer = [self._matched(m) if m else None for m in self.index.matches([c[0] for c in cached])]
        n = len(tokens)
        out = []
        for i in range(n):
            parts = [cached[i][1]]
            for offset in _OFFSETS:
                j = i + offset
                parts.append(cached[j][2][offset] if 0 <= j < n else _BOUNDARY[offset])
            if i == 0:
                parts.append(_FIRST)
            if i == n - 1:
                parts.append(_LAST)
            for offset in (-1, 1):
                if 0 <= i + offset < n:
                    seen = gazetteer[i + offset]
                    if seen is not None:
                        parts.append(seen[1][offset])
            own = gazetteer[i]
            if own is not None:
                parts.append(own[0])
            out.append(parts)
        return out

    def _token(self, token: str) -> tuple[str, FeatureVector, dict[int, FeatureVector]]:
        hit = self._tokens.get(token)
        if hit is None:
            if len(self._tokens) >= self.CACHE_LIMIT:
                self._tokens.clear()
            clusters = self.resources.clusters
            ortho = orthographic_features(token)
            own = flatten_features({"bias": 1.0, **ortho, **cluster_features(token, clusters)})
            around = {}
            for offset in _OFFSETS:
                prefix = f"{offset:+d}:"
                neighbour = {prefix + key: ortho[key] for key in NEIGHBOUR_KEYS}
                if abs(offset) == 1:
                    neighbour.update(cluster_features(token, clusters, prefix))
                around[offset] = flatten_features(neighbour)
            hit = self._tokens[token] = (normalise_phrase(token), own, around)
        return hit

    def _matched(self, matches: set[str]) -> tuple[FeatureVector, dict[int, FeatureVector]]:
        """The gazetteer part of a token with these matches, and of its neighbours seeing them."""
        key = frozenset(matches)
        hit = self._gaz.get(key)
        if hit is None:
            if len(self._gaz) >= self.CACHE_LIMIT:
                self._gaz.clear()
            own = {f"gaz={m}": 1.0 for m in sorted(matches)}
            own.update({f"gaz={m.rsplit(':', 1)[0]}": 1.0 for m in sorted(matches)})
            around = {o: {f"{o:+d}:gaz={m}": 1.0 for m in sorted(matches)} for o in (-1, 1)}
            hit = self._gaz[key] = (own, around)
        return hit


def synthetic_knowledge() -> KnowledgeResources:
    """Resources for quick runs: gazetteers of the synthetic corpus's names, no clusters."""
    return KnowledgeResources((build_gazetteer(synthetic_gazetteer_lists()),), None, frozenset(), {"kind": "synthetic"})

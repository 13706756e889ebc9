"""CRF features from the knowledge resources: gazetteer matches and Brown cluster paths.

A token gets a gazetteer feature for every list containing a 1-5 token window that
covers it, marked ``B`` when the window starts at the token and ``I`` otherwise. Single
stop words are never matched: a TV-programme list that contains "It" would otherwise
mark every "it".
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..atomic_files import atomic_write_text
from ..data.access import cache_dir, data_path, manifest
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
from .orthographic import CONTEXT_WINDOW, NEIGHBOUR_KEYS, FeatureDict, orthographic_features

CLUSTER_PREFIXES: tuple[int, ...] = (4, 8, 12, 16, 20)
"""Brown cluster path lengths used as features (coarse to fine)."""


@dataclass(eq=True)
class PhraseIndex:
    """Every listed phrase (all gazetteers merged) with the names of its lists, plus every
    phrase's word prefixes, so a window stops growing as soon as no listed phrase starts
    with it (most tokens start none).

    Built from the gazetteers takes seconds (about 1.2 million phrases normalised one by
    one), so :func:`load_knowledge` keeps it compiled in the user cache (:meth:`save`, a
    plain text file: nothing a user could swap runs as code) and loads it in a fraction of that.
    """

    lists: dict[str, tuple[str, ...]]
    prefixes: set[str]
    stopwords: frozenset[str]
    list_names: tuple[str, ...]

    @classmethod
    def from_gazetteers(cls, gazetteers: Sequence[Gazetteer], stopwords: frozenset[str]) -> PhraseIndex:
        merged: dict[str, set[str]] = {}
        for gazetteer in gazetteers:
            for phrase, names in gazetteer.phrases.items():
                merged.setdefault(phrase, set()).update(names)
        lists = {phrase: tuple(sorted(names)) for phrase, names in merged.items()}
        prefixes = {p[:i] for p in lists for i, c in enumerate(p) if c == " "}
        list_names = tuple(sorted({name for g in gazetteers for name in g.list_names}))
        return cls(lists, prefixes, stopwords, list_names)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the index as UTF-8 text, atomically: a header line, a JSON line (the list-name
        sets with how many phrases each has, stop words, counts), the phrases one per line
        grouped by list set, then the prefixes one per line. Normalised phrases hold no
        newline. Grouping lets :meth:`load` build the lookup without parsing a number per phrase."""
        groups: dict[tuple[str, ...], list[str]] = {}
        for phrase, names in self.lists.items():
            groups.setdefault(names, []).append(phrase)
        order = sorted(groups)
        header = {
            "groups": [[list(names), len(groups[names])] for names in order],
            "list_names": list(self.list_names),
            "stopwords": sorted(self.stopwords),
            "phrases": len(self.lists),
            "prefixes": len(self.prefixes),
        }
        phrases = [phrase for names in order for phrase in sorted(groups[names])]
        body = [INDEX_MAGIC, json.dumps(header, ensure_ascii=False), *phrases, *sorted(self.prefixes)]
        atomic_write_text(path, "\n".join(body) + "\n")

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> PhraseIndex:
        """Read :meth:`save`'s file.

        Raises:
            ValueError: the file is not a complete index of this format (then rebuild it).
        """
        lines = Path(path).read_text("utf-8").split("\n")
        if lines[0] != INDEX_MAGIC:
            raise ValueError(f"{path}: not a phrase index of format {INDEX_MAGIC!r}")
        if len(lines) < 3:
            raise ValueError(f"{path}: truncated phrase index ({len(lines)} lines)")
        header = json.loads(lines[1])
        n, m = header["phrases"], header["prefixes"]
        if len(lines) != n + m + 3 or lines[-1] != "" or sum(count for _, count in header["groups"]) != n:
            raise ValueError(f"{path}: truncated phrase index ({len(lines)} lines, expected {n + m + 3})")
        lists: dict[str, tuple[str, ...]] = {}
        start = 2
        for names, count in header["groups"]:
            lists.update(dict.fromkeys(lines[start : start + count], tuple(names)))
            start += count
        prefixes = set(lines[2 + n : 2 + n + m])
        return cls(lists, prefixes, frozenset(header["stopwords"]), tuple(header["list_names"]))

    def matches(self, normalised: Sequence[str]) -> list[set[str]]:
        """For each of the (already normalised) tokens, ``"<list>:B"``/``"<list>:I"`` for
        every gazetteer phrase covering it (``tests/knowledge_oracle.py`` holds the readable
        definition it is tested against)."""
        return [found or set() for found in self.found(normalised)]

    def found(self, normalised: Sequence[str]) -> list[set[str] | None]:
        """:meth:`matches`, with None for a token without any (most tokens: making an empty
        set for each was a third of the matching time)."""
        found: list[set[str] | None] = [None] * len(normalised)
        n = len(normalised)
        lists, prefixes = self.lists, self.prefixes
        for start, first in enumerate(normalised):
            if not first or (first not in lists and first not in prefixes):
                continue  # most tokens start no listed phrase
            phrase, single_stopword = first, first in self.stopwords
            for end in range(start, min(start + MAX_PHRASE_TOKENS, n)):
                if end > start:
                    if not normalised[end]:
                        continue
                    phrase, single_stopword = f"{phrase} {normalised[end]}", False
                names = lists.get(phrase)
                if names and not single_stopword:
                    for inside in range(start, end + 1):
                        if found[inside] is None:
                            found[inside] = set()
                    for name in names:
                        found[start].add(f"{name}:B")  # type: ignore[union-attr]
                        for inside in range(start + 1, end + 1):
                            found[inside].add(f"{name}:I")  # type: ignore[union-attr]
                if phrase not in prefixes:
                    break
        return found


INDEX_MAGIC = "tweetner phrase index 2"
"""First line of a compiled index; a new layout gets a new number (old files are rebuilt)."""


@dataclass(frozen=True)
class KnowledgeResources:
    """Everything the knowledge features look up."""

    index: PhraseIndex
    clusters: BrownClusters | None
    stopwords: frozenset[str]
    spec: dict = field(default_factory=dict, compare=False)


def knowledge_from_gazetteers(
    gazetteers: Sequence[Gazetteer], clusters: BrownClusters | None, stopwords: frozenset[str], spec: dict | None = None
) -> KnowledgeResources:
    """Resources from gazetteers built in memory (tests, the synthetic corpus)."""
    return KnowledgeResources(PhraseIndex.from_gazetteers(gazetteers, stopwords), clusters, stopwords, spec or {})


def load_knowledge(
    data_dir: str = "", *, wnut: bool = True, wikidata: bool = True, clusters: bool = True
) -> KnowledgeResources:
    """Load the chosen resources through the data manifest (verified, cached per process);
    the phrase index comes compiled from the user cache when it was built before."""
    stop = frozenset(normalise_phrase(w) for w in read_list(data_path("wnut16/lexicon/english.stop", data_dir or None)))
    spec = {"kind": "knowledge", "wnut": wnut, "wikidata": wikidata, "clusters": clusters}
    index = compiled_phrase_index(data_dir, wnut=wnut, wikidata=wikidata, stopwords=stop)
    return KnowledgeResources(index, brown_clusters(data_dir) if clusters else None, stop, spec)


def compiled_phrase_index(data_dir: str, *, wnut: bool, wikidata: bool, stopwords: frozenset[str]) -> PhraseIndex:
    """The merged phrase index of the chosen gazetteers, from the user cache when present.

    The cache file is named by a SHA-256 over the pinned SHA-256s of the source lists, the
    stop words and the format, so new data or a new layout never reads an old file. It is
    built only from verified lists; a damaged file is rebuilt, and a cache that cannot be
    written costs only the next start its seconds.
    """
    sources = sorted(n for n, use in (("wnut16/lexicon/", wnut), ("wikidata_lexicons/", wikidata)) if use)
    files = {name: entry.sha256 for name, entry in manifest().items() if name.startswith(tuple(sources))}
    key = hashlib.sha256(json.dumps([INDEX_MAGIC, files, sorted(stopwords)]).encode()).hexdigest()
    path = cache_dir() / "compiled" / f"phrase-index-{key[:32]}.txt"
    with contextlib.suppress(FileNotFoundError, ValueError, KeyError, TypeError):
        return PhraseIndex.load(path)
    gazetteers = [g for g, use in ((wnut_gazetteer(data_dir), wnut), (wikidata_gazetteer(data_dir), wikidata)) if use]
    index = PhraseIndex.from_gazetteers(gazetteers, stopwords)
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        index.save(path)
    return index


def cluster_features(token: str, clusters: BrownClusters | None, prefix: str = "") -> FeatureDict:
    """Brown cluster path prefixes of ``token`` (``bc16`` etc.), or ``bc_unknown``."""
    if clusters is None:
        return {}
    paths = clusters.prefixes(token, CLUSTER_PREFIXES)
    if paths is None:
        return {f"{prefix}bc_unknown": True}
    return {f"{prefix}bc{n}": str(value) for n, value in paths.items()}


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
_PREFIXES = {o: f"{o:+d}:" for o in _OFFSETS}
_BOUNDARY = {o: {f"{o:+d}:boundary": 1.0} for o in _OFFSETS}
_FIRST, _LAST = {"first": 1.0}, {"last": 1.0}


class KnowledgeFeaturizer:
    """Orthographic window features plus gazetteer and cluster features, for the CRF.

    A token's features are assembled from cached *parts* with disjoint keys: its own
    features, each neighbour's features as seen from its offset, boundary marks and
    its own and its neighbours' gazetteer matches. Each distinct token's parts are computed once (the cache is
    bounded, so a million-line input does not grow memory). :meth:`layout` exposes the
    parts so the CRF can score them once each (see ``crf_decoding``).

    What each offset sees of a token is a subset of the token's own features, renamed with
    the offset's prefix (:attr:`views`), so a scorer can score a token it has never met
    from its own features alone (see ``crf_decoding.PartScorer``).
    """

    CACHE_LIMIT = 50_000
    offsets = _OFFSETS
    """The neighbour offsets a token sees, in the order of :meth:`token_parts`' ``around``."""
    first_part, last_part = _FIRST, _LAST
    views = ("", *_PREFIXES.values())
    """The prefix of a token's own features in its own part (none), then in the part each offset sees."""

    def __init__(self, resources: KnowledgeResources) -> None:
        self.resources = resources
        self.spec = resources.spec
        self.index = resources.index
        self._tokens: dict[str, tuple[str, FeatureVector, dict[int, FeatureVector]]] = {}
        self._gaz: dict[frozenset[str], tuple[FeatureVector, dict[int, FeatureVector]]] = {}
        self._clusters: dict[int | None, FeatureVector] = {}

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
        cached = [self.token_parts(t) for t in tokens]
        gazetteer = self.gazetteer_parts([c[0] for c in cached])
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

    def boundary_part(self, offset: int) -> FeatureVector:
        """What a token sees at ``offset`` past either end of the tweet."""
        return _BOUNDARY[offset]

    def gazetteer_parts(self, normalised: Sequence[str]) -> list[tuple[FeatureVector, dict[int, FeatureVector]] | None]:
        """Per token (normalised forms of one tweet): its gazetteer part and the parts its
        neighbours see, or None without a match."""
        return [self._matched(m) if m else None for m in self.index.found(normalised)]

    def token_parts(self, token: str) -> tuple[str, FeatureVector, dict[int, FeatureVector]]:
        """A token's normalised form, its own part, and the part each offset sees of it (cached)."""
        hit = self._tokens.get(token)
        if hit is None:
            if len(self._tokens) >= self.CACHE_LIMIT:
                self._tokens.clear()
            normalised, own = self.token_features(token)
            around = {}
            for offset, prefix in _PREFIXES.items():  # a neighbour's features, named from where it is seen
                around[offset] = {prefix + name: value for name, value in own.items() if _seen(name, offset)}
            hit = self._tokens[token] = (normalised, own, around)
        return hit

    def token_features(self, token: str) -> tuple[str, FeatureVector]:
        """A token's normalised form and its own part (not cached: for callers that keep their own)."""
        own = {"bias": 1.0, **flatten_features(orthographic_features(token))}
        clusters = self.resources.clusters
        if clusters is not None:
            cluster = clusters.lookup(token)
            part = self._clusters.get(cluster)
            if part is None:  # a few thousand clusters: each one's feature names made once
                part = self._clusters[cluster] = flatten_features(cluster_features(token, clusters))
            own.update(part)
        return normalise_phrase(token), own

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


def _seen(name: str, offset: int) -> bool:
    """Whether a neighbour at ``offset`` sees the own feature ``name`` (``key`` or ``key:value``):
    the :data:`NEIGHBOUR_KEYS`, and the cluster paths from next door."""
    key = name.split(":", 1)[0]
    return key in NEIGHBOUR_KEYS or (abs(offset) == 1 and key.startswith("bc"))


def synthetic_knowledge() -> KnowledgeResources:
    """Resources for quick runs: gazetteers of the synthetic corpus's names, no clusters."""
    gazetteer = build_gazetteer(synthetic_gazetteer_lists())
    return knowledge_from_gazetteers((gazetteer,), None, frozenset(), {"kind": "synthetic"})

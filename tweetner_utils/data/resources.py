"""Knowledge resources: gazetteers, Wikidata name lists and Twitter Brown clusters.

Tweets name things a 2,400-tweet training set never shows, so the strong taggers look
names up in lists and group unknown words with known ones through word clusters. All
files come through the data manifest, so they are verified like the corpora.
"""

from __future__ import annotations

import functools
import os
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .access import data_path, manifest

MAX_PHRASE_TOKENS = 5
"""Longest gazetteer phrase matched, in tokens."""

NOT_LISTS = frozenset({"dictionaries.conf"})
"""Manifest files under the lexicon folder that are not name lists."""

_STRIP = re.compile(r"[^\w\s]", re.UNICODE)
_SPACES = re.compile(r"\s+")


def normalise_phrase(text: str) -> str:
    """Lowercase, drop punctuation (so ``#Obama`` and ``@obama`` become ``obama``), squeeze spaces.

    >>> normalise_phrase("  Ed, Edd 'n' Eddy "), normalise_phrase("#NewYork")
    ('ed edd n eddy', 'newyork')
    """
    folded = unicodedata.normalize("NFKC", text).lower()
    return _SPACES.sub(" ", _STRIP.sub("", folded)).strip()


@dataclass(frozen=True)
class Gazetteer:
    """Phrases (normalised) mapped to the names of the lists that contain them."""

    phrases: dict[str, frozenset[str]]
    list_names: tuple[str, ...]

    def lists_for(self, phrase: str) -> frozenset[str]:
        """The lists containing the normalised ``phrase`` (empty when none)."""
        return self.phrases.get(phrase, frozenset())


def build_gazetteer(lists: Mapping[str, Iterable[str]], max_tokens: int = MAX_PHRASE_TOKENS) -> Gazetteer:
    """Merge named lists into one lookup; empty entries and over-long phrases are ignored."""
    merged: dict[str, set[str]] = defaultdict(set)
    for name, entries in lists.items():
        for entry in entries:
            phrase = normalise_phrase(entry)
            if phrase and phrase.count(" ") < max_tokens:
                merged[phrase].add(name)
    return Gazetteer({p: frozenset(n) for p, n in merged.items()}, tuple(sorted(lists)))


def read_list(path: str | os.PathLike[str]) -> list[str]:
    """One entry per line; undecodable bytes are replaced (some upstream lists mix encodings)."""
    return Path(path).read_text("utf-8", errors="replace").splitlines()


@functools.cache
def wnut_gazetteer(data_dir: str = "") -> Gazetteer:
    """The shared task's gazetteer lists (``wnut16/lexicon/*``), prefixed ``wnut:``."""
    names = sorted(p for p in manifest() if p.startswith("wnut16/lexicon/") and Path(p).name not in NOT_LISTS)
    return build_gazetteer({f"wnut:{Path(n).name}": read_list(data_path(n, data_dir or None)) for n in names})


@functools.cache
def wikidata_gazetteer(data_dir: str = "") -> Gazetteer:
    """The Wikidata entity-name lists (``wikidata_lexicons/*.txt``), prefixed ``wd:``."""
    names = sorted(p for p in manifest() if p.startswith("wikidata_lexicons/"))
    return build_gazetteer({f"wd:{Path(n).stem}": read_list(data_path(n, data_dir or None)) for n in names})


@dataclass(frozen=True)
class BrownClusters:
    """Word -> cluster id, where bit ``i`` of the id is the ``i``-th branch of the path."""

    ids: dict[str, int]

    def prefixes(self, word: str, lengths: Iterable[int] = (4, 8, 12, 16)) -> dict[int, int] | None:
        """The cluster path cut to each length (masked low bits), or None for unknown words.

        Hashtags and mentions are looked up without their ``#``/``@`` when the marked form
        is unknown.
        """
        cluster = self.lookup(word)
        if cluster is None:
            return None
        return {n: cluster & ((1 << n) - 1) for n in lengths}

    def lookup(self, word: str) -> int | None:
        """The cluster id of ``word`` (exact, then lowercased, then without ``#``/``@``)."""
        for candidate in (word, word.lower(), word.lstrip("#@").lower()):
            if candidate in self.ids:
                return self.ids[candidate]
        return None


def parse_brown_clusters(lines: Iterable[str], source: str = "<clusters>") -> BrownClusters:
    """Parse ``word cluster_id`` lines; a malformed line is an error naming source and line."""
    ids: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        parts = line.rsplit(None, 1)
        if len(parts) != 2 or not parts[1].isdigit():
            raise ValueError(f"{source}:{number}: expected 'word cluster_id', found {line[:80]!r}")
        ids[parts[0]] = int(parts[1])
    return BrownClusters(ids)


@functools.cache
def brown_clusters(data_dir: str = "") -> BrownClusters:
    """The 60K Twitter Brown clusters of the shared task."""
    path = data_path("brown_clusters/60K_clusters.txt", data_dir or None)
    return parse_brown_clusters(read_list(path), str(path))

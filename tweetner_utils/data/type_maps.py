"""Scoring a model on a corpus whose entity types differ from the ones it learned.

A type map is a TSV file, one ``model_type<TAB>corpus_type`` line per model type that has
a counterpart (several model types may map to one corpus type). Predicted entities of a
model type without a line are dropped, and so are gold entities of a corpus type that no
line maps onto, together with any prediction overlapping such a gold entity (the model
cannot be right or wrong about a type the score leaves out): the score covers exactly the
types the map relates, and the caller says which were dropped.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..exceptions import ConllFormatError
from .conll import TagLists, TokenLists
from .labels import OUTSIDE, entities, is_bio_tag


@dataclass(frozen=True)
class TypeMap:
    """Model type -> corpus type, and where it was read from (for messages)."""

    mapping: Mapping[str, str]
    source: str = "<memory>"

    @property
    def corpus_types(self) -> frozenset[str]:
        """The corpus types some model type maps onto: the types scored."""
        return frozenset(self.mapping.values())

    def apply(self, gold: TokenLists, predicted: TokenLists) -> tuple[TagLists, TagLists]:
        """Gold and predicted tags as they are scored: predictions renamed into corpus types,
        both restricted to the types the map covers (see the module's docstring)."""
        kept = self.corpus_types
        out_gold: TagLists = []
        out_pred: TagLists = []
        for g_tags, p_tags in zip(gold, predicted):
            dropped = [(start, end) for kind, start, end in entities(g_tags) if kind not in kept]
            renamed = [_renamed(tag, self.mapping.get(tag[2:])) for tag in p_tags]
            out_gold.append([tag if tag == OUTSIDE or tag[2:] in kept else OUTSIDE for tag in g_tags])
            out_pred.append(_without_overlaps(renamed, dropped))
        return out_gold, out_pred

    def dropped_gold(self, tags: TokenLists) -> Counter[str]:
        """How many gold entities of each type the map leaves out of the score."""
        kept = self.corpus_types
        return Counter(kind for sequence in tags for kind, _, _ in entities(sequence) if kind not in kept)

    def unmapped(self, model_types: Iterable[str]) -> list[str]:
        """The model's types whose predictions are dropped."""
        return sorted(set(model_types) - set(self.mapping))


def _without_overlaps(tags: list[str], spans: list[tuple[int, int]]) -> list[str]:
    """``tags`` with every entity that overlaps one of ``spans`` turned into ``O``."""
    if not spans:
        return tags
    out = list(tags)
    for _, start, end in entities(tags):
        if any(start <= last and first <= end for first, last in spans):
            out[start : end + 1] = [OUTSIDE] * (end - start + 1)
    return out


def _renamed(tag: str, target: str | None) -> str:
    if tag == OUTSIDE or target is None:
        return OUTSIDE
    return f"{tag[:2]}{target}"


def read_type_map(path: str | os.PathLike[str], model_types: Sequence[str]) -> TypeMap:
    """Read a type-map file strictly, checking its model types against the model's.

    Raises:
        ConllFormatError: the file cannot be read, or a line is not ``model_type<TAB>corpus_type``,
            names a type the model does not tag, or maps a model type a second time (file and
            line named).
    """
    source = str(path)
    try:
        text = Path(path).read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConllFormatError(source, None, "", f"cannot read the type map ({exc})") from None
    return parse_type_map(text, source, model_types)


def parse_type_map(text: str, source: str, model_types: Sequence[str]) -> TypeMap:
    """The map in ``text`` (see :func:`read_type_map`); blank lines and ``#`` comments are skipped."""
    mapping: dict[str, str] = {}
    first_line: dict[str, int] = {}
    known = set(model_types)
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 2 or not all(parts):
            raise ConllFormatError(source, number, raw, "expected 'model_type<TAB>corpus_type'")
        model_type, corpus_type = (part.strip() for part in parts)
        for kind in (model_type, corpus_type):
            if not is_bio_tag(f"B-{kind}"):
                raise ConllFormatError(source, number, raw, f"{kind!r} is not a type name (no spaces, not empty)")
        if model_type not in known:
            raise ConllFormatError(
                source, number, raw, f"the model tags no type {model_type!r} (it tags {', '.join(sorted(known))})"
            )
        if model_type in mapping:
            raise ConllFormatError(
                source, number, raw, f"{model_type!r} is mapped a second time (first on line {first_line[model_type]})"
            )
        mapping[model_type], first_line[model_type] = corpus_type, number
    if not mapping:
        raise ConllFormatError(source, None, "", "the type map maps no type")
    return TypeMap(mapping, source)


BUILT_IN = "type_maps"
"""Package folder of the documented maps between the built-in corpora (``<model corpus>_to_<corpus>.tsv``)."""


def built_in_type_map(model_corpus: str, corpus: str, model_types: Sequence[str]) -> TypeMap:
    """The documented map from ``model_corpus``'s types to ``corpus``'s.

    Raises:
        FileNotFoundError: there is no map between these corpora.
    """
    name = f"{model_corpus}_to_{corpus}.tsv"
    entry = resources.files(__package__).joinpath(BUILT_IN, name)
    if not entry.is_file():
        raise FileNotFoundError(f"no built-in type map {name}")
    return parse_type_map(entry.read_text("utf-8"), f"{BUILT_IN}/{name}", model_types)


def resolve_type_map(value: str, model_types: Sequence[str]) -> TypeMap:
    """A type-map file, or the name of a built-in map between the built-in corpora
    (``wnut16_to_wnut17``, ``wnut17_to_wnut16``) when no file of that name exists."""
    if not Path(value).exists() and value.count("_to_") == 1:
        try:
            model_corpus, corpus = value.split("_to_")
            return built_in_type_map(model_corpus, corpus, model_types)
        except FileNotFoundError:
            pass
    return read_type_map(value, model_types)

"""Label sets in BIO (IOB2) form, discovered from a corpus rather than fixed in code.

Every corpus names its own entity types (WNUT16 has ten, WNUT17 six, a team's own
annotations whatever it chose), so the package never lists them: a :class:`LabelSet` is
read off the training tags, checked against the other splits, and saved with each model.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

OUTSIDE = "O"

_TAG = re.compile(r"[BI]-(\S+)")
"""A non-O tag: ``B-`` or ``I-`` and a type without whitespace (types may hold ``-``)."""


def is_bio_tag(tag: str) -> bool:
    """Whether ``tag`` is ``O`` or ``B-``/``I-`` followed by a type name, whatever the type.

    >>> is_bio_tag("B-geo-loc"), is_bio_tag("b-person"), is_bio_tag("B-"), is_bio_tag("O")
    (True, False, False, True)
    """
    return tag == OUTSIDE or _TAG.fullmatch(tag) is not None


@dataclass(frozen=True)
class LabelSet:
    """The entity types of one corpus and the BIO tags they make.

    ``types`` is sorted, so equal corpora give equal label sets and models trained on them
    give probability columns in the same order.
    """

    types: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.types:
            raise ValueError("a label set needs at least one entity type")
        if list(self.types) != sorted(set(self.types)):
            raise ValueError(f"entity types must be sorted and distinct: {list(self.types)}")
        bad = [t for t in self.types if not is_bio_tag(f"B-{t}")]
        if bad:
            raise ValueError(f"entity types may not be empty or hold whitespace: {bad}")

    @classmethod
    def of(cls, types: Iterable[str]) -> LabelSet:
        """The label set of these types, in any order.

        >>> LabelSet.of(["person", "group"]).labels
        ('B-group', 'B-person', 'I-group', 'I-person', 'O')
        """
        return cls(tuple(sorted(set(types))))

    @classmethod
    def from_tags(cls, tags: Iterable[Sequence[str]]) -> LabelSet:
        """The types that occur in these tag sequences (as ``B-`` or ``I-``).

        Raises:
            ValueError: a tag is not BIO, or no sequence holds an entity.
        """
        found: set[str] = set()
        for sequence in tags:
            for tag in sequence:
                if tag != OUTSIDE:
                    if not is_bio_tag(tag):
                        raise ValueError(f"tag {tag!r} is not O or B-/I- with a type")
                    found.add(tag[2:])
        if not found:
            raise ValueError("no entity tags: the training data must hold at least one entity")
        return cls.of(found)

    @property
    def labels(self) -> tuple[str, ...]:
        """Every tag, sorted (``sorted(train tags)``, as the original analysis ordered them):
        the column order of every model's probabilities."""
        return tuple(sorted([OUTSIDE] + [f"{p}-{t}" for t in self.types for p in ("B", "I")]))

    @property
    def entity_labels(self) -> tuple[str, ...]:
        """The non-O tags: the label list of the original token-level macro scores."""
        return tuple(t for t in self.labels if t != OUTSIDE)


def entity_type(tag: str) -> str | None:
    """The entity type a tag belongs to, or None for ``O``.

    >>> entity_type("I-person") is None, entity_type("O") is None
    (False, True)
    """
    return None if tag == OUTSIDE else tag[2:]


def repair_bio(tags: list[str]) -> list[str]:
    """Turn an ``I-x`` that does not continue an ``x`` entity into ``B-x`` (conlleval reads it so too).

    >>> repair_bio(["O", "I-person", "I-person", "I-geo-loc"])
    ['O', 'B-person', 'I-person', 'B-geo-loc']
    """
    out, previous = [], OUTSIDE
    for tag in tags:
        if tag.startswith("I-") and entity_type(previous) != tag[2:]:
            tag = "B-" + tag[2:]
        out.append(tag)
        previous = tag
    return out


def entities(tags: Sequence[str]) -> set[tuple[str, int, int]]:
    """The entities of one tag sequence as ``(type, first, last)`` token indices, read as
    the shared task's ``conlleval`` reads them (an ``I-`` after ``O`` or after another type
    starts a new entity).

    seqeval's default mode implements these semantics (``tests/metrics/test_metrics.py`` proves it
    against an independent reference). It is imported here, not at the top, because it
    pulls in scikit-learn: tagging a single tweet from the command line never needs it.

    >>> sorted(entities(["B-person", "I-person", "O", "I-geo-loc"]))
    [('geo-loc', 3, 3), ('person', 0, 1)]
    """
    from seqeval.metrics.sequence_labeling import get_entities

    return {(kind, start, end) for kind, start, end in get_entities(list(tags))}


def bio_spans(tags: list[str]) -> list[tuple[str, int, int]]:
    """``(type, first, last)`` of each entity in a *valid* BIO sequence, in order.

    A fast reading for decoded output (see :func:`repair_bio`); scoring uses
    :func:`entities`, which follows conlleval on any input.

    >>> bio_spans(["B-person", "I-person", "O", "B-geo-loc", "B-geo-loc"])
    [('person', 0, 1), ('geo-loc', 3, 3), ('geo-loc', 4, 4)]
    """
    spans: list[tuple[str, int, int]] = []
    for i, tag in enumerate(tags):
        if tag[0] == "B":
            spans.append((tag[2:], i, i))
        elif tag[0] == "I":
            kind, first, _ = spans[-1]
            spans[-1] = (kind, first, i)
    return spans

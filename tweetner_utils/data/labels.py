"""The WNUT16 label set: ten entity types in BIO (IOB2) form."""

from __future__ import annotations

from collections.abc import Sequence

ENTITY_TYPES: tuple[str, ...] = (
    "company",
    "facility",
    "geo-loc",
    "movie",
    "musicartist",
    "other",
    "person",
    "product",
    "sportsteam",
    "tvshow",
)
"""The shared task's entity types, in alphabetical order."""

OUTSIDE = "O"

LABELS: tuple[str, ...] = tuple(sorted([OUTSIDE] + [f"{p}-{t}" for t in ENTITY_TYPES for p in ("B", "I")]))
"""All 21 tags, sorted as the original analysis sorted them (``sorted(train tags)``)."""

ENTITY_LABELS: tuple[str, ...] = tuple(t for t in LABELS if t != OUTSIDE)
"""The 20 non-O tags: the label list of the original token-level macro scores."""


def is_valid_tag(tag: str) -> bool:
    """Whether ``tag`` is ``O`` or ``B-``/``I-`` followed by a known entity type.

    >>> is_valid_tag("B-geo-loc"), is_valid_tag("b-person"), is_valid_tag("B-city")
    (True, False, False)
    """
    return tag in _LABEL_SET


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

    seqeval's default mode implements these semantics (``tests/test_metrics.py`` proves it
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


_LABEL_SET = frozenset(LABELS)

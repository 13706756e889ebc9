"""The WNUT16 label set: ten entity types in BIO (IOB2) form."""

from __future__ import annotations

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


_LABEL_SET = frozenset(LABELS)

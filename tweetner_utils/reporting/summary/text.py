"""Wording shared by the business summary's sections: percentages, points, bullet lists."""

from __future__ import annotations


def pct(value: float) -> str:
    """A fraction as a percentage with one decimal.

    >>> pct(0.4424)
    '44.2%'
    """
    return f"{100 * value:.1f}%"


def points(value: float) -> str:
    """A difference of fractions in percentage points, one decimal."""
    return f"{100 * value:.1f}"


def bullets(lines: list[str]) -> str:
    """Markdown bullet list; ``_none_`` for an empty list."""
    return "\n".join(f"- {line}" for line in lines) if lines else "- _none_"

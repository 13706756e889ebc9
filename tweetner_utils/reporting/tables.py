"""How tables and records look in the reports: numbers a stakeholder can read.

Notebooks end cells with DataFrames and dicts; left to pandas and IPython they show
``3018.0`` for a count, ``NaN`` for a missing value, ``0.5336`` for an F1 of 53.4% and
``{'...': 12.254160363086234}`` for a record. The report kernel renders both through the
functions here instead (see :func:`use_readable_tables`), so every notebook gets the same
treatment without formatting code in its cells. Results files keep fractions; only the
display turns a share into a percentage, by the name of its column, row or key
(:func:`is_share_label`), and only when every value there lies between 0 and 1.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Mapping
from numbers import Integral, Real

import pandas as pd

MISSING = "–"
"""Shown for a value that does not exist (a metric without data), instead of NaN or None."""
SHARE_WORDS = frozenset(
    {
        "f1",
        "precision",
        "recall",
        "share",
        "accuracy",
        "coverage",
        "accepted",
        "ci",
        "rate",
        "right",
        "missed",
        "unknown",
    }
)
"""Words that name a share (a fraction shown as a percentage)."""
NOT_SHARE_WORDS = frozenset({"threshold", "confidence", "brier", "ece", "seconds", "weight", "level", "per"})
"""Words that name something else even beside a share word ("threshold (auto-accepted)",
"review items per 1,000 tweets")."""


def readable(value: object) -> str:
    """A cell value as text: whole numbers without decimals (counts), others to at most three
    decimals without trailing zeros (one from 100, none from 1,000: a rate of 933.247 reviews
    per 1,000 tweets is read as 933.2), thousands separated, missing values as a dash.

    >>> [readable(v) for v in (3018.0, 0.44236, 12.5, float("nan"), None, 1234567, True, "x")]
    ['3,018', '0.442', '12.5', '–', '–', '1,234,567', 'yes', 'x']
    >>> [readable(v) for v in (933.247, 245.906, 5208.3, 100.0, 1e-05, 0.0)]
    ['933.2', '245.9', '5,208', '100', '1e-05', '0']
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Integral):
        return f"{int(value):,}"
    if isinstance(value, Real):
        number = float(value)
        if math.isinf(number):
            return "∞" if number > 0 else "-∞"
        if 0 < abs(number) < 0.001:  # a regularisation strength, not a rounding error: 1e-05, not 0
            return f"{number:.2g}"
        decimals = 0 if abs(number) >= 1000 else 1 if abs(number) >= 100 else 3
        text = f"{number:,.{decimals}f}"
        text = text.rstrip("0").rstrip(".") if decimals else text
        return "0" if text in ("-0", "") else text
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {readable(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(readable(v) for v in value)
    return str(value)


PERCENT_COLUMNS = "percent_columns"
"""``DataFrame.attrs`` key: columns a table declares as shares, whatever their names."""


def shares(frame: pd.DataFrame, columns: Iterable[object]) -> pd.DataFrame:
    """``frame``, declaring ``columns`` as shares to show as percentages (a per-type table whose
    columns are model names, say). Returned for chaining; pandas keeps ``attrs`` through
    ``round`` and selections."""
    frame.attrs[PERCENT_COLUMNS] = list(columns)
    return frame


def percent(value: float) -> str:
    """A fraction as a percentage with one decimal.

    >>> percent(0.53362)
    '53.4%'
    """
    return f"{100 * float(value):.1f}%"


def is_share_label(label: object) -> bool:
    """Whether a column, row or key name says its values are shares.

    >>> [is_share_label(x) for x in ("test_f1_train_only_fit", "auto-accepted, test", "threshold (dev)", "n_gold")]
    [True, True, False, False]
    """
    words = set(re.findall(r"[a-z0-9]+", str(label).lower()))
    return bool(words & SHARE_WORDS) and not words & NOT_SHARE_WORDS


def is_points_label(label: object) -> bool:
    """Whether a column name says its values are already percentages (``test_pct``, ``... (%)``).

    >>> [is_points_label(x) for x in ("tweets_with_entity_pct", "alerting, test-like (%)", "tweets")]
    [True, True, False]
    """
    text = str(label).lower()
    return "pct" in re.findall(r"[a-z0-9]+", text) or text.endswith("(%)")


def readable_as(label: object, value: object) -> str:
    """``value`` as :func:`readable` shows it, or as a percentage when ``label`` names a share
    and the value is a fraction (the index page's headline numbers, a record's fields)."""
    return percent(value) if is_share_label(label) and _all_fractions([value]) else readable(value)  # type: ignore[arg-type]


def frame_html(frame: pd.DataFrame) -> str:
    """A DataFrame as an HTML table of :func:`readable` values, shares as percentages (every
    row and column: a report is read, not scrolled, and pandas' ``...`` truncation hides what
    was computed)."""
    shown = frame.map(readable) if not frame.empty else frame.copy()
    declared = set(frame.attrs.get(PERCENT_COLUMNS, ()))
    for column in frame.columns:
        if (column in declared or is_share_label(column)) and _all_fractions(frame[column]):
            shown[column] = frame[column].map(_percent_or_missing)
        elif is_points_label(column) and _all_numbers(frame[column]):
            shown[column] = frame[column].map(lambda v: _percent_or_missing(v / 100 if _is_value(v) else v))
    if not isinstance(frame.index, pd.MultiIndex) and not pd.api.types.is_numeric_dtype(frame.index):
        for row in frame.index:
            values = frame.loc[row]
            if isinstance(values, pd.Series) and is_share_label(row) and _all_fractions(values):
                for column in frame.columns:
                    shown.at[row, column] = _percent_or_missing(values[column])
    if isinstance(shown.index, pd.MultiIndex) or shown.index.dtype != object:
        shown.index = [readable(i) for i in shown.index]
    return shown.to_html(escape=True, border=0, classes="dataframe report-table", na_rep=MISSING)


def _all_fractions(values: Iterable[object]) -> bool:
    """Every value is a number between 0 and 1 or missing, and at least one is a number."""
    numbers = [v for v in values if _is_value(v)]
    return _all_numbers(numbers) and all(0.0 <= float(v) <= 1.0 for v in numbers)  # type: ignore[arg-type]


def _all_numbers(values: Iterable[object]) -> bool:
    """Every value is a number or missing, and at least one is a number."""
    numbers = [v for v in values if _is_value(v)]
    return bool(numbers) and all(isinstance(v, Real) and not isinstance(v, bool) for v in numbers)


def _is_value(value: object) -> bool:
    return not (value is None or (isinstance(value, float) and math.isnan(value)))


def _percent_or_missing(value: object) -> str:
    return MISSING if value is None or (isinstance(value, float) and math.isnan(value)) else percent(value)  # type: ignore[arg-type]


def series_html(series: pd.Series) -> str:
    """A Series as a two-column table."""
    return frame_html(series.to_frame(name=series.name if series.name is not None else "value"))


def mapping_html(record: Mapping) -> str:
    """A dict (a notebook's headline or recorded numbers) as a two-column table, not a Python literal."""
    rows = "".join(
        f"<tr><th>{html.escape(str(key))}</th><td>{html.escape(readable_as(key, value))}</td></tr>"
        for key, value in record.items()
    )
    return f'<table class="dataframe report-table" border="0"><tbody>{rows}</tbody></table>'


def use_readable_tables() -> None:
    """Render DataFrames, Series and dicts in the running notebook kernel with the functions above."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    formatter = shell.display_formatter.formatters["text/html"]
    formatter.for_type(pd.DataFrame, frame_html)
    formatter.for_type(pd.Series, series_html)
    formatter.for_type(dict, mapping_html)

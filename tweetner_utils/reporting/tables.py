"""How tables and records look in the reports: numbers a stakeholder can read.

Notebooks end cells with DataFrames and dicts; left to pandas and IPython they show
``3018.0`` for a count, ``NaN`` for a missing value and ``{'...': 12.254160363086234}``
for a record. The report kernel renders both through the functions here instead (see
:func:`use_readable_tables`), so every notebook gets the same treatment without
formatting code in its cells.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from numbers import Integral, Real

import pandas as pd

MISSING = "–"
"""Shown for a value that does not exist (a metric without data), instead of NaN or None."""


def readable(value: object) -> str:
    """A cell value as text: whole numbers without decimals (counts), others to at most three
    decimals without trailing zeros, thousands separated, missing values as a dash.

    >>> [readable(v) for v in (3018.0, 0.44236, 12.5, float("nan"), None, 1234567, True, "x")]
    ['3,018', '0.442', '12.5', '–', '–', '1,234,567', 'yes', 'x']
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
        text = f"{number:,.3f}".rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {readable(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(readable(v) for v in value)
    return str(value)


def frame_html(frame: pd.DataFrame) -> str:
    """A DataFrame as an HTML table of :func:`readable` values (every row and column: a
    report is read, not scrolled, and pandas' ``...`` truncation hides what was computed)."""
    shown = frame.map(readable) if not frame.empty else frame
    if isinstance(shown.index, pd.MultiIndex) or shown.index.dtype != object:
        shown.index = [readable(i) for i in shown.index]
    return shown.to_html(escape=True, border=0, classes="dataframe report-table", na_rep=MISSING)


def series_html(series: pd.Series) -> str:
    """A Series as a two-column table."""
    return frame_html(series.to_frame(name=series.name if series.name is not None else "value"))


def mapping_html(record: Mapping) -> str:
    """A dict (a notebook's headline or recorded numbers) as a two-column table, not a Python literal."""
    rows = "".join(
        f"<tr><th>{html.escape(str(key))}</th><td>{html.escape(readable(value))}</td></tr>"
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

"""What an HTML page really contains, for the tests that check reports stay inert."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_DOCUMENT = {"html", "head", "meta", "title", "style", "body"}
_TEXT = {"h1", "h2", "h3", "p", "div", "span", "small", "code", "b", "u", "em", "strong", "br", "a", "section"}
_FOLDING = {"details", "summary"}
_TABLES_AND_LISTS = {"table", "thead", "tbody", "tr", "th", "td", "ul", "li"}
ALLOWED_TAGS = frozenset(_DOCUMENT | _TEXT | _TABLES_AND_LISTS | _FOLDING)
"""The tags report pages are built from; anything else in a page came from data."""


class Markup(HTMLParser):
    """Every tag and attribute an HTML string really contains, and its text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        self.tags.append(tag)
        self.attributes.extend(name for name, _ in attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(page: str) -> Markup:
    """The markup of ``page``."""
    markup = Markup()
    markup.feed(page)
    markup.close()
    return markup


# What a stakeholder page must not show (the report pages and the pipeline tests check it).

MACHINE_PATH = re.compile(r"/(?:home|root|tmp|work|Users|var|opt)/")
RAW_DICT = re.compile(r"\{'")
NAN = re.compile(r"\bNaN\b")
WHOLE_NUMBER_WITH_DECIMALS = re.compile(r"^-?\d[\d,]*\.0+$")


def visible_text(page: str) -> str:
    """What a reader sees: no scripts, styles or embedded images; tags removed; entities decoded."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    page = re.sub(r"data:image/[a-z]+;base64,[A-Za-z0-9+/=]+", "", page)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def table_cells(page: str) -> list[str]:
    return [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td\b[^>]*>(.*?)</td>", page, re.S)]


def problems(page: str) -> list[str]:
    """Everything the issue forbids on a stakeholder page, found in ``page``."""
    text = visible_text(page)
    found = [
        name
        for name, pattern in (
            ("Warning", re.compile("Warning")),
            ("machine path", MACHINE_PATH),
            ("raw dict", RAW_DICT),
            ("NaN", NAN),
        )
        if pattern.search(text)
    ]
    found += [f"count shown as {c!r}" for c in table_cells(page) if WHOLE_NUMBER_WITH_DECIMALS.match(c)]
    title = re.search(r"<title>(.*?)</title>", page, re.S)
    if title is None or title.group(1).strip() in ("", "Notebook"):
        found.append("untitled page")
    return found

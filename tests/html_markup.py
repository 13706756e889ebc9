"""What an HTML page really contains, for the tests that check reports stay inert."""

from __future__ import annotations

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

"""Tokenize raw tweet text the way the WNUT16 files are tokenized, keeping offsets.

Taggers are trained on WNUT16's tokens, so new tweets must be cut the same way:
URLs, @mentions, #hashtags and emoticons stay whole, punctuation runs (``...``, ``!!``)
stay together, contractions (``don't``, ``I'm``) stay whole but a possessive ``'s`` is
split off, as in the training data. Every token keeps its character offsets, so
entities can be reported as spans of the input text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import NamedTuple


def _combining_marks() -> str:
    """A character-class body of every combining mark (categories Mn, Mc, Me) in the Basic
    Multilingual Plane: Python's ``\\w`` leaves them out, which cut a decomposed "Beyoncé"
    before its accent and split Devanagari words at their vowel signs."""
    marks = [code for code in range(0x10000) if unicodedata.category(chr(code)).startswith("M")]
    ranges: list[tuple[int, int]] = []
    for code in marks:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    return "".join(f"\\u{a:04x}-\\u{b:04x}" if a != b else f"\\u{a:04x}" for a, b in ranges)


_W = rf"[\w{_combining_marks()}]"
"""A word character: ``\\w`` or a combining mark."""

_PATTERNS = [
    r"https?://[^\s]*[^\s.,!?;:)\]\"'>]",  # URLs, without trailing punctuation
    r"www\.[^\s]*[^\s.,!?;:)\]\"'>]",
    rf"[@＠]{_W}+",  # mentions
    rf"#{_W}+",  # hashtags
    r"&(?:[a-zA-Z]+|#\d+);",  # HTML entities as the corpus keeps them (&lt; &quot;)
    r"<3+",  # heart
    r"-_+-|\^_*\^|[oO]_[oO]",  # -_- ^^ o_O
    r"[:;=8xX][\-o\*']?[\)\]\(\[dDpP/\\|@3oO]+(?![\w])",  # emoticons :) ;-) :D :/
    r"\*\w+\*",  # *wink*
    r"'(?:[sS]|ve|m|ll|re|d)\b",  # possessive 's (and clitics already apart), split off as in WNUT16
    r"\d{1,2}:\d{2}(?::\d{2})?",  # times
    rf"[\u200b-\u200d\u2060\ufeff]*\w{_W}*(?:'(?![sS]\b){_W}+|[-.&]{_W}+)*",  # words (zero-width marks stay attached)
    r"[!?]+|([^\w\s])\1+|\S",  # !?! runs, repeated punctuation (... ~~~), any other character
]
_TOKEN = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.UNICODE)


class Token(NamedTuple):
    """A token and its ``[start, end)`` character offsets in the input text (a tuple: cheap to make)."""

    text: str
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    """Split tweet text into WNUT16-style tokens with offsets.

    >>> [t.text for t in tokenize("Obama's visit to NYC!! :) http://t.co/x #news")]
    ['Obama', "'s", 'visit', 'to', 'NYC', '!!', ':)', 'http://t.co/x', '#news']
    """
    return [Token(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def model_tokens(tokens: Sequence[Token]) -> list[str]:
    """What a model sees of each token: its NFC form, the form of the training data (a
    decomposed accent would otherwise be an unknown word; ASCII is NFC already)."""
    return [t.text if t.text.isascii() else unicodedata.normalize("NFC", t.text) for t in tokens]

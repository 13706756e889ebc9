"""Strict CoNLL reading and writing for tweet NER corpora (WNUT16, WNUT17, your own).

The original analysis skipped lines it could not parse, so a corrupt file produced
plausible but wrong numbers. Here every line is either understood or rejected with
the file, the line number and the offending text.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..atomic_files import atomic_writer
from ..exceptions import ConllFormatError
from .labels import OUTSIDE, entity_type, is_bio_tag

TokenLists = Sequence[Sequence[str]]
"""Tokens (or tags) per tweet: what every model takes and every metric compares."""
TagLists = list[list[str]]
"""Tags per tweet as a model returns them."""

MAX_LINE_CHARS = 4096
"""Longest accepted line: a tweet is at most 280 characters, so anything far longer is
a broken file (a lost newline, a binary file), not a token."""

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_SEPARATOR = re.compile(r"[ \t]+")
"""Only ASCII spaces and tabs separate columns: Unicode spaces can sit inside tokens."""
_ID_LINE = re.compile(r"# id = (\S+)")
"""A tweet's id, CoNLL-U style, on the line before its first token. No token line can look
like it: ``# id = x`` would be four columns, which a token line never has."""
_DOCSTART = "-DOCSTART-"
"""CoNLL-2003's document marker (``-DOCSTART- -X- -X- O``): a break where a tweet would start
(inside a tweet it is a token); :func:`write_conll` never starts a tweet with it."""


@dataclass(frozen=True)
class Tweet:
    """One tokenized tweet with one BIO tag per token.

    ``line`` is the 1-based source line of the first token (0 when not read from a
    file) and ``id`` the tweet's ``# id = ...`` line, if the file has one (reviewed
    tweets carry their annotation task's id); both are for messages only and are ignored
    when comparing tweets.
    """

    tokens: tuple[str, ...]
    tags: tuple[str, ...]
    line: int = field(default=0, compare=False)
    id: str = field(default="", compare=False)

    @property
    def name(self) -> str:
        """How messages name the tweet: its id if it has one, and its line."""
        return f"tweet {self.id} (line {self.line})" if self.id else f"the tweet at line {self.line}"

    def __post_init__(self) -> None:
        if len(self.tokens) != len(self.tags):
            raise ValueError(f"tweet at line {self.line}: {len(self.tokens)} tokens but {len(self.tags)} tags")


@dataclass(frozen=True)
class Corpus:
    """The tweets of one file, plus how many tags a repair changed while reading.

    ``source`` names the file in messages and is ignored when comparing corpora.
    """

    tweets: tuple[Tweet, ...]
    source: str = field(default="<memory>", compare=False)
    repaired: int = 0

    def __len__(self) -> int:
        return len(self.tweets)

    def __iter__(self) -> Iterator[Tweet]:
        return iter(self.tweets)

    def __getitem__(self, index: int) -> Tweet:
        return self.tweets[index]

    @property
    def n_tokens(self) -> int:
        """Total number of tokens over all tweets."""
        return sum(len(t.tokens) for t in self.tweets)

    @property
    def tokens(self) -> list[list[str]]:
        """Tokens per tweet, as lists (the shape most models and metrics take)."""
        return [list(t.tokens) for t in self.tweets]

    @property
    def tags(self) -> list[list[str]]:
        """Tags per tweet, as lists."""
        return [list(t.tags) for t in self.tweets]


def read_conll(path: str | os.PathLike[str], *, repair: bool = False, tokens_only: bool = False) -> Corpus:
    """Read a CoNLL file strictly.

    Args:
        path: a UTF-8 file of ``token<TAB>tag`` lines (any run of spaces or tabs also
            separates), a blank line between tweets (a line of only tabs or spaces, or a
            ``-DOCSTART-`` line, is a break too), optionally a ``# id = ID`` line before a
            tweet. A UTF-8 byte-order mark and CRLF line ends are accepted. A tag is ``O``
            or ``B-``/``I-`` and any type: which types a corpus may hold is checked
            across its splits (``data.corpora.corpus_labels``).
        repair: turn an ``I-`` tag that starts an entity (after ``O``, after another
            type, or first in a tweet) into ``B-`` and count it in
            ``Corpus.repaired``, instead of rejecting the line.
        tokens_only: read the first column only (for tagging): the tag column may be
            absent or hold anything, and every tag of the result is ``O``.

    Returns:
        The tweets, in file order.

    Raises:
        ConllFormatError: the file cannot be read, is empty, or has a malformed line.
    """
    source = str(path)
    try:
        data = Path(path).read_bytes()
    except IsADirectoryError:
        raise ConllFormatError(source, None, "", "is a directory, not a CoNLL file") from None
    except FileNotFoundError:
        raise ConllFormatError(source, None, "", "no such file") from None
    except PermissionError:
        raise ConllFormatError(source, None, "", "permission denied: cannot read the file") from None
    except OSError as exc:
        raise ConllFormatError(source, None, "", f"cannot read the file ({exc.strerror})") from None
    return parse_conll_bytes(data, source, repair=repair, tokens_only=tokens_only)


def parse_conll_bytes(data: bytes, source: str, *, repair: bool = False, tokens_only: bool = False) -> Corpus:
    """Parse the bytes of a CoNLL file; ``source`` names it in error messages.

    See :func:`read_conll` for the format and the meaning of ``repair`` and ``tokens_only``.
    """
    if data.startswith(_UTF16_BOMS):
        raise ConllFormatError(source, 1, "", "file is UTF-16 encoded; convert it to UTF-8")
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    if not data:
        raise ConllFormatError(source, None, "", "file is empty: no tweets")
    parser = _TweetParser(source, repair, tokens_only)
    for number, raw in enumerate(data.split(b"\n"), start=1):
        parser.feed(number, _decode_line(raw, source, number))
    tweets = parser.finish()
    if not tweets:
        raise ConllFormatError(source, None, "", "file has only blank lines: no tweets")
    return Corpus(tuple(tweets), source=source, repaired=parser.repaired)


def tweet_fingerprints(tokens: TokenLists) -> list[str]:
    """A short SHA-256 of each tweet's tokens, sorted: saved with a model so that scoring it
    on tweets it was trained on can be flagged, without keeping the tweets themselves."""
    return sorted(
        {hashlib.sha256("\n".join(tweet).encode("utf-8", "surrogatepass")).hexdigest()[:16] for tweet in tokens}
    )


def write_conll(path: str | os.PathLike[str], tweets: Iterable[Tweet]) -> None:
    """Write tweets as ``token<TAB>tag`` lines, a blank line after each tweet, and a
    ``# id = ID`` line before each tweet that has an id.

    The file is written atomically: on any error the previous file is left as it was.
    ``read_conll(path)`` gives the same tweets back, ids included.

    Raises:
        ValueError: an id is empty after stripping or holds whitespace, or a tweet starts with the
            token ``-DOCSTART-`` (either could not be read back).
    """
    with atomic_writer(path, "w") as handle:
        for tweet in tweets:
            if tweet.tokens and tweet.tokens[0] == _DOCSTART:
                raise ValueError(f"{tweet.name} starts with the token {_DOCSTART}: it would be read as a break")
            if tweet.id:
                if not _ID_LINE.fullmatch(f"# id = {tweet.id}"):
                    raise ValueError(f"tweet id {tweet.id!r} holds whitespace: it cannot be written as '# id = ...'")
                handle.write(f"# id = {tweet.id}\n")
            handle.write(format_tweet(tweet.tokens, tweet.tags))


def format_tweet(tokens: Sequence[str], *columns: Sequence[str]) -> str:
    """One tweet as CoNLL text: a token and its columns per line, then a blank line.

    >>> format_tweet(["Hi", "Bob"], ["O", "B-person"])
    'Hi\\tO\\nBob\\tB-person\\n\\n'
    """
    rows = ["\t".join((tok, *(col[i] for col in columns))) for i, tok in enumerate(tokens)]
    return "\n".join(rows) + "\n\n"


class _TweetParser:
    """Accumulates lines into tweets, checking each line and the BIO order."""

    def __init__(self, source: str, repair: bool, tokens_only: bool = False) -> None:
        self.source = source
        self.repair = repair
        self.tokens_only = tokens_only
        self.repaired = 0
        self.tweets: list[Tweet] = []
        self._tokens: list[str] = []
        self._tags: list[str] = []
        self._first_line = 0
        self._id = ""

    def feed(self, number: int, line: str) -> None:
        text = line.strip(" \t")
        if not text or (not self._tokens and text.split(maxsplit=1)[0] == _DOCSTART):
            self._close()
            return
        if (found := _ID_LINE.fullmatch(text)) is not None:
            self._start_id(number, text, found.group(1))
            return
        if self.tokens_only:
            token, tag = self._first_column(number, text), OUTSIDE
        else:
            token, tag = self._split(number, text)
            tag = self._check_bio(number, text, tag)
        if not self._tokens:
            self._first_line = number
        self._tokens.append(token)
        self._tags.append(tag)

    def finish(self) -> list[Tweet]:
        self._close()
        if self._id:
            raise ConllFormatError(self.source, None, "", f"the file ends after the id line of {self._id!r}: no tweet")
        return self.tweets

    def _start_id(self, number: int, text: str, tweet_id: str) -> None:
        if self._tokens:
            raise self._fail(number, text, "an id line inside a tweet (it belongs before the tweet's first token)")
        if self._id:
            raise self._fail(number, text, f"a second id line: the tweet already has id {self._id!r}")
        self._id = tweet_id

    def _close(self) -> None:
        if self._tokens:
            self.tweets.append(Tweet(tuple(self._tokens), tuple(self._tags), self._first_line, self._id))
            self._tokens, self._tags, self._id = [], [], ""

    def _fail(self, number: int, text: str, reason: str) -> ConllFormatError:
        return ConllFormatError(self.source, number, text, reason)

    def _first_column(self, number: int, text: str) -> str:
        """The token of a line whose other columns, if any, are ignored. With tabs separating
        columns, a space inside the first one is refused: the token would be cut in two."""
        self._check_characters(number, text)
        if "\t" in text and " " in (first := text.split("\t", 1)[0]):
            raise self._fail(number, text, f"the token {first!r} holds a space (tab-separated columns)")
        return _SEPARATOR.split(text, maxsplit=1)[0]

    def _check_characters(self, number: int, text: str) -> None:
        if len(text) > MAX_LINE_CHARS:
            raise self._fail(number, text, f"line is {len(text)} characters long (limit {MAX_LINE_CHARS})")
        bad = next((c for c in text if c not in "\t " and unicodedata.category(c) == "Cc"), None)
        if bad is not None:
            raise self._fail(number, text, f"control character {bad!r} in line")

    def _split(self, number: int, text: str) -> tuple[str, str]:
        self._check_characters(number, text)
        parts = _SEPARATOR.split(text)
        if len(parts) == 1:
            raise self._fail(number, text, "missing tag column (expected 'token<TAB>tag')")
        if len(parts) > 2:
            raise self._fail(number, text, f"{len(parts)} columns where 'token<TAB>tag' expects 2")
        token, tag = parts
        if not is_bio_tag(tag):
            raise self._fail(number, text, f"tag {tag!r} is not O or B-/I- followed by an entity type")
        return token, tag

    def _check_bio(self, number: int, text: str, tag: str) -> str:
        if not tag.startswith("I-"):
            return tag
        previous = self._tags[-1] if self._tags else OUTSIDE
        if entity_type(previous) == entity_type(tag):
            return tag
        if not self.repair:
            after = f"after {previous}" if self._tags else "at the start of a tweet"
            raise self._fail(
                number,
                text,
                f"{tag} {after} starts an entity without B- (IOB1-style; --repair or repair=True reads it as B-)",
            )
        self.repaired += 1
        return "B-" + tag[2:]


def _decode_line(raw: bytes, source: str, number: int) -> str:
    if raw.endswith(b"\r"):
        raw = raw[:-1]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        shown = raw.decode("utf-8", errors="backslashreplace")
        raise ConllFormatError(source, number, shown, f"invalid UTF-8 at byte {exc.start} of the line") from None

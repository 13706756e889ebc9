"""Malformed CoNLL inputs, written by us, each with the exact failure it must produce.

Every case is run through the strict reader, ``run_all.py --data-dir``, ``tweetner
evaluate`` and ``tweetner predict --input-format conll`` by ``test_reliability.py``.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tweetner_utils.data.conll import MAX_LINE_CHARS

GOOD_SPLIT = b"Made\tO\nit\tO\nto\tO\nNew\tB-geo-loc\nYork\tI-geo-loc\n\nhi\tO\n"
"""A valid split: two tweets, one entity."""


@dataclass(frozen=True)
class Malformed:
    """One bad input: how to make it, the line it fails on (None: the file as a whole), and why."""

    id: str
    make: Callable[[Path], None]
    line: int | None
    reason: str
    repairable: bool = False
    """Accepted when reading with ``repair=True`` (an entity starting with ``I-``)."""
    tag_column_only: bool = False
    """The fault lies in the tag column alone: reading the tokens only (``tweetner predict
    --input-format conll``) accepts the file."""
    unknown_type: bool = False
    """Well-formed BIO whose type the other splits (or the model) lack: the reader accepts it, and
    checking the label set refuses it (``reason`` is then the type)."""


def content(data: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(data)


def directory(path: Path) -> None:
    path.mkdir()


def symlink_loop(path: Path) -> None:
    path.symlink_to(path)


def unreadable(path: Path) -> None:
    """A Unix socket: it exists, but open() fails even for root (chmod would not stop root)."""
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.close()


def absent(path: Path) -> None:
    """Nothing is created."""


CASES: tuple[Malformed, ...] = (
    Malformed("missing-tag-column", content(b"Made\tO\nit\n"), 2, "missing tag column", tag_column_only=True),
    Malformed("empty-tag", content(b"Made\t\n"), 1, "missing tag column", tag_column_only=True),
    Malformed("tag-only", content(b"B-person\n"), 1, "missing tag column", tag_column_only=True),
    Malformed("extra-column", content(b"Made\tO\nNew\tB-geo-loc\tX\n"), 2, "3 columns", tag_column_only=True),
    Malformed("space-in-token", content(b"New York\tB-geo-loc\n"), 1, "3 columns"),
    Malformed("empty-file", content(b""), None, "empty"),
    Malformed("only-blank-lines", content(b"\n\n  \n"), None, "only blank lines"),
    Malformed("unknown-type", content(b"Made\tB-city\n"), 1, "'city'", unknown_type=True),
    Malformed("lowercase-prefix", content(b"Made\tb-person\n"), 1, "is not O or B-/I-", tag_column_only=True),
    Malformed("lowercase-o", content(b"Made\to\n"), 1, "is not O or B-/I-", tag_column_only=True),
    Malformed("misspelled-type", content(b"Made\tB-persn\n"), 1, "'persn'", unknown_type=True),
    Malformed("bioes-prefix", content(b"Made\tE-person\n"), 1, "is not O or B-/I-", tag_column_only=True),
    Malformed("trailing-comma-tag", content(b"Made\tB-person,\n"), 1, "'person,'", unknown_type=True),
    Malformed("i-after-o", content(b"Made\tO\nit\tI-person\n"), 2, "I-person after O", repairable=True),
    Malformed("type-switch", content(b"Hi\tB-person\nx\tI-geo-loc\n"), 2, "after B-person", repairable=True),
    Malformed("i-first", content(b"Bob\tI-person\n"), 1, "at the start of a tweet", repairable=True),
    Malformed("latin1-token", content(b"Made\tO\ncaf\xe9\tO\n"), 2, "invalid UTF-8"),
    Malformed("latin1-tag", content(b"Made\t\xd6\n"), 1, "invalid UTF-8"),
    Malformed("utf8-surrogate", content(b"Made\xed\xa0\x80\tO\n"), 1, "invalid UTF-8"),
    Malformed("utf16-file", content("Made\tO\n".encode("utf-16")), 1, "UTF-16"),
    Malformed("nul-byte", content(b"Ma\x00de\tO\n"), 1, "control character"),
    Malformed("bell-character", content(b"Ma\x07de\tO\n"), 1, "control character"),
    Malformed("cr-only-line-ends", content(b"Made\tO\rit\tO\r"), 1, "control character"),
    Malformed("one-megabyte-line", content(b"x" * 1_000_000 + b"\tO\n"), 1, "characters long"),
    Malformed("over-limit-line", content(b"ok\tO\n" + b"y" * (MAX_LINE_CHARS + 1) + b"\tO\n"), 2, "characters long"),
    Malformed("truncated-last-line", content(b"ok\tO\n\nObama\tB-per"), 3, "'per'", unknown_type=True),
    Malformed("empty-type", content(b"ok\tO\n\nObama\tB-"), 3, "is not O or B-/I-", tag_column_only=True),
    Malformed("directory", directory, None, "is a directory"),
    Malformed("missing-file", absent, None, "no such file"),
    Malformed("symlink-loop", symlink_loop, None, "symbolic links"),
    Malformed("unreadable-socket", unreadable, None, "cannot read"),
)
"""The bad inputs; ``repairable`` ones are accepted by ``--repair``-style reading."""

TOLERATED: tuple[tuple[str, bytes], ...] = (
    ("crlf", b"Made\tO\r\nNew\tB-geo-loc\r\nYork\tI-geo-loc\r\n"),
    ("bom", b"\xef\xbb\xbfMade\tO\nNew\tB-geo-loc\nYork\tI-geo-loc\n"),
    ("mixed-tabs-spaces", b"Made \t O\nNew  B-geo-loc\nYork\t\tI-geo-loc\n"),
    ("trailing-whitespace", b"Made\tO  \nNew\tB-geo-loc \t\nYork\tI-geo-loc\n"),
    ("no-final-newline", b"Made\tO\nNew\tB-geo-loc\nYork\tI-geo-loc"),
)
"""Variants that are not errors: each must read exactly like the plain file."""


def build(case: Malformed, folder: Path, name: str = "input.conll") -> Path:
    """Create the case's input at ``folder/name`` and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    case.make(path)
    return path


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes (to prove nothing changed)."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def os_error_text(path: Path) -> str:
    """What the OS says when opening ``path`` (its wording differs between cases)."""
    try:
        with open(path, "rb"):
            return ""
    except OSError as exc:
        return os.strerror(exc.errno or 0).lower()

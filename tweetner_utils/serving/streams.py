"""Tweets in, tagged records out: the line formats ``tweetner predict`` reads and writes,
shared by the command (one stream) and folder tagging (one file per task, here or on a
Dask cluster), so that every path writes the same bytes for the same input.

Only the standard library is imported at module level: the command imports this module
before it can handle Ctrl-C.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from ..data.tokenizer import Token
    from .api import TweetTagger

MAX_TEXT_CHARS = 10_000
"""Longest accepted input text (a tweet is at most 280 characters)."""
BATCH = 2048
"""Tweets tagged together: large enough to keep the worker processes busy, small enough
that memory stays flat on any input length."""
INPUT_FORMATS = ("text", "jsonl", "conll")
OUTPUT_FORMATS = ("jsonl", "conll")


@dataclass(frozen=True)
class Item:
    """One tweet to tag: an id, its text and its tokens (with offsets into the text)."""

    id: object
    text: str
    tokens: list[Token]


def _nothing() -> None:
    return None


def open_input(path: str, stdin: IO[bytes]) -> IO[bytes]:
    """The file at ``path``, or ``stdin`` for ``-``.

    Raises:
        UsageError: ``path`` is a folder.
    """
    if path == "-":
        return stdin
    if Path(path).is_dir():
        from ..exceptions import UsageError

        raise UsageError(f"{path}: is a folder; give an input file (or -o a folder to tag a folder of files)")
    return open(path, "rb")


def read_items(source: IO[bytes], fmt: str | None, name: str) -> Iterator[Item | Exception]:
    """Each tweet of ``source`` as an :class:`Item`, or the error that names its line.

    ``fmt`` None is text, refused when line 1 is a JSON object with a ``text`` field.
    """
    if fmt == "conll":
        from ..data.conll import parse_conll_bytes

        corpus = parse_conll_bytes(source.read(), name, tokens_only=True)
        for number, tweet in enumerate(corpus, start=1):
            text = " ".join(tweet.tokens)
            yield Item(number, text, tokenize_joined(tweet.tokens))
        return
    from ..exceptions import InputLineError

    for number, raw in enumerate(source, start=1):
        if number == 1:
            raw = raw.removeprefix(codecs.BOM_UTF8)
            if fmt is None:
                _refuse_jsonl_as_text(raw, name)
        try:
            yield _parse_line(number, raw, fmt or "text")
        except InputLineError as exc:
            yield exc


def _refuse_jsonl_as_text(first_line: bytes, name: str) -> None:
    """JSONL tagged as raw text gives plausible nonsense (entities inside the braces)."""
    from ..exceptions import UsageError

    try:
        record = json.loads(first_line)
    except (ValueError, UnicodeDecodeError):
        return
    if isinstance(record, dict) and "text" in record:
        where = "line 1" if name == "-" else f"{name}: line 1"
        raise UsageError(
            f"{where} is a JSON object with a 'text' field: pass --input-format jsonl "
            "(or --input-format text to tag each line as raw text anyway)"
        )


def _parse_line(number: int, raw: bytes, fmt: str) -> Item:
    from ..data.tokenizer import tokenize
    from ..exceptions import InputLineError

    try:
        line = raw.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError as exc:
        raise InputLineError(number, f"invalid UTF-8 at byte {exc.start}") from None
    if not line.strip():
        raise InputLineError(number, "empty line")
    if fmt == "jsonl":
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputLineError(number, f"not a JSON object ({exc.msg})") from None
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise InputLineError(number, 'expected {"id": ..., "text": "..."}')
        item_id, text = record.get("id", number), record["text"]
        _check_encodable(number, "text", text)
        _check_encodable(number, "id", json.dumps(item_id, ensure_ascii=False))
    else:
        item_id, text = number, line
    if not text.strip():
        raise InputLineError(number, "empty text")
    if len(text) > MAX_TEXT_CHARS:
        raise InputLineError(number, f"{len(text)} characters (limit {MAX_TEXT_CHARS})")
    return Item(item_id, text, tokenize(text))


def _check_encodable(number: int, name: str, value: str) -> None:
    """A lone surrogate (a JSON escape such as \\ud83d from a cut-off emoji) is valid JSON but
    cannot be written as UTF-8; it must fail this line, not the whole output."""
    from ..exceptions import InputLineError

    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InputLineError(
            number,
            f"{name} has a lone surrogate U+{ord(value[exc.start]):04X} at character {exc.start} "
            "(a cut-off emoji?); it cannot be written as UTF-8",
        ) from None


def tokenize_joined(tokens: list[str] | tuple[str, ...]) -> list[Token]:
    """Offsets of given tokens in their space-joined text (CoNLL input keeps its tokens)."""
    from ..data.tokenizer import Token

    out, position = [], 0
    for token in tokens:
        out.append(Token(token, position, position + len(token)))
        position += len(token) + 1
    return out


def tag_items(
    tagger: TweetTagger,
    items: Iterable[Item | Exception],
    out: IO[str],
    output_format: str,
    on_error: Callable[[Exception], None],
    before_each: Callable[[], None] = _nothing,
    on_line: Callable[[], None] = _nothing,
) -> int:
    """Tag ``items`` in batches of :data:`BATCH` and write a record per tweet; an error read
    in place of a tweet goes to ``on_error``. Returns the number of errors.

    ``before_each`` runs before each item is handled (progress, checking for Ctrl-C),
    ``on_line`` as each record is handed to ``out`` (see :func:`write_records`)."""
    errors = 0
    batch: list[Item] = []
    for result in items:
        before_each()
        if not isinstance(result, Item):
            errors += 1
            on_error(result)
            continue
        batch.append(result)
        if len(batch) == BATCH:
            write_records(out, tagger, batch, output_format, on_line)
            batch = []
    write_records(out, tagger, batch, output_format, on_line)
    return errors


def write_records(
    out: IO[str], tagger: TweetTagger, batch: list[Item], fmt: str, on_line: Callable[[], None] = _nothing
) -> None:
    """Tag ``batch`` and write one record per tweet: JSONL entities with calibrated
    confidences (the API's values), or CoNLL ``token tag`` lines."""
    from ..data.conll import format_tweet
    from .api import entities_from_tags, model_tokens

    if not batch:
        return
    tags, confidences = tagger.tag_tokens([model_tokens(item.tokens) for item in batch])
    for item, tweet_tags, probs in zip(batch, tags, confidences):
        if fmt == "conll":
            text = format_tweet([t.text for t in item.tokens], tweet_tags)
        else:
            found = entities_from_tags(item.text, item.tokens, tweet_tags, probs, tagger.calibrator)
            record = {"id": item.id, "text": item.text, "entities": [e.to_dict() for e in found]}
            text = json.dumps(record, ensure_ascii=False) + "\n"
        # Counted just before the write: a Ctrl-C can land inside the write, after a full buffer
        # has already reached standard output (a reader then holds the line the count missed);
        # what the write was handed is flushed when an interrupted run exits.
        on_line()
        out.write(text)
    out.flush()

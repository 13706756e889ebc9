"""``tweetner``: tag new tweets (``predict``) or score a model on labelled CoNLL (``evaluate``).

Bad input lines are reported one by one on stderr with their line number; the good
lines are still tagged and written, and output files are written atomically.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import IO

from tqdm import tqdm

from ..atomic_files import atomic_writer
from ..data.conll import format_tweet, parse_conll_bytes, read_conll
from ..data.tokenizer import Token, tokenize
from ..exceptions import InputLineError, TweetnerError
from ..metrics import entity_scores, write_conlleval_file
from .api import TweetTagger, entities_from_tags, load_tagger

MAX_TEXT_CHARS = 10_000
"""Longest accepted input text (a tweet is at most 280 characters)."""
BATCH = 2048
"""Tweets tagged together: large enough to keep the worker processes busy, small enough
that memory stays flat on any input length."""


@dataclass(frozen=True)
class Item:
    """One tweet to tag: an id, its text and its tokens (with offsets into the text)."""

    id: object
    text: str
    tokens: list[Token]


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except (TweetnerError, OSError) as exc:
        print(f"tweetner: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("tweetner: interrupted; no output file was written", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tweetner", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    predict = commands.add_parser("predict", help="tag tweets: text lines, JSONL or CoNLL in; JSONL or CoNLL out")
    predict.add_argument("input", nargs="?", default="-", help="input file (default: standard input)")
    predict.add_argument(
        "--model",
        help="model folder, a folder of models, or 'best' (the default: the strong model chosen on dev) or "
        "'fast' (the knowledge CRF alone, thousands of tweets a second)",
    )
    predict.add_argument("--input-format", choices=("text", "jsonl", "conll"), default="text")
    predict.add_argument("--output-format", choices=("jsonl", "conll"), default="jsonl")
    predict.add_argument("-o", "--output", default="-", help="output file (default: standard output)")
    predict.add_argument("--skip-invalid", action="store_true", help="warn about bad lines and exit 0")
    predict.add_argument("--data-dir", default="", help="data folder for the CRF's gazetteers and clusters")
    predict.add_argument("--workers", type=int, help="worker processes (default: every core for a CRF, else 1)")
    predict.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        help="progress bar on standard error (default: when it is a terminal)",
    )
    predict.set_defaults(run=_predict)
    evaluate = commands.add_parser("evaluate", help="score a model on a labelled CoNLL file")
    evaluate.add_argument("gold", help="labelled CoNLL file (token<TAB>tag)")
    evaluate.add_argument("--model", help="model folder, a folder of models, 'best' (default) or 'fast'")
    evaluate.add_argument("-o", "--output", help="write 'token gold pred' lines here (conlleval input)")
    evaluate.add_argument("--data-dir", default="", help="data folder for the CRF's gazetteers and clusters")
    evaluate.set_defaults(run=_evaluate)
    return parser


def _predict(args: argparse.Namespace) -> int:
    source = sys.stdin.buffer if args.input == "-" else open(args.input, "rb")  # noqa: SIM115
    errors = 0
    with source, load_tagger(args.model, args.data_dir, args.workers) as tagger, _output(args.output) as out:
        progress = _progress_bar(args)
        batch: list[Item] = []
        for result in _items(source, args.input_format, args.input):
            progress.update(1)
            if isinstance(result, InputLineError):
                errors += 1
                progress.write(f"tweetner: {'warning' if args.skip_invalid else 'error'}: {result}", file=sys.stderr)
                continue
            batch.append(result)
            if len(batch) == BATCH:
                _write(out, tagger, batch, args.output_format)
                batch = []
        _write(out, tagger, batch, args.output_format)
        progress.close()
    if errors:
        print(f"tweetner: {errors} input line(s) could not be tagged; all other lines were written", file=sys.stderr)
    return 1 if errors and not args.skip_invalid else 0


def _progress_bar(args: argparse.Namespace) -> tqdm:
    """Tweets read so far on standard error; shown on a terminal unless --progress/--no-progress says otherwise."""
    show = sys.stderr.isatty() if args.progress is None else args.progress
    return tqdm(desc="tagging", unit=" tweets", file=sys.stderr, disable=not show, mininterval=0.5)


def _evaluate(args: argparse.Namespace) -> int:
    gold = read_conll(args.gold)
    tagger = load_tagger(args.model, args.data_dir)
    predicted, _ = tagger.tag_tokens(gold.tokens)
    scores = entity_scores(gold.tags, predicted)
    print(f"model: {tagger.name}; {len(gold)} tweets, {scores.overall.n_gold} gold entities")
    print(f"{'type':<12} {'precision':>9} {'recall':>7} {'F1':>7} {'gold':>6}")
    rows = [("overall", scores.overall), *scores.per_type.items()]
    for name, prf in rows:
        print(f"{name:<12} {100 * prf.precision:9.2f} {100 * prf.recall:7.2f} {100 * prf.f1:7.2f} {prf.n_gold:6d}")
    if args.output:
        write_conlleval_file(args.output, gold.tokens, gold.tags, predicted)
        print(f"wrote token/gold/pred lines to {args.output}")
    return 0


def _items(source: IO[bytes], fmt: str, name: str) -> Iterator[Item | InputLineError]:
    if fmt == "conll":
        corpus = parse_conll_bytes(source.read(), name, repair=True)
        for number, tweet in enumerate(corpus, start=1):
            text = " ".join(tweet.tokens)
            yield Item(number, text, tokenize_joined(tweet.tokens))
        return
    for number, raw in enumerate(source, start=1):
        try:
            yield _parse_line(number, raw, fmt)
        except InputLineError as exc:
            yield exc


def _parse_line(number: int, raw: bytes, fmt: str) -> Item:
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
    else:
        item_id, text = number, line
    if not text.strip():
        raise InputLineError(number, "empty text")
    if len(text) > MAX_TEXT_CHARS:
        raise InputLineError(number, f"{len(text)} characters (limit {MAX_TEXT_CHARS})")
    return Item(item_id, text, tokenize(text))


def tokenize_joined(tokens: list[str] | tuple[str, ...]) -> list[Token]:
    """Offsets of given tokens in their space-joined text (CoNLL input keeps its tokens)."""
    out, position = [], 0
    for token in tokens:
        out.append(Token(token, position, position + len(token)))
        position += len(token) + 1
    return out


def _write(out: IO[str], tagger: TweetTagger, batch: list[Item], fmt: str) -> None:
    if not batch:
        return
    tags, confidences = tagger.tag_tokens([[t.text for t in item.tokens] for item in batch])
    for item, tweet_tags, probs in zip(batch, tags, confidences):
        if fmt == "conll":
            out.write(format_tweet([t.text for t in item.tokens], tweet_tags))
            continue
        found = entities_from_tags(item.text, item.tokens, tweet_tags, probs)
        record = {"id": item.id, "text": item.text, "entities": [e.to_dict() for e in found]}
        out.write(json.dumps(record, ensure_ascii=False) + "\n")


class _output:
    """Standard output, or an atomically written file (nothing half-written on failure)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._context: AbstractContextManager[IO] | None = None

    def __enter__(self) -> IO[str]:
        if self.path == "-":
            return sys.stdout
        self._context = atomic_writer(self.path, "w")
        return self._context.__enter__()

    def __exit__(self, *exc) -> None:
        if self._context is not None:
            self._context.__exit__(*exc)


if __name__ == "__main__":
    sys.exit(main())

"""Unlabelled tweets (TweetEval's text files, about 114,000 tweets) for a teacher to label.

They are read as ``tweetner predict`` reads text (one tweet per line, the same tokenizer,
the same NFC forms), and cleaned before any model sees them: empty lines, repeats and every
tweet that equals a tweet of the labelled corpus are dropped, each counted. Equality is
judged on an *overlap key* (lower case, mentions and URLs as placeholders, punctuation
left out) because TweetEval anonymises mentions as ``@user`` while WNUT keeps them: a
test tweet must not come back as a teacher-labelled training tweet under another handle.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..exceptions import TweetFileError
from .access import data_path, sha256_of
from .synthetic import make_synthetic_corpus
from .tokenizer import model_tokens, tokenize

UNLABELLED_FILES = (
    "tweeteval/emoji_train.txt",
    "tweeteval/emoji_val.txt",
    "tweeteval/emoji_test.txt",
    "tweeteval/sentiment_val.txt",
    "tweeteval/sentiment_test.txt",
)
"""The manifest's unlabelled files, in the order they are read."""

MAX_LINE_CHARS = 10_000
"""As ``tweetner predict``: a longer line is not a tweet."""

_WORD = re.compile(r"\w", re.UNICODE)


def overlap_key(tokens: Sequence[str]) -> str:
    """What two tweets must share to count as the same tweet: their words in lower case,
    every @mention as ``@user`` and every URL as ``<url>``, punctuation and emoticons left out.

    >>> overlap_key(["@jo", "Watching", "the", "#Lakers", "!!", "http://t.co/x"])
    '@user watching the #lakers <url>'
    >>> overlap_key(["@user", "watching", "the", "#lakers", "http://bit.ly/y"])
    '@user watching the #lakers <url>'
    """
    words = []
    for token in tokens:
        if token[:1] in "@＠" and len(token) > 1:
            words.append("@user")
        elif token.lower().startswith(("http://", "https://", "www.")):
            words.append("<url>")
        elif _WORD.search(token):
            words.append(token.lower())
    return " ".join(words)


@dataclass(frozen=True)
class UnlabelledTweets:
    """The tweets kept (model tokens, in file order) and what was dropped, file by file."""

    tokens: tuple[tuple[str, ...], ...]
    files: dict[str, str]
    """Each file read (its manifest name) and its SHA-256: the teacher labels' cache key."""
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    """Per file: ``lines``, ``empty``, ``repeated`` (an earlier line had its key) and
    ``in_<split>`` (equal to a tweet of that labelled split), and ``kept``."""

    def __len__(self) -> int:
        return len(self.tokens)

    def total(self) -> dict[str, int]:
        """The counts summed over the files."""
        summed: dict[str, int] = {}
        for per_file in self.counts.values():
            for key, value in per_file.items():
                summed[key] = summed.get(key, 0) + value
        return summed


def read_unlabelled(
    paths: Mapping[str, str | os.PathLike[str]], held_out: Mapping[str, Iterable[Sequence[str]]]
) -> UnlabelledTweets:
    """The tweets of ``paths`` (name -> file; one tweet per line, UTF-8), cleaned by
    :func:`clean_unlabelled`.

    Raises:
        TweetFileError: a line is not UTF-8 or is longer than :data:`MAX_LINE_CHARS`.
    """
    tweets = {name: (tuple(model_tokens(tokenize(text))) for text in _lines(path)) for name, path in paths.items()}
    return clean_unlabelled(tweets, held_out, {name: sha256_of(path) for name, path in paths.items()})


def clean_unlabelled(
    sources: Mapping[str, Iterable[Sequence[str]]],
    held_out: Mapping[str, Iterable[Sequence[str]]],
    files: Mapping[str, str],
) -> UnlabelledTweets:
    """The tweets of ``sources`` (name -> tokenized tweets) minus empty ones, repeats and every
    tweet whose :func:`overlap_key` a split of ``held_out`` (split name -> its tweets' tokens)
    holds, counted per source; ``files`` names each source's bytes (its SHA-256). A tweet held
    by several splits is counted under the first."""
    split_keys = {split: {overlap_key(tweet) for tweet in tweets} for split, tweets in held_out.items()}
    seen: set[str] = set()
    kept: list[tuple[str, ...]] = []
    counts: dict[str, dict[str, int]] = {}
    for name, tweets in sources.items():
        counts[name] = tally = {"lines": 0, "empty": 0, "repeated": 0, **{f"in_{s}": 0 for s in split_keys}}
        for tokens in tweets:
            tally["lines"] += 1
            key = overlap_key(tokens)
            if not key:
                tally["empty"] += 1
                continue
            held = next((split for split, keys in split_keys.items() if key in keys), None)
            if held is not None:
                tally[f"in_{held}"] += 1
            elif key in seen:
                tally["repeated"] += 1
            else:
                kept.append(tuple(tokens))
            seen.add(key)
        tally["kept"] = tally["lines"] - sum(v for k, v in tally.items() if k not in ("lines", "kept"))
    return UnlabelledTweets(tuple(kept), dict(files), counts)


def unlabelled_paths(
    names: Sequence[str] = UNLABELLED_FILES, data_dir: str | os.PathLike[str] | None = None
) -> dict[str, Path]:
    """The verified local copies of the manifest's unlabelled files (downloaded if needed;
    ``data_path`` refuses a name the manifest lacks)."""
    return {name: data_path(name, data_dir) for name in names}


def _lines(path: str | os.PathLike[str]) -> Iterable[str]:
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                text = raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError as exc:
                raise TweetFileError(str(path), number, f"not UTF-8 ({exc.reason} at byte {exc.start})") from None
            if len(text) > MAX_LINE_CHARS:
                raise TweetFileError(str(path), number, f"{len(text):,} characters: longer than any tweet")
            yield text


SYNTHETIC_UNLABELLED = 600
"""Unlabelled tweets of quick runs (synthetic, names unseen in training among them)."""


def load_unlabelled(
    quick: bool, seed: int, data_dir: str | os.PathLike[str] | None, held_out: Mapping[str, Iterable[Sequence[str]]]
) -> UnlabelledTweets:
    """What a run's teacher labels: the manifest's TweetEval tweets, or in quick runs synthetic
    tweets (the gold splits' tokens of another seed, tags thrown away); cleaned alike."""
    if not quick:
        return read_unlabelled(unlabelled_paths(data_dir=data_dir or None), held_out)
    name = f"synthetic seed={seed}"
    tweets = make_synthetic_corpus(SYNTHETIC_UNLABELLED, seed * 10 + 5, unseen_names=True).tokens
    return clean_unlabelled({name: tweets}, held_out, {name: ""})

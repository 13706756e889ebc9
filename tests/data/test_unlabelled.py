"""Unlabelled tweets: read as `tweetner predict` reads text, cleaned of repeats and of every
tweet the labelled corpus holds (under another handle or link too), each drop counted."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tweetner_utils import synthetic_splits
from tweetner_utils.data.unlabelled import (
    SYNTHETIC_UNLABELLED,
    load_unlabelled,
    overlap_key,
    read_unlabelled,
    unlabelled_paths,
)
from tweetner_utils.exceptions import TweetFileError
from tweetner_utils.serving.api import model_tokens
from tweetner_utils.serving.streams import read_items

TEST_TWEET = ["@mara_q", "great", "show", "at", "Kellan", "Arena", "tonight", "!", "http://t.co/abc"]
DEV_TWEET = ["Norvik", "Rovers", "won", "again"]


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_planted_test_tweet_is_dropped_under_another_handle_and_link(tmp_path: Path) -> None:
    lines = [
        "@user great show at Kellan Arena tonight !!! http://bit.ly/zz",  # the test tweet, anonymised
        "caf\u0065\u0301 time with @user",
        "",
        "Norvik Rovers won again",  # a dev tweet
        "caf\u00e9 time with @someone",  # the second line again (NFC, another handle)
        "watching Silent Orbit tonight",
    ]
    source = write(tmp_path / "u.txt", lines)
    found = read_unlabelled({"u.txt": source}, {"dev": [DEV_TWEET], "test": [TEST_TWEET]})
    assert found.counts["u.txt"] == {"lines": 6, "empty": 1, "repeated": 1, "in_dev": 1, "in_test": 1, "kept": 2}
    assert found.tokens == (("café", "time", "with", "@user"), ("watching", "Silent", "Orbit", "tonight"))
    assert len(found) == 2 and found.total()["kept"] == 2 and len(found.files["u.txt"]) == 64


def test_tweets_are_the_tokens_predict_reads_from_text(tmp_path: Path) -> None:
    lines = ["Obama's visit to NYC!! :) http://t.co/x #news", "I'm at @ Abbot Kinney, Venice \ufe0f"]
    source = write(tmp_path / "u.txt", lines)
    found = read_unlabelled({"u": source}, {})
    predicted = [item for item in read_items(io.BytesIO(source.read_bytes()), "text", "u.txt")]
    assert list(found.tokens) == [tuple(model_tokens(item.tokens)) for item in predicted]


def test_overlap_ignores_case_punctuation_handles_and_links_but_not_words() -> None:
    assert overlap_key(["@a", "Hello", "World", "!!"]) == overlap_key(["@b", "hello", "world", "http://x.co/1"][:3])
    assert overlap_key(["hello", "world"]) != overlap_key(["hello", "there"])
    assert overlap_key(["!!", ":)"]) == ""


@pytest.mark.parametrize(
    ("raw", "reason"),
    [(b"fine\n\xff\xfe broken\n", "2: not UTF-8"), (b"fine\n" + b"x" * 10_001 + b"\n", "2: 10,001 characters")],
)
def test_a_bad_line_names_the_file_and_line(tmp_path: Path, raw: bytes, reason: str) -> None:
    source = tmp_path / "bad.txt"
    source.write_bytes(raw)
    with pytest.raises(TweetFileError, match=f"{source}:{reason}"):
        read_unlabelled({"bad.txt": source}, {})


@pytest.mark.real_data
def test_the_real_unlabelled_tweets_share_no_tweet_with_wnut16_dev_or_test(real_data) -> None:
    from tweetner_utils import load_corpora

    corpora = load_corpora(False, 0, "", "wnut16", "")
    paths = unlabelled_paths()
    found = read_unlabelled(paths, {s: corpora[s].tokens for s in ("train", "dev", "test")})
    total = found.total()
    assert total["lines"] == 114_284 and total["in_dev"] == total["in_test"] == 0 and total["repeated"] > 0
    assert 100_000 < total["kept"] == len(found) < total["lines"]


def test_quick_runs_read_synthetic_unlabelled_tweets_cleaned_like_the_real_ones() -> None:
    splits = synthetic_splits(3)
    held_out = {name: corpus.tokens for name, corpus in splits.items()}
    found = load_unlabelled(True, 3, None, held_out)
    (counts,) = found.counts.values()
    assert counts["lines"] == SYNTHETIC_UNLABELLED and counts["kept"] == len(found) > 100
    assert counts["in_test"] + counts["in_train"] > 0  # synthetic tweets repeat the templates
    keys = {overlap_key(t) for corpus in splits.values() for t in corpus.tokens}
    assert not keys & {overlap_key(t) for t in found.tokens}
    assert load_unlabelled(True, 3, None, held_out) == found

"""The tweet tokenizer follows WNUT16's conventions and keeps offsets (hand-written tweets)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tweetner_utils.data.tokenizer import tokenize

CASES = [
    ("@bob I'm at Disney World !", ["@bob", "I'm", "at", "Disney", "World", "!"]),
    ("Obama's speech was great...", ["Obama", "'s", "speech", "was", "great", "..."]),
    ("don't stop #TeamUSA http://bit.ly/dbDMs8.", ["don't", "stop", "#TeamUSA", "http://bit.ly/dbDMs8", "."]),
    ("lol :) ;) :D <3 *wink*", ["lol", ":)", ";)", ":D", "<3", "*wink*"]),
    ("WHAT?!?! no way!!", ["WHAT", "?!?!", "no", "way", "!!"]),
    ("The U.S. vs. e-mail, 11th Jan 2016", ["The", "U.S", ".", "vs", ".", "e-mail", ",", "11th", "Jan", "2016"]),
    ("AT&T (and) Barnes & Noble", ["AT&T", "(", "and", ")", "Barnes", "&", "Noble"]),
    ("RT @x: \u200bWhy café", ["RT", "@x", ":", "\u200bWhy", "café"]),
    ("", []),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_tokens_follow_wnut_conventions(text: str, expected: list[str]) -> None:
    assert [t.text for t in tokenize(text)] == expected


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_offsets_point_into_the_text(text: str, expected: list[str]) -> None:
    for token in tokenize(text):
        assert text[token.start : token.end] == token.text


@given(st.text(max_size=200))
def test_every_non_space_character_is_covered_once(text: str) -> None:
    tokens = tokenize(text)
    covered = [i for t in tokens for i in range(t.start, t.end)]
    assert covered == sorted(set(covered))
    assert all(text[i].isspace() for i in range(len(text)) if i not in set(covered))

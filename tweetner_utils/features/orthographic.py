"""Token features for the linear and CRF taggers.

``original_token_features`` reproduces the original analysis exactly (its SGD numbers
depend on it); ``crf_token_features`` is the orthographic and context-window set of the
CRF baseline.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

FeatureValue = str | bool | int | float
"""A feature's value: strings are one-hot (``key:value``), numbers weigh the key."""
FeatureDict = dict[str, FeatureValue]

_URL = re.compile(r"^(https?://|www\.)", re.IGNORECASE)


def original_token_features(tokens: Sequence[str], i: int) -> FeatureDict:
    """The original analysis's 14 features of token ``i`` (word, affixes, neighbours, flags)."""
    tok = tokens[i]
    prev_tok = tokens[i - 1] if i > 0 else "<START>"
    next_tok = tokens[i + 1] if i < len(tokens) - 1 else "<END>"
    return {
        "tok": tok,
        "tok_lower": tok.lower(),
        "is_upper": tok.isupper(),
        "is_title": tok.istitle(),
        "is_digit": tok.isdigit(),
        "prefix1": tok[:1],
        "prefix2": tok[:2],
        "suffix1": tok[-1:],
        "suffix2": tok[-2:],
        "prev_lower": prev_tok.lower(),
        "next_lower": next_tok.lower(),
        "has_hash": "#" in tok,
        "has_at": "@" in tok,
        "has_url_hint": ("http" in tok.lower()) or ("www" in tok.lower()),
    }


def word_shape(token: str, *, compress: bool = True) -> str:
    """Characters mapped to X/x/d/other, runs squeezed when ``compress``.

    >>> word_shape("McDonald's"), word_shape("2016", compress=False)
    ("XxXx'x", 'dddd')
    """
    shape: list[str] = []
    last = None
    for char in token:
        mapped = "X" if char.isupper() else "x" if char.islower() else "d" if char.isdigit() else char
        if not compress or mapped != last:
            shape.append(mapped)
            last = mapped
    return "".join(shape)


def orthographic_features(token: str) -> FeatureDict:
    """Case, shape, affix and Twitter-markup features of one token."""
    lower = token.lower()
    core = token.lstrip("#@")
    return {
        "lower": lower,
        "shape": word_shape(token),
        "prefix3": lower[:3],
        "suffix3": lower[-3:],
        "suffix2": lower[-2:],
        "is_title": token.istitle(),
        "is_upper": token.isupper() and len(token) > 1,
        "has_upper": any(map(str.isupper, token)),
        "has_digit": any(map(str.isdigit, token)),
        "is_punct": not any(map(str.isalnum, token)),
        "is_hashtag": token.startswith("#") and len(token) > 1,
        "is_mention": token.startswith("@") and len(token) > 1,
        "is_url": bool(_URL.match(token)),
        "core_title": core[:1].isupper(),
        "length": min(len(token), 10),
    }


CONTEXT_WINDOW = 2
"""Neighbours on each side whose features a token sees."""
NEIGHBOUR_KEYS: tuple[str, ...] = ("lower", "shape", "is_title", "is_hashtag", "is_mention", "suffix3")
"""The orthographic features a token sees of each neighbour."""


def crf_token_features(tokens: Sequence[str], i: int, window: int = CONTEXT_WINDOW) -> FeatureDict:
    """Orthographic features of token ``i`` plus those of its neighbours within ``window``."""
    features: FeatureDict = {"bias": 1.0}
    features.update(orthographic_features(tokens[i]))
    for offset in range(-window, window + 1):
        if offset == 0:
            continue
        j = i + offset
        if 0 <= j < len(tokens):
            neighbour = orthographic_features(tokens[j])
            for key in NEIGHBOUR_KEYS:
                features[f"{offset:+d}:{key}"] = neighbour[key]
        else:
            features[f"{offset:+d}:boundary"] = True
    if i == 0:
        features["first"] = True
    if i == len(tokens) - 1:
        features["last"] = True
    return features


def crf_sentence_features(tokens: Sequence[str]) -> list[FeatureDict]:
    """CRF features for every token of one tweet."""
    return [crf_token_features(tokens, i) for i in range(len(tokens))]


class OrthographicFeaturizer:
    """:func:`crf_sentence_features` as an object that can be named in saved metadata."""

    def __init__(self) -> None:
        self.spec = {"kind": "orthographic"}

    def __call__(self, tokens: Sequence[str]) -> list[FeatureDict]:
        return crf_sentence_features(tokens)


CASING_CLASSES = 7
"""How many values :func:`casing_class` takes, padding (0) included: the size of a casing embedding."""


def casing_class(word: str) -> int:
    """1 lower, 2 Title, 3 UPPER, 4 mixed case, 5 has a digit, 6 no letters (0 is padding).

    >>> [casing_class(w) for w in ("obama", "Obama", "NASA", "iPhone", "4G", "!!")]
    [1, 2, 3, 4, 5, 6]
    """
    letters = [c for c in word if c.isalpha()]
    if any(c.isdigit() for c in word):
        return 5
    if not letters:
        return 6
    if all(c.islower() for c in letters):
        return 1
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return 3
    if letters[0].isupper() and all(c.islower() for c in letters[1:]):
        return 2
    return 4

"""Language drift between the training tweets (2015) and newer ones (dev and test, 2016).

A tagger trained on 2015 tweets meets new words and new names in 2016; these numbers
say how much, so the gap between dev and test scores (and the weekly monitoring
thresholds) can be read against them.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ..data.conll import Corpus
from .eda import entities_by_type, entity_overlap


def vocabulary(corpus: Corpus) -> set[str]:
    """Lowercased token forms (Twitter capitalisation varies too much to count it as new words)."""
    return {token.lower() for tweet in corpus for token in tweet.tokens}


def oov_rate(reference: set[str], corpus: Corpus) -> dict[str, float]:
    """Share of ``corpus`` tokens (running words) and of its distinct forms missing from ``reference``.

    >>> from tweetner_utils.data.conll import Tweet
    >>> oov_rate({"hi"}, Corpus((Tweet(("hi", "Bob", "hi"), ("O", "B-person", "O")),)))
    {'tokens': 3, 'oov_token_rate': 0.3333, 'oov_type_rate': 0.5}
    """
    tokens = [token.lower() for tweet in corpus for token in tweet.tokens]
    forms = set(tokens)
    return {
        "tokens": len(tokens),
        "oov_token_rate": round(sum(t not in reference for t in tokens) / max(len(tokens), 1), 4),
        "oov_type_rate": round(len(forms - reference) / max(len(forms), 1), 4),
    }


def oov_table(corpora: Mapping[str, Corpus], reference: str = "train") -> pd.DataFrame:
    """OOV rates of every other split against the ``reference`` split's vocabulary."""
    known = vocabulary(corpora[reference])
    rows = {name: oov_rate(known, corpus) for name, corpus in corpora.items() if name != reference}
    return pd.DataFrame(rows).T


def type_shift(corpora: Mapping[str, Corpus], reference: str = "train") -> pd.DataFrame:
    """Per type: its share of entities in each split, and each split's change against ``reference``."""
    percent = entities_by_type(corpora)
    shares = pd.DataFrame({name: percent[f"{name}_pct"] / 100 for name in corpora})
    for name in corpora:
        if name != reference:
            shares[f"{name} - {reference}"] = shares[name] - shares[reference]
    return shares


def shift_distance(shift: pd.DataFrame, split: str, reference: str = "train") -> float:
    """Total variation distance between two splits' type mixes (0: same mix, 1: disjoint).

    >>> frame = pd.DataFrame({"train": [0.5, 0.5], "test": [1.0, 0.0]})
    >>> shift_distance(frame, "test")
    0.5
    """
    return round(float((shift[split] - shift[reference]).abs().sum() / 2), 4)


def drift_record(corpora: Mapping[str, Corpus], reference: str = "train") -> dict:
    """Everything the reports and the summary need about drift, per split, as plain numbers."""
    oov = oov_table(corpora, reference)
    shift = type_shift(corpora, reference)
    return {
        split: {
            "oov_token_rate": float(oov.loc[split, "oov_token_rate"]),
            "oov_type_rate": float(oov.loc[split, "oov_type_rate"]),
            "type_shift_distance": shift_distance(shift, split, reference),
            "unseen_entity_share": round(1 - entity_overlap(corpora[reference], corpora[split])["seen_pct"] / 100, 4),
            "largest_type_change": _largest_change(shift[f"{split} - {reference}"]),
        }
        for split in corpora
        if split != reference
    }


def _largest_change(change: pd.Series) -> dict:
    kind = str(change.abs().idxmax())
    return {"type": kind, "points": round(100 * float(change[kind]), 1)}

"""Scores of predicted tag sequences: comparable with published shared-task results, and the original's.

Entity scores follow the shared task's ``conlleval``: an entity counts only with the
exact span and type, and an ``I-`` tag after ``O`` or after another type starts a new
entity (``data.labels.entities``). The token-level macro score reproduces the original
analysis so its numbers can be traced, not because it is a good measure.

This module sits below the models because they use it too: dev selection, SGD's alpha
search and the BiLSTM's early stopping score with the same functions the reports do.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from .atomic_files import atomic_writer
from .data.conll import TokenLists
from .data.labels import OUTSIDE, LabelSet, entities

TagSequences = TokenLists


@dataclass(frozen=True)
class PRF:
    """Precision, recall and F1 with the counts they come from."""

    precision: float
    recall: float
    f1: float
    n_gold: int
    n_pred: int
    n_correct: int

    @classmethod
    def from_counts(cls, n_correct: int, n_pred: int, n_gold: int) -> PRF:
        """Scores from counts; a ratio with a zero denominator is 0, as in conlleval."""
        precision = n_correct / n_pred if n_pred else 0.0
        recall = n_correct / n_gold if n_gold else 0.0
        f1 = 2 * n_correct / (n_pred + n_gold) if (n_pred + n_gold) else 0.0
        return cls(precision, recall, f1, n_gold, n_pred, n_correct)


@dataclass(frozen=True)
class EntityScores:
    """Micro-averaged entity scores plus one :class:`PRF` per entity type."""

    overall: PRF
    per_type: dict[str, PRF]

    def to_dict(self) -> dict:
        """Plain data for JSON results files."""
        return {"overall": asdict(self.overall), "per_type": {k: asdict(v) for k, v in self.per_type.items()}}


def entity_scores(gold: TagSequences, pred: TagSequences, types: Sequence[str] = ()) -> EntityScores:
    """Entity-level precision/recall/F1 with ``conlleval`` semantics.

    Args:
        gold: one tag sequence per tweet.
        pred: predicted tags, aligned with ``gold`` tweet by tweet and token by token.
        types: types to score even where neither side has one (a corpus's full label set);
            every type found in ``gold`` or ``pred`` is scored anyway.

    Returns:
        Micro-averaged scores over all types, and scores for each type, in alphabetical order.
    """
    found, counts = entity_counts(gold, pred, types)
    totals = counts.sum(axis=0)
    per_type = {
        kind: PRF.from_counts(int(totals[i, 0]), int(totals[i, 1]), int(totals[i, 2])) for i, kind in enumerate(found)
    }
    overall = totals.sum(axis=0)
    return EntityScores(PRF.from_counts(int(overall[0]), int(overall[1]), int(overall[2])), per_type)


def entity_counts(
    gold: TagSequences, pred: TagSequences, types: Sequence[str] = ()
) -> tuple[tuple[str, ...], np.ndarray]:
    """The types scored (``types`` and every type found, sorted) and per-tweet, per-type counts
    ``[correct, predicted, gold]``: shape (tweets, types, 3).

    Kept per tweet so that bootstrap resampling of tweets needs no re-parsing.
    """
    _check_aligned(gold, pred)
    parsed = [(entities(g_tags), entities(p_tags)) for g_tags, p_tags in zip(gold, pred)]
    found = set(types) | {kind for pair in parsed for side in pair for kind, _, _ in side}
    kinds = tuple(sorted(found))
    index = {kind: i for i, kind in enumerate(kinds)}
    counts = np.zeros((len(gold), len(kinds), 3), dtype=np.int64)
    for row, (g_ents, p_ents) in enumerate(parsed):
        for kind, _, _ in g_ents & p_ents:
            counts[row, index[kind], 0] += 1
        for kind, _, _ in p_ents:
            counts[row, index[kind], 1] += 1
        for kind, _, _ in g_ents:
            counts[row, index[kind], 2] += 1
    return kinds, counts


def bootstrap_f1_ci(
    gold: TagSequences,
    pred: TagSequences,
    *,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """A percentile bootstrap interval for micro entity F1, resampling whole tweets.

    Tweets, not tokens or entities, are the independent units a user would sample.

    Returns:
        ``(low, high)`` bounds of the ``confidence`` interval.
    """
    per_tweet = entity_counts(gold, pred)[1].sum(axis=1)  # (tweets, 3)
    picks = np.random.default_rng(seed).integers(0, len(per_tweet), size=(n_resamples, len(per_tweet)))
    alpha = (1 - confidence) / 2
    low, high = np.quantile(_resampled_f1(per_tweet, picks), [alpha, 1 - alpha])
    return float(low), float(high)


def _resampled_f1(per_tweet: np.ndarray, picks: np.ndarray) -> np.ndarray:
    """Micro F1 of each resample: ``picks`` (resamples, tweets) indexes ``per_tweet`` (tweets, 3)."""
    sums = per_tweet[picks].sum(axis=1)  # (resamples, 3)
    denominators = sums[:, 1] + sums[:, 2]
    return np.divide(2 * sums[:, 0], denominators, out=np.zeros(len(picks)), where=denominators > 0)


def paired_bootstrap_f1_difference(
    gold: TagSequences,
    before: TagSequences,
    after: TagSequences,
    *,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float, float]:
    """Entity F1 of ``after`` minus that of ``before`` on the same tweets, with a percentile
    bootstrap interval that resamples the same tweets for both.

    Pairing is what makes a small difference measurable: two models' separate intervals
    overlap even when one is better on nearly every resample.

    Returns:
        ``(difference, low, high)``.
    """
    first, second = (entity_counts(gold, pred)[1].sum(axis=1) for pred in (before, after))  # (tweets, 3) each
    picks = np.random.default_rng(seed).integers(0, len(first), size=(n_resamples, len(first)))
    alpha = (1 - confidence) / 2
    low, high = np.quantile(_resampled_f1(second, picks) - _resampled_f1(first, picks), [alpha, 1 - alpha])
    difference = entity_scores(gold, after).overall.f1 - entity_scores(gold, before).overall.f1
    return float(difference), float(low), float(high)


def token_macro_non_o(gold: TagSequences, pred: TagSequences, labels: Sequence[str] = ()) -> dict[str, float]:
    """The original analysis's token-level score: sklearn macro P/R/F1 over non-O tags.

    ``labels`` are the tags averaged over; by default both tags (``B-``, ``I-``) of every type
    in ``gold`` or ``pred``, which is the corpus's label set whenever each type occurs.

    Returns:
        ``precision_non_o_macro``, ``recall_non_o_macro`` and ``f1_non_o_macro``, the keys
        the original printed.
    """
    _check_aligned(gold, pred)
    flat_gold = [t for seq in gold for t in seq]
    flat_pred = [t for seq in pred for t in seq]
    if not labels:
        if all(t == OUTSIDE for t in (*flat_gold, *flat_pred)):
            return {"precision_non_o_macro": 0.0, "recall_non_o_macro": 0.0, "f1_non_o_macro": 0.0}
        labels = LabelSet.from_tags([flat_gold, flat_pred]).entity_labels
    from sklearn.metrics import precision_recall_fscore_support  # a second of imports: only when needed

    precision, recall, f1, _ = precision_recall_fscore_support(
        flat_gold, flat_pred, labels=list(labels), average="macro", zero_division=0
    )
    return {
        "precision_non_o_macro": float(precision),
        "recall_non_o_macro": float(recall),
        "f1_non_o_macro": float(f1),
    }


def write_conlleval_file(
    path: str | os.PathLike[str],
    tokens: TagSequences,
    gold: TagSequences,
    pred: TagSequences,
) -> None:
    """Write ``token gold pred`` lines, the input of the shared task's ``conlleval.pl``.

    conlleval.pl splits each line on a single space (its default ``-d " "``), so the
    columns are joined by one space and a space inside a token (possible in tokens given
    through the Python API) becomes ``_``. Written atomically.
    """
    _check_aligned(gold, pred)
    _check_aligned(tokens, gold)
    with atomic_writer(path, "w") as handle:
        for toks, g_tags, p_tags in zip(tokens, gold, pred):
            rows = (f"{tok.replace(' ', '_') or '_'} {g} {p}" for tok, g, p in zip(toks, g_tags, p_tags))
            handle.write("\n".join(rows) + "\n\n")


def _check_aligned(first: TagSequences, second: TagSequences) -> None:
    if len(first) != len(second):
        raise ValueError(f"{len(first)} tweets against {len(second)}: sequences are not aligned")
    for i, (a, b) in enumerate(zip(first, second)):
        if len(a) != len(b):
            raise ValueError(f"tweet {i}: {len(a)} tags against {len(b)}: sequences are not aligned")

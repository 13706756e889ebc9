"""Scores of predicted tag sequences: comparable with published WNUT16 results, and the original's.

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
from .data.labels import ENTITY_LABELS, ENTITY_TYPES, entities

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


def entity_scores(gold: TagSequences, pred: TagSequences) -> EntityScores:
    """Entity-level precision/recall/F1 with ``conlleval`` semantics.

    Args:
        gold: one tag sequence per tweet.
        pred: predicted tags, aligned with ``gold`` tweet by tweet and token by token.

    Returns:
        Micro-averaged scores over all types, and scores for each of the ten types.
    """
    counts = entity_counts(gold, pred)
    totals = counts.sum(axis=0)
    per_type = {
        kind: PRF.from_counts(int(totals[i, 0]), int(totals[i, 1]), int(totals[i, 2]))
        for i, kind in enumerate(ENTITY_TYPES)
    }
    overall = totals.sum(axis=0)
    return EntityScores(PRF.from_counts(int(overall[0]), int(overall[1]), int(overall[2])), per_type)


def entity_counts(gold: TagSequences, pred: TagSequences) -> np.ndarray:
    """Per-tweet, per-type counts ``[correct, predicted, gold]``: shape (tweets, 10, 3).

    Kept per tweet so that bootstrap resampling of tweets needs no re-parsing.
    """
    _check_aligned(gold, pred)
    index = {kind: i for i, kind in enumerate(ENTITY_TYPES)}
    counts = np.zeros((len(gold), len(ENTITY_TYPES), 3), dtype=np.int64)
    for row, (g_tags, p_tags) in enumerate(zip(gold, pred)):
        g_ents, p_ents = entities(g_tags), entities(p_tags)
        for kind, _, _ in g_ents & p_ents:
            counts[row, index[kind], 0] += 1
        for kind, _, _ in p_ents:
            counts[row, index[kind], 1] += 1
        for kind, _, _ in g_ents:
            counts[row, index[kind], 2] += 1
    return counts


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
    per_tweet = entity_counts(gold, pred).sum(axis=1)  # (tweets, 3)
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
    first, second = (entity_counts(gold, pred).sum(axis=1) for pred in (before, after))  # (tweets, 3) each
    picks = np.random.default_rng(seed).integers(0, len(first), size=(n_resamples, len(first)))
    alpha = (1 - confidence) / 2
    low, high = np.quantile(_resampled_f1(second, picks) - _resampled_f1(first, picks), [alpha, 1 - alpha])
    difference = entity_scores(gold, after).overall.f1 - entity_scores(gold, before).overall.f1
    return float(difference), float(low), float(high)


def token_macro_non_o(
    gold: TagSequences, pred: TagSequences, labels: Sequence[str] = ENTITY_LABELS
) -> dict[str, float]:
    """The original analysis's token-level score: sklearn macro P/R/F1 over non-O tags.

    Returns:
        ``precision_non_o_macro``, ``recall_non_o_macro`` and ``f1_non_o_macro``, the keys
        the original printed.
    """
    _check_aligned(gold, pred)
    flat_gold = [t for seq in gold for t in seq]
    flat_pred = [t for seq in pred for t in seq]
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

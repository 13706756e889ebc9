"""Confidence routing: which predicted entities can be accepted automatically.

Each predicted entity gets a confidence: the mean probability of its tags, mapped by the
model's calibrator (chosen on dev, ``models.calibration``) to the share of such entities
that are right. A threshold on that calibrated value is chosen on dev so that the
entities above it reach a target precision; what it does on test is reported, never tuned.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..data.conll import Corpus
from ..data.labels import entities
from ..models.calibration import IDENTITY, Calibrator
from ..models.protocol import entity_confidence


def scored_entities(
    gold: Sequence[Sequence[str]],
    pred: Sequence[Sequence[str]],
    confidences: Sequence[Sequence[float]],
    calibrator: Calibrator = IDENTITY,
) -> pd.DataFrame:
    """One row per predicted entity: its confidence (mean tag marginal, then ``calibrator``)
    and whether it is correct."""
    rows = []
    for g_tags, p_tags, conf in zip(gold, pred, confidences):
        gold_set = entities(g_tags)
        # in text order: a set's order changes with every process's string hashing, and the
        # calibration's cross-validation folds follow the row order
        for kind, start, end in sorted(entities(p_tags), key=lambda e: (e[1], e[2], e[0])):
            rows.append(
                {
                    "type": kind,
                    "confidence": entity_confidence(conf, start, end),
                    "correct": (kind, start, end) in gold_set,
                }
            )
    scored = pd.DataFrame(rows, columns=["type", "confidence", "correct"])
    scored["confidence"] = calibrator(scored["confidence"].to_numpy(dtype=float))
    return scored


def precision_coverage(scored: pd.DataFrame, n_gold: int) -> pd.DataFrame:
    """For each distinct confidence, as a threshold: share of predictions kept, their precision,
    and recall.

    One row per distinct value, counting every entity at that value: a threshold keeps all
    entities tied at it or none of them. Calibration makes ties common (an isotonic map is a
    step function), and a row per entity would let a threshold be chosen for the precision
    of part of a tie, which the threshold cannot deliver.
    """
    ordered = scored.sort_values("confidence", ascending=False, kind="stable").reset_index(drop=True)
    kept = np.arange(1, len(ordered) + 1)
    correct = ordered["correct"].cumsum().to_numpy()
    confidence = ordered["confidence"].to_numpy()
    last_of_value = np.append(confidence[1:] != confidence[:-1], True) if len(confidence) else np.zeros(0, bool)
    kept, correct = kept[last_of_value], correct[last_of_value]
    return pd.DataFrame(
        {
            "threshold": confidence[last_of_value],
            "coverage": kept / max(1, len(ordered)),
            "precision": correct / np.maximum(kept, 1),
            "recall": correct / max(1, n_gold),
        }
    )


def choose_threshold(curve: pd.DataFrame, min_precision: float) -> float | None:
    """The lowest threshold whose kept predictions reach ``min_precision`` (None if none does).

    Lowest, so that as many entities as possible are accepted automatically.
    """
    meeting = curve[curve["precision"] >= min_precision]
    return None if meeting.empty else float(meeting["threshold"].min())


def apply_threshold(scored: pd.DataFrame, threshold: float | None, n_tweets: int) -> dict[str, float]:
    """Share auto-accepted, their precision, and review items per 1,000 tweets at ``threshold``."""
    accepted = scored[scored["confidence"] >= threshold] if threshold is not None else scored.iloc[0:0]
    review = len(scored) - len(accepted)
    return {
        "auto_accepted_share": len(accepted) / len(scored) if len(scored) else 0.0,
        "auto_accepted_precision": float(accepted["correct"].mean()) if len(accepted) else 0.0,
        "review_per_1000_tweets": 1000 * review / max(1, n_tweets),
    }


def routing_report(
    dev: Corpus,
    dev_tags: Sequence[Sequence[str]],
    dev_confidences: Sequence[Sequence[float]],
    test: Corpus,
    test_tags: Sequence[Sequence[str]],
    test_confidences: Sequence[Sequence[float]],
    min_precision: float = 0.8,
    calibrator: Calibrator = IDENTITY,
) -> tuple[dict, pd.DataFrame]:
    """Choose the auto-accept threshold (in ``calibrator``'s units) on dev for ``min_precision``;
    report what it does on test.

    Returns:
        The threshold, the calibrator it is in the units of, its outcome on dev and test,
        and the dev precision-coverage curve.
    """
    n_dev_gold = sum(len(entities(t.tags)) for t in dev)
    dev_scored = scored_entities(dev.tags, dev_tags, dev_confidences, calibrator)
    dev_curve = precision_coverage(dev_scored, n_dev_gold)
    threshold = choose_threshold(dev_curve, min_precision)
    test_scored = scored_entities(test.tags, test_tags, test_confidences, calibrator)
    return {
        "min_precision": min_precision,
        "threshold": threshold,
        "calibration": calibrator.to_dict(),
        "dev": apply_threshold(dev_scored, threshold, len(dev)),
        "test": apply_threshold(test_scored, threshold, len(test)),
    }, dev_curve

"""Alert levels for a weekly labelled sample, set for the sample's size.

A team checks the model each week on a small labelled sample (200 tweets by default). An
alert level taken from an interval over the 3,850 test tweets would be far too tight for
200 tweets: the sample alone moves F1 by several points, and about one week in three
would alert with nothing changed. So each level here is a quantile of the metric over
simulated 200-tweet weeks drawn from today's test predictions, and the share of weeks
that alert with nothing changed (the false-alarm rate) is measured by the same simulation,
on test and on dev, and reported, never assumed.

Metrics are ratios of counts summed over a week's tweets; the per-tweet counts are
recorded so that anyone can re-run the simulation from the results file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..data.conll import Corpus
from ..data.corpora import known_names
from ..data.labels import entities
from ..models.calibration import IDENTITY, Calibrator
from ..models.protocol import entity_confidence
from .model_analysis import ModelAnalysis

WEEK_TWEETS = 200
"""Tweets labelled per week."""
SIMULATED_WEEKS = 4000

COUNTS = ("gold", "predicted", "correct", "accepted", "accepted_correct", "unseen_gold")
"""Per-tweet counts every labelled metric is built from."""


@dataclass(frozen=True)
class LabelledMetric:
    """One row of the plan that needs the weekly labelled sample."""

    name: str
    numerator: tuple[str, ...]
    """Counts summed (with ``scale``) over the week, divided by the denominator's."""
    denominator: tuple[str, ...]
    alert_below: bool
    """True: a low value is bad (F1, precision); False: a high one is (misses, new names)."""
    scale: float = 1.0
    complement: bool = False
    """The metric is one minus the ratio (the share of entities missed is 1 - recall)."""


METRICS: tuple[LabelledMetric, ...] = (
    LabelledMetric("entity F1", ("correct",), ("gold", "predicted"), alert_below=True, scale=2.0),
    LabelledMetric("precision of auto-accepted entities", ("accepted_correct",), ("accepted",), alert_below=True),
    LabelledMetric(
        "share of real entities the model misses", ("correct",), ("gold",), alert_below=False, complement=True
    ),
    LabelledMetric(
        "share of entities with names never seen in training", ("unseen_gold",), ("gold",), alert_below=False
    ),
)
FALSE_ALARM = 0.05 / len(METRICS)
"""Share of unchanged weeks one labelled row may alert in (a one-sided quantile of the
simulation): the 5% a team tolerates for the whole plan, split over its labelled rows."""


def tweet_counts(
    corpus: Corpus,
    tags: Sequence[Sequence[str]],
    confidences: Sequence[Sequence[float]],
    threshold: float | None,
    train: Corpus,
    calibrator: Calibrator = IDENTITY,
) -> dict[str, list[int]]:
    """Per tweet: gold, predicted and correct entities, those accepted automatically (calibrated
    confidence at or above ``threshold``) and how many of those are right, gold entities with
    new names."""
    known = known_names(train)
    counts: dict[str, list[int]] = {name: [] for name in COUNTS}
    for tweet, pred, conf in zip(corpus, tags, confidences):
        gold = entities(tweet.tags)
        found = entities(pred)
        accepted = {
            e
            for e in found
            if threshold is not None and calibrator.value(entity_confidence(conf, e[1], e[2])) >= threshold
        }
        unseen = sum((kind, " ".join(tweet.tokens[a : b + 1]).lower()) not in known for kind, a, b in gold)
        for name, value in zip(
            COUNTS, (len(gold), len(found), len(gold & found), len(accepted), len(accepted & gold), unseen)
        ):
            counts[name].append(value)
    return counts


def metric_values(metric: LabelledMetric, counts: dict[str, np.ndarray]) -> np.ndarray:
    """The metric of each week: ``counts`` are arrays (weeks, ...) of a count summed per week."""
    top = metric.scale * sum(counts[c] for c in metric.numerator)
    bottom = sum(counts[c] for c in metric.denominator)
    ratio = np.divide(top, bottom, out=np.full(np.shape(top), np.nan, dtype=float), where=bottom > 0)
    return 1.0 - ratio if metric.complement else ratio


def simulated_weeks(counts: dict[str, list[int]], weeks: int, size: int, seed: int) -> dict[str, np.ndarray]:
    """Per count, its sum over each of ``weeks`` samples of ``size`` tweets (drawn with replacement)."""
    rows = np.random.default_rng(seed).integers(0, len(counts[COUNTS[0]]), size=(weeks, size))
    return {name: np.asarray(values)[rows].sum(axis=1) for name, values in counts.items()}


def alerts(metric: LabelledMetric, values: np.ndarray, level: float) -> np.ndarray:
    """Which weeks alert (a week whose metric cannot be computed, no entities, does not)."""
    with np.errstate(invalid="ignore"):
        return values < level if metric.alert_below else values > level


def weekly_plan(
    test_counts: dict[str, list[int]],
    dev_counts: dict[str, list[int]],
    *,
    week_tweets: int = WEEK_TWEETS,
    false_alarm: float = FALSE_ALARM,
    weeks: int = SIMULATED_WEEKS,
    seed: int = 0,
) -> dict:
    """Alert levels from simulated weeks of the test predictions, and the false-alarm rate each
    level (and any of them) gives on fresh simulated weeks of test and of dev.

    The levels and the rates use different draws, so a rate is a measurement, not the
    quantile read back.
    """
    levels_from = simulated_weeks(test_counts, weeks, week_tweets, seed)
    checks = {
        "test": simulated_weeks(test_counts, weeks, week_tweets, seed + 1),
        "dev": simulated_weeks(dev_counts, weeks, week_tweets, seed + 2),
    }
    rows, any_alert = [], {split: np.zeros(weeks, dtype=bool) for split in checks}
    for metric in METRICS:
        values = metric_values(metric, levels_from)
        level = float(np.nanquantile(values, false_alarm if metric.alert_below else 1 - false_alarm))
        row = {
            "metric": metric.name,
            "alert_below": metric.alert_below,
            "level": level,
            "baseline_test": float(metric_values(metric, _totals(test_counts))),
            "baseline_dev": float(metric_values(metric, _totals(dev_counts))),
        }
        for split, drawn in checks.items():
            fired = alerts(metric, metric_values(metric, drawn), level)
            any_alert[split] |= fired
            row[f"false_alarm_{split}"] = float(fired.mean())
        rows.append(row)
    return {
        "week_tweets": week_tweets,
        "false_alarm_target": false_alarm,
        "simulated_weeks": weeks,
        "rows": rows,
        "any_row_false_alarm": {split: float(fired.mean()) for split, fired in any_alert.items()},
        "per_tweet": {"test": test_counts, "dev": dev_counts},
    }


def _totals(counts: dict[str, list[int]]) -> dict[str, np.ndarray]:
    return {name: np.asarray(sum(values)) for name, values in counts.items()}


def model_weekly_plan(analysis: ModelAnalysis, corpora: Mapping[str, Corpus], seed: int = 0) -> dict:
    """:func:`weekly_plan` for a model's analysis: its test predictions (the final fit) and the
    dev predictions its routing threshold was chosen on, at that threshold (in its calibrator's units)."""
    threshold, calibrator, train = analysis.routing["threshold"], analysis.calibrator, corpora["train"]
    test = tweet_counts(corpora["test"], analysis.test_tags, analysis.test_confidences, threshold, train, calibrator)
    dev = tweet_counts(corpora["dev"], analysis.dev_tags, analysis.dev_confidences, threshold, train, calibrator)
    return weekly_plan(test, dev, seed=seed)

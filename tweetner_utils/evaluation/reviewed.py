"""What reviewed tweets changed: the chosen configuration with and without them, on the same test tweets.

The "before" model repeats the "after" model's recipe (members, settings, weights; nothing
re-chosen) without the reviewed tweets, and each gets its own dev-chosen routing threshold,
so every difference below is the data's.
"""

from __future__ import annotations

from pathlib import Path

from ..data.conll import Corpus
from ..data.corpora import ExtraTraining
from ..metrics import entity_scores, paired_bootstrap_f1_difference
from .model_analysis import ModelAnalysis


def reviewed_record(
    extra: ExtraTraining, test: Corpus, before: ModelAnalysis, after: ModelAnalysis, *, n_resamples: int, seed: int
) -> dict:
    """The results-JSON record: what was added and refused, test F1 and routing before and after,
    and the F1 change with a paired bootstrap interval over the test tweets."""
    change, low, high = paired_bootstrap_f1_difference(
        test.tags, before.test_tags, after.test_tags, n_resamples=n_resamples, seed=seed
    )
    return {
        "files": [Path(f).name for f in extra.files],
        "added": len(extra.tweets),
        "refused": list(extra.refused),
        "test_tweets": len(test),
        "before": _side(test, before),
        "after": _side(test, after),
        "f1_change": change,
        "f1_change_ci": [low, high],
    }


def _side(test: Corpus, analysis: ModelAnalysis) -> dict:
    return {"test_entity_f1": entity_scores(test.tags, analysis.test_tags).overall.f1, "routing": analysis.routing}

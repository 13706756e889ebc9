"""The business analyses of one model: confidence routing, recall on new names, error kinds.

Routing works on calibrated confidences: the calibrator is chosen on the same dev
predictions as the threshold, so the threshold means a share of entities that are right.

Every model report runs the same three analyses, so the business summary can compare
models on what stakeholders act on: how much can be accepted automatically and how
much goes to people, how the model copes with names it never saw, and how it fails.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from ..data.conll import Corpus
from ..models.calibration import IDENTITY, Calibrator, choose_calibrator
from ..models.protocol import Tagger
from .errors import error_table, seen_unseen_recall
from .routing import routing_report, scored_entities

MIN_PRECISION = 0.8
"""Precision the auto-accept band must reach on dev."""


@dataclass
class ModelAnalysis:
    """The three analyses of one model on test, with the dev curve behind the routing threshold."""

    routing: dict
    dev_curve: pd.DataFrame
    seen_unseen: pd.DataFrame
    errors: pd.DataFrame
    test_tags: list[list[str]]
    """The decoded test predictions the analyses were computed on (for example views)."""
    test_confidences: list[list[float]] = field(default_factory=list, repr=False)
    dev_tags: list[list[str]] = field(default_factory=list, repr=False)
    """The dev-model's dev predictions the routing threshold was chosen on."""
    dev_confidences: list[list[float]] = field(default_factory=list, repr=False)
    """Raw (uncalibrated) per-tag confidences, like ``test_confidences``."""
    calibrator: Calibrator = IDENTITY
    """Chosen on the dev predictions; routing, monitoring and the saved model use it."""
    calibration_candidates: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    """Each candidate calibrator's cross-validated Brier score and ECE on dev."""

    def record(self) -> dict:
        """What the results JSON keeps (plain numbers)."""
        return {
            "routing": self.routing,
            "seen_unseen": self.seen_unseen.to_dict(orient="index"),
            "errors": self.errors.to_dict(orient="index"),
        }

    def routing_frame(self) -> pd.DataFrame:
        """The auto-accept band on dev and test, side by side."""
        return pd.DataFrame({"dev": self.routing["dev"], "test": self.routing["test"]})


def analyse_model(
    dev_model: Tagger,
    test_model: Tagger,
    corpora: Mapping[str, Corpus],
    min_precision: float = MIN_PRECISION,
    seed: int = 0,
) -> ModelAnalysis:
    """Run the analyses; the calibrator and the routing threshold are chosen on ``dev_model``'s
    dev predictions.

    Args:
        dev_model: a fit that never saw dev (so its dev confidences are honest).
        test_model: the fit whose test scores the report gives (may be ``dev_model``).
        corpora: ``train``, ``dev`` and ``test``.
        min_precision: the auto-accept band's precision on dev.
        seed: the calibration's cross-validation folds.
    """
    test_tags, test_confidences = test_model.tags_and_confidences(corpora["test"].tokens)
    dev_tags, dev_confidences = dev_model.tags_and_confidences(corpora["dev"].tokens)
    dev_raw = scored_entities(corpora["dev"].tags, dev_tags, dev_confidences)
    calibrator, candidates = choose_calibrator(dev_raw["confidence"], dev_raw["correct"], seed=seed)
    routing, curve = routing_report(
        corpora["dev"],
        dev_tags,
        dev_confidences,
        corpora["test"],
        test_tags,
        test_confidences,
        min_precision,
        calibrator,
    )
    return ModelAnalysis(
        routing,
        curve,
        seen_unseen_recall(corpora["train"], corpora["test"], test_tags),
        error_table(corpora["test"].tags, test_tags),
        test_tags,
        [list(c) for c in test_confidences],
        dev_tags,
        [list(c) for c in dev_confidences],
        calibrator,
        candidates,
    )


def compare(analyses: Mapping[str, ModelAnalysis]) -> pd.DataFrame:
    """One row per model: its auto-accept band on test and its recall on known and new names."""
    rows = {}
    for name, analysis in analyses.items():
        test, seen = analysis.routing["test"], analysis.seen_unseen["recall"]
        rows[name] = {
            "threshold (dev)": analysis.routing["threshold"],
            "auto-accepted, test": test["auto_accepted_share"],
            "precision of accepted, test": test["auto_accepted_precision"],
            "review items per 1,000 tweets": test["review_per_1000_tweets"],
            "recall, names seen in train": seen["seen"],
            "recall, new names": seen["unseen"],
        }
    return pd.DataFrame(rows).T

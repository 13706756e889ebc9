"""How far a model's entity confidences are from what they promise, before and after a
calibration chosen on dev (``models.calibration``), measured on test."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ..data.conll import Corpus
from ..models.calibration import expected_calibration_error, reliability_table
from .model_analysis import ModelAnalysis
from .routing import scored_entities


def calibration_record(analysis: ModelAnalysis, corpora: Mapping[str, Corpus]) -> tuple[dict, dict[str, pd.DataFrame]]:
    """The calibrator the analysis chose on the dev entities of the model that never saw dev,
    the candidates' cross-validated scores, and the expected calibration error on test before
    and after; with the reliability tables (raw and calibrated) for the chart."""
    test = scored_entities(corpora["test"].tags, analysis.test_tags, analysis.test_confidences)
    calibrator, candidates = analysis.calibrator, analysis.calibration_candidates
    calibrated = calibrator(test["confidence"])
    record = {
        "chosen": calibrator.to_dict(),
        "candidates_dev_cv": candidates.reset_index().to_dict(orient="records"),
        "test_entities": len(test),
        "test_ece_before": expected_calibration_error(test["confidence"], test["correct"]),
        "test_ece_after": expected_calibration_error(calibrated, test["correct"]),
    }
    tables = {
        "raw confidence": reliability_table(test["confidence"], test["correct"]),
        f"calibrated ({calibrator.kind}, chosen on dev)": reliability_table(calibrated, test["correct"]),
    }
    return record, tables


def calibration_sentence(record: Mapping) -> str:
    """What calibration did on test, judged from the two errors.

    >>> calibration_sentence({"chosen": {"kind": "isotonic"}, "test_ece_before": 0.12, "test_ece_after": 0.04})[:60]
    'On test, a confidence is off from the share of entities that'
    """
    before, after, kind = record["test_ece_before"], record["test_ece_after"], record["chosen"]["kind"]
    said = (
        f"On test, a confidence is off from the share of entities that are right by {100 * before:.1f} points on "
        f"average (expected calibration error) as the model gives it"
    )
    if kind == "identity":
        return said + "; cross-validation on dev found no calibration that helps, so the raw value is kept."
    if after < before:
        return said + f", and by {100 * after:.1f} points after the {kind} calibration chosen on dev."
    return said + f"; the {kind} calibration chosen on dev does not reduce it on test ({100 * after:.1f} points)."

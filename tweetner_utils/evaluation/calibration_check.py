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

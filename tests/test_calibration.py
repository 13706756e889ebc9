"""Calibration chosen on dev: it fixes overconfidence, leaves calibrated scores alone, and is stored as numbers."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tweetner_utils.models.calibration import (
    Calibrator,
    choose_calibrator,
    expected_calibration_error,
    fit_calibrator,
    reliability_table,
)


def entities(n: int, seed: int, honest: bool) -> tuple[np.ndarray, np.ndarray]:
    """Raw confidences, and right/wrong drawn at the confidence itself (honest) or far below it."""
    rng = np.random.default_rng(seed)
    raw = rng.uniform(0.3, 1.0, n)
    return raw, rng.random(n) < (raw if honest else raw**4)


def test_an_overconfident_model_is_calibrated_on_dev_and_its_test_error_falls():
    dev, test = entities(3000, 1, honest=False), entities(3000, 2, honest=False)
    calibrator, table = choose_calibrator(*dev)
    assert calibrator.kind in ("platt", "isotonic") and table.loc["identity", "brier"] > table["brier"].min()
    before, after = expected_calibration_error(*test), expected_calibration_error(calibrator(test[0]), test[1])
    assert before > 0.15 and after < 0.05


def test_calibrated_scores_stay_about_where_they_are_and_the_map_is_monotone():
    dev, test = entities(3000, 3, honest=True), entities(3000, 4, honest=True)
    calibrator, _ = choose_calibrator(*dev)
    assert expected_calibration_error(calibrator(test[0]), test[1]) < expected_calibration_error(*test) + 0.02
    grid = np.linspace(0, 1, 101)
    assert np.all(np.diff(calibrator(grid)) >= -1e-12)


@pytest.mark.parametrize("kind", ["platt", "isotonic", "identity"])
def test_a_calibrator_is_stored_as_plain_numbers_and_read_back(kind):
    raw, right = entities(500, 5, honest=False)
    calibrator = fit_calibrator(kind, raw, right)
    back = Calibrator.from_dict(json.loads(json.dumps(calibrator.to_dict())))
    assert np.allclose(back(raw), calibrator(raw))
    with pytest.raises(ValueError, match="unknown calibration kind 'spline'"):
        Calibrator.from_dict({"kind": "spline"})


def test_the_reliability_table_bins_by_confidence():
    table = reliability_table([0.05, 0.95, 0.91, 0.5], [False, True, False, True])
    assert list(table.index) == ["0.0-0.1", "0.5-0.6", "0.9-1.0"]
    assert table.loc["0.9-1.0", "entities"] == 2 and table.loc["0.9-1.0", "share right"] == 0.5

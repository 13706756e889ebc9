"""What confidence calibration did on test, in words (``04_strong_models``)."""

from __future__ import annotations

from collections.abc import Mapping


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

"""Entity confidences that mean what they say: a calibration map chosen on dev.

An entity's raw confidence is the mean probability its tags got. For the knowledge CRF
those run high: on WNUT16 test, entities scored 0.9-1.0 were right 75% of the time and
0.8-0.9 only 50%. A calibrator maps the raw value to the share of entities with that value
that are right. Three candidates are compared by cross-validation on dev entities (never
on test): none, Platt scaling (a logistic curve on the raw value's log-odds) and isotonic
regression (any monotone step curve); the one with the lowest Brier score is refit on all
of dev. The expected calibration error on test, before and after, shows what it bought.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

KINDS: tuple[str, ...] = ("identity", "platt", "isotonic")
Values = Sequence[float] | np.ndarray
"""Raw confidences, or right/wrong flags, one per entity."""
BINS = 10
_EPSILON = 1e-6


@dataclass(frozen=True)
class Calibrator:
    """A monotone map from raw entity confidence to calibrated confidence; stored as plain numbers."""

    kind: str = "identity"
    params: dict = field(default_factory=dict)

    def __call__(self, confidences: Values) -> np.ndarray:
        raw = np.asarray(confidences, dtype=float)
        if self.kind == "platt":
            return 1.0 / (1.0 + np.exp(-(self.params["a"] * _logit(raw) + self.params["b"])))
        if self.kind == "isotonic":
            return np.interp(raw, self.params["x"], self.params["y"])
        return raw

    def value(self, raw: float) -> float:
        """One entity's calibrated confidence (the API and the review queue map one at a time,
        at tagging speed, so without building arrays)."""
        if self.kind == "identity":
            return float(raw)
        return float(self([raw])[0])

    def to_dict(self) -> dict:
        return {"kind": self.kind, **self.params}

    @classmethod
    def from_dict(cls, stored: dict) -> Calibrator:
        """The calibrator a model folder or results file recorded.

        Raises:
            ValueError: an unknown kind (a folder from another version) or parameters of the
                wrong shape (an edited file): the message says which.
        """
        kind = stored.get("kind", "identity")
        if kind not in KINDS:
            raise ValueError(f"unknown calibration kind {kind!r}; expected one of {', '.join(KINDS)}")
        params = {k: v for k, v in stored.items() if k != "kind"}
        if kind == "platt" and not all(_is_number(params.get(k)) for k in ("a", "b")):
            raise ValueError("platt calibration needs numbers 'a' and 'b'")
        if kind == "isotonic" and not _is_curve(params.get("x"), params.get("y")):
            raise ValueError("isotonic calibration needs 'x' and 'y': equal-length lists of numbers, x increasing")
        return cls(kind, params)


IDENTITY = Calibrator()
"""No calibration: what a model folder saved before calibration existed uses."""


def fit_calibrator(kind: str, confidences: Values, correct: Values) -> Calibrator:
    """One candidate fit on entities' raw confidences and whether each was right."""
    raw, right = np.asarray(confidences, dtype=float), np.asarray(correct, dtype=float)
    if kind == "identity" or len(np.unique(right)) < 2:
        return Calibrator()
    if kind == "platt":
        a, b = _logistic_fit(_logit(raw), right)
        # a <= 0 would rank the least confident entities first: the raw value carries no usable
        # order, and a threshold on such a map would accept the wrong entities.
        return Calibrator("platt", {"a": a, "b": b}) if a > 0 else Calibrator()
    if kind == "isotonic":
        from sklearn.isotonic import IsotonicRegression

        model = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(raw, right)
        return Calibrator("isotonic", {"x": model.X_thresholds_.tolist(), "y": model.y_thresholds_.tolist()})
    raise ValueError(f"unknown calibration kind {kind!r}; expected one of {', '.join(KINDS)}")


def choose_calibrator(
    confidences: Values, correct: Values, folds: int = 5, seed: int = 0
) -> tuple[Calibrator, pd.DataFrame]:
    """The candidate with the lowest cross-validated Brier score on these (dev) entities, refit
    on all of them, and the comparison table (mean Brier and ECE over the held-out folds)."""
    raw, right = np.asarray(confidences, dtype=float), np.asarray(correct, dtype=bool)
    fold_of = np.random.default_rng(seed).permutation(len(raw)) % folds
    rows = []
    for kind in KINDS:
        predicted = np.empty(len(raw))
        for fold in range(folds):
            held = fold_of == fold
            predicted[held] = fit_calibrator(kind, raw[~held], right[~held])(raw[held])
        rows.append(
            {
                "calibration": kind,
                "brier": float(np.mean((predicted - right) ** 2)),
                "ece": expected_calibration_error(predicted, right),
            }
        )
    import pandas as pd  # only where tables are made: it was a fifth of `tweetner predict`'s start-up

    table = pd.DataFrame(rows).set_index("calibration")
    best = str(table["brier"].idxmin())
    return fit_calibrator(best, raw, right), table


def expected_calibration_error(confidences: Values, correct: Values, bins: int = BINS) -> float:
    """Weighted mean gap between confidence and accuracy over equal-width confidence bins.

    >>> expected_calibration_error([0.9, 0.9, 0.1, 0.1], [True, False, False, False])
    0.25
    """
    table = reliability_table(confidences, correct, bins)
    if table.empty:
        return 0.0
    gaps = (table["mean confidence"] - table["share right"]).abs()
    return round(float((gaps * table["entities"]).sum() / table["entities"].sum()), 12)


def reliability_table(confidences: Values, correct: Values, bins: int = BINS) -> pd.DataFrame:
    """Per confidence bin (0-0.1, ..., 0.9-1.0; empty bins left out): entities, their mean
    confidence, and the share of them that are right."""
    raw, right = np.asarray(confidences, dtype=float), np.asarray(correct, dtype=float)
    index = np.minimum((raw * bins).astype(int), bins - 1)
    rows = [
        {
            "bin": f"{k / bins:.1f}-{(k + 1) / bins:.1f}",
            "entities": int((index == k).sum()),
            "mean confidence": float(raw[index == k].mean()),
            "share right": float(right[index == k].mean()),
        }
        for k in range(bins)
        if (index == k).any()
    ]
    import pandas as pd

    return pd.DataFrame(rows, columns=["bin", "entities", "mean confidence", "share right"]).set_index("bin")


def _logistic_fit(x: np.ndarray, y: np.ndarray, iterations: int = 50) -> tuple[float, float]:
    """Maximum-likelihood ``a``, ``b`` of ``P(right) = 1 / (1 + exp(-(a x + b)))`` by Newton's method
    (two parameters: a library solver would only add its warnings to the report)."""
    design = np.column_stack([x, np.ones_like(x)])
    weights = np.zeros(2)
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(design @ weights, -500, 500)))
        gradient = design.T @ (y - p)
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + 1e-9 * np.eye(2)
        step = np.linalg.solve(hessian, gradient)
        weights += step
        if np.abs(step).max() < 1e-10:
            break
    return float(weights[0]), float(weights[1])


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_curve(x: object, y: object) -> bool:
    if not (isinstance(x, list) and isinstance(y, list) and len(x) == len(y) > 0):
        return False
    return all(map(_is_number, x + y)) and all(a <= b for a, b in itertools.pairwise(x))


def _logit(values: np.ndarray) -> np.ndarray:
    clipped = np.clip(values, _EPSILON, 1 - _EPSILON)
    return np.log(clipped / (1 - clipped))

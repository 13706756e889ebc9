"""What more labelled tweets would buy: a model's recipe fit on growing shares of ``train``
(several seeded subsamples per share), and an inverse power law fitted to the points.

Learning curves of supervised models flatten like ``F1(n) = a - b * n**-c`` (Figueroa et
al. 2012, "Predicting sample size required for classification performance"); the fit
says what +1,000 labelled tweets would add. The curve only goes up to the labels that
exist, so anything beyond is an extrapolation: its range is the fit's own uncertainty (the
delta method over the parameters' covariance, 91-92% coverage of a nominal 95% in a
simulation of this curve's shape with three seeds per size), and reports say it is one.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import OptimizeWarning, curve_fit
from scipy.stats import t as student_t


@dataclass(frozen=True)
class CurvePoint:
    """One fit of the curve: its number of labelled tweets, subsample seed and scores."""

    size: int
    seed: int
    dev_f1: float
    test_f1: float


def subsample(total: int, size: int, seed: int) -> list[int]:
    """``size`` of ``total`` train indices, drawn with ``seed``, in train order (so that a
    fit sees its tweets in the order the corpus has them)."""
    return sorted(np.random.default_rng(seed).choice(total, size=size, replace=False).tolist())


def curve_sizes(total: int, shares: Sequence[float]) -> list[int]:
    """Distinct train sizes for ``shares`` of ``total`` (at least one tweet each), ascending."""
    return sorted({max(1, min(total, round(total * share))) for share in shares})


def curve_jobs(total: int, shares: Sequence[float], seeds: Sequence[int]) -> list[tuple[int, int]]:
    """The curve's fits as (train size, subsample seed): each share once per seed, all of
    train once (every seed would draw the same tweets)."""
    return [(size, seed) for size in curve_sizes(total, shares) for seed in (seeds if size < total else seeds[:1])]


@dataclass(frozen=True)
class PowerLaw:
    """``F1(n) = a - b * n**-c``: ``a`` the ceiling, ``c`` how fast it is approached."""

    a: float
    b: float
    c: float
    covariance: tuple[tuple[float, ...], ...] = ()
    """The parameters' estimated covariance (scaled by the residuals); empty: not fitted."""
    residual_dof: int = 0
    """Points minus parameters: the t distribution of :meth:`interval`."""

    def __call__(self, n: float | np.ndarray) -> np.ndarray:
        return self.a - self.b * np.power(np.asarray(n, dtype=float), -self.c)

    def interval(self, n: float, level: float = 0.95) -> tuple[float, float]:
        """The fitted F1 at ``n`` plus or minus t times its standard error (the delta method
        over the parameters' covariance), clipped to [0, 1]; the whole range when the fit
        could not estimate its covariance."""
        value = float(self(n))
        covariance = np.asarray(self.covariance, dtype=float)
        if covariance.shape != (3, 3) or self.residual_dof < 1 or not np.all(np.isfinite(covariance)):
            return 0.0, 1.0
        gradient = np.array([1.0, -(n**-self.c), self.b * np.log(n) * n**-self.c])
        half = float(student_t.ppf(0.5 + level / 2, self.residual_dof)) * float(
            np.sqrt(max(0.0, gradient @ covariance @ gradient))
        )
        return max(0.0, value - half), min(1.0, value + half)


def _law(n: np.ndarray, a: float, b: float, c: float) -> np.ndarray:
    return a - b * np.power(n, -c)


def fit_power_law(sizes: Sequence[float], f1: Sequence[float]) -> PowerLaw:
    """The least-squares inverse power law through the points, its ceiling within [0, 1].

    Raises:
        ValueError: fewer than three distinct sizes (three parameters need three).
    """
    x, y = np.asarray(sizes, dtype=float), np.asarray(f1, dtype=float)
    if len(set(x.tolist())) < 3:
        raise ValueError(f"a power law needs at least 3 distinct sizes, got {sorted(set(x.tolist()))}")
    start = (min(1.0, float(y.max()) + 0.05), 1.0, 0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OptimizeWarning)  # a flat curve leaves the covariance undefined
        params, covariance = curve_fit(
            _law, x, y, p0=start, bounds=([0.0, 0.0, 0.01], [1.0, np.inf, 3.0]), maxfev=20_000, method="trf"
        )
    rows = tuple(tuple(float(v) for v in row) for row in covariance)
    a, b, c = (float(p) for p in params)
    return PowerLaw(a, b, c, covariance=rows, residual_dof=len(x) - 3)


@dataclass(frozen=True)
class Extrapolation:
    """The fitted F1 with ``extra`` more labelled tweets than the curve's largest size, and
    its 95% interval."""

    extra: int
    f1: float
    low: float
    high: float
    gain: float
    """``f1`` minus the fitted F1 at the largest size: what the extra tweets would add."""


def extrapolate(
    points: Sequence[CurvePoint], extras: Sequence[int], column: str = "test_f1"
) -> tuple[PowerLaw, list[Extrapolation]]:
    """The power law through every point (each seed's fit a point of its own), and its F1 at
    the largest size plus each of ``extras``, with the 95% interval of :meth:`PowerLaw.interval`.
    The interval covers the seeds' noise around the law, not a curve that stops following a
    power law beyond the data: reports call it an extrapolation."""
    sizes = [p.size for p in points]
    law = fit_power_law(sizes, [getattr(p, column) for p in points])
    largest = max(sizes)
    base = float(law(largest))
    out = []
    for extra in extras:
        f1 = float(law(largest + extra))
        low, high = law.interval(largest + extra)
        out.append(Extrapolation(extra, f1, low, high, f1 - base))
    return law, out


def tweets_for(law: PowerLaw, goal: float, current: int, limit: int = 10_000_000) -> int | None:
    """Labelled tweets to add to ``current`` for the fitted F1 to reach ``goal``; None when
    the law's ceiling is below the goal or it would take more than ``limit`` tweets in all."""
    if float(law(current)) >= goal:
        return 0
    if law.a <= goal or law.b <= 0:
        return None
    needed = (law.b / (law.a - goal)) ** (1.0 / law.c)
    return None if needed > limit else int(np.ceil(needed)) - current

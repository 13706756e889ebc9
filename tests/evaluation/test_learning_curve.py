"""The learning curve's fit: a known power law is recovered, its extrapolation's range holds
the truth, and the tweets needed for a goal are the first count that reaches it."""

from __future__ import annotations

import numpy as np
import pytest

from tweetner_utils.evaluation.learning_curve import (
    CurvePoint,
    PowerLaw,
    curve_jobs,
    curve_sizes,
    extrapolate,
    fit_power_law,
    subsample,
    tweets_for,
)

TRUTH = PowerLaw(0.62, 1.5, 0.45)
SIZES = [240, 480, 960, 1440, 1920, 2400]


def test_a_known_power_law_is_recovered() -> None:
    law = fit_power_law(SIZES, TRUTH(np.array(SIZES)).tolist())
    assert law.a == pytest.approx(TRUTH.a, abs=1e-3) and law.c == pytest.approx(TRUTH.c, abs=1e-2)
    assert float(law(5000)) == pytest.approx(float(TRUTH(5000)), abs=1e-4)


def test_two_sizes_cannot_fit_three_parameters() -> None:
    with pytest.raises(ValueError, match="at least 3 distinct sizes"):
        fit_power_law([100, 100, 200], [0.3, 0.31, 0.35])


def noisy_points(noise: float, draw: int = 0) -> list[CurvePoint]:
    rng = np.random.default_rng(draw)
    return [
        CurvePoint(size, seed, 0.0, float(TRUTH(size)) + rng.normal(0, noise)) for size in SIZES for seed in (1, 2, 3)
    ]


def test_the_extrapolated_interval_holds_the_truth_in_most_draws_and_widens_with_distance() -> None:
    held = np.zeros(3)
    for draw in range(40):
        _, found = extrapolate(noisy_points(0.004, draw), [1000, 2500, 5000])
        assert [e.extra for e in found] == [1000, 2500, 5000]
        assert all(e.low <= e.f1 <= e.high for e in found)
        assert 0 < found[0].gain < found[1].gain < found[2].gain
        assert found[0].high - found[0].low < found[2].high - found[2].low
        held += [e.low <= float(TRUTH(SIZES[-1] + e.extra)) <= e.high for e in found]
    assert np.all(held >= 32)  # nominal 95%; resampling seeds within sizes held only 29-31 of 40


def test_noise_free_seeds_give_a_point_range() -> None:
    _, found = extrapolate(noisy_points(1e-6), [1000])
    assert found[0].high - found[0].low < 1e-3


def test_tweets_for_a_goal_is_the_first_count_that_reaches_it() -> None:
    current = 2400
    goal = float(TRUTH(current)) + 0.01
    needed = tweets_for(TRUTH, goal, current)
    assert needed is not None and needed > 0
    assert float(TRUTH(current + needed)) >= goal > float(TRUTH(current + needed - 1))
    assert tweets_for(TRUTH, 0.1, current) == 0  # already there
    assert tweets_for(TRUTH, 0.62, current) is None  # the ceiling is never reached
    assert tweets_for(TRUTH, 0.6199, current, limit=1_000_000) is None  # too far


def test_the_curve_fits_each_share_per_seed_and_all_of_train_once() -> None:
    assert curve_jobs(100, [0.2, 0.5, 1.0], [7, 8]) == [(20, 7), (20, 8), (50, 7), (50, 8), (100, 7)]
    drawn = subsample(100, 20, 7)
    assert drawn == sorted(drawn) and len(set(drawn)) == 20 and drawn == subsample(100, 20, 7) != subsample(100, 20, 8)
    assert curve_sizes(10, [0.01, 0.5, 0.5, 1.0]) == [1, 5, 10]

"""What the fast model gives up against the leading one and what it saves: the trade a team
tagging a stream makes, in counts per 1,000 tweets and machine-hours per million.

The counts are both models' test results scaled to 1,000 tweets; the hours come from each
model's first pass over new tweets in a fresh process (what a stream meets), measured in
the same run on the same machine, so their ratio holds on another machine even where the
absolute speeds do not.
"""

from __future__ import annotations

from collections.abc import Mapping

from .cost import COLD_KEY
from .text import pct

LEADER, FAST = "strong", "fast"
"""The model ids the strong-model step records."""


def given_up_line(models: Mapping[str, dict], test_tweets: int) -> str | None:
    """Per 1,000 tweets: correct entities found, wrong ones flagged, by the fast model against
    the leader (None when the run recorded only one of them)."""
    if LEADER not in models or FAST not in models:
        return None
    per_1000 = 1000 / max(1, test_tweets)
    leader, fast = (models[m]["splits"]["test"]["entity"] for m in (LEADER, FAST))
    right = {m: e["n_correct"] * per_1000 for m, e in ((LEADER, leader), (FAST, fast))}
    wrong = {m: (e["n_pred"] - e["n_correct"]) * per_1000 for m, e in ((LEADER, leader), (FAST, fast))}
    found = right[LEADER] - right[FAST]
    extra_wrong = wrong[FAST] - wrong[LEADER]
    return (
        f"**The fast model gives up**: per 1,000 tweets, {models[FAST]['label']} finds "
        f"{_compared(-found, 'correct entities')} {models[LEADER]['label']} ({right[FAST]:,.0f} against "
        f"{right[LEADER]:,.0f}) and flags {_compared(extra_wrong, 'wrong ones')} it ({wrong[FAST]:,.0f} against "
        f"{wrong[LEADER]:,.0f}); test entity F1 {pct(fast['f1'])} against {pct(leader['f1'])}."
    )


def saved_line(models: Mapping[str, dict], timings: Mapping[str, dict]) -> str | None:
    """Per million tweets: machine-hours of the fast model against the leader's, from the
    first-pass speeds measured in the run (None when either was not measured)."""
    speeds = {m: timings.get(m, {}).get(COLD_KEY) for m in (LEADER, FAST)}
    if LEADER not in models or FAST not in models or not all(speeds.values()):
        return None
    leader, fast = float(speeds[LEADER]), float(speeds[FAST])  # type: ignore[arg-type]
    cores = int(timings[FAST].get("cpu_count") or 1)
    hours = {m: 1e6 / speed / 3600 for m, speed in ((LEADER, leader), (FAST, fast))}
    saved = hours[LEADER] - hours[FAST]
    speed = (
        f"{fast / leader:,.1f} times as many tweets a second as the leading model on a first pass over new tweets "
        f"({fast:,.0f} against {leader:,.0f}, this {cores}-core machine)"
    )
    if saved <= 0:
        return f"**The fast model saves nothing here**: it tags {speed}."
    return (
        f"**The fast model saves**: it tags {speed}, so a million new tweets take {_hours(hours[FAST])} of this "
        f"machine instead of {_hours(hours[LEADER])}: {_hours(saved)} ({cores * saved:,.1f} core-hours) saved per "
        "million."
    )


def tradeoff_lines(models: Mapping[str, dict], timings: Mapping[str, dict], test_tweets: int) -> list[str]:
    """Both lines, where the run recorded what they need."""
    return [line for line in (given_up_line(models, test_tweets), saved_line(models, timings)) if line]


def _compared(difference: float, things: str) -> str:
    """``difference`` per 1,000 tweets as the start of a comparison.

    >>> _compared(12.4, "wrong ones"), _compared(-3, "wrong ones"), _compared(0.2, "wrong ones")
    ('12 more wrong ones than', '3 fewer wrong ones than', 'about as many wrong ones as')
    """
    if round(difference) == 0:
        return f"about as many {things} as"
    return f"{abs(difference):,.0f} {'more' if difference > 0 else 'fewer'} {things} than"


def _hours(hours: float) -> str:
    """Hours as text, minutes when under one.

    >>> _hours(2.75), _hours(0.25), _hours(0.01)
    ('2.8 hours', '15 minutes', '1 minute')
    """
    if hours >= 1:
        return f"{hours:,.1f} hours"
    minutes = round(60 * hours)
    return f"{minutes} minute" + ("" if minutes == 1 else "s")

"""The labelling plan of the business summary: what more labelled tweets would buy, how many
a goal takes and what they cost, and whether choosing which tweets to label pays.

Every figure comes from the strong-model step's ``labelling`` record (the learning curve,
its fitted power law and the active-learning simulation); the labelling rate is an
assumption the reader can change (a parameter of the summary), and is said to be one.
"""

from __future__ import annotations

from collections.abc import Mapping

from ...evaluation.learning_curve import PowerLaw, tweets_for
from .text import pct, points


def law_of(record: Mapping) -> PowerLaw:
    """The fitted curve the record keeps (its interval is not needed for counts)."""
    fitted = record["power_law"]
    return PowerLaw(float(fitted["a"]), float(fitted["b"]), float(fitted["c"]))


def next_labels_line(record: Mapping, extra: int = 1000) -> str | None:
    """What the next ``extra`` labelled tweets would add to the curve's recipe, with the range;
    None when the run did not extrapolate that far."""
    found = next((e for e in record["extrapolated"] if e["extra"] == extra), None)
    if found is None:
        return None
    today = found["f1"] - found["gain"]
    low, high = found["low"] - today, found["high"] - today
    if low <= 0 <= high or abs(found["gain"]) < 0.0005:
        effect = (
            f"about {points(found['gain'])} points of test F1 by the fitted curve, though its 95% interval"
            f" ({points(low)} to {points(high)}) includes no gain"
        )
    else:
        effect = f"about {points(found['gain'])} points of test F1 (95% interval {points(low)} to {points(high)})"
    return (
        f"**The next {extra:,} labelled tweets** would add {effect} to {record['recipe']}, from "
        f"{pct(today)} with today's {record['train_tweets']:,}: an extrapolation of the learning curve "
        f"({len(record['curve'])} fits on shares of train), not a measurement."
    )


def goal_line(record: Mapping, goal_points: float, rate_per_hour: float) -> str:
    """Tweets to label for ``goal_points`` more F1 on the fitted curve, and the hours at
    ``rate_per_hour`` (an assumption, said so); or that the curve levels off below the goal."""
    law = law_of(record)
    current = int(record["train_tweets"])
    today = float(law(current))
    goal = today + goal_points / 100
    needed = tweets_for(law, goal, current)
    target = f"+{goal_points:g} points** ({pct(today)} to {pct(goal)} for the curve's recipe)"
    if needed is None:
        return (
            f"**A goal of {target} is out of reach by labelling alone: the fitted curve levels off at "
            f"{pct(law.a)}. More of the same labels will not get there; a stronger model or other data has to."
        )
    hours = needed / rate_per_hour
    return (
        f"**A goal of {target} takes about {needed:,} more labelled tweets by the fitted curve (an "
        f"extrapolation): about {hours:,.0f} hours of annotation at {rate_per_hour:g} tweets an hour (an assumed "
        "rate; change it to yours)."
    )


def strategy_line(record: Mapping) -> str:
    """Whether choosing the tweets to label beat a random sample in the simulation: the
    choice on dev (what the saved models record), and what test says of it."""
    best = record["best_strategy"]
    on_dev = {c["strategy"]: c for c in record["dev_comparisons"]}
    on_test = {c["strategy"]: c for c in record["comparisons"]}
    seeds = next(iter(on_dev.values()))["seeds"] if on_dev else 0
    if best == "random":
        worse = [name for name, c in on_dev.items() if c["verdict"] == "worse"]
        told = f"; {' and '.join(worse)} did worse" if worse else ""
        return (
            f"**Which tweets to label**: in the simulation ({seeds} seeds), no way of choosing beat a random sample "
            f"on dev by more than the seeds' spread{told}: label a random sample "
            "(`tweetner review export --budget N --strategy random`)."
        )
    dev, test = on_dev[best], on_test[best]
    confirmed = "test agrees" if test["verdict"] == "better" else "test cannot tell it from nothing with these seeds"
    return (
        f"**Which tweets to label**: choosing by {best} beat a random sample on dev by {points(dev['gain'])} points "
        f"at {dev['labelled']:,} labelled tweets (95% interval {points(dev['low'])} to {points(dev['high'])} over "
        f"{seeds} seeds); on test by {points(test['gain'])} ({points(test['low'])} to {points(test['high'])}; "
        f"{points(test['gain'] * 1000 / test['added'])} points per 1,000 tweets added): {confirmed}. Label what "
        f"`tweetner review export --budget N --strategy {best}` picks."
    )


def measured_lines(record: Mapping | None) -> list[str]:
    """What the run found, without a goal or a rate (the strong-model report's own lines)."""
    if not record:
        return []
    return [line for line in (next_labels_line(record), strategy_line(record)) if line]


def plan_lines(record: Mapping | None, goal_points: float, rate_per_hour: float) -> list[str]:
    """The plan's sentences, none when the run recorded no labelling analysis."""
    if not record:
        return []
    lines = [next_labels_line(record), goal_line(record, goal_points, rate_per_hour), strategy_line(record)]
    return [line for line in lines if line]

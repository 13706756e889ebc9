"""The business summary's cost section: training time, speed and latency measured in the run.

Every timing is quoted as a range over repeated measurements (``serving.costs``): tagging
speed over three parts of the test tweets, latency percentiles over three passes, fit
seconds over the runs recorded beside the results. One figure from a shared machine says
more about the machine's other work that minute than about the model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from ..tables import readable

SPEED = "tweets per second, warm (batched)"
COLD = "tweets per second, first pass (cold)"
COLD_KEY = "cold_tweets_per_s"
NOT_MEASURED = "not measured"
"""Where a step measured no first pass (only the strong and fast models' folders are measured cold)."""


def spread(values: Sequence[float], unit: str = "") -> str:
    """A range as text, each end as tables show numbers (``reporting.tables.readable``), or the
    one value when they agree.

    >>> spread([130.2, 5149.7]), spread([58.0, 58.0], " s"), spread([1.24, 3.1], " ms"), spread([0.04, 0.04])
    ('130.2–5,150', '58 s', '1.24–3.1 ms', '0.04')
    """
    low, high = readable(float(min(values))), readable(float(max(values)))
    return f"{low}{unit}" if low == high else f"{low}–{high}{unit}"


def cost_table(models: Mapping[str, dict], timings: Mapping[str, dict]) -> pd.DataFrame:
    """:func:`cost_rows` of every model with recorded timings, by its label."""
    return cost_rows({record["label"]: timings[i] for i, record in models.items() if timings.get(i)})


def cost_rows(costs: Mapping[str, dict]) -> pd.DataFrame:
    """Per named model: training seconds, batched tweets per second (first pass in a fresh
    process where it was measured, and warm) and single-tweet latency as measured in the run,
    each beside its range over the repeated measurements."""
    rows = {}
    for name, cost in costs.items():
        if cost:
            runs = cost.get("train_seconds_runs") or [cost["train_seconds"]]
            rows[name] = {
                "training seconds": cost["train_seconds"],
                "training seconds, range": _runs(runs),
                COLD: cost.get(COLD_KEY, NOT_MEASURED),
                "first pass, range": _measured_range(cost, COLD_KEY) if COLD_KEY in cost else NOT_MEASURED,
                SPEED: cost["tweets_per_s"],
                "tweets per second, range": _measured_range(cost, "tweets_per_s"),
                "latency p50 (ms)": cost["latency_ms_p50"],
                "latency p99 (ms)": cost["latency_ms_p99"],
                "latency p99 (ms), range": _measured_range(cost, "latency_ms_p99"),
                "worker processes": cost["workers"],
                "CPU cores": cost["cpu_count"],
            }
    return pd.DataFrame(rows).T


def cost_lines(table: pd.DataFrame, leader: str | None, useless: Sequence[str] = ()) -> list[str]:
    """Feasibility in plain words, from the measured costs; ``useless`` models (finding nothing) are not praised."""
    if table.empty:
        return ["No costs were measured in this run."]
    cores = int(table["CPU cores"].iloc[0])
    lines = []
    if leader in table.index:
        row = table.loc[leader]
        lines.append(
            f"{leader} trained in {row['training seconds']:.0f} s ({row['training seconds, range']}) and "
            + _speed(row, cores)
        )
    useful = table.drop(index=[n for n in table.index if n in set(useless)])
    if not useful.empty:
        fastest = useful[SPEED].astype(float).idxmax()
        row = useful.loc[fastest]
        speed = f"{row[SPEED]:,.0f} tweets per second warm, {row['tweets per second, range']}"
        if row[COLD] != NOT_MEASURED:
            speed = f"{row[COLD]:,.0f} tweets per second on a first pass, {row['first pass, range']}; {speed}"
        lines.append(f"The fastest model that finds any entity is {fastest} ({speed}).")
    return lines


def _speed(row: pd.Series, cores: int) -> str:
    """How fast the model tags on this machine, the first pass over new tweets (what a user
    meets) before the warm figure, when the run measured it."""
    cold = row[COLD]
    per_day = (float(row[SPEED]) if cold == NOT_MEASURED else float(cold)) * 86_400
    if cold != NOT_MEASURED:
        speed = (
            f"tags {cold:,.0f} tweets per second in batches on its first pass over tweets it has never seen, in a "
            f"fresh process ({row['first pass, range']} over three processes), and {row[SPEED]:,.0f} once its caches "
            f"are warm ({row['tweets per second, range']})"
        )
    else:
        speed = (
            f"tags {row[SPEED]:,.0f} tweets per second in batches (measured {row['tweets per second, range']} in "
            "separate parts of the test tweets; warm: the words were already in the model's caches, and the first pass "
            "over new tweets is slower)"
        )
    return (
        f"{speed} on this {cores}-core machine (about {per_day / 1e6:,.0f} million a day), "
        f"{row['latency p50 (ms)']:.1f} ms per single tweet at the median and {row['latency p99 (ms)']:.1f} ms at the "
        f"99th percentile ({row['latency p99 (ms), range']} ms over repeated passes): no GPU is needed."
    )


def _measured_range(cost: Mapping, key: str) -> str:
    """The recorded range of ``key``, or the single value of a timings file from before ranges."""
    return spread(cost.get(f"{key}_range") or [cost[key]])


def _runs(seconds: Sequence[float]) -> str:
    """Fit seconds over the recorded runs, saying how many there were."""
    said = spread(seconds, " s")
    return f"{said}, one run so far" if len(seconds) == 1 else f"{said} over the last {len(seconds)} runs"

"""The business summary's cost section: training time, speed and latency measured in the run."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd


def cost_table(models: Mapping[str, dict], timings: Mapping[str, dict]) -> pd.DataFrame:
    """Per model: training seconds, batched tweets per second and single-tweet latency, as measured in the run."""
    rows = {}
    for model_id, record in models.items():
        cost = timings.get(model_id)
        if cost:
            rows[record["label"]] = {
                "training seconds": cost["train_seconds"],
                "tweets per second (batched)": cost["tweets_per_s"],
                "latency p50 (ms)": cost["latency_ms_p50"],
                "latency p99 (ms)": cost["latency_ms_p99"],
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
        per_day = row["tweets per second (batched)"] * 86_400
        lines.append(
            f"{leader} trained in {row['training seconds']:.0f} s and tags {row['tweets per second (batched)']:,.0f} "
            f"tweets per second in batches on this {cores}-core machine (about {per_day / 1e6:,.0f} million a day), "
            f"{row['latency p50 (ms)']:.1f} ms per single tweet at the median and {row['latency p99 (ms)']:.1f} ms "
            "at the 99th percentile: no GPU is needed."
        )
    useful = table.drop(index=[n for n in table.index if n in set(useless)])
    if not useful.empty:
        fastest = useful["tweets per second (batched)"].astype(float).idxmax()
        lines.append(
            f"The fastest model that finds any entity is {fastest} "
            f"({useful.loc[fastest, 'tweets per second (batched)']:,.0f} tweets per second)."
        )
    return lines

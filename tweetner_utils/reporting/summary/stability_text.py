"""The business summary's stability section: seed runs, the rule, a sentence per model."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ...evaluation.stability import LEADER_SCORE, UNSTABLE_STD
from .text import pct


def stability_table(models: Mapping[str, dict]) -> pd.DataFrame:
    """Seed stability of every model: runs, mean and spread of test F1, and the verdict."""
    rows = {}
    for record in models.values():
        details = record.get("details", {})
        if "stability" in details:
            s = details["stability"]
            rows[record["label"]] = {
                "seeds": s["seeds"],
                "mean test F1": s["mean"],
                "std (F1 points)": 100 * s["std"],
                "lowest test F1": s["min"],
                "highest test F1": s["max"],
                "verdict": "unstable" if s["unstable"] else "stable",
            }
        elif details.get("deterministic"):
            f1 = record["splits"]["test"]["entity"]["f1"]
            rows[record["label"]] = {
                "seeds": "any",
                "mean test F1": f1,
                "std (F1 points)": 0.0,
                "lowest test F1": f1,
                "highest test F1": f1,
                "verdict": "deterministic (no random start)",
            }
    return pd.DataFrame(rows).T


def stability_rule() -> str:
    """The rule the verdicts follow."""
    return (
        f"A model is called unstable when the standard deviation of its test entity F1 across seeds exceeds "
        f"{100 * UNSTABLE_STD:.0f} points; the CRFs are trained by L-BFGS from zero weights, so every seed gives "
        "the same model."
    )


def stability_lines(models: Mapping[str, dict]) -> list[str]:
    """One sentence per model that recorded a seed-stability summary."""
    return [
        describe_stability(record["details"]["stability"], record["label"])
        for record in models.values()
        if "stability" in record.get("details", {})
    ]


def seed_spread_line(spread: Mapping | None, label: str, f1: float, seed: int, score: str = LEADER_SCORE) -> str:
    """This run's test F1 of a model next to its spread over seeds (measured by
    ``benchmarks/stability.py --leader``, which records the leading model under ``test_f1`` and
    the fast model chosen in the same runs under ``fast_test_f1``), and whether that measurement
    is of this configuration: under portable numerics its run with this run's seed must give
    this run's F1 exactly.
    """
    this_run = f"{label}, this run (seed {seed}): test entity F1 {pct(f1)}"
    runs = {int(run["seed"]): float(run[score]) for run in (spread or {}).get("runs", []) if score in run}
    if spread is None or len(runs) < 2:
        return f"{this_run}; its spread over seeds has not been measured (`python benchmarks/stability.py --leader`)."
    values = list(runs.values())
    source = f"`benchmarks/stability.py --leader` at commit {str(spread.get('commit', 'unknown'))[:10]}"
    mean = sum(values) / len(values)
    over = (
        f"over {len(values)} seeds ({', '.join(str(s) for s in runs)}; {source}) mean {pct(mean)}, "
        f"range {pct(min(values))}-{pct(max(values))}"
    )
    if seed in runs and round(runs[seed], 4) == round(f1, 4):
        return f"{this_run}; {over}: the seed alone moves it by {100 * (max(values) - min(values)):.1f} points."
    measured = f"there seed {seed} scored {pct(runs[seed])}" if seed in runs else f"seed {seed} was not among them"
    return (
        f"{this_run}; {over}, but that measurement is of another configuration ({measured}): run the benchmark "
        "again for this one."
    )


def describe_stability(summary: Mapping[str, float | bool | int], name: str) -> str:
    """One sentence for the report, with the comparison that decides the verdict written out.

    >>> summary = {"seeds": 3, "mean": 0.4, "std": 0.008, "min": 0.39, "max": 0.41, "unstable": False}
    >>> describe_stability(summary, "X")[-60:]
    'stable: the spread (0.8 points) is within the 2-point limit.'
    """
    spread = f"{100 * summary['std']:.1f} points"
    verdict = (
        f"unstable: the spread ({spread}) exceeds the {100 * UNSTABLE_STD:.0f}-point limit"
        if summary["unstable"]
        else f"stable: the spread ({spread}) is within the {100 * UNSTABLE_STD:.0f}-point limit"
    )
    return (
        f"{name} over {summary['seeds']} seeds: test entity F1 {100 * summary['mean']:.1f} ± "
        f"{100 * summary['std']:.1f} (range {100 * summary['min']:.1f}-{100 * summary['max']:.1f}); {verdict}."
    )

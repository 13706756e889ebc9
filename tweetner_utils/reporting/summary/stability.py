"""The business summary's stability section: seed runs, the rule, a sentence per model."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ...evaluation.stability import UNSTABLE_STD, describe


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
        describe(record["details"]["stability"], record["label"])
        for record in models.values()
        if "stability" in record.get("details", {})
    ]

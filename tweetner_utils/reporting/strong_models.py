"""The strong-model selection as the 04 report and the results show it: what was tried, what was
chosen, the selection table, and what the results JSON keeps of it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ..features.knowledge import KnowledgeResources
from ..models import families
from ..models.selection import StrongModel
from ..models.strong_settings import StrongModelSettings


def describe_settings(settings: StrongModelSettings, resources: KnowledgeResources) -> str:
    """One paragraph saying what will be tried, including why a member is or is not used."""
    plans = [
        plan
        for found in families.candidates()
        if found.candidate is not None and (plan := found.candidate.plan(settings, resources))
    ]
    return "Candidates: " + "; ".join(plans) + "; and every ensemble of them, weights chosen on dev."


def describe_choice(model: StrongModel) -> str:
    """The chosen configuration in words (the results' ``chosen on dev``)."""
    parts = []
    for name, weight in zip(model.members, model.weights):
        chosen = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in model.member_settings[name].items())
        share = f" weight {weight:g}" if len(model.members) > 1 else ""
        parts.append(f"{families.label(name)} ({chosen}){share}")
    return "; ".join(parts)


def describe_saved(paths: Sequence[Path]) -> str:
    """The saved model folders, for the report."""
    return "Saved: " + ", ".join(f"`{p.name}/`" for p in paths)


def record_details(model: StrongModel) -> dict:
    """What the results JSON keeps about the selection (no timings: results must be reproducible)."""
    return {
        "selection": model.selection.to_dict(orient="records"),
        "selection_dev_f1": float(model.selection["dev_f1"].max()),
        "members": list(model.members),
        "weights": list(model.weights),
        "member_settings": model.member_settings,
    }


def selection_frame(model: StrongModel) -> pd.DataFrame:
    """The selection table for display: best dev F1 first, with each fit's seconds as measured
    in this run (kept out of the recorded results, which must not vary between runs)."""
    table = model.selection.copy()
    seconds = [model.candidate_seconds.get(c) for c in table["candidate"]]
    table["fit_seconds"] = [None if s is None else round(s, 1) for s in seconds]
    table["chosen"] = table["members"] == "+".join(model.members)
    return table.sort_values(["dev_f1", "candidate"], ascending=[False, True]).set_index("candidate")

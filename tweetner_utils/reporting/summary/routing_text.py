"""The business summary's routing section: what can be accepted automatically, per model."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ...data.corpora import CorpusSpec
from .text import pct


def routing_table(models: Mapping[str, dict]) -> pd.DataFrame:
    """Per model with a routing analysis: its dev-chosen threshold and what it does on dev and test."""
    rows = {}
    for record in models.values():
        routing = record.get("details", {}).get("routing")
        if not routing:
            continue
        rows[record["label"]] = {
            "threshold (dev)": routing["threshold"],
            "auto-accepted, dev": routing["dev"]["auto_accepted_share"],
            "auto-accepted, test": routing["test"]["auto_accepted_share"],
            "precision of accepted, test": routing["test"]["auto_accepted_precision"],
            "review items per 1,000 tweets, test": routing["test"]["review_per_1000_tweets"],
        }
    return pd.DataFrame(rows).T


def routing_lines(models: Mapping[str, dict], leader_id: str | None, *, corpus: CorpusSpec) -> list[str]:
    """What the auto-accept band means for the leading model, and which model routes best."""
    table = routing_table(models)
    if table.empty:
        return ["No model recorded a routing analysis."]
    lines = []
    leader = models.get(leader_id or "", {})
    routing = leader.get("details", {}).get("routing")
    if routing and routing["threshold"] is not None:
        test = routing["test"]
        lines.append(
            f"With {leader['label']}, entities with {confidence_words(routing)} ≥ {routing['threshold']:.2f} "
            f"(chosen on dev for "
            f"{pct(routing['min_precision'])} precision) are accepted automatically: on the {corpus.words('test')} "
            f"that is {pct(test['auto_accepted_share'])} of its predictions at {pct(test['auto_accepted_precision'])}"
            f" precision, {target_verdict(test['auto_accepted_precision'], routing['min_precision'])}, leaving "
            f"{test['review_per_1000_tweets']:.0f} items per 1,000 tweets for people to review."
        )
    usable = table.dropna(subset=["threshold (dev)"])
    unusable = [name for name in table.index if name not in usable.index]
    if not usable.empty:
        best = usable["auto-accepted, test"].idxmax()
        lines.append(
            f"Across models, {best} accepts the largest share automatically "
            f"({pct(usable.loc[best, 'auto-accepted, test'])} of its test predictions)."
        )
    if unusable:
        lines.append(
            f"{', '.join(unusable)}: no confidence level reaches the precision target on dev, so every prediction "
            "would need review."
        )
    return lines


def target_verdict(achieved: float, target: float) -> str:
    """Whether the precision a threshold reached on test meets the target it was chosen for on dev.

    >>> target_verdict(0.734, 0.8)
    'which misses the 80.0% target chosen on dev by 6.6 points'
    """
    if achieved >= target:
        return f"which meets the {100 * target:.1f}% target chosen on dev"
    return f"which misses the {100 * target:.1f}% target chosen on dev by {100 * (target - achieved):.1f} points"


def describe_routing(name: str, routing: dict) -> str:
    """One sentence: what the dev-chosen threshold does on test, and whether it keeps its promise."""
    target = routing["min_precision"]
    if routing["threshold"] is None:
        return (
            f"{name}: no confidence level reaches {100 * target:.1f}% precision on dev, so every entity needs review."
        )
    test = routing["test"]
    precision = test["auto_accepted_precision"]
    return (
        f"{name}: entities with {confidence_words(routing)} ≥ {routing['threshold']:.2f} are accepted automatically, "
        f"{100 * test['auto_accepted_share']:.1f}% of its test predictions at {100 * precision:.1f}% precision, "
        f"{target_verdict(precision, target)}."
    )


def confidence_words(routing: dict) -> str:
    """What the threshold is a threshold on, as a reader needs to know it.

    >>> confidence_words({"calibration": {"kind": "platt", "a": 1.0, "b": 0.0}})
    'calibrated confidence'
    """
    return (
        "confidence"
        if routing.get("calibration", {}).get("kind", "identity") == "identity"
        else "calibrated confidence"
    )

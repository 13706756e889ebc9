"""The business summary's section on reviewed tweets: what adding them to training changed."""

from __future__ import annotations

import pandas as pd

from .text import pct, points

HOW_TO = (
    "No reviewed tweets were added in this run. `tweetner review export` writes the review queue for "
    "Label Studio or doccano, `tweetner review import` brings the corrections back as CoNLL, and "
    "`run_all.py --extra-train FILE` retrains every model with them; this section then shows what they changed."
)


def reviewed_lines(strong_step: dict) -> list[str]:
    """Sentences for a stakeholder, from the strong-model step's results: what was added,
    whether F1 really moved, what routing does now."""
    record = strong_step.get("reviewed")
    if not record:
        return [HOW_TO]
    leader = strong_step["models"]["strong"]["label"]
    lines = [
        f"{record['added']} reviewed tweets were added to the training data of every model"
        + (
            f"; {len(record['refused'])} were refused because dev or test holds the same tweet (a model must not "
            "train on the tweets that choose or score it)."
            if record["refused"]
            else "."
        )
    ]
    before, after = record["before"], record["after"]
    low, high = record["f1_change_ci"]
    lines.append(
        f"{leader}: test entity F1 {pct(before['test_entity_f1'])} without them, {pct(after['test_entity_f1'])} "
        f"with them ({_signed_points(record['f1_change'])} points; 95% interval {_signed_points(low)} to "
        f"{_signed_points(high)} over resamples of the {record['test_tweets']:,} test tweets): {f1_verdict(low, high)}."
    )
    lines.append(routing_sentence(before["routing"], after["routing"]))
    return lines


def f1_verdict(low: float, high: float) -> str:
    """Whether a paired interval of an F1 change shows a change at all."""
    if low > 0:
        return "a real gain"
    if high < 0:
        return "a real loss: check the reviewed labels against the annotation guidelines"
    return "no change that resampling the test tweets could not produce by itself"


def routing_sentence(before: dict, after: dict) -> str:
    """Review load and auto-accepted precision before and after, each at its own dev-chosen threshold."""
    if before["threshold"] is None or after["threshold"] is None:
        missing = " and ".join(side for side, r in (("without", before), ("with", after)) if r["threshold"] is None)
        return f"Automatic acceptance: no confidence level reached the precision target on dev {missing} them."
    b, a = before["test"], after["test"]
    return (
        f"Review load: {b['review_per_1000_tweets']:.0f} items per 1,000 tweets before, "
        f"{a['review_per_1000_tweets']:.0f} after; automatically accepted entities are right "
        f"{pct(b['auto_accepted_precision'])} of the time before, {pct(a['auto_accepted_precision'])} after "
        "(thresholds chosen on dev each time)."
    )


def reviewed_table(strong_step: dict) -> pd.DataFrame:
    """Before and after, side by side (empty when no reviewed tweets were added)."""
    record = strong_step.get("reviewed")
    if not record:
        return pd.DataFrame()
    rows = {}
    for side in ("before", "after"):
        routing = record[side]["routing"]
        rows[f"{side} (without reviewed tweets)" if side == "before" else f"{side} (with them)"] = {
            "test entity F1 (%)": 100 * record[side]["test_entity_f1"],
            "auto-accept threshold (dev)": routing["threshold"],
            "auto-accepted, test (%)": 100 * routing["test"]["auto_accepted_share"],
            "precision of accepted, test (%)": 100 * routing["test"]["auto_accepted_precision"],
            "review items per 1,000 tweets, test": routing["test"]["review_per_1000_tweets"],
        }
    return pd.DataFrame(rows).T


def _signed_points(value: float) -> str:
    return ("+" if value >= 0 else "-") + points(abs(value))

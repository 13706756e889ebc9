"""The decision box: what the leading model does per 1,000 tweets, and whether to go ahead.

A stakeholder decides from counts, not from F1: how many entities get flagged, how many of
those are wrong, how many real ones are missed, how many go to people. Every figure is the
leading model's test result scaled to 1,000 tweets; the recommendation follows a rule
stated on the page, and the rule's inputs are shown next to it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ...data.access import DEFAULT_CORPUS
from ..published import best_offline
from .text import pct

FIELD_MARGIN = 0.02
"""How far below the best published offline F1 the lower end of a model's 95% interval may be
for the model to count as good enough to deploy."""


@dataclass(frozen=True)
class Decision:
    """The box's figures (per 1,000 tweets) and its recommendation."""

    model: str
    flagged: float
    wrong: float
    missed: float
    review: float | None
    """Entities below the auto-accept threshold (None: no threshold reached the target on dev)."""
    f1: float
    ci_low: float
    ci_high: float
    """The 95% bootstrap interval of the test F1: every comparison with the field uses it."""
    field_name: str | None
    """The best published offline system on the corpus (None: nothing is published for it)."""
    field_f1: float | None
    precision_target: float | None
    accepted_precision: float | None
    recommendation: str
    rule: str


RULE = (
    "Rule: go ahead with automatic acceptance plus review of the rest when the auto-accepted entities "
    "reach the precision target on test and the lower end of the test F1's 95% interval is no more than "
    "{margin} points below the best published offline system; go ahead as an assistant (people confirm "
    "every entity) when only the F1 condition holds; otherwise do not deploy yet."
)
RULE_WITHOUT_FIELD = (
    "Rule: with no published results for this corpus, the F1 condition cannot be checked, so at most "
    "go ahead as an assistant (people confirm every entity), and only with auto-accepted entities that "
    "reach the precision target on test; otherwise do not deploy yet."
)


def decide(record: Mapping, test_tweets: int, corpus: str = DEFAULT_CORPUS) -> Decision:
    """The box for one model's results record (the leading model) on ``test_tweets`` test tweets
    of ``corpus`` (whose published results set the F1 condition)."""
    entity = record["splits"]["test"]["entity"]
    routing = record.get("details", {}).get("routing") or {}
    has_threshold = routing.get("threshold") is not None
    accepted = routing["test"]["auto_accepted_precision"] if has_threshold else None
    target = routing.get("min_precision")
    field = best_offline(corpus)
    field_name, field_f1 = field if field is not None else (None, None)
    meets = has_threshold and accepted is not None and target is not None and accepted >= target
    if field_f1 is None:
        return _decision(record, test_tweets, _without_field(meets), field_name, field_f1, RULE_WITHOUT_FIELD)
    level = _interval(entity)[0] >= field_f1 - FIELD_MARGIN
    if level and meets:
        recommendation = "Go ahead: accept high-confidence entities automatically and send the rest to review."
    elif level:
        recommendation = (
            "Go ahead as an assistant only: the auto-accepted entities miss the precision target on test, so "
            "people should confirm every entity."
        )
    else:
        recommendation = (
            "Do not deploy yet: the lower end of the model's 95% interval is more than the margin below the best "
            "published offline system."
        )
    return _decision(
        record, test_tweets, recommendation, field_name, field_f1, RULE.format(margin=f"{100 * FIELD_MARGIN:.0f}")
    )


def _without_field(meets: bool) -> str:
    if meets:
        return (
            "Go ahead as an assistant only: nothing published to compare F1 with, so people should confirm "
            "every entity until a labelled sample of your own tweets shows the model is good enough."
        )
    return "Do not deploy yet: the auto-accepted entities miss the precision target on test."


def _decision(
    record: Mapping, test_tweets: int, recommendation: str, field_name: str | None, field_f1: float | None, rule: str
) -> Decision:
    entity = record["splits"]["test"]["entity"]
    per_1000 = 1000 / max(1, test_tweets)
    routing = record.get("details", {}).get("routing") or {}
    has_threshold = routing.get("threshold") is not None
    return Decision(
        model=record["label"],
        flagged=entity["n_pred"] * per_1000,
        wrong=(entity["n_pred"] - entity["n_correct"]) * per_1000,
        missed=(entity["n_gold"] - entity["n_correct"]) * per_1000,
        review=routing["test"]["review_per_1000_tweets"] if has_threshold else None,
        f1=entity["f1"],
        ci_low=_interval(entity)[0],
        ci_high=_interval(entity)[1],
        field_name=field_name,
        field_f1=field_f1,
        precision_target=routing.get("min_precision"),
        accepted_precision=routing["test"]["auto_accepted_precision"] if has_threshold else None,
        recommendation=recommendation,
        rule=rule,
    )


def decision_lines(decision: Decision, spread: Sequence[str] = (), tradeoff: Sequence[str] = ()) -> list[str]:
    """The box as sentences (Markdown), figures first, then the recommendation and its rule.

    ``spread`` (how far the seed alone moves the F1) follows the F1 line it qualifies, and
    ``tradeoff`` (what the fast model gives up and saves) comes just before the recommendation,
    so that neither depends on how many lines the box has today.
    """
    d = decision
    lines = [
        f"**Per 1,000 tweets, {d.model}** flags **{d.flagged:.0f} entities**, of which **{d.wrong:.0f} are wrong**, "
        f"and misses **{d.missed:.0f} real entities**.",
        (
            f"**{d.review:.0f} entities go to people for review** (below the auto-accept threshold chosen on dev)."
            if d.review is not None
            else "No confidence threshold reached the precision target on dev: **every entity needs review**."
        ),
        _field_line(d),
        *spread,
    ]
    if d.accepted_precision is not None and d.precision_target is not None:
        lines.append(
            f"Automatically accepted entities are right {pct(d.accepted_precision)} of the time on test "
            f"(target {pct(d.precision_target)})."
        )
    lines += [*tradeoff, f"**{d.recommendation}**", d.rule]
    return lines


def _interval(entity: Mapping) -> tuple[float, float]:
    """The recorded 95% interval (a record without one: the point estimate at both ends)."""
    return entity.get("ci_low", entity["f1"]), entity.get("ci_high", entity["f1"])


def field_position(f1: float, ci_low: float, ci_high: float, field_name: str, field_f1: float) -> str:
    """Where a model stands against a published system, read from its 95% interval: ahead only
    when the whole interval lies above the system's F1, behind only when it lies below.

    >>> field_position(0.5419, 0.5240, 0.5606, "InferNER", 0.5348)[:48]
    'level with the best published offline system (In'
    >>> field_position(0.58, 0.56, 0.60, "InferNER", 0.5348)[:8]
    'ahead of'
    """
    name = f"the best published offline system ({field_name}, {pct(field_f1)})"
    gap = f"{abs(100 * (f1 - field_f1)):.1f} points {'above' if f1 >= field_f1 else 'below'} it"
    if ci_low > field_f1:
        return f"ahead of {name}: {gap}, and the whole interval lies above it"
    if ci_high < field_f1:
        return f"behind {name}: {gap}, and the whole interval lies below it"
    return f"level with {name}: {gap}, but the interval includes its score, so the data cannot separate the two"


def field_line(entity: Mapping, corpus: str = DEFAULT_CORPUS) -> str:
    """A model's test F1 with its 95% interval, and where the interval puts it against the best
    published offline system on ``corpus`` (``entity``: a recorded split's entity scores)."""
    low, high = _interval(entity)
    field = best_offline(corpus)
    return _f1_against_field(entity["f1"], low, high, *(field if field is not None else (None, None)))


def _field_line(d: Decision) -> str:
    return _f1_against_field(d.f1, d.ci_low, d.ci_high, d.field_name, d.field_f1)


def _f1_against_field(f1: float, low: float, high: float, field_name: str | None, field_f1: float | None) -> str:
    text = f"Test entity F1 {pct(f1)} (95% interval {pct(low)}-{pct(high)})"
    if field_f1 is None or field_name is None:
        return f"{text}; no published results on this corpus to compare with."
    return f"{text}: {field_position(f1, low, high, field_name, field_f1)}."


def decision_html(decision: Decision, summary_link: str = "") -> str:
    """The box for the index page (escaped; Markdown bold turned into HTML)."""
    import html
    import re

    items = "".join(
        "<li>" + re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", html.escape(line)) + "</li>"
        for line in decision_lines(decision)
    )
    link = f'<p><a href="{html.escape(summary_link)}">Read the business summary</a></p>' if summary_link else ""
    return (
        '<section class="decision" style="border: 2px solid #333; padding: .5rem 1.5rem; margin-bottom: 2rem;">'
        f"<h2>Decision box</h2><ul>{items}</ul>{link}</section>"
    )

"""What kind of mistakes a model makes, on which entities, and what to trust automatically.

- Error kinds per gold/predicted entity: correct, wrong type (same span), wrong boundary
  (same type, overlapping span), wrong type and boundary, missed, spurious.
- Recall on entities whose string occurs in train ("seen") versus new ones ("unseen"):
  the measure of how much a model memorises rather than generalises.
- Confidence routing: thresholds chosen on dev so that entities above it can be accepted
  automatically at a target precision.
- An HTML view of example tweets with gold and predicted entities in per-type colours,
  with every string escaped.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .conll import Corpus
from .eda import entity_strings
from .labels import ENTITY_TYPES
from .metrics import entities

ERROR_KINDS: tuple[str, ...] = (
    "correct",
    "wrong type",
    "wrong boundary",
    "wrong type and boundary",
    "missed",
    "spurious",
)


def categorize(gold_tags: Sequence[str], pred_tags: Sequence[str]) -> list[tuple[str, str]]:
    """``(entity type, error kind)`` for every gold entity and every unmatched prediction.

    Gold entities take the type of the gold side; spurious predictions the predicted type.
    """
    gold, pred = entities(gold_tags), entities(pred_tags)
    out: list[tuple[str, str]] = []
    used: set[tuple[str, int, int]] = set()
    for kind, start, end in sorted(gold, key=lambda e: e[1]):
        if (kind, start, end) in pred:
            out.append((kind, "correct"))
            used.add((kind, start, end))
            continue
        overlapping = [p for p in pred if p[1] <= end and start <= p[2]]
        used.update(overlapping)
        if any(p[1] == start and p[2] == end for p in overlapping):
            out.append((kind, "wrong type"))
        elif any(p[0] == kind for p in overlapping):
            out.append((kind, "wrong boundary"))
        elif overlapping:
            out.append((kind, "wrong type and boundary"))
        else:
            out.append((kind, "missed"))
    out.extend((kind, "spurious") for kind, start, end in pred - used)
    return out


def error_table(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> pd.DataFrame:
    """Counts of each error kind (columns) per entity type (rows), with a total row."""
    counts = Counter(pair for g, p in zip(gold, pred) for pair in categorize(g, p))
    table = pd.DataFrame(
        [[counts.get((t, k), 0) for k in ERROR_KINDS] for t in ENTITY_TYPES],
        index=list(ENTITY_TYPES),
        columns=ERROR_KINDS,
    )
    table.loc["all types"] = table.sum()
    table.index.name = "type"
    return table


def seen_unseen_recall(train: Corpus, evaluation: Corpus, pred: Sequence[Sequence[str]]) -> pd.DataFrame:
    """Recall on gold entities whose (type, lowercased string) occurs in ``train`` vs not."""
    known = {(kind, text.lower()) for kind, text in entity_strings(train)}
    counts = Counter()
    for tweet, tags in zip(evaluation, pred):
        predicted = entities(tags)
        for kind, start, end in entities(tweet.tags):
            group = "seen" if (kind, " ".join(tweet.tokens[start : end + 1]).lower()) in known else "unseen"
            counts[(group, "gold")] += 1
            counts[(group, "found")] += (kind, start, end) in predicted
    rows = []
    for group in ("seen", "unseen"):
        gold_n = counts[(group, "gold")]
        rows.append(
            {
                "entities": group,
                "gold": gold_n,
                "found": counts[(group, "found")],
                "recall": counts[(group, "found")] / gold_n if gold_n else 0.0,
            }
        )
    return pd.DataFrame(rows).set_index("entities")


def scored_entities(
    gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]], confidences: Sequence[Sequence[float]]
) -> pd.DataFrame:
    """One row per predicted entity: its confidence (mean tag marginal) and whether it is correct."""
    rows = []
    for g_tags, p_tags, conf in zip(gold, pred, confidences):
        gold_set = entities(g_tags)
        for kind, start, end in entities(p_tags):
            rows.append(
                {
                    "type": kind,
                    "confidence": float(np.mean(conf[start : end + 1])),
                    "correct": (kind, start, end) in gold_set,
                }
            )
    return pd.DataFrame(rows, columns=["type", "confidence", "correct"])


def precision_coverage(scored: pd.DataFrame, n_gold: int) -> pd.DataFrame:
    """For each confidence threshold: share of predictions kept, their precision, and recall."""
    ordered = scored.sort_values("confidence", ascending=False).reset_index(drop=True)
    kept = np.arange(1, len(ordered) + 1)
    correct = ordered["correct"].cumsum().to_numpy()
    return pd.DataFrame(
        {
            "threshold": ordered["confidence"].to_numpy(),
            "coverage": kept / max(1, len(ordered)),
            "precision": correct / kept,
            "recall": correct / max(1, n_gold),
        }
    )


def choose_threshold(curve: pd.DataFrame, min_precision: float) -> float | None:
    """The lowest threshold whose kept predictions reach ``min_precision`` (None if none does).

    Lowest, so that as many entities as possible are accepted automatically.
    """
    meeting = curve[curve["precision"] >= min_precision]
    return None if meeting.empty else float(meeting["threshold"].min())


def apply_threshold(scored: pd.DataFrame, threshold: float | None, n_tweets: int) -> dict[str, float]:
    """Share auto-accepted, their precision, and review items per 1,000 tweets at ``threshold``."""
    accepted = scored[scored["confidence"] >= threshold] if threshold is not None else scored.iloc[0:0]
    review = len(scored) - len(accepted)
    return {
        "auto_accepted_share": len(accepted) / len(scored) if len(scored) else 0.0,
        "auto_accepted_precision": float(accepted["correct"].mean()) if len(accepted) else 0.0,
        "review_per_1000_tweets": 1000 * review / max(1, n_tweets),
    }


def html_examples(corpus: Corpus, pred: Sequence[Sequence[str]], colours: dict[str, str], limit: int = 20) -> str:
    """Tweets with gold (underlined) and predicted (highlighted) entities; everything escaped.

    Shows the first ``limit`` tweets where gold and prediction differ.
    """
    rows = []
    for tweet, tags in zip(corpus, pred):
        if list(tweet.tags) == list(tags):
            continue
        rows.append(
            f"<tr><td>{_marked(tweet.tokens, tweet.tags, colours, 'gold')}</td>"
            f"<td>{_marked(tweet.tokens, tags, colours, 'pred')}</td></tr>"
        )
        if len(rows) == limit:
            break
    legend = " ".join(
        f'<span style="background:{html.escape(c)};padding:0 .3em">{html.escape(t)}</span>' for t, c in colours.items()
    )
    return (
        f"<div><p>{legend}</p><table><thead><tr><th>gold</th><th>predicted</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _marked(tokens: Sequence[str], tags: Sequence[str], colours: dict[str, str], side: str) -> str:
    spans = {start: (kind, end) for kind, start, end in entities(tags)}
    out, i = [], 0
    while i < len(tokens):
        if i in spans:
            kind, end = spans[i]
            text = html.escape(" ".join(tokens[i : end + 1]))
            colour = html.escape(colours.get(kind, "#ddd"))
            style = f"border-bottom:3px solid {colour}" if side == "gold" else f"background:{colour}55"
            out.append(f'<span style="{style}" title="{html.escape(kind)}">{text}</span>')
            i = end + 1
        else:
            out.append(html.escape(tokens[i]))
            i += 1
    return " ".join(out)


def routing_report(
    dev: Corpus,
    dev_tags: Sequence[Sequence[str]],
    dev_confidences: Sequence[Sequence[float]],
    test: Corpus,
    test_tags: Sequence[Sequence[str]],
    test_confidences: Sequence[Sequence[float]],
    min_precision: float = 0.8,
) -> tuple[dict, pd.DataFrame]:
    """Choose the auto-accept threshold on dev for ``min_precision``; report what it does on test.

    Returns:
        The threshold and its outcome on dev and test, and the dev precision-coverage curve.
    """
    n_dev_gold = sum(len(entities(t.tags)) for t in dev)
    dev_curve = precision_coverage(scored_entities(dev.tags, dev_tags, dev_confidences), n_dev_gold)
    threshold = choose_threshold(dev_curve, min_precision)
    test_scored = scored_entities(test.tags, test_tags, test_confidences)
    return {
        "min_precision": min_precision,
        "threshold": threshold,
        "dev": apply_threshold(scored_entities(dev.tags, dev_tags, dev_confidences), threshold, len(dev)),
        "test": apply_threshold(test_scored, threshold, len(test)),
    }, dev_curve

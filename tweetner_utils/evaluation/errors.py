"""What kind of mistakes a model makes, and on which entities.

- Error kinds per gold/predicted entity: correct, wrong type (same span), wrong boundary
  (same type, overlapping span), wrong type and boundary, missed, spurious.
- Recall on entities whose string occurs in train ("seen") versus new ones ("unseen"):
  the measure of how much a model memorises rather than generalises.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import pandas as pd

from ..data.conll import Corpus
from ..data.corpora import known_names
from ..data.labels import entities

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


def error_table(
    gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]], types: Sequence[str] = ()
) -> pd.DataFrame:
    """Counts of each error kind (columns) per entity type (rows: ``types`` and every type
    found), with a total row."""
    counts = Counter(pair for g, p in zip(gold, pred) for pair in categorize(g, p))
    kinds = sorted(set(types) | {kind for kind, _ in counts})
    table = pd.DataFrame(
        [[counts.get((t, k), 0) for k in ERROR_KINDS] for t in kinds],
        index=kinds,
        columns=ERROR_KINDS,
    )
    table.loc["all types"] = table.sum()
    table.index.name = "type"
    return table


def seen_unseen_recall(train: Corpus, evaluation: Corpus, pred: Sequence[Sequence[str]]) -> pd.DataFrame:
    """Recall on gold entities whose (type, lowercased string) occurs in ``train`` vs not."""
    known = known_names(train)
    counts: Counter[tuple[str, str]] = Counter()
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

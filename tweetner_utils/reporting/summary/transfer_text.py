"""The business summary's cross-corpus section: will a model trained elsewhere work on these tweets?"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ...data.corpora import DEFAULT_CORPUS, CorpusSpec
from .text import pct


def transfer_lines(transfer: Mapping | None, corpus: CorpusSpec, other: CorpusSpec | None) -> list[str]:
    """What the other corpus's leading model finds on this corpus's test tweets, type by type,
    next to this corpus's own leading model; or why there is nothing to show."""
    if other is None:
        return [
            f"No other corpus's model is scored on the {corpus.title} tweets: a corpus of your own needs a type "
            "map first (`tweetner evaluate --model models --type-map MAP test`, one 'model_type<TAB>your_type' "
            "line per type)."
        ]
    other_title = other.title
    if not transfer or not transfer.get("available"):
        command = "python run_all.py" + ("" if other.name == DEFAULT_CORPUS else f" --corpus {other.name}")
        return [
            f"No model trained on {other_title} is saved here yet: run `{command}`, then this report again, to see "
            f"how it does on the {corpus.words('test')}."
        ]
    moved, own = transfer["transferred"], transfer["in_corpus"]
    found = ", ".join(f"{pct(scores['recall'])} of the {kind} entities" for kind, scores in moved["per_type"].items())
    own_found = ", ".join(f"{pct(scores['recall'])}" for scores in own["per_type"].values())
    verdict = _verdict(moved["overall"]["f1"], own["overall"]["f1"])
    lines = [
        f"Trained on {other_title}, on the {corpus.words('test')} the leading model, {transfer['model']}, finds "
        f"{found}; the model trained on {corpus.title} finds {own_found} of the same.",
        f"Entity F1 on the {len(moved['per_type'])} types the type map relates: {pct(moved['overall']['f1'])} "
        f"against {pct(own['overall']['f1'])} for the model trained on {corpus.title}: {verdict}.",
    ]
    if transfer["dropped_gold"]:
        left = ", ".join(f"{kind} ({n})" for kind, n in transfer["dropped_gold"].items())
        lines.append(f"Left out of both scores, because no {other_title} type maps onto them: {left} gold entities.")
    return lines


def _verdict(transferred: float, own: float) -> str:
    if transferred >= own:
        return "a model trained elsewhere does as well here, so these tweets need no model of their own"
    return (
        f"{pct(own - transferred).removesuffix('%')} points lost by using a model trained on other tweets; "
        "label some of your own before relying on one"
    )


def transfer_table(transfer: Mapping | None, corpus: CorpusSpec, other: CorpusSpec | None) -> pd.DataFrame:
    """Per mapped type: gold entities, and recall and F1 of both models."""
    if other is None or not transfer or not transfer.get("available"):
        return pd.DataFrame()
    other_title = other.title
    moved, own = transfer["transferred"], transfer["in_corpus"]
    pairs = [(kind, scores, own["per_type"][kind]) for kind, scores in moved["per_type"].items()]
    pairs.append(("all mapped types", moved["overall"], own["overall"]))
    rows = {
        kind: {
            "gold entities": theirs["n_gold"],
            f"recall, trained on {other_title}": theirs["recall"],
            f"recall, trained on {corpus.title}": ours["recall"],
            f"F1, trained on {other_title}": theirs["f1"],
            f"F1, trained on {corpus.title}": ours["f1"],
        }
        for kind, theirs, ours in pairs
    }
    table = pd.DataFrame(rows).T
    table.index.name = "type"
    return table

"""The business summary's comparison of models: ranking, per-type scores, findings, advice.

The original typed its conclusions by hand, so they went stale. Here every ranking,
margin and weak spot is derived from the results JSON the notebooks wrote; the notebook
only displays what these functions return.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ...data.corpora import CorpusSpec
from ..tables import shares
from .text import pct, points

MIN_SUPPORT = 30
"""Entity types with fewer gold test entities are not singled out as weak spots."""


def comparison_table(models: Mapping[str, dict], split: str = "test") -> pd.DataFrame:
    """One row per model scored on ``split``, best entity F1 first."""
    rows = []
    for model_id, record in models.items():
        block = record["splits"].get(split)
        if block is None:
            continue
        entity = block["entity"]
        dev_f1 = record["splits"].get("dev", {}).get("entity", {}).get("f1")
        same_fit = dev_f1 is not None
        if dev_f1 is None:  # models refit on train+dev keep the dev score of their selection
            dev_f1 = record.get("details", {}).get("selection_dev_f1")
        rows.append(
            {
                "model": record["label"],
                "id": model_id,
                "precision": entity["precision"],
                "recall": entity["recall"],
                "f1": entity["f1"],
                "ci_low": entity["ci_low"],
                "ci_high": entity["ci_high"],
                "dev_f1": dev_f1,
                "dev_same_fit": same_fit,
                "token_macro_f1": block["token_macro"]["f1_non_o_macro"],
            }
        )
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    return table.sort_values(["f1", "model"], ascending=[False, True]).set_index("model")


def per_type_table(models: Mapping[str, dict], split: str = "test") -> pd.DataFrame:
    """Entity F1 per type (rows) and model (columns), with the gold count per type."""
    blocks = {r["label"]: r["splits"][split]["per_type"] for r in models.values() if split in r["splits"]}
    types = sorted({t for per_type in blocks.values() for t in per_type})
    columns = {label: [per_type.get(t, {}).get("f1", 0.0) for t in types] for label, per_type in blocks.items()}
    support = {t: v["n_gold"] for per_type in blocks.values() for t, v in per_type.items()}
    table = pd.DataFrame(columns, index=types)
    table.insert(0, "gold entities", [support.get(t, 0) for t in types])
    table.index.name = "type"
    return shares(table, list(columns))


def findings(models: Mapping[str, dict], split: str = "test", *, corpus: CorpusSpec) -> list[str]:
    """Plain-language findings: who leads, by how much, how sure, and where recall fails."""
    table = comparison_table(models, split)
    if table.empty:
        return ["No model results were recorded, so nothing can be compared yet."]
    lines = []
    leader_name, leader = table.index[0], table.iloc[0]
    lines.append(
        f"**{leader_name}** finds entities best on the {split} set: entity F1 {pct(leader['f1'])} "
        f"(95% interval {pct(leader['ci_low'])}-{pct(leader['ci_high'])}), precision "
        f"{pct(leader['precision'])}, recall {pct(leader['recall'])}."
    )
    if len(table) > 1:
        runner_name, runner = table.index[1], table.iloc[1]
        margin = leader["f1"] - runner["f1"]
        certain = leader["ci_low"] > runner["ci_high"]
        lines.append(
            f"It leads **{runner_name}** by {points(margin)} F1 points; the two 95% intervals "
            + (
                "do not overlap, so the lead is not a sampling accident."
                if certain
                else "overlap, so the lead is not yet certain."
            )
            + training_comparison(leader_name, models[leader["id"]], runner_name, models[runner["id"]])
        )
    lines.append(_recall_gaps(models[leader["id"]], leader_name, split))
    comparable = table[table["dev_same_fit"]]
    if split != "dev" and not comparable.empty:
        lines.append(
            _drift_sentence(comparable.index[0], comparable.iloc[0]["dev_f1"], comparable.iloc[0]["f1"], corpus)
        )
    token_leader = table["token_macro_f1"].idxmax()
    if token_leader != leader_name:
        lines.append(
            f"Ranked by the original analysis's token-level macro F1, **{token_leader}** would come first: "
            "token scores reward partial spans, so they can rank models differently from complete entities."
        )
    return lines


def training_comparison(leader_name: str, leader: Mapping, runner_name: str, runner: Mapping) -> str:
    """What each of two compared models learned from, said whenever it differs (a lead partly
    bought with more training data is not the method's alone); "" when unrecorded. Equal
    teacher-tweet counts are not called the same tweets: a confidence filter picks its own.

    >>> same = {"trained_on": {"data": "train", "tweets": 5}}
    >>> training_comparison("A", same, "B", same)
    ' Both learned from the same 5 labelled tweets (train).'
    """
    first, second = leader.get("trained_on"), runner.get("trained_on")
    if not first or not second:
        return ""
    if first == second:
        taught = first.get("teacher_tweets", 0)
        each = f", and each from {taught:,} {TAUGHT_WORDS}" if taught else ""
        return f" Both learned from the same {labelled(first)}{each}."
    return (
        f" Not like for like: {leader_name} learned from {learnt_from(first)}, "
        f"{runner_name} from {learnt_from(second)}."
    )


TAUGHT_WORDS = "unlabelled tweets a teacher model tagged"


def labelled(trained_on: Mapping) -> str:
    """The labelled (gold) tweets of a ``trained_on`` record, in words."""
    return f"{trained_on['tweets']:,} labelled tweets ({trained_on['data']})"


def learnt_from(trained_on: Mapping) -> str:
    """A ``trained_on`` record in words: the labelled tweets, and the machine-tagged ones when any.

    >>> learnt_from({"data": "train + dev", "tweets": 3394, "teacher_tweets": 10000})
    '3,394 labelled tweets (train + dev) and 10,000 unlabelled tweets a teacher model tagged'
    """
    taught = trained_on.get("teacher_tweets", 0)
    return labelled(trained_on) + (f" and {taught:,} {TAUGHT_WORDS}" if taught else " only")


def risks_and_recommendations(
    models: Mapping[str, dict], split: str = "test", *, corpus: CorpusSpec
) -> dict[str, list[str]]:
    """Risks and recommendations that follow from the measured scores."""
    table = comparison_table(models, split)
    if table.empty:
        return {"risks": [], "recommendations": []}
    leader_name, leader = table.index[0], table.iloc[0]
    risks, recs = [], []
    if leader["recall"] < 0.5:
        risks.append(
            f"Even the best model misses {pct(1 - leader['recall'])} of the entities in {split} tweets: "
            "use it to assist people, not to decide alone."
        )
    if leader["precision"] < 0.7:
        risks.append(
            f"{pct(1 - leader['precision'])} of what {leader_name} flags is wrong: alerts built on it need review."
        )
    comparable = table[table["dev_same_fit"]]
    if not comparable.empty and comparable.iloc[0]["dev_f1"] - comparable.iloc[0]["f1"] > 0.03:
        risks.append(
            f"Scores fall from dev to test ({corpus.shift}); expect further decay on tweets further from the "
            "training data unless the model is retrained on them."
        )
    recs.append(f"Use **{leader_name}** as the reference model for the next iteration.")
    weakest = _weak_types(models[leader["id"]], split)
    if weakest:
        recs.append(
            "Collect more labelled examples of "
            + ", ".join(f"{t}" for t, _ in weakest)
            + ", the types where recall is lowest."
        )
    recs.append("Track entity-level F1 per type on a fresh labelled sample every week (see the monitoring plan).")
    return {"risks": risks, "recommendations": recs}


def _drift_sentence(name: str, dev_f1: float, test_f1: float, corpus: CorpusSpec) -> str:
    gap = dev_f1 - test_f1
    if abs(gap) < 0.005:
        change = "about the same score on both"
    elif gap > 0:
        change = f"a drop of {points(gap)} points, the cost of {corpus.shift}"
    else:
        change = f"a gain of {points(-gap)} points, so no sign of drift hurting it"
    return (
        f"{name}, the best model scored on dev and test after the same fit, scores {pct(dev_f1)} on dev "
        f"({corpus.words('dev')}) and {pct(test_f1)} on test ({corpus.words('test')}): {change}."
    )


def _weak_types(record: dict, split: str, n: int = 3) -> list[tuple[str, float]]:
    per_type = record["splits"][split]["per_type"]
    candidates = [(t, v["recall"]) for t, v in per_type.items() if v["n_gold"] >= MIN_SUPPORT]
    return sorted(candidates, key=lambda kv: (kv[1], kv[0]))[:n]


def _recall_gaps(record: dict, name: str, split: str) -> str:
    weakest = _weak_types(record, split)
    if not weakest:
        return f"No entity type has {MIN_SUPPORT} or more gold entities in {split}, so no weak type is named."
    listed = ", ".join(f"{t} ({pct(r)} found)" for t, r in weakest)
    return (
        f"Recall fails most on {listed}: of the types with at least {MIN_SUPPORT} gold entities, "
        f"these are where {name} finds the fewest."
    )


def candidates_table(models: Mapping[str, dict], timings: Mapping[str, dict]) -> pd.DataFrame:
    """Every candidate the strong-model selection tried: dev F1 (what chose), the test F1 of its
    train-only fit, and its fit seconds as measured in the run; best dev first."""
    rows = []
    for model_id, record in models.items():
        seconds = timings.get(f"{model_id}_candidates", {})
        for row in record.get("details", {}).get("selection", []):
            rows.append(
                {
                    "candidate": row["candidate"],
                    "dev F1": row["dev_f1"],
                    "test F1 (train-only fit)": row["test_f1_train_only_fit"],
                    "fit seconds": seconds.get(row["candidate"]),
                }
            )
    if not rows:
        return pd.DataFrame(columns=["dev F1", "test F1 (train-only fit)", "fit seconds"])
    return pd.DataFrame(rows).sort_values(["dev F1", "candidate"], ascending=[False, True]).set_index("candidate")

"""The business summary's operational sections: routing, drift, stability, cost, monitoring.

Each function reads the recorded results (model records, the EDA's drift numbers, the
measured timings) and returns a table or sentences; nothing here is typed by hand, so
the text changes when the numbers do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from .stability import UNSTABLE_STD

ALERT_OOV_POINTS = 5.0
"""Unknown-word rate this many points above the test (2016) baseline raises an alert."""
ALERT_COVERAGE_POINTS = 10.0
"""Auto-accepted share this many points below its test baseline raises an alert."""
ALERT_PRECISION_MARGIN = 0.10
"""Auto-accepted precision this far below the dev target raises an alert."""
ALERT_REVIEW_FACTOR = 1.25
"""Review workload this many times its test baseline raises an alert (staffing)."""
ALERT_LATENCY_FACTOR = 2.0
"""p99 latency this many times the measured baseline raises an alert."""


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


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


def routing_lines(models: Mapping[str, dict], leader_id: str | None) -> list[str]:
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
            f"With {leader['label']}, entities with confidence ≥ {routing['threshold']:.2f} (chosen on dev for "
            f"{_pct(routing['min_precision'])} precision) can be accepted automatically: on the 2016 test tweets "
            f"that is {_pct(test['auto_accepted_share'])} of its predictions at {_pct(test['auto_accepted_precision'])}"
            f" precision, leaving {test['review_per_1000_tweets']:.0f} items per 1,000 tweets for people to review."
        )
    usable = table.dropna(subset=["threshold (dev)"])
    unusable = [name for name in table.index if name not in usable.index]
    if not usable.empty:
        best = usable["auto-accepted, test"].idxmax()
        lines.append(
            f"Across models, {best} accepts the largest share automatically "
            f"({_pct(usable.loc[best, 'auto-accepted, test'])} of its test predictions)."
        )
    if unusable:
        lines.append(
            f"{', '.join(unusable)}: no confidence level reaches the precision target on dev, so every prediction "
            "would need review."
        )
    return lines


def seen_unseen_table(models: Mapping[str, dict]) -> pd.DataFrame:
    """Per model: test recall on entities whose name occurs in train versus new names."""
    rows = {}
    for record in models.values():
        seen = record.get("details", {}).get("seen_unseen")
        if seen:
            rows[record["label"]] = {
                "recall, names seen in train": seen["seen"]["recall"],
                "recall, new names": seen["unseen"]["recall"],
                "gold entities with new names": seen["unseen"]["gold"],
                "gold entities with seen names": seen["seen"]["gold"],
            }
    return pd.DataFrame(rows).T


def drift_table(drift: Mapping[str, dict]) -> pd.DataFrame:
    """The EDA's drift numbers for dev and test against train."""
    rows = {
        split: {
            "unknown words (running)": values["oov_token_rate"],
            "unknown words (distinct)": values["oov_type_rate"],
            "entities with new names": values["unseen_entity_share"],
            "type-mix shift (total variation)": values["type_shift_distance"],
            "largest type change (points)": values["largest_type_change"]["points"],
            "type changing most": values["largest_type_change"]["type"],
        }
        for split, values in drift.items()
        if split in ("dev", "test")
    }
    return pd.DataFrame(rows).T


def drift_lines(drift: Mapping[str, dict], models: Mapping[str, dict], comparison: pd.DataFrame) -> list[str]:
    """The dev-to-test gap explained with the drift numbers and the models' recall on new names."""
    if "test" not in drift or "dev" not in drift:
        return ["The EDA recorded no drift numbers (run 01_eda)."]
    dev, test = drift["dev"], drift["test"]
    lines = [
        f"Against the training tweets, {_pct(test['oov_token_rate'])} of the words in the 2016 test tweets are "
        f"unknown (dev: {_pct(dev['oov_token_rate'])}), and {_pct(test['unseen_entity_share'])} of test entities "
        f"carry names never labelled in training (dev: {_pct(dev['unseen_entity_share'])}). The type mix moved by "
        f"{test['type_shift_distance']:.2f} (total variation; dev {dev['type_shift_distance']:.2f}), most for "
        f"{test['largest_type_change']['type']} ({test['largest_type_change']['points']:+.1f} points)."
    ]
    table = seen_unseen_table(models)
    comparable = comparison[comparison["dev_same_fit"]] if not comparison.empty else comparison
    if not table.empty and not comparable.empty:
        name = comparable.index[0]
        if name in table.index:
            seen, new = table.loc[name, "recall, names seen in train"], table.loc[name, "recall, new names"]
            dev_f1, test_f1 = comparable.iloc[0]["dev_f1"], comparable.iloc[0]["f1"]
            more_new = test["unseen_entity_share"] - dev["unseen_entity_share"]
            line = (
                f"{name} (the best model scored on dev and test after one fit) finds {_pct(seen)} of entities with "
                f"known names but only {_pct(new)} of new ones, so the share of new names decides its score. "
            )
            if abs(dev_f1 - test_f1) < 0.01 and abs(more_new) < 0.02:
                line += (
                    f"New names are about as common in test as in dev ({_pct(test['unseen_entity_share'])} vs "
                    f"{_pct(dev['unseen_entity_share'])}), and its scores are close (dev F1 {_pct(dev_f1)}, test "
                    f"{_pct(test_f1)}): the hard part is new names in both sets, not a change between them."
                )
            else:
                direction = "drop" if dev_f1 > test_f1 else "gain"
                line += (
                    f"New names make up {_pct(test['unseen_entity_share'])} of test entities against "
                    f"{_pct(dev['unseen_entity_share'])} of dev; its {direction} from dev F1 {_pct(dev_f1)} to test F1 "
                    f"{_pct(test_f1)} goes with that difference."
                )
            lines.append(line)
    return lines


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
                "std": s["std"],
                "min": s["min"],
                "max": s["max"],
                "verdict": "unstable" if s["unstable"] else "stable",
            }
        elif details.get("deterministic"):
            f1 = record["splits"]["test"]["entity"]["f1"]
            rows[record["label"]] = {"seeds": "any", "mean test F1": f1, "std": 0.0, "min": f1, "max": f1,
                                     "verdict": "deterministic (no random start)"}
    return pd.DataFrame(rows).T


def stability_rule() -> str:
    """The rule the verdicts follow."""
    return (
        f"A model is called unstable when the standard deviation of its test entity F1 across seeds exceeds "
        f"{100 * UNSTABLE_STD:.0f} points; the CRFs are trained by L-BFGS from zero weights, so every seed gives "
        "the same model."
    )


def cost_table(models: Mapping[str, dict], timings: Mapping[str, dict]) -> pd.DataFrame:
    """Per model: training seconds, batched tweets per second and single-tweet latency, as measured in the run."""
    rows = {}
    for model_id, record in models.items():
        cost = timings.get(model_id)
        if cost:
            rows[record["label"]] = {
                "training seconds": cost["train_seconds"],
                "tweets per second (batched)": cost["tweets_per_s"],
                "latency p50 (ms)": cost["latency_ms_p50"],
                "latency p99 (ms)": cost["latency_ms_p99"],
                "worker processes": cost["workers"],
                "CPU cores": cost["cpu_count"],
            }
    return pd.DataFrame(rows).T


def cost_lines(table: pd.DataFrame, leader: str | None, useless: Sequence[str] = ()) -> list[str]:
    """Feasibility in plain words, from the measured costs; ``useless`` models (finding nothing) are not praised."""
    if table.empty:
        return ["No costs were measured in this run."]
    cores = int(table["CPU cores"].iloc[0])
    lines = []
    if leader in table.index:
        row = table.loc[leader]
        per_day = row["tweets per second (batched)"] * 86_400
        lines.append(
            f"{leader} trained in {row['training seconds']:.0f} s and tags {row['tweets per second (batched)']:,.0f} "
            f"tweets per second in batches on this {cores}-core machine (about {per_day / 1e6:,.0f} million a day), "
            f"{row['latency p50 (ms)']:.1f} ms per single tweet at the median and {row['latency p99 (ms)']:.1f} ms "
            "at the 99th percentile: no GPU is needed."
        )
    useful = table.drop(index=[n for n in table.index if n in set(useless)])
    if not useful.empty:
        fastest = useful["tweets per second (batched)"].astype(float).idxmax()
        lines.append(
            f"The fastest model that finds any entity is {fastest} "
            f"({useful.loc[fastest, 'tweets per second (batched)']:,.0f} tweets per second)."
        )
    return lines


def monitoring_plan(
    models: Mapping[str, dict], leader_id: str, drift: Mapping[str, dict], timings: Mapping[str, dict]
) -> pd.DataFrame:
    """The weekly dashboard: each metric, today's baselines on dev and test, and the alert rule."""
    record = models[leader_id]
    details = record.get("details", {})
    rows = []
    if "dev" in drift and "test" in drift:
        rows.append(_metric("unknown-word rate of incoming tweets (vs training vocabulary)",
                            drift["dev"]["oov_token_rate"], drift["test"]["oov_token_rate"],
                            f"above test baseline + {ALERT_OOV_POINTS:.0f} points",
                            drift["test"]["oov_token_rate"] + ALERT_OOV_POINTS / 100))
        rows.append(_metric("entities with names never seen in training (weekly labelled sample)",
                            drift["dev"]["unseen_entity_share"], drift["test"]["unseen_entity_share"],
                            f"above test baseline + {ALERT_OOV_POINTS:.0f} points",
                            drift["test"]["unseen_entity_share"] + ALERT_OOV_POINTS / 100))
    routing = details.get("routing")
    if routing and routing.get("threshold") is not None:
        dev, test = routing["dev"], routing["test"]
        rows.append(_metric("share of predicted entities auto-accepted", dev["auto_accepted_share"],
                            test["auto_accepted_share"], f"below test baseline - {ALERT_COVERAGE_POINTS:.0f} points",
                            test["auto_accepted_share"] - ALERT_COVERAGE_POINTS / 100))
        target = routing["min_precision"] - ALERT_PRECISION_MARGIN
        rows.append(_metric("precision of auto-accepted entities (weekly labelled sample)",
                            dev["auto_accepted_precision"], test["auto_accepted_precision"],
                            f"below {_pct(target)} (target {_pct(routing['min_precision'])} - "
                            f"{100 * ALERT_PRECISION_MARGIN:.0f} points)", target))
        rows.append(_metric("review items per 1,000 tweets", dev["review_per_1000_tweets"],
                            test["review_per_1000_tweets"], f"above {ALERT_REVIEW_FACTOR:g} x test baseline",
                            test["review_per_1000_tweets"] * ALERT_REVIEW_FACTOR, percent=False))
    test_entity = record["splits"]["test"]["entity"]
    dev_f1 = record["splits"].get("dev", {}).get("entity", {}).get("f1", details.get("selection_dev_f1"))
    rows.append(_metric("entity F1 on the weekly labelled sample", dev_f1, test_entity["f1"],
                        "below the test 95% interval", test_entity["ci_low"]))
    cost = timings.get(leader_id)
    if cost:
        rows.append(_metric("single-tweet latency p99 (ms)", None, cost["latency_ms_p99"],
                            f"above {ALERT_LATENCY_FACTOR:g} x measured", cost["latency_ms_p99"] * ALERT_LATENCY_FACTOR,
                            percent=False))
    return pd.DataFrame(rows).set_index("metric")


def _metric(name: str, dev: float | None, test: float, rule: str, alert_at: float, percent: bool = True) -> dict:
    scale = 100 if percent else 1
    return {
        "metric": name + (" (%)" if percent else ""),
        "baseline dev": None if dev is None else round(scale * dev, 1),
        "baseline test": round(scale * test, 1),
        "alert when": rule,
        "alert at": round(scale * alert_at, 1),
    }


def monitoring_lines(plan: pd.DataFrame, leader: str) -> list[str]:
    """How to use the plan."""
    return [
        f"Track these {len(plan)} numbers weekly for {leader}; the dev and test columns are today's values on 2015 "
        "and 2016 tweets, and each alert level is derived from them by the rule shown.",
        "The two sample-based rows need about 200 freshly labelled tweets a week; the others come from the "
        "model's own output and need no labelling.",
        "An unknown-word or new-name alert means the language has moved: refresh the gazetteers and retrain; a "
        "precision or coverage alert means the routing threshold must be re-chosen on a new labelled sample.",
    ]

"""The business summary's drift section: new words and new names, and what they cost each model."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ...data.corpora import CorpusSpec
from .text import pct


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
            "share of entities with new names": values["unseen_entity_share"],
            "type-mix shift (total variation)": values["type_shift_distance"],
            "largest type change (points)": values["largest_type_change"]["points"],
            "type changing most": values["largest_type_change"]["type"],
        }
        for split, values in drift.items()
        if split in ("dev", "test")
    }
    return pd.DataFrame(rows).T


def drift_lines(
    drift: Mapping[str, dict], models: Mapping[str, dict], comparison: pd.DataFrame, *, corpus: CorpusSpec
) -> list[str]:
    """The dev-to-test gap explained with the drift numbers and the models' recall on new names."""
    if "test" not in drift or "dev" not in drift:
        return ["The EDA recorded no drift numbers (run 01_eda)."]
    dev, test = drift["dev"], drift["test"]
    lines = [
        f"Against the training tweets, {pct(test['oov_token_rate'])} of the words in the {corpus.words('test')} are "
        f"unknown (dev: {pct(dev['oov_token_rate'])}), and {pct(test['unseen_entity_share'])} of test entities "
        f"carry names never labelled in training (dev: {pct(dev['unseen_entity_share'])}). The type mix moved by "
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
                f"{name} (the best model scored on dev and test after one fit) finds {pct(seen)} of entities with "
                f"known names but only {pct(new)} of new ones, so the share of new names decides its score. "
            )
            if abs(dev_f1 - test_f1) < 0.01 and abs(more_new) < 0.02:
                line += (
                    f"New names are about as common in test as in dev ({pct(test['unseen_entity_share'])} vs "
                    f"{pct(dev['unseen_entity_share'])}), and its scores are close (dev F1 {pct(dev_f1)}, test "
                    f"{pct(test_f1)}): the hard part is new names in both sets, not a change between them."
                )
            else:
                direction = "drop" if dev_f1 > test_f1 else "gain"
                line += (
                    f"New names make up {pct(test['unseen_entity_share'])} of test entities against "
                    f"{pct(dev['unseen_entity_share'])} of dev; its {direction} from dev F1 {pct(dev_f1)} to test F1 "
                    f"{pct(test_f1)} goes with that difference."
                )
            lines.append(line)
    return lines

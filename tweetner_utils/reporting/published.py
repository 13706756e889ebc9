"""Published results on the WNUT16 test set, so a report can say where a run stands."""

from __future__ import annotations

import pandas as pd

PUBLISHED_TEST_F1: tuple[tuple[str, float], ...] = (
    ("Original analysis: tuned SGD (entity level, reproduced in 02)", 0.183),
    ("WNUT16 shared-task CRF baseline (reported on dev)", 0.3583),
    ("Mishra & Diesner 2016: feature CRF", 0.473),
    ("BERTweet (Nguyen et al. 2020)", 0.521),
    ("Shared-task winner CambridgeLTL: BiLSTM-CRF, 400M-tweet embeddings", 0.5241),
    ("DATNet (Zhou et al. 2019): BiLSTM-CRF, adversarial transfer", 0.5343),
    ("InferNER (Shahzad et al. 2021): BiLSTM, no pretrained language model", 0.5348),
    ("CL-KL (Wang et al. 2021): needs a web search engine at prediction time", 0.5898),
)
"""Published entity F1 on the WNUT16 test set (as fractions), for context in the report."""
NOT_COMPARABLE: frozenset[str] = frozenset(
    {
        "Original analysis: tuned SGD (entity level, reproduced in 02)",
        "WNUT16 shared-task CRF baseline (reported on dev)",
        "CL-KL (Wang et al. 2021): needs a web search engine at prediction time",
    }
)
"""Entries that are not offline systems scored on test: the analysis we reproduce, a dev
score, and a system that searches the web for every tweet it tags."""


def best_offline() -> tuple[str, float]:
    """The best published system that tags a tweet with nothing but the tweet (name, test F1).

    >>> best_offline()[1]
    0.5348
    """
    return max(((n, f1) for n, f1 in PUBLISHED_TEST_F1 if n not in NOT_COMPARABLE), key=lambda item: item[1])


def field_comparison(label: str, test_f1: float) -> pd.DataFrame:
    """Published WNUT16 test results with this run's model inserted, best first."""
    rows = [{"system": name, "test_entity_f1": f1, "this run": False} for name, f1 in PUBLISHED_TEST_F1]
    rows.append({"system": f"This run: {label}", "test_entity_f1": test_f1, "this run": True})
    return pd.DataFrame(rows).sort_values("test_entity_f1", ascending=False).set_index("system")

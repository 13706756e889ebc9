"""Seed stability: train the same configuration under several seeds and summarise.

The original declared its SGD "stable across seeds" from three validation runs without
a rule; here the rule is explicit: a model is flagged unstable when the standard
deviation of its test entity F1 across seeds exceeds ``UNSTABLE_STD``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pandas as pd

from ..data.conll import Corpus
from ..exceptions import ResultsError
from ..metrics import entity_scores
from ..models.protocol import Tagger

UNSTABLE_STD = 0.02
"""Standard deviation of entity F1 (fraction) above which a model is called unstable."""

LEADER_SCORE, FAST_SCORE = "test_f1", "fast_test_f1"
"""Where a seed-spread record keeps each run's test F1 of the leading model and of the fast
model that dev chose in the same run."""


def seed_runs(train: Callable[[int], Tagger], corpora: Mapping[str, Corpus], seeds: Sequence[int]) -> pd.DataFrame:
    """Entity F1 on each corpus for a model trained with each seed (one row per seed)."""
    rows = []
    for seed in seeds:
        model = train(seed)
        row: dict[str, float] = {"seed": seed}
        for name, corpus in corpora.items():
            row[f"{name}_f1"] = entity_scores(corpus.tags, model.predict(corpus.tokens)).overall.f1
        rows.append(row)
    return pd.DataFrame(rows)


def summarise(runs: pd.DataFrame, column: str = "test_f1") -> dict[str, float | bool | int]:
    """Mean, standard deviation (n-1), range and the instability flag of one score column."""
    values = runs[column]
    std = float(values.std(ddof=1)) if len(values) > 1 else 0.0
    return {
        "seeds": len(values),
        "mean": float(values.mean()),
        "std": std,
        "min": float(values.min()),
        "max": float(values.max()),
        "unstable": std > UNSTABLE_STD,
    }


def seed_spread_path(folder: str | Path, corpus: str) -> Path:
    """Where ``benchmarks/stability.py --leader`` records the leading model's runs over seeds."""
    return Path(folder) / f"leader_seeds_{corpus}.json"


def read_seed_spread(folder: str | Path, corpus: str) -> dict | None:
    """The recorded seed runs of the leading model on ``corpus``, or None when never measured.

    Raises:
        ResultsError: the file exists but is not a seed-spread record (names the file).
    """
    path = seed_spread_path(folder, corpus)
    if not path.is_file():
        return None
    try:
        record = json.loads(path.read_text("utf-8"))
        runs = [(int(run["seed"]), float(run[LEADER_SCORE])) for run in record["runs"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ResultsError(f"{path}: not a seed-spread record ({type(exc).__name__}: {exc})") from None
    if len(runs) < 2:
        raise ResultsError(f"{path}: a seed spread needs at least 2 runs, found {len(runs)}")
    return record

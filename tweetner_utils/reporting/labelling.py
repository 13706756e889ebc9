"""Tables and charts of what more labels would buy, from the ``labelling`` record of
``04_strong_models`` (``evaluation/labelling.py``)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..evaluation.learning_curve import PowerLaw


def curve_table(record: Mapping) -> pd.DataFrame:
    """Per train size: the fits' mean dev and test F1, their range over seeds, and the fitted law."""
    points = pd.DataFrame(record["curve"])
    law = PowerLaw(**record["power_law"])
    table = points.groupby("size").agg(
        fits=("seed", "size"),
        dev_f1=("dev_f1", "mean"),
        test_f1=("test_f1", "mean"),
        test_f1_min=("test_f1", "min"),
        test_f1_max=("test_f1", "max"),
    )
    table["fitted_test_f1"] = law(table.index.to_numpy())
    return table


def extrapolation_table(record: Mapping) -> pd.DataFrame:
    """The fitted F1 with more labelled tweets than train has, with its 95% interval."""
    table = pd.DataFrame(record["extrapolated"]).rename(columns={"extra": "more_labelled_tweets", "f1": "fitted_f1"})
    table["labelled_tweets"] = table["more_labelled_tweets"] + int(record["train_tweets"])
    return table.set_index("more_labelled_tweets")[["labelled_tweets", "fitted_f1", "low", "high", "gain"]]


def fitted_line(record: Mapping, points: int = 60) -> pd.DataFrame:
    """The fitted law from the smallest size to the farthest extrapolation, for the chart."""
    law = PowerLaw(**record["power_law"])
    sizes = [p["size"] for p in record["curve"]]
    farthest = int(record["train_tweets"]) + max((e["extra"] for e in record["extrapolated"]), default=0)
    n = np.linspace(min(sizes), farthest, points)
    return pd.DataFrame({"labelled_tweets": n, "fitted_f1": law(n)})


def simulation_table(record: Mapping) -> pd.DataFrame:
    """Per strategy and number of labelled tweets: mean test (and dev) F1 over seeds and the range."""
    rounds = pd.DataFrame(record["simulation"])
    return rounds.groupby(["strategy", "labelled"]).agg(
        seeds=("seed", "size"),
        dev_f1=("dev_f1", "mean"),
        test_f1=("test_f1", "mean"),
        test_f1_min=("test_f1", "min"),
        test_f1_max=("test_f1", "max"),
    )


def comparison_table(record: Mapping) -> pd.DataFrame:
    """Each strategy against random at the last round (paired by seed), with the verdict."""
    table = pd.DataFrame(record["comparisons"]).set_index("strategy")
    table["gain_per_1000"] = table["gain"] * 1000 / table["added"]
    return table[["labelled", "gain", "low", "high", "gain_per_1000", "seeds", "verdict"]]

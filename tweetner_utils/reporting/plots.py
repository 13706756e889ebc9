"""Charts for the reports, one function per chart, each returning its figure.

Colours are fixed per entity type so a reader can follow a type from chart to chart.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from .tables import use_readable_tables


def type_colours(types: Sequence[str]) -> dict[str, str]:
    """One colour per entity type of a corpus, shared by every chart and the HTML error views.

    Up to ten types get tab10's distinct colours, more get tab20's, beyond that evenly
    spaced hues: the colours adapt to any corpus's label set.

    >>> type_colours(["group", "person"])
    {'group': '#1f77b4', 'person': '#ff7f0e'}
    """
    ordered = sorted(types)
    palette = "tab10" if len(ordered) <= 10 else "tab20" if len(ordered) <= 20 else "husl"
    return dict(zip(ordered, sns.color_palette(palette, len(ordered)).as_hex()))


def use_report_style() -> None:
    """A quiet style with readable labels for HTML reports; tables and records shown as
    stakeholders read them (``reporting.tables``)."""
    sns.set_theme(style="whitegrid", context="notebook")
    plt.rcParams.update({"figure.dpi": 90, "savefig.dpi": 90, "figure.autolayout": True})
    _fixed_png_metadata()
    use_readable_tables()


def _fixed_png_metadata() -> None:
    """Inline PNGs without the Matplotlib version stamp, so reports diff cleanly across upgrades."""
    try:
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # not in a notebook kernel
        return
    set_matplotlib_formats("png", metadata={"Software": None})


SHORT_LABEL_CHARS = 18
"""Longer row names are replaced on the axis by a short code, with the full names in a key."""


def bar_chart(
    table: pd.DataFrame,
    title: str,
    xlabel: str = "",
    ylabel: str = "",
    horizontal: bool = False,
    log_scale: bool | None = None,
) -> Figure:
    """Grouped bars: one group per row, one bar per column; the legend outside the bars, long row
    names shortened to codes with a key under the chart, and a log value axis when one row
    dwarfs the rest (as ``O`` does among tags, or the majority baseline's speed among models;
    ``log_scale=None`` decides by :func:`dwarfs`)."""
    if log_scale is None:
        log_scale = dwarfs(table)
    shown, key = short_labels(table)
    fig, ax = plt.subplots(figsize=(10, 4.5 + 0.25 * len(key)))
    shown.plot(
        kind="barh" if horizontal else "bar",
        ax=ax,
        width=0.8,
        logx=horizontal and log_scale,
        logy=not horizontal and log_scale,
    )
    ax.set_title(title)
    logged = " (log scale)" if log_scale else ""
    ax.set_xlabel(xlabel + (logged if horizontal and xlabel else ""))
    ax.set_ylabel(ylabel + (logged if not horizontal and ylabel else ""))
    if not horizontal:
        ax.tick_params(axis="x", rotation=0 if key else 30)
    _legend_outside(ax, table.shape[1])
    if key:
        fig.text(0.01, 0.0, "\n".join(key), fontsize="small", va="top")
    return fig


DWARF_RATIO = 50
"""Largest over smallest positive bar beyond which a linear axis hides the small bars."""


def dwarfs(table: pd.DataFrame) -> bool:
    """Whether one bar is more than :data:`DWARF_RATIO` times another (all positive), so that a
    log axis is needed to see the small ones.

    >>> dwarfs(pd.DataFrame({"tweets/s": [46772.0, 146.0]})), dwarfs(pd.DataFrame({"f1": [0.5, 0.2]}))
    (True, False)
    """
    values = table.to_numpy(dtype=float).ravel()
    values = values[~np.isnan(values)]
    if not len(values) or (values <= 0).any():
        return False
    return bool(values.max() / values.min() > DWARF_RATIO)


def short_labels(table: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """``table`` with rows renamed M1, M2, ... when any name is long, and the key lines.

    >>> short_labels(pd.DataFrame({"f1": [1]}, index=["a very long model name indeed"]))[1]
    ['M1 = a very long model name indeed']
    """
    names = [str(i) for i in table.index]
    if all(len(n) <= SHORT_LABEL_CHARS for n in names):
        return table, []
    codes = [f"M{k}" for k in range(1, len(names) + 1)]
    return table.set_axis(codes, axis=0), [f"{c} = {n}" for c, n in zip(codes, names)]


def _legend_outside(ax: plt.Axes, series: int) -> None:
    """The legend to the right of the plot (never over the leading bars); none for one series."""
    legend = ax.get_legend()
    if legend is None:
        return
    if series == 1:
        legend.remove()
    else:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)


def length_histogram(lengths: pd.Series, title: str) -> Figure:
    """Tweet lengths with the mean marked."""
    fig, ax = plt.subplots(figsize=(8, 4))
    sns.histplot(lengths, bins=30, ax=ax, color="teal")
    ax.axvline(lengths.mean(), color="red", linestyle="--", label=f"mean {lengths.mean():.1f}")
    ax.set_title(title)
    ax.set_xlabel("tokens per tweet")
    ax.legend()
    return fig


def heatmap(matrix: pd.DataFrame, title: str, log_scale: bool = True) -> Figure:
    """A labelled heatmap (log-coloured counts by default, so rare cells stay visible)."""
    fig, ax = plt.subplots(figsize=(9, 7))
    values = np.log1p(matrix) if log_scale else matrix
    sns.heatmap(values, cmap="YlGnBu", ax=ax, cbar_kws={"label": "log(1 + count)" if log_scale else "count"})
    ax.set_title(title)
    ax.set_xlabel("next tag")
    ax.set_ylabel("tag")
    return fig


def learning_curves(history: pd.DataFrame) -> Figure:
    """Training loss and validation score per epoch, best epoch marked."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    left.plot(history["epoch"], history["train_loss"], marker="o")
    left.set_title("training loss")
    left.set_xlabel("epoch")
    right.plot(history["epoch"], history["val_f1_non_o_macro"], marker="o", color="darkorange")
    best = history.loc[history["val_f1_non_o_macro"].idxmax()]
    right.axvline(best["epoch"], color="grey", linestyle="--", label=f"best epoch {int(best['epoch'])}")
    right.set_title("validation non-O token macro F1")
    right.set_xlabel("epoch")
    right.legend()
    return fig


def model_comparison(table: pd.DataFrame, title: str) -> Figure:
    """Entity F1 per model with its 95% bootstrap interval, plus precision and recall.

    ``table`` has one row per model (index: label) and columns ``precision``, ``recall``,
    ``f1``, ``ci_low``, ``ci_high``.
    """
    fig, ax = plt.subplots(figsize=(10, 0.6 * len(table) + 2))
    positions = range(len(table))
    ax.barh([p + 0.25 for p in positions], table["precision"], height=0.25, label="precision", color="#9ecae1")
    ax.barh(list(positions), table["recall"], height=0.25, label="recall", color="#fdae6b")
    errors = [table["f1"] - table["ci_low"], table["ci_high"] - table["f1"]]
    ax.barh(
        [p - 0.25 for p in positions],
        table["f1"],
        height=0.25,
        xerr=errors,
        label="F1 (95% CI)",
        color="#31a354",
    )
    ax.set_yticks(list(positions), table.index)
    ax.set_xlim(0, 1)
    ax.set_xlabel("entity-level score (test)")
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    return fig


def precision_coverage_curve(curve: pd.DataFrame, threshold: float | None, title: str) -> Figure:
    """Precision and recall of the predictions kept above each confidence threshold."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.plot(curve["coverage"], curve["precision"], label="precision of kept entities")
    ax.plot(curve["coverage"], curve["recall"], label="recall (share of all gold entities)")
    if threshold is not None:
        kept = curve[curve["threshold"] >= threshold]["coverage"].max()
        ax.axvline(kept, color="grey", linestyle="--", label=f"auto-accept threshold {threshold:.2f}")
    ax.set_xlabel("share of predicted entities accepted automatically (highest confidence first)")
    ax.set_ylim(0, 1.02)
    ax.set_title(title)
    ax.set_ylabel("share (0-1)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    return fig


def precision_coverage_curves(curves: dict[str, tuple[pd.DataFrame, float | None]], title: str) -> Figure:
    """Several models' dev precision (solid) and recall (dashed) against automatic coverage."""
    fig, ax = plt.subplots(figsize=(9, 4.5))
    for (name, (curve, threshold)), colour in zip(curves.items(), sns.color_palette("deep")):
        ax.plot(curve["coverage"], curve["precision"], color=colour, label=f"{name}: precision")
        ax.plot(curve["coverage"], curve["recall"], color=colour, linestyle="--", label=f"{name}: recall")
        if threshold is not None:
            ax.axvline(curve[curve["threshold"] >= threshold]["coverage"].max(), color=colour, linestyle=":")
    ax.set_xlabel("share of predicted entities accepted automatically (highest confidence first); dotted: threshold")
    ax.set_ylim(0, 1.02)
    ax.set_title(title)
    ax.set_ylabel("share (0-1)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    return fig


def stacked_bars(table: pd.DataFrame, title: str, xlabel: str = "") -> Figure:
    """Horizontal stacked bars: one bar per row, one segment per column."""
    fig, ax = plt.subplots(figsize=(10, 0.45 * len(table) + 1.5))
    table.plot(kind="barh", stacked=True, ax=ax, width=0.75)
    ax.invert_yaxis()
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    _legend_outside(ax, table.shape[1])
    return fig


def error_bars(table: pd.DataFrame, mean: str, spread: str, title: str, scale: float = 1.0, xlabel: str = "") -> Figure:
    """Horizontal bars of ``mean`` (times ``scale``: a share drawn in percent beside a spread
    in points) with ``spread`` as error bars, one per row."""
    fig, ax = plt.subplots(figsize=(9, 0.6 * len(table) + 1.5))
    ax.barh(table.index, scale * table[mean].astype(float), xerr=table[spread].astype(float), capsize=4)
    ax.set_title(title)
    ax.set_xlabel(xlabel or mean)
    return fig


def drift_charts(oov: pd.DataFrame, shift: pd.DataFrame, reference: str = "train") -> Figure:
    """Left: share of unknown words per split; right: change of each type's share against ``reference``."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.2), gridspec_kw={"width_ratios": [1, 2]})
    (100 * oov[["oov_token_rate", "oov_type_rate"]]).plot(kind="bar", ax=left, width=0.7)
    left.set_title(f"Words unknown to {reference} (%)")
    left.set_ylim(0, 115)
    left.legend(["running words", "distinct words"], loc="upper left", ncols=2, fontsize="small")
    left.tick_params(axis="x", rotation=0)
    changes = [c for c in shift.columns if c.endswith(f" - {reference}")]
    (100 * shift[changes]).plot(kind="bar", ax=right, width=0.8)
    right.axhline(0, color="black", linewidth=0.8)
    right.set_title(f"Change in each type's share of entities against {reference} (points)")
    right.set_ylabel("percentage points")
    left.set_ylabel("% of words")
    right.tick_params(axis="x", rotation=30)
    _legend_outside(right, len(changes))
    return fig


def reliability_chart(tables: dict[str, pd.DataFrame], title: str) -> Figure:
    """Share of entities right against their mean confidence, per confidence bin, one line per
    table (raw and calibrated); the diagonal is a confidence that means what it says."""
    fig, ax = plt.subplots(figsize=(6.5, 5))
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":", label="perfectly calibrated")
    for name, table in tables.items():
        ax.plot(table["mean confidence"], table["share right"], marker="o", label=name)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("mean confidence of the entities in the bin")
    ax.set_ylabel("share of those entities that are right")
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize="small")
    return fig


def distillation_curve(curve: pd.DataFrame, title: str) -> Figure:
    """Dev and test entity F1 of each student against the teacher-labelled tweets it learnt
    from; ``curve`` has columns ``teacher_tweets_used``, ``dev_f1``, ``test_f1_train_only_fit``."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.plot(curve["teacher_tweets_used"], curve["dev_f1"], marker="o", label="dev (chooses)")
    ax.plot(curve["teacher_tweets_used"], curve["test_f1_train_only_fit"], marker="s", label="test (reported)")
    ax.set_xlabel("teacher-labelled tweets learnt from, besides the gold tweets")
    ax.set_ylabel("entity F1")
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    return fig


def quality_speed_frontier(points: pd.DataFrame, references: Sequence[tuple[str, float]], title: str) -> Figure:
    """Each model's test entity F1 against its first-pass tweets per second (log scale), the
    published systems as horizontal lines; ``points`` is indexed by model with columns
    ``tweets_per_s`` and ``test_f1``."""
    fig, ax = plt.subplots(figsize=(9, 6.5))
    for (name, row), colour in zip(points.iterrows(), sns.color_palette("deep")):
        ax.scatter(row["tweets_per_s"], row["test_f1"], s=60, color=colour, label=name, zorder=3)
    for (name, f1), style in zip(references, itertools.cycle(["--", ":", "-."])):
        ax.axhline(f1, color="grey", linestyle=style, linewidth=1, label=f"{name} ({100 * f1:.1f})")
    ax.set_xscale("log")
    ax.set_xlabel("tweets per second, first pass in a fresh process (log scale)")
    ax.set_ylabel("entity F1 (test)")
    ax.set_title(title)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), fontsize="small", frameon=False)  # long names
    return fig


def labelled_tweets_curve(points: pd.DataFrame, fitted: pd.DataFrame, train_tweets: int, title: str) -> Figure:
    """Test entity F1 of each fit against its labelled tweets (``points``: ``size``, ``test_f1``),
    the fitted power law (``fitted``: ``labelled_tweets``, ``fitted_f1``), dashed beyond train."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.scatter(points["size"], points["test_f1"], s=18, alpha=0.7, label="one fit (test)", zorder=3)
    inside = fitted[fitted["labelled_tweets"] <= train_tweets]
    beyond = fitted[fitted["labelled_tweets"] >= train_tweets]
    ax.plot(inside["labelled_tweets"], inside["fitted_f1"], color="black", label="fitted power law")
    ax.plot(beyond["labelled_tweets"], beyond["fitted_f1"], color="black", linestyle="--", label="extrapolated")
    ax.axvline(train_tweets, color="grey", linewidth=1, linestyle=":", label=f"train today ({train_tweets:,})")
    ax.set_xlabel("labelled tweets")
    ax.set_ylabel("entity F1 (test)")
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    return fig


def strategy_curves(table: pd.DataFrame, title: str) -> Figure:
    """Mean test F1 of each labelling strategy against labelled tweets, the seeds' range shaded;
    ``table`` is indexed by (strategy, labelled) with ``test_f1``, ``test_f1_min``, ``test_f1_max``."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for (strategy, rows), colour in zip(table.groupby(level="strategy", sort=False), sns.color_palette("deep")):
        labelled = rows.index.get_level_values("labelled")
        ax.plot(labelled, rows["test_f1"], marker="o", color=colour, label=strategy)
        ax.fill_between(labelled, rows["test_f1_min"], rows["test_f1_max"], color=colour, alpha=0.15)
    ax.set_xlabel("labelled tweets")
    ax.set_ylabel("entity F1 (test)")
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    return fig

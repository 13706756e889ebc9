"""What the corpus checks of ``01_eda`` mean, in words."""

from __future__ import annotations

from collections.abc import Mapping


def overlap_sentence(overlap: Mapping[str, Mapping[str, float]]) -> str:
    """What the seen-in-train shares of dev and test can and cannot explain.

    Unseen names are hard for every model, but they explain a drop from dev to test only if
    test has fewer seen names than dev; said so only when the numbers say so.

    >>> overlap_sentence({"dev": {"seen_pct": 12.3}, "test": {"seen_pct": 13.1}})[-82:]
    'so unseen names do not explain a drop from dev to test; other drift would have to.'
    """
    dev, test = overlap["dev"]["seen_pct"], overlap["test"]["seen_pct"]
    shares = f"{dev:.1f}% of dev entity mentions and {test:.1f}% of test mentions were seen in train"
    if test < dev:
        return (
            f"{shares}: test has {dev - test:.1f} points fewer known names, one reason a model can score lower "
            "on test than on dev (names never seen in training are the hard part of tweet NER)."
        )
    return (
        f"{shares}: test has no fewer known names than dev ({test - dev:+.1f} points), so unseen names do not "
        "explain a drop from dev to test; other drift would have to."
    )

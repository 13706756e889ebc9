"""Published results on each built-in corpus's test set, so a report can say where a run stands.

A corpus of your own has no published results: its reports say so instead of comparing.
"""

from __future__ import annotations

import pandas as pd

from ..data.access import DEFAULT_CORPUS

PUBLISHED_TEST_F1: dict[str, tuple[tuple[str, float], ...]] = {
    "wnut16": (
        ("Original analysis: tuned SGD (entity level, reproduced in 02)", 0.183),
        ("WNUT16 shared-task CRF baseline (reported on dev)", 0.3583),
        ("Mishra & Diesner 2016: feature CRF", 0.473),
        ("BERTweet (Nguyen et al. 2020)", 0.521),
        ("Shared-task winner CambridgeLTL: BiLSTM-CRF, 400M-tweet embeddings", 0.5241),
        ("DATNet (Zhou et al. 2019): BiLSTM-CRF, adversarial transfer", 0.5343),
        ("InferNER (Shahzad et al. 2021): BiLSTM, no pretrained language model", 0.5348),
        ("CL-KL (Wang et al. 2021): needs a web search engine at prediction time", 0.5898),
    ),
    "wnut17": (
        ("WNUT17 shared-task best: UH-RiTUAL (Derczynski et al. 2017)", 0.4186),
        ("BERTweet (Nguyen et al. 2020)", 0.565),
        ("CL-KL (Wang et al. 2021): needs a web search engine at prediction time", 0.6045),
    ),
}
"""Published entity F1 on each corpus's test set (as fractions), for context in the reports."""
NOT_COMPARABLE: frozenset[str] = frozenset(
    {
        "Original analysis: tuned SGD (entity level, reproduced in 02)",
        "WNUT16 shared-task CRF baseline (reported on dev)",
        "CL-KL (Wang et al. 2021): needs a web search engine at prediction time",
    }
)
"""Entries that are not offline systems scored on test: the analysis we reproduce, a dev
score, and a system that searches the web for every tweet it tags."""


ORIGINAL_RANKING: dict[str, tuple[float, float]] = {"wnut16": (0.8122, 0.1366)}
"""The original analysis's test ROC-AUC and PR-AUC of its SGD model (macro one-vs-rest), per corpus."""


def ranking_sentence(n_tags: int, corpus: str) -> str:
    """What the SGD ranking scores below are, and the original's figures where it reported any."""
    text = f"Ranking quality (macro one-vs-rest over all {n_tags} tags"
    if corpus in ORIGINAL_RANKING:
        roc, pr = ORIGINAL_RANKING[corpus]
        return text + f"; the original reported test ROC-AUC {roc}, PR-AUC {pr}):"
    return text + "):"


def offline_systems(corpus: str = DEFAULT_CORPUS) -> list[tuple[str, float]]:
    """The published systems on ``corpus`` that tag a tweet with nothing but the tweet, best first."""
    offline = [(n, f1) for n, f1 in PUBLISHED_TEST_F1.get(corpus, ()) if n not in NOT_COMPARABLE]
    return sorted(offline, key=lambda item: -item[1])


def best_offline(corpus: str = DEFAULT_CORPUS) -> tuple[str, float] | None:
    """The best published system on ``corpus`` that tags a tweet with nothing but the tweet
    (name, test F1), or None when nothing is published for the corpus.

    >>> best_offline()[1], best_offline("wnut17")[1], best_offline("my_tweets")
    (0.5348, 0.565, None)
    """
    offline = offline_systems(corpus)
    return offline[0] if offline else None


def field_comparison(label: str, test_f1: float, corpus: str = DEFAULT_CORPUS) -> pd.DataFrame:
    """Published test results on ``corpus`` with this run's model inserted, best first."""
    rows = [{"system": name, "test_entity_f1": f1, "this run": False} for name, f1 in PUBLISHED_TEST_F1.get(corpus, ())]
    rows.append({"system": f"This run: {label}", "test_entity_f1": test_f1, "this run": True})
    return pd.DataFrame(rows).sort_values("test_entity_f1", ascending=False).set_index("system")


def field_sentence(corpus: str, title: str) -> str:
    """What the comparison below shows, or that there is nothing to compare with."""
    if corpus in PUBLISHED_TEST_F1:
        return f"Published entity F1 on the same {title} test set, next to this run's."
    return f"No published results are known for {title}: only this run's model is shown."

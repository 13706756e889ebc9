"""One evaluation block per model and split, in the shape every results JSON uses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict

import pandas as pd

from ..data.conll import Corpus, TokenLists
from ..metrics import bootstrap_f1_ci, entity_scores, token_macro_non_o
from ..models.protocol import Tagger


def evaluation_block(gold: TokenLists, pred: TokenLists, *, n_resamples: int, seed: int) -> dict:
    """Entity P/R/F1 with a bootstrap 95% CI, per-type scores and the original token score.

    Returns:
        ``{"entity": {...}, "per_type": {type: {...}}, "token_macro": {...}}``; the business
        summary and the index page read these keys.
    """
    scores = entity_scores(gold, pred)
    low, high = bootstrap_f1_ci(gold, pred, n_resamples=n_resamples, seed=seed)
    return {
        "entity": {**asdict(scores.overall), "ci_low": low, "ci_high": high},
        "per_type": {kind: asdict(prf) for kind, prf in scores.per_type.items()},
        "token_macro": token_macro_non_o(gold, pred),
    }


def evaluate_splits(model: Tagger, corpora: Mapping[str, Corpus], *, n_resamples: int, seed: int) -> dict[str, dict]:
    """:func:`evaluation_block` of ``model.predict`` on each named corpus."""
    return {
        name: evaluation_block(corpus.tags, model.predict(corpus.tokens), n_resamples=n_resamples, seed=seed)
        for name, corpus in corpora.items()
    }


def model_record(
    label: str, family: str, splits: dict[str, dict], trained_on: dict | None = None, **details: object
) -> dict:
    """The results-JSON entry of one model: display label, family, scores per split, what it
    was trained on (see :func:`training_data`), details."""
    return {"label": label, "family": family, "splits": splits, "details": details} | (
        {"trained_on": trained_on} if trained_on is not None else {}
    )


def training_data(description: str, *corpora: Corpus, teacher_tweets: int = 0) -> dict:
    """What a model learned from, for the reports' comparisons: a description, the labelled
    tweet count and, when it learnt from them too, the teacher-labelled (machine-tagged) tweets.

    >>> training_data("train + dev", Corpus(()), Corpus(()))
    {'data': 'train + dev', 'tweets': 0}
    >>> training_data("train", Corpus(()), teacher_tweets=10)
    {'data': 'train', 'tweets': 0, 'teacher_tweets': 10}
    """
    taught = {"teacher_tweets": teacher_tweets} if teacher_tweets else {}
    return {"data": description, "tweets": sum(len(c) for c in corpora)} | taught


def scores_table(splits: Mapping[str, dict]) -> pd.DataFrame:
    """Entity P/R/F1 with CI and token macro F1 per split, for display."""
    rows = {
        name: {
            **{k: block["entity"][k] for k in ("precision", "recall", "f1", "ci_low", "ci_high")},
            "token_macro_f1": block["token_macro"]["f1_non_o_macro"],
        }
        for name, block in splits.items()
    }
    return pd.DataFrame(rows).T


def per_type_frame(block: dict) -> pd.DataFrame:
    """Per-type precision, recall, F1 and counts from an evaluation block."""
    return pd.DataFrame(block["per_type"]).T[["precision", "recall", "f1", "n_gold", "n_pred", "n_correct"]]

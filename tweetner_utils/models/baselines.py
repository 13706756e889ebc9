"""The original analysis's token classifiers, reproduced (the CRF baseline is ``CrfTagger``).

The majority and SGD baselines follow the original exactly (features, alpha grid,
validation score, class weights), so their numbers can be traced to its printout.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Self

import numpy as np
import pandas as pd
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import SGDClassifier
from sklearn.metrics import average_precision_score, classification_report, roc_auc_score
from sklearn.preprocessing import label_binarize

from ..data.conll import Corpus, TagLists, TokenLists
from ..data.labels import OUTSIDE, LabelSet, repair_bio
from ..features.orthographic import original_token_features
from ..metrics import token_macro_non_o
from .protocol import Confidences


class MajorityTagger:
    """Predicts the most frequent training tag everywhere (``O`` on WNUT16)."""

    def __init__(self) -> None:
        self.tag = OUTSIDE
        self.labels: tuple[str, ...] = ()

    def fit(self, tokens: TokenLists, tags: TokenLists) -> Self:
        self.tag = Counter(t for seq in tags for t in seq).most_common(1)[0][0]
        self.labels = LabelSet.from_tags(tags).labels
        return self

    def predict(self, tokens: TokenLists) -> TagLists:
        return [[self.tag] * len(seq) for seq in tokens]

    def tags_and_confidences(self, tokens: TokenLists) -> tuple[TagLists, Confidences]:
        """The constant tag, with full confidence (so it can be timed like every other model)."""
        return self.predict(tokens), [[1.0] * len(seq) for seq in tokens]


class SgdTokenTagger:
    """The original's logistic-loss SGD classifier over one-hot token features."""

    def __init__(self, alpha: float, seed: int) -> None:
        self.alpha = alpha
        self.seed = seed
        self.vectorizer = DictVectorizer(sparse=True)
        self.model = SGDClassifier(
            loss="log_loss",
            alpha=alpha,
            max_iter=50,
            tol=1e-3,
            random_state=seed,
            n_jobs=-1,
            class_weight="balanced",
        )

    def fit(self, tokens: TokenLists, tags: TokenLists) -> Self:
        vectorizer = DictVectorizer(sparse=True)
        matrix = _int32_indices(vectorizer.fit_transform(_original_rows(tokens)))
        return self.fit_with_vectorizer(vectorizer, matrix, tags)

    def fit_with_vectorizer(self, vectorizer: DictVectorizer, matrix, tags: TokenLists) -> Self:
        """Fit on an already vectorised matrix (the alpha search vectorises once)."""
        self.vectorizer = vectorizer
        self.model.fit(matrix, [t for seq in tags for t in seq])
        return self

    @property
    def labels(self) -> tuple[str, ...]:
        """Every tag of the training data's types (a tag it never saw included)."""
        return LabelSet.from_tags([list(self.model.classes_)]).labels

    def _matrix(self, tokens: TokenLists):
        return _int32_indices(self.vectorizer.transform(_original_rows(tokens)))

    def predict(self, tokens: TokenLists) -> TagLists:
        flat = self.model.predict(self._matrix(tokens))
        return _unflatten(list(flat), tokens)

    def tags_and_confidences(self, tokens: TokenLists) -> tuple[TagLists, Confidences]:
        """:meth:`predict`'s tags (valid BIO, same entities) and each tag's probability."""
        if not any(tokens):
            return [[] for _ in tokens], [[] for _ in tokens]
        probabilities = self.token_probabilities(tokens)
        best = probabilities.argmax(axis=1)
        classes = list(self.model.classes_)
        tags = [repair_bio(t) for t in _unflatten([classes[i] for i in best], tokens)]
        flat = probabilities[np.arange(len(best)), best].tolist()
        starts = np.cumsum([0] + [len(s) for s in tokens])
        return tags, [flat[a:b] for a, b in itertools.pairwise(starts)]

    def token_probabilities(self, tokens: TokenLists) -> np.ndarray:
        """Token-by-class probabilities of all tweets' tokens, one after the other, columns in
        ``self.model.classes_`` order (a token classifier has no per-tweet structure)."""
        return self.model.predict_proba(self._matrix(tokens))

    def top_features(self, per_class: int = 8, classes: Sequence[str] | None = None) -> pd.DataFrame:
        """The highest-weighted features of each class, as the original displayed them."""
        names = np.array(self.vectorizer.get_feature_names_out())
        rows = []
        wanted = classes if classes is not None else [c for c in self.model.classes_ if c != OUTSIDE]
        unknown = [c for c in wanted if c not in self.model.classes_]
        if unknown:
            raise ValueError(f"tags {unknown} were not in the training data; it has {list(self.model.classes_)}")
        for cls in wanted:
            row = int(np.where(self.model.classes_ == cls)[0][0])
            for j in np.argsort(self.model.coef_[row])[-per_class:][::-1]:
                rows.append({"class": cls, "feature": names[j], "weight": float(self.model.coef_[row, j])})
        return pd.DataFrame(rows)


@dataclass(frozen=True)
class AlphaSearch:
    """The SGD alpha grid search: the chosen model and the validation score of each alpha."""

    best: SgdTokenTagger
    table: pd.DataFrame


def tune_sgd(
    fit_tokens: TokenLists,
    fit_tags: TokenLists,
    val_tokens: TokenLists,
    val_tags: TokenLists,
    alphas: Sequence[float],
    seed: int,
) -> AlphaSearch:
    """Choose alpha on validation non-O token macro F1, keeping the first best (as the original)."""
    vectorizer = DictVectorizer(sparse=True)
    matrix = _int32_indices(vectorizer.fit_transform(_original_rows(fit_tokens)))
    rows, best, best_f1 = [], None, -1.0
    for alpha in alphas:
        tagger = SgdTokenTagger(alpha, seed).fit_with_vectorizer(vectorizer, matrix, fit_tags)
        score = token_macro_non_o(val_tags, tagger.predict(val_tokens))["f1_non_o_macro"]
        rows.append({"alpha": alpha, "val_f1_non_o_macro": score})
        if score > best_f1:
            best, best_f1 = tagger, score
    assert best is not None, "alphas must not be empty"
    return AlphaSearch(best, pd.DataFrame(rows))


def ranking_scores(tagger: SgdTokenTagger, tokens: TokenLists, tags: TokenLists) -> dict[str, float | None]:
    """Macro one-vs-rest ROC-AUC and PR-AUC over every tag of the training data's types, as the
    original computed them.

    A score that is undefined for the data (a tag absent from ``tags``) is None.
    """
    proba = tagger.token_probabilities(tokens)
    columns = {cls: i for i, cls in enumerate(tagger.model.classes_)}
    labels = tagger.labels
    aligned = np.zeros((proba.shape[0], len(labels)))
    for j, label in enumerate(labels):
        if label in columns:
            aligned[:, j] = proba[:, columns[label]]
    truth = label_binarize([t for seq in tags for t in seq], classes=list(labels))
    return {
        "roc_auc_macro_ovr": _defined(lambda: roc_auc_score(truth, aligned, average="macro", multi_class="ovr")),
        "pr_auc_macro": _defined(lambda: average_precision_score(truth, aligned, average="macro")),
    }


def ranking_by_split(tagger: SgdTokenTagger, corpora: Mapping[str, Corpus]) -> dict[str, dict]:
    """:func:`ranking_scores` on each named corpus."""
    return {name: ranking_scores(tagger, c.tokens, c.tags) for name, c in corpora.items()}


def token_classification_report(gold: TokenLists, pred: TokenLists, labels: Sequence[str]) -> pd.DataFrame:
    """sklearn's per-tag report over every tag of ``labels`` (the corpus's), as a table."""
    report = classification_report(
        [t for s in gold for t in s],
        [t for s in pred for t in s],
        labels=list(labels),
        zero_division=0,
        output_dict=True,
    )
    return pd.DataFrame(report).T


def _original_rows(tokens: TokenLists) -> list[dict]:
    return [original_token_features(sent, i) for sent in tokens for i in range(len(sent))]


def _int32_indices(matrix):
    """scikit-learn >= 1.9 rejects int64 sparse indices in SGD; int32 changes no value."""
    matrix.indices = matrix.indices.astype(np.int32)
    matrix.indptr = matrix.indptr.astype(np.int32)
    return matrix


def _unflatten(flat: list[str], tokens: TokenLists) -> list[list[str]]:
    out, start = [], 0
    for sent in tokens:
        out.append([str(t) for t in flat[start : start + len(sent)]])
        start += len(sent)
    return out


def _defined(score: Callable[[], float]) -> float | None:
    """The score, or None where it is undefined (sklearn raises or returns NaN)."""
    try:
        value = float(score())
    except ValueError:
        return None
    return value if np.isfinite(value) else None

"""Everything the EDA notebook records about the corpora, drift included, in one dict."""

from __future__ import annotations

from collections.abc import Mapping

from ..data.conll import Corpus
from ..data.corpora import CorpusSpec, corpus_labels
from . import eda
from .drift import drift_record


def eda_record(corpora: Mapping[str, Corpus], spec: CorpusSpec) -> dict:
    """The numbers the EDA notebook records, with the headline shown on the index page; the
    corpus's spec and label set too, which the business summary speaks of."""
    overview = eda.split_overview(corpora)
    duplicates = eda.duplicate_tweets(corpora)
    drift = drift_record(corpora)
    overlap = {name: eda.entity_overlap(corpora["train"], corpora[name]) for name in corpora if name != "train"}
    return {
        "corpus": spec.to_dict(),
        "entity_types": list(corpus_labels(corpora).types),
        "overview": overview.to_dict(orient="index"),
        "entities_by_type": eda.entities_by_type(corpora)[list(corpora)].to_dict(orient="index"),
        "length_summary": eda.length_summaries(corpora).to_dict(orient="index"),
        "duplicates": {
            "duplicated_texts": len(duplicates),
            "cross_split": int(duplicates["cross_split"].sum()),
            "conflicting_tags": int(duplicates["conflicting_tags"].sum()),
        },
        "entity_overlap_with_train": overlap,
        "drift_from_train": drift,
        "headline": {
            "tweets (train / dev / test)": " / ".join(str(overview.loc[s, "tweets"]) for s in ("train", "dev", "test")),
            "test entities whose string occurs in train": f"{overlap['test']['seen_pct']:.1f}%",
            "test tokens unknown to train": f"{100 * drift['test']['oov_token_rate']:.1f}%",
            "duplicated tweets with conflicting tags": int(duplicates["conflicting_tags"].sum()),
        },
    }

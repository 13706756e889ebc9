"""EDA tables on a hand-written corpus whose answers are known."""

from __future__ import annotations

import pytest

from tweetner_utils import Corpus, CorpusSpec, Tweet
from tweetner_utils.analysis.eda import (
    duplicate_tweets,
    entities_by_type,
    entity_lengths,
    entity_overlap,
    entity_presence_by_length,
    length_summary,
    split_overview,
    tag_transitions,
    top_entity_strings,
)
from tweetner_utils.analysis.record import eda_record


def tweet(text: str, tags: str) -> Tweet:
    return Tweet(tuple(text.split()), tuple(tags.split()))


TRAIN = Corpus(
    (
        tweet("@bob I love New York", "O O O B-geo-loc I-geo-loc"),
        tweet("Obama in Paris #travel http://t.co/x", "B-person O B-geo-loc O O"),
        tweet("nothing here", "O O"),
        tweet("nothing here", "O B-other"),
    )
)
TEST = Corpus((tweet("Paris and Tokyo", "B-geo-loc O B-geo-loc"), tweet("nothing here", "O O")))
CORPORA = {"train": TRAIN, "dev": TEST, "test": TEST}


def test_overview_counts_entities_and_markup() -> None:
    row = split_overview({"train": TRAIN}).loc["train"]
    assert (row["tweets"], row["tokens"], row["entities"]) == (4, 14, 4)
    assert row["hashtag_pct"] == pytest.approx(100 / 14)
    assert row["mention_pct"] == pytest.approx(100 / 14)
    assert row["url_pct"] == pytest.approx(100 / 14)
    assert row["tweets_with_entity_pct"] == 75.0


def test_entities_by_type_and_length() -> None:
    by_type = entities_by_type({"train": TRAIN})
    assert by_type.loc["geo-loc", "train"] == 2 and by_type.loc["person", "train"] == 1
    assert by_type["train_pct"].sum() == pytest.approx(100)
    lengths = entity_lengths({"train": TRAIN})
    assert lengths.loc[1, "train"] == 3 and lengths.loc[2, "train"] == 1


def test_length_summary_uses_the_iqr_rule() -> None:
    corpus = Corpus(tuple(tweet(" ".join(["w"] * n), " ".join(["O"] * n)) for n in (2, 2, 3, 3, 3, 30)))
    summary = length_summary(corpus)
    assert summary["outliers"] == 1
    assert summary["skewness"] > 0


def test_presence_by_length_bins() -> None:
    table = entity_presence_by_length(TRAIN)
    assert table["tweets"].sum() == 4
    assert table.loc["(-0.001, 5.0]", "with_entity"] == 3


def test_transitions_count_bigrams_within_tweets() -> None:
    matrix = tag_transitions(TRAIN)
    assert matrix.loc["B-geo-loc", "I-geo-loc"] == 1
    assert matrix.loc["O", "B-geo-loc"] == 2
    assert matrix.values.sum() == sum(len(t.tags) - 1 for t in TRAIN)


def test_top_strings_are_case_folded_and_ranked() -> None:
    table = top_entity_strings(Corpus((*TRAIN.tweets, tweet("PARIS", "B-geo-loc"))), n=1)
    geo = table[table["type"] == "geo-loc"].iloc[0]
    assert (geo["entity"], geo["count"]) == ("paris", 2)


def test_duplicates_flag_conflicts_and_cross_split_copies() -> None:
    table = duplicate_tweets({"train": TRAIN, "test": TEST}).set_index("text")
    row = table.loc["nothing here"]
    assert row["copies"] == 3 and row["conflicting_tags"] and row["cross_split"]


def test_overlap_counts_seen_entity_strings() -> None:
    overlap = entity_overlap(TRAIN, TEST)
    assert overlap == {"mentions": 2, "seen_in_train": 1, "seen_pct": 50.0}


def test_record_has_a_headline_and_the_corpus_it_describes() -> None:
    spec = CorpusSpec("mine", "Mine", {"test": "newest tweets"})
    record = eda_record(CORPORA, spec)
    assert record["headline"]["tweets (train / dev / test)"] == "4 / 2 / 2"
    assert CorpusSpec.from_dict(record["corpus"]).words("test") == "newest tweets"
    assert record["entity_types"] == sorted({t[2:] for tweet in CORPORA["train"] for t in tweet.tags if t != "O"})
    assert record["duplicates"]["conflicting_tags"] == 1

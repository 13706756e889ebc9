"""The synthetic corpus covers every label, is seeded, and is valid CoNLL."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from label_sets import SYNTHETIC

from tweetner_utils import entities, make_synthetic_corpus, read_conll, synthetic_splits, write_conll
from tweetner_utils.data.synthetic import HOSTILE_TWEET, NAMES, SPLIT_SIZES


def test_every_tag_occurs_in_train() -> None:
    tags = Counter(tag for tweet in synthetic_splits(0)["train"] for tag in tweet.tags)
    assert set(tags) == set(SYNTHETIC.labels)


def test_same_seed_same_corpus_other_seed_other_corpus() -> None:
    assert make_synthetic_corpus(50, seed=5) == make_synthetic_corpus(50, seed=5)
    assert make_synthetic_corpus(50, seed=5) != make_synthetic_corpus(50, seed=6)


def test_splits_have_their_sizes_and_twitter_tokens() -> None:
    splits = synthetic_splits(1)
    assert {name: len(corpus) for name, corpus in splits.items()} == SPLIT_SIZES
    tokens = [tok for tweet in splits["train"] for tok in tweet.tokens]
    assert any(t.startswith("@") for t in tokens)
    assert any(t.startswith("#") for t in tokens)
    assert any(t.startswith("http://") for t in tokens)


def test_test_split_holds_names_never_seen_in_train() -> None:
    splits = synthetic_splits(0)

    def names(corpus) -> set[str]:
        return {" ".join(t.tokens[s : e + 1]) for t in corpus for _, s, e in entities(t.tags)}

    unseen = names(splits["test"]) - names(splits["train"]) - names([HOSTILE_TWEET])
    held_out = {n for kind in NAMES.values() for n in kind[len(kind) - len(kind) // 4 :]}
    assert unseen and unseen <= held_out


def test_round_trips_through_the_strict_reader(tmp_path: Path) -> None:
    corpus = make_synthetic_corpus(100, seed=2)
    write_conll(tmp_path / "synthetic.conll", corpus)
    assert read_conll(tmp_path / "synthetic.conll") == corpus

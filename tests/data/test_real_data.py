"""Checks against the real WNUT16 and WNUT17 files (run wherever the data is found; always in CI)."""

from __future__ import annotations

import pytest
from label_sets import ENTITY_TYPES

from tweetner_utils import corpus_labels, data_path, entity_scores, load_corpora, load_split, manifest

pytestmark = pytest.mark.real_data

EXPECTED = {"train": (2394, 46469), "dev": (1000, 16261), "dev_2015": (420, 6789), "test": (3850, 61908)}


@pytest.mark.parametrize(("split", "counts"), EXPECTED.items())
def test_split_sizes(real_data, split: str, counts: tuple[int, int]) -> None:
    corpus = load_split(split)
    assert (len(corpus), corpus.n_tokens) == counts
    assert corpus.repaired == 0


def test_every_manifest_file_is_present_and_verified(real_data) -> None:
    for name in manifest():
        assert data_path(name).is_file()


def test_test_set_scores_perfectly_against_itself(real_data) -> None:
    tags = load_split("test").tags
    scores = entity_scores(tags, tags)
    assert scores.overall.f1 == 1.0
    assert scores.overall.n_gold == 3473  # entities in the WNUT16 test set
    assert all(scores.per_type[t].n_gold > 0 for t in ENTITY_TYPES)


def test_tokenizer_reproduces_most_wnut_tokenizations(real_data) -> None:
    from tweetner_utils.data.tokenizer import tokenize

    corpus = load_split("train")
    same = sum([t.text for t in tokenize(" ".join(tweet.tokens))] == list(tweet.tokens) for tweet in corpus)
    assert same / len(corpus) >= 0.8  # 0.826 when written; the rest are quotes and URL edge cases


def test_the_wnut16_label_set_is_read_from_its_train_split(real_data) -> None:
    corpora = load_corpora(False, 42)
    assert corpus_labels(corpora).types == ENTITY_TYPES
    assert list(corpora) == ["train", "dev", "dev_2015", "test"]


WNUT17 = {"train": (3394, 62730), "dev": (1009, 15733), "test": (1287, 23394)}
"""Sentences and tokens per WNUT17 split, as ``../shared/data/README.md`` lists them."""


def test_wnut17_is_built_in_with_its_own_six_types(real_data) -> None:
    corpora = load_corpora(False, 42, corpus="wnut17")
    assert {name: (len(c), c.n_tokens) for name, c in corpora.items()} == WNUT17
    types = corpus_labels(corpora).types
    assert types == ("corporation", "creative-work", "group", "location", "person", "product")
    assert not set(types) & {"geo-loc", "company", "musicartist"}

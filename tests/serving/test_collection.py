"""The garbage collector around tagging: off during a batch, back as it was after, and the
parent's objects frozen for the workers' lifetime (``serving.api._collection_paused``)."""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence

import pytest

from tweetner_utils.data.conll import TagLists, TokenLists
from tweetner_utils.models.protocol import Confidences
from tweetner_utils.serving.api import PARALLEL_MIN, TweetTagger

ENABLED, FROZEN = 2.0, 1.0
"""What :class:`CollectorProbe` reports per token, summed: the collector on, objects frozen."""


class CollectorProbe:
    """A tagger that makes every token an entity whose confidence reports the collector's
    state while it tags (in whichever process tags), or that fails on a tweet ``["boom"]``."""

    labels: Sequence[str] = ("B-probe", "O")

    def fit(self, tokens: TokenLists, tags: TokenLists) -> CollectorProbe:
        return self

    def predict(self, tokens: TokenLists) -> TagLists:
        return self.tags_and_confidences(tokens)[0]

    def tags_and_confidences(self, tokens: TokenLists) -> tuple[TagLists, Confidences]:
        if ["boom"] in tokens:
            raise RuntimeError("boom")
        state = ENABLED * gc.isenabled() + FROZEN * (gc.get_freeze_count() > 0)
        return [["B-probe"] * len(t) for t in tokens], [[state] * len(t) for t in tokens]


@pytest.fixture
def collector_on() -> Iterator[None]:
    """The collector on and nothing frozen before a test, and as it was after it."""
    was_enabled = gc.isenabled()
    gc.unfreeze()
    gc.enable()
    yield
    gc.unfreeze()
    (gc.enable if was_enabled else gc.disable)()


def states(confidences: Confidences) -> set[float]:
    return {c for tweet in confidences for c in tweet}


def test_the_collector_is_off_while_a_batch_is_tagged_and_on_after(collector_on: None) -> None:
    tagger = TweetTagger(CollectorProbe(), "probe")
    _, confidences = tagger.tag_tokens([["a", "b"], ["c"]])
    assert states(confidences) == {0.0}
    assert gc.isenabled()
    entities = tagger.tag(["a b", "c"])
    assert [[e.text for e in found] for found in entities] == [["a", "b"], ["c"]]
    assert {e.confidence for found in entities for e in found} == {0.0} and gc.isenabled()


def test_the_collector_is_back_on_after_a_failure(collector_on: None) -> None:
    with pytest.raises(RuntimeError, match="boom"):
        TweetTagger(CollectorProbe(), "probe").tag_tokens([["a"], ["boom"]])
    assert gc.isenabled()


def test_a_collector_the_caller_turned_off_stays_off(collector_on: None) -> None:
    gc.disable()
    TweetTagger(CollectorProbe(), "probe").tag_tokens([["a"]])
    assert not gc.isenabled()


def test_workers_tag_with_the_collector_off_and_the_parents_objects_frozen(collector_on: None) -> None:
    tokens = [["a", "b"]] * PARALLEL_MIN  # large enough to go to the workers
    with TweetTagger(CollectorProbe(), "probe", workers=2) as tagger:
        _, confidences = tagger.tag_tokens(tokens)
        assert states(confidences) == {FROZEN}
        assert gc.get_freeze_count() > 0 and gc.isenabled()
    assert gc.get_freeze_count() == 0  # close() gives the caller's objects back to the collector


def test_objects_the_caller_froze_stay_frozen(collector_on: None) -> None:
    gc.freeze()
    frozen = gc.get_freeze_count()
    with TweetTagger(CollectorProbe(), "probe", workers=2) as tagger:
        tagger.tag_tokens([["a"]] * PARALLEL_MIN)
    assert frozen > 0 and gc.get_freeze_count() > 0  # not unfrozen by close()

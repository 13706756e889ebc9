"""Teacher labels: computed once per (teacher, tweets), read back from the cache with the
same values, computed again when the teacher, the tweets or the cached file change."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tweetner_utils import synthetic_splits
from tweetner_utils.exceptions import UsageError
from tweetner_utils.features.knowledge import KnowledgeFeaturizer, synthetic_knowledge
from tweetner_utils.models import teacher_labels as teacher_labels_module
from tweetner_utils.models.crf import CrfTagger
from tweetner_utils.models.distillation import teach
from tweetner_utils.models.ensemble import EnsembleTagger
from tweetner_utils.models.teacher_labels import (
    DaskTeaching,
    Teacher,
    batches_on_dask,
    model_digest,
    read_teacher_labels,
    teacher_key,
    teacher_labels,
    tweets_digest,
)

SPLITS = synthetic_splits(4)
TWEETS = [list(t) for t in SPLITS["test"].tokens[:40]]


def crf(c1: float) -> CrfTagger:
    model = CrfTagger(c1=c1, c2=0.1, max_iterations=20, featurizer=KnowledgeFeaturizer(synthetic_knowledge()))
    return model.fit(SPLITS["train"].tokens, SPLITS["train"].tags)


class Counting:
    """A teacher that counts the tweets it was asked to tag."""

    def __init__(self, model: CrfTagger) -> None:
        self.model, self.tagged = model, 0
        self.labels = model.labels

    def predict_proba(self, tokens):
        self.tagged += len(tokens)
        return self.model.predict_proba(tokens)

    def predict(self, tokens):
        return self.model.predict(tokens)


@pytest.fixture(scope="module")
def teacher() -> CrfTagger:
    return crf(0.1)


def test_a_second_call_reads_the_cache_and_gets_the_same_labels(teacher: CrfTagger, tmp_path: Path) -> None:
    key = teacher_key(model_digest(teacher), tweets_digest(TWEETS))
    first_teacher, second_teacher = Counting(teacher), Counting(teacher)
    first, cached = teacher_labels(first_teacher, TWEETS, tmp_path, key)
    again, from_cache = teacher_labels(second_teacher, TWEETS, tmp_path, key)
    assert (cached, from_cache) == (False, True) and first_teacher.tagged == 40 and second_teacher.tagged == 0
    assert again.tags == first.tags == teacher.predict(TWEETS) and again.labels == first.labels
    assert all(np.array_equal(a, b) for a, b in zip(again.probabilities, first.probabilities))
    assert again.tweet_confidence().shape == (40,) and np.all(again.tweet_confidence() <= 1.0)


def test_the_key_moves_with_the_teacher_and_the_tweets_but_not_with_a_refit(teacher: CrfTagger) -> None:
    assert model_digest(teacher) == model_digest(crf(0.1))  # the same recipe, the same bytes
    assert model_digest(teacher) != model_digest(crf(0.3))
    both = EnsembleTagger([teacher, crf(0.3)], [0.5, 0.5])
    assert model_digest(both) != model_digest(EnsembleTagger([teacher, crf(0.3)], [0.6, 0.4]))
    assert tweets_digest(TWEETS) != tweets_digest(TWEETS[:-1])
    assert teacher_key("a", "b") != teacher_key("a", "c")


def test_a_damaged_or_mismatched_cache_file_is_computed_again(teacher: CrfTagger, tmp_path: Path) -> None:
    key = teacher_key(model_digest(teacher), tweets_digest(TWEETS))
    teacher_labels(teacher, TWEETS, tmp_path, key)
    (cached_file,) = tmp_path.glob("teacher-*.npz")
    cached_file.write_bytes(cached_file.read_bytes()[:100])
    counting = Counting(teacher)
    labels, from_cache = teacher_labels(counting, TWEETS, tmp_path, key)
    assert not from_cache and counting.tagged == 40 and labels.tags == teacher.predict(TWEETS)
    _, from_cache = teacher_labels(Counting(teacher), TWEETS[:10], tmp_path, key)  # the same key, other tweets
    assert not from_cache


def test_the_log_names_the_cache_file_that_a_study_reads_back(teacher: CrfTagger, tmp_path: Path) -> None:
    lines: list[str] = []
    taught = Teacher(teacher, {"crf": teacher}, (1.0,))
    labels, _ = teach(taught, TWEETS, tmp_path, "train-only teacher", lines.append, None)
    (kept,) = tmp_path.glob("teacher-*.npz")
    assert lines[-1] == f"train-only teacher: labels kept in the cache ({kept.name})"
    teach(taught, TWEETS, tmp_path, "train-only teacher", lines.append, None)
    assert lines[-1] == f"train-only teacher: labels of 40 unlabelled tweets read from the cache ({kept.name})"
    assert read_teacher_labels(kept, TWEETS).tags == labels.tags
    with pytest.raises(UsageError, match="not teacher labels of these 39 tweets"):
        read_teacher_labels(kept, TWEETS[:-1])


def two_member_teacher(teacher: CrfTagger) -> Teacher:
    members = {"crf": teacher, "crf_student": crf(0.3)}
    return Teacher(EnsembleTagger(list(members.values()), [0.6, 0.4]), members, (0.6, 0.4))


@pytest.mark.slow  # a LocalCluster of two worker processes
def test_a_dask_cluster_gives_the_same_labels_and_leaves_no_teacher_behind(
    teacher: CrfTagger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from distributed import LocalCluster

    monkeypatch.setattr(teacher_labels_module, "CHUNK", 256)  # three tasks
    tweets = (TWEETS * 15)[:600]
    taught = two_member_teacher(teacher)
    here, _ = teacher_labels(taught.model, tweets, None, "")
    key = teacher_key(model_digest(taught.model), tweets_digest(tweets))
    done: list[int] = []
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        dask = DaskTeaching(cluster.scheduler_address, tmp_path / "shared")
        there, cached = teacher_labels(
            taught.model, tweets, tmp_path / "cache", key, lambda d, n: done.append(d), batches_on_dask(taught, dask)
        )
    assert not cached and done == [256, 512, 600]
    assert there.tags == here.tags and there.labels == here.labels
    assert all(np.array_equal(a, b) for a, b in zip(there.probabilities, here.probabilities))
    assert list((tmp_path / "shared").iterdir()) == []  # the saved teacher is removed
    again, cached = teacher_labels(Counting(teacher), tweets, tmp_path / "cache", key)
    assert cached and again.tags == here.tags


def test_an_unreachable_scheduler_is_named(teacher: CrfTagger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(teacher_labels_module, "CONNECT_TIMEOUT_S", 0.5)
    taught = two_member_teacher(teacher)
    dask = DaskTeaching("tcp://127.0.0.1:9", tmp_path / "shared")
    with pytest.raises(UsageError, match=r"tcp://127.0.0.1:9: cannot reach it"):
        teacher_labels(taught.model, TWEETS, None, "", batches=batches_on_dask(taught, dask))
    assert list((tmp_path / "shared").iterdir()) == []

"""MiniLM seeds averaged: a seed average tags as the mean of its seeds, continues each seed alike,
saves as one verified folder and loads again; dev takes the averages only when they beat the
leader, and then they replace their one-seed fits."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from label_sets import SYNTHETIC

from tweetner_utils import synthetic_splits
from tweetner_utils.data.conll import Corpus, Tweet
from tweetner_utils.exceptions import ArtifactError
from tweetner_utils.features.knowledge import synthetic_knowledge
from tweetner_utils.models import families
from tweetner_utils.models.family import FitContext, MemberFit
from tweetner_utils.models.seed_average import SeedAveragedMiniLM, averaged_settings, seeds
from tweetner_utils.models.selection import TRANSFORMER, _Selection
from tweetner_utils.models.strong_settings import StrongModelSettings
from tweetner_utils.models.transformer import TransformerSettings, TransformerTagger

SPLITS = synthetic_splits(4)


def minilm(seed: int) -> TransformerTagger:
    model = TransformerTagger(TransformerSettings(max_epochs=1, batch_size=16, lr=1e-4, seed=seed), SYNTHETIC.labels)
    train = SPLITS["train"]
    return model.fit(train.tokens[:60], train.tags[:60], progress=lambda _: None)


def same(first: list[np.ndarray], second: list[np.ndarray]) -> bool:
    return [p.tolist() for p in first] == [p.tolist() for p in second]


@pytest.fixture(scope="module")
def pair() -> SeedAveragedMiniLM:
    return SeedAveragedMiniLM([minilm(3), minilm(4)])


@pytest.mark.slow  # fine-tunes MiniLM twice (a minute on 2 cores)
def test_a_seed_average_tags_as_the_mean_of_its_seeds(pair: SeedAveragedMiniLM) -> None:
    tokens = SPLITS["dev"].tokens[:20]
    first, second = (t.predict_proba(tokens) for t in pair.taggers)
    assert pair.seeds == [3, 4]
    assert any(not np.allclose(a, b) for a, b in zip(first, second))  # two seeds, two models
    for mean, a, b in zip(pair.predict_proba(tokens), first, second):
        np.testing.assert_allclose(mean, (a + b) / 2, rtol=0, atol=1e-12)
    tags, confidences = pair.tags_and_confidences(tokens)
    assert tags == pair.predict(tokens) and all(len(c) == len(t) for c, t in zip(confidences, tokens))


@pytest.mark.slow  # fine-tunes MiniLM twice (a minute on 2 cores)
def test_a_seed_average_continues_every_seed_as_each_would_alone(pair: SeedAveragedMiniLM) -> None:
    dev, tokens = SPLITS["dev"], SPLITS["test"].tokens[:20]
    before = pair.predict_proba(tokens)
    more = pair.continued(dev.tokens[:30], dev.tags[:30], 1, progress=lambda _: None)
    assert more.seeds == [3, 4] and all(a is not b for a, b in zip(more.taggers, pair.taggers))
    alone = pair.taggers[1].continued(dev.tokens[:30], dev.tags[:30], 1, progress=lambda _: None)  # the second seed
    assert same(alone.predict_proba(tokens), more.taggers[1].predict_proba(tokens))
    assert same(pair.predict_proba(tokens), before)  # unchanged


@pytest.mark.slow  # fine-tunes MiniLM twice (a minute on 2 cores)
def test_a_seed_average_saves_as_one_verified_folder_that_the_family_loads(
    pair: SeedAveragedMiniLM, tmp_path: Path
) -> None:
    tokens = SPLITS["test"].tokens[:20]
    folder = tmp_path / "strong_transformer"
    pair.save(str(folder), {"role": TRANSFORMER})
    meta = json.loads((folder / "metadata.json").read_text("utf-8"))
    assert meta["seeds"] == [3, 4] and meta["kind"] == "transformer" and meta["role"] == TRANSFORMER
    assert sorted(p.name for p in folder.glob("*.pt")) == ["weights-3.pt", "weights-4.pt"]
    loaded = families.family(TRANSFORMER).load(folder, meta, "")
    assert isinstance(loaded, SeedAveragedMiniLM) and loaded.seeds == [3, 4]
    assert same(loaded.predict_proba(tokens), pair.predict_proba(tokens))
    (folder / "weights-4.pt").write_bytes(b"not the weights")
    with pytest.raises(ArtifactError, match="SHA-256 mismatch"):
        families.family(TRANSFORMER).load(folder, meta, "")


def test_a_seed_average_needs_models_with_the_same_labels() -> None:
    class Labelled:
        def __init__(self, labels: list[str]) -> None:
            self.labels = labels

    with pytest.raises(ValueError, match="same labels"):
        SeedAveragedMiniLM([])
    with pytest.raises(ValueError, match="same labels"):
        SeedAveragedMiniLM([Labelled(["O", "B-x"]), Labelled(["O", "B-y"])])  # type: ignore[list-item]


def test_the_seeds_are_the_runs_and_the_next_ones_and_fewer_than_one_is_refused() -> None:
    assert seeds(42, 1) == [42] and seeds(42, 3) == [42, 43, 44]
    assert averaged_settings({"epochs": 7}, [42, 43], [7, 8]) == {"epochs": 7, "seeds": [42, 43], "seed_epochs": [7, 8]}
    assert averaged_settings({"unlabelled": 10}, [42, 43]) == {"unlabelled": 10, "seeds": [42, 43]}
    with pytest.raises(ValueError, match="transformer_seeds 0: expected 1 or more"):
        StrongModelSettings(transformer_seeds=0)


def tweets(count: int, tags: tuple[str, ...]) -> Corpus:
    return Corpus(tuple(Tweet(("w",) * len(tags), tags) for _ in range(count)), source="toy")


def member(name: str, corpora: dict[str, Corpus], labels: Sequence[str], right: bool, dev_f1: float) -> MemberFit:
    """A fit whose distributions give every gold tag (``right``) or none (all O)."""

    def distributions(corpus: Corpus) -> list[np.ndarray]:
        eye = np.eye(len(labels))
        return [eye[[list(labels).index(tag if right else "O") for tag in tags]] for tags in corpus.tags]

    return MemberFit(
        name,
        object(),
        distributions(corpora["dev"]),
        distributions(corpora["test"]),
        dev_f1,
        0.0,
        1.0,
        {"epochs": 3},  # type: ignore[arg-type]
    )


def selection(corpora: dict[str, Corpus]) -> tuple[_Selection, FitContext]:
    """A leader of dev F1 0.5 holding a one-seed MiniLM that tags nothing."""
    context = FitContext(corpora, StrongModelSettings(), synthetic_knowledge(), None, lambda _: None)
    one_seed = member(TRANSFORMER, corpora, context.labels, right=False, dev_f1=0.0)
    fits = {TRANSFORMER: one_seed}
    refits = {TRANSFORMER: (one_seed.model, 2.0)}
    return _Selection(fits, refits, [], [], {}, (TRANSFORMER,), (1.0,), 0.5), context  # type: ignore[arg-type]


def test_dev_takes_the_seed_average_only_when_it_beats_the_leader() -> None:
    corpora = {split: tweets(6, ("B-person", "I-person", "O")) for split in ("train", "dev", "test")}
    averaged_model = object()

    chosen, context = selection(corpora)
    better = member(TRANSFORMER, corpora, context.labels, right=True, dev_f1=1.0)
    chosen.add_seed_averages({TRANSFORMER: better}, {TRANSFORMER: lambda: (averaged_model, 3.0)}, 2, context)  # type: ignore[dict-item]
    assert chosen.members == (TRANSFORMER,) and chosen.dev_f1 == 1.0
    assert chosen.fits[TRANSFORMER] is better and chosen.refits[TRANSFORMER] == (averaged_model, 3.0)
    assert [row["candidate"] for row in chosen.rows] == ["fine-tuned MiniLM (2 seeds averaged)"]

    def never() -> tuple[object, float]:
        raise AssertionError("a seed average dev did not take was refit")

    chosen, context = selection(corpora)
    before = dict(chosen.fits), dict(chosen.refits)
    worse = member(TRANSFORMER, corpora, context.labels, right=False, dev_f1=0.0)
    chosen.add_seed_averages({TRANSFORMER: worse}, {TRANSFORMER: never}, 2, context)  # type: ignore[dict-item]
    assert (dict(chosen.fits), dict(chosen.refits)) == before and chosen.dev_f1 == 0.5
    assert chosen.rows[0]["dev_f1"] == 0.0 and chosen.rows[0]["candidate"].endswith("(2 seeds averaged)")

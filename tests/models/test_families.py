"""The registry of model families: a family registered from outside the package becomes a
candidate of the selection, is saved and loaded, and named in the report, with no edit to
``selection.py``, ``saving.py`` or ``loading.py``."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Self

import numpy as np
import pytest

from tweetner_utils import synthetic_splits
from tweetner_utils.data.labels import LabelSet
from tweetner_utils.exceptions import ArtifactError
from tweetner_utils.features.knowledge import synthetic_knowledge
from tweetner_utils.models import families, loading, saving
from tweetner_utils.models.artifacts import read_artifact, write_artifact
from tweetner_utils.models.bio_decoding import decode_all
from tweetner_utils.models.family import Candidate, Family, FitContext, MemberFit
from tweetner_utils.models.protocol import ProbabilisticTagger, Tagger
from tweetner_utils.models.selection import train_strong_model
from tweetner_utils.models.strong_settings import StrongModelSettings
from tweetner_utils.reporting import strong_models

SPLITS = synthetic_splits(5)


class UnigramTagger:
    """A toy family: each word's tag counts in train, smoothed; unknown words lean to ``O``."""

    def __init__(self, labels: tuple[str, ...], counts: dict[str, dict[str, int]] | None = None) -> None:
        self._labels = labels
        self.counts = counts or {}

    @property
    def labels(self) -> tuple[str, ...]:
        return self._labels

    def fit(self, tokens, tags) -> Self:
        counts: dict[str, Counter] = defaultdict(Counter)
        for words, gold in zip(tokens, tags):
            for word, tag in zip(words, gold):
                counts[word.lower()][tag] += 1
        self.counts = {word: dict(c) for word, c in counts.items()}
        return self

    def predict_proba(self, tokens) -> list[np.ndarray]:
        out = []
        for words in tokens:
            rows = np.full((len(words), len(self._labels)), 0.1)
            for i, word in enumerate(words):
                seen = self.counts.get(word.lower(), {"O": 5})
                for tag, count in seen.items():
                    rows[i, self._labels.index(tag)] += count
            out.append(rows / rows.sum(axis=1, keepdims=True))
        return out

    def predict(self, tokens):
        return decode_all(self.predict_proba(tokens), self._labels)

    def tags_and_confidences(self, tokens):
        distributions = self.predict_proba(tokens)
        tags = decode_all(distributions, self._labels)
        confidences = [
            [float(d[i, self._labels.index(t)]) for i, t in enumerate(tweet)] for d, tweet in zip(distributions, tags)
        ]
        return tags, confidences

    def save(self, folder: str, metadata: dict) -> None:
        files = {"counts.json": json.dumps(self.counts, sort_keys=True).encode()}
        write_artifact(folder, files, {"kind": "toy", "labels": list(self._labels), **metadata})

    @classmethod
    def load(cls, folder: Path, meta: dict, data_dir: str) -> Tagger:
        stored, files = read_artifact(folder)
        return cls(tuple(stored["labels"]), json.loads(files["counts.json"]))


def fit_unigram(context: FitContext, rows: list[dict]) -> MemberFit:
    tagger = UnigramTagger(context.labels).fit(context.train.tokens, context.train.tags)
    dev, test = (tagger.predict_proba(context.corpora[s].tokens) for s in ("dev", "test"))
    dev_f1, test_f1 = (context.f1(s, tagger.predict(context.corpora[s].tokens)) for s in ("dev", "test"))
    return MemberFit("toy", tagger, dev, test, dev_f1, test_f1, 0.0, {"smoothing": 0.1})


def refit_unigram(context: FitContext, fit: MemberFit) -> ProbabilisticTagger:
    both = context.train_and_dev()
    return UnigramTagger(context.labels).fit(both.tokens, both.tags)


TOY = Family(
    name="toy",
    label="toy unigram",
    load=UnigramTagger.load,
    candidate=Candidate(
        enabled=lambda settings: True,
        fit=fit_unigram,
        fit_as_chosen=lambda context, chosen: UnigramTagger(context.labels).fit(
            context.train.tokens, context.train.tags
        ),
        refit=refit_unigram,
        plan=lambda settings, resources: "a toy unigram tagger",
    ),
)


@pytest.fixture
def toy_family() -> Iterator[Family]:
    families.register(TOY)
    yield TOY
    families.unregister("toy")


def weak_crf_settings() -> StrongModelSettings:
    """A CRF stopped after one iteration, so that the toy family takes part in the choice."""
    return StrongModelSettings(crf_grid=[[0.1, 0.1]], crf_max_iterations=1, transformer=False, bilstm_crf=False)


def test_a_registered_family_is_a_candidate_saved_loaded_and_reported(toy_family, tmp_path):
    model = train_strong_model(SPLITS, weak_crf_settings(), synthetic_knowledge(), None, log=lambda _: None)
    candidates = list(model.selection["candidate"])
    assert "toy unigram" in candidates
    assert any(c.startswith("ensemble: knowledge CRF") and "toy unigram" in c for c in candidates)
    assert "toy" in model.members, "the weak CRF leaves the toy family the best dev F1"
    assert "toy unigram" in strong_models.describe_choice(model) and "toy unigram" in model.label
    assert "a toy unigram tagger" in strong_models.describe_settings(weak_crf_settings(), synthetic_knowledge())

    outcomes = {"strong": {"test_entity_f1": 0.5}, "fast": {"test_entity_f1": 0.4}}
    saving.save_strong_model(model, tmp_path, {"corpus": "synthetic"}, {}, outcomes)
    assert json.loads((tmp_path / "strong_toy" / "metadata.json").read_text())["kind"] == "toy"
    loaded = loading.load_model(tmp_path / "strong")
    test = SPLITS["test"].tokens
    assert loaded.predict(test) == model.final.predict(test)


def test_an_unknown_kind_names_the_folder_and_the_known_kinds(tmp_path):
    write_artifact(tmp_path / "odd", {}, {"kind": "toy", "labels": ["O"]})
    with pytest.raises(ArtifactError, match=r"odd: unknown model kind 'toy' \(known: crf, crf_student, transformer"):
        loading.load_model(tmp_path / "odd")


def test_a_name_is_registered_once(toy_family):
    with pytest.raises(ValueError, match="already registered"):
        families.register(TOY)
    with pytest.raises(ValueError, match="already registered"):
        families.register(Family(name="crf", label="another CRF", load=UnigramTagger.load))


def test_the_built_in_candidates_come_in_ensemble_order():
    assert [found.name for found in families.candidates()] == ["crf", "transformer", "bilstm_crf"]
    assert families.family("bilstm").candidate is None
    assert (
        LabelSet.from_tags(SPLITS["train"].tags).labels
        == FitContext(SPLITS, weak_crf_settings(), synthetic_knowledge(), None, print).labels
    )

"""A linear-chain CRF tagger (CRFsuite, L-BFGS) over a pluggable featurizer.

The model is CRFsuite's own binary file, which loads without running code; the
featurizer is named in the metadata and rebuilt on load, never unpickled.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import ClassVar, Self

import numpy as np
import pycrfsuite

from ..data.conll import TagLists, TokenLists
from ..data.labels import LabelSet, repair_bio
from ..features.orthographic import OrthographicFeaturizer
from ..features.registry import Featurizer, featurizer_from_spec
from .artifacts import read_artifact, write_artifact
from .crf_decoding import PartScorer, cached_weights, marginals, viterbi
from .protocol import Confidences

MODEL_FILE = "model.crfsuite"


class CrfTagger:
    """Fit, predict (tags and marginal confidences), save and load a CRF."""

    ONE_PROCESS_PER_CORE: ClassVar[bool] = True
    """It tags on one core (CRFsuite and NumPy), so a process per core tags fastest."""

    def __init__(self, *, c1: float, c2: float, max_iterations: int, featurizer: Featurizer | None = None) -> None:
        self.c1, self.c2, self.max_iterations = c1, c2, max_iterations
        self.featurizer: Featurizer = featurizer if featurizer is not None else OrthographicFeaturizer()
        self.model_bytes: bytes | None = None
        self._tagger: pycrfsuite.Tagger | None = None
        self._part_scorer: PartScorer | None = None
        self.labels: tuple[str, ...] = ()
        """Column order of :meth:`predict_proba`: every tag of the training data's types (a tag
        CRFsuite never saw, such as ``I-x`` of a type only ever one token long, gets probability 0)."""

    def fit(self, tokens: TokenLists, tags: TokenLists) -> Self:
        trainer = pycrfsuite.Trainer(verbose=False)
        for sentence, labels in zip(tokens, tags):
            trainer.append(pycrfsuite.ItemSequence(self.featurizer(sentence)), list(labels))
        trainer.set_params(
            {
                "c1": self.c1,
                "c2": self.c2,
                "max_iterations": self.max_iterations,
                "feature.possible_transitions": True,
            }
        )
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "model.crfsuite")
            trainer.train(path)
            self.set_model_bytes(Path(path).read_bytes())
        return self

    def set_model_bytes(self, data: bytes) -> None:
        """Use a CRFsuite model file's bytes (from :meth:`fit` or a saved artifact), opened in memory."""
        tagger = pycrfsuite.Tagger()
        tagger.open_inmemory(data)
        self.model_bytes, self._tagger, self._part_scorer = data, tagger, None
        self.labels = LabelSet.from_tags([tagger.labels()]).labels

    def predict(self, tokens: TokenLists) -> TagLists:
        """CRF Viterbi tags, made valid BIO by :func:`repair_bio`."""
        return self.tags_and_confidences(tokens, confidences=False)[0]

    def tags_and_confidences(self, tokens: TokenLists, *, confidences: bool = True) -> tuple[TagLists, Confidences]:
        """Viterbi tags and, per token, the CRF's marginal probability of that tag.

        With a featurizer that exposes its parts (the knowledge featurizer) this runs
        in NumPy over whole batches (``crf_decoding``); otherwise through CRFsuite.
        """
        scorer = self._scorer()
        if scorer is None:
            return self._crfsuite_tags(tokens, confidences)
        emissions = scorer.emissions(tokens)
        transitions = scorer.weights.transitions
        labels = scorer.weights.labels
        paths = viterbi(emissions, transitions)
        probabilities = marginals(emissions, transitions) if confidences else [None] * len(paths)
        all_tags = [repair_bio([labels[k] for k in path]) for path in paths]
        all_confidences = [
            [] if p is None else p[np.arange(len(path)), path].tolist() for path, p in zip(paths, probabilities)
        ]
        return all_tags, all_confidences

    def _crfsuite_tags(self, tokens: TokenLists, confidences: bool) -> tuple[TagLists, Confidences]:
        """The reference path: CRFsuite's own Viterbi and marginals, one tweet at a time."""
        tagger = self._require()
        all_tags: TagLists = []
        all_confidences: Confidences = []
        for sentence in tokens:
            if not sentence:
                all_tags.append([])
                all_confidences.append([])
                continue
            tags = tagger.tag(pycrfsuite.ItemSequence(self.featurizer(sentence)))
            all_confidences.append([tagger.marginal(tag, i) for i, tag in enumerate(tags)] if confidences else [])
            all_tags.append(repair_bio(tags))
        return all_tags, all_confidences

    def predict_proba(self, tokens: TokenLists) -> list[np.ndarray]:
        """Per tweet, a (tokens x labels) array of CRF marginal probabilities (:attr:`labels` order)."""
        scorer = self._scorer()
        if scorer is not None:
            columns = [
                scorer.weights.labels.index(label) if label in scorer.weights.labels else -1 for label in self.labels
            ]
            out = []
            for matrix in marginals(scorer.emissions(tokens), scorer.weights.transitions):
                full = np.zeros((len(matrix), len(self.labels)))
                for j, column in enumerate(columns):
                    if column >= 0:
                        full[:, j] = matrix[:, column]
                out.append(full)
            return out
        tagger = self._require()
        known = set(tagger.labels())
        out = []
        for sentence in tokens:
            matrix = np.zeros((len(sentence), len(self.labels)))
            if sentence:
                tagger.set(pycrfsuite.ItemSequence(self.featurizer(sentence)))
                for j, label in enumerate(self.labels):
                    if label in known:
                        matrix[:, j] = [tagger.marginal(label, i) for i in range(len(sentence))]
            out.append(matrix)
        return out

    def _scorer(self) -> PartScorer | None:
        if not hasattr(self.featurizer, "layout"):
            return None
        if self._part_scorer is None:
            tagger = self._require()
            assert self.model_bytes is not None, "set together with the CRFsuite tagger"
            self._part_scorer = PartScorer(cached_weights(self.model_bytes, tagger), self.featurizer)
        return self._part_scorer

    def save(self, folder: str, metadata: dict) -> None:
        """Save the CRFsuite model file and the featurizer's spec as a verified folder."""
        if self.model_bytes is None:
            raise RuntimeError("nothing to save: the CRF is not trained")
        spec = getattr(self.featurizer, "spec", None)
        if not spec:
            raise ValueError("the featurizer has no spec, so a saved model could not rebuild it")
        meta = {
            "kind": "crf",
            "labels": list(self.labels),
            "features": spec,
            "settings": {"c1": self.c1, "c2": self.c2, "max_iterations": self.max_iterations},
            **metadata,
        }
        write_artifact(folder, {MODEL_FILE: self.model_bytes}, meta)

    @classmethod
    def load(cls, folder: str, data_dir: str = "") -> Self:
        """Load a saved CRF; its featurizer is rebuilt from the spec (resources re-verified).

        The NumPy scorer is built here rather than at the first tweet, so that worker
        processes forked after loading share it instead of each building its own (65 ms
        of every worker's first batch)."""
        meta, files = read_artifact(folder)
        tagger = cls(**meta["settings"], featurizer=featurizer_from_spec(meta["features"], data_dir))
        tagger.set_model_bytes(files[MODEL_FILE])
        tagger._scorer()
        return tagger

    def _require(self) -> pycrfsuite.Tagger:
        if self._tagger is None:
            raise RuntimeError("CrfTagger used before fit or load")
        return self._tagger

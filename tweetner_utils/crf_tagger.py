"""A linear-chain CRF tagger (CRFsuite, L-BFGS) over a pluggable featurizer.

The model is CRFsuite's own binary file, which loads without running code; the
featurizer is named in the metadata and rebuilt on load, never unpickled.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pycrfsuite

from .artifacts import read_artifact, write_artifact
from .features import FeatureDict, OrthographicFeaturizer
from .labels import LABELS

TokenLists = Sequence[Sequence[str]]
MODEL_FILE = "model.crfsuite"
Featurizer = Callable[[Sequence[str]], list[FeatureDict]]


class CrfTagger:
    """Fit, predict (tags and marginal confidences), save and load a CRF."""

    def __init__(
        self,
        c1: float = 0.1,
        c2: float = 0.1,
        max_iterations: int = 100,
        featurizer: Featurizer | None = None,
    ) -> None:
        self.c1, self.c2, self.max_iterations = c1, c2, max_iterations
        self.featurizer = featurizer if featurizer is not None else OrthographicFeaturizer()
        self.model_bytes: bytes | None = None
        self._tagger: pycrfsuite.Tagger | None = None
        self._model_path: str | None = None

    def fit(self, tokens: TokenLists, tags: TokenLists) -> CrfTagger:
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
        """Use a CRFsuite model file's bytes (from :meth:`fit` or a saved artifact)."""
        self.close()
        handle, path = tempfile.mkstemp(suffix=".crfsuite")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        tagger = pycrfsuite.Tagger()
        tagger.open(path)
        self.model_bytes, self._tagger, self._model_path = data, tagger, path

    def predict(self, tokens: TokenLists) -> list[list[str]]:
        tagger = self._require()
        return [list(tagger.tag(pycrfsuite.ItemSequence(self.featurizer(s)))) if s else [] for s in tokens]

    def predict_with_marginals(self, tokens: TokenLists) -> list[tuple[list[str], list[float]]]:
        """Viterbi tags and, per token, the marginal probability of its predicted tag."""
        tagger = self._require()
        out = []
        for sentence in tokens:
            if not sentence:
                out.append(([], []))
                continue
            tags = list(tagger.tag(pycrfsuite.ItemSequence(self.featurizer(sentence))))
            out.append((tags, [tagger.marginal(tag, i) for i, tag in enumerate(tags)]))
        return out

    def predict_proba(self, tokens: TokenLists) -> list[np.ndarray]:
        """Per tweet, a (tokens x 21 labels) array of CRF marginal probabilities (``LABELS`` order)."""
        tagger = self._require()
        known = set(tagger.labels())
        out = []
        for sentence in tokens:
            matrix = np.zeros((len(sentence), len(LABELS)))
            if sentence:
                tagger.set(pycrfsuite.ItemSequence(self.featurizer(sentence)))
                for j, label in enumerate(LABELS):
                    if label in known:
                        matrix[:, j] = [tagger.marginal(label, i) for i in range(len(sentence))]
            out.append(matrix)
        return out

    def save(self, folder: str, metadata: dict) -> None:
        """Save the CRFsuite model file and the featurizer's spec as a verified folder."""
        if self.model_bytes is None:
            raise RuntimeError("nothing to save: the CRF is not trained")
        spec = getattr(self.featurizer, "spec", None)
        if not spec:
            raise ValueError("the featurizer has no spec, so a saved model could not rebuild it")
        meta = {
            "kind": "crf",
            "labels": sorted(self._require().labels()),
            "features": spec,
            "settings": {"c1": self.c1, "c2": self.c2, "max_iterations": self.max_iterations},
            **metadata,
        }
        write_artifact(folder, {MODEL_FILE: self.model_bytes}, meta)

    @classmethod
    def load(cls, folder: str, data_dir: str = "") -> CrfTagger:
        """Load a saved CRF; its featurizer is rebuilt from the spec (resources re-verified)."""
        from .knowledge_features import featurizer_from_spec

        meta, files = read_artifact(folder)
        tagger = cls(**meta["settings"], featurizer=featurizer_from_spec(meta["features"], data_dir))
        tagger.set_model_bytes(files[MODEL_FILE])
        return tagger

    def close(self) -> None:
        """Release the model file (also done when the tagger is garbage-collected)."""
        if self._tagger is not None:
            self._tagger.close()
        if self._model_path is not None:
            Path(self._model_path).unlink(missing_ok=True)
        self._tagger = self._model_path = None

    def __del__(self) -> None:
        self.close()

    def _require(self) -> pycrfsuite.Tagger:
        if self._tagger is None:
            raise RuntimeError("CrfTagger used before fit or load")
        return self._tagger

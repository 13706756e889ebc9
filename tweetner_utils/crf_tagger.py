"""A linear-chain CRF tagger (CRFsuite, L-BFGS) over a pluggable featurizer.

The model is CRFsuite's own binary file, which loads without running code; the
featurizer is named in the metadata and rebuilt on load, never unpickled.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import pycrfsuite

from .features import FeatureDict, crf_sentence_features

TokenLists = Sequence[Sequence[str]]
Featurizer = Callable[[Sequence[str]], list[FeatureDict]]


class CrfTagger:
    """Fit, predict (tags and marginal confidences), save and load a CRF."""

    def __init__(
        self,
        c1: float = 0.1,
        c2: float = 0.1,
        max_iterations: int = 100,
        featurizer: Featurizer = crf_sentence_features,
    ) -> None:
        self.c1, self.c2, self.max_iterations = c1, c2, max_iterations
        self.featurizer = featurizer
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

"""Load saved model folders by the kind their metadata names, and pick the best one in a folder.

The model classes are imported only for the kind being loaded: a CRF loads without
PyTorch, which keeps tagging a single tweet from the command line quick.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..exceptions import ArtifactError
from .artifacts import METADATA
from .ensemble import EnsembleTagger
from .protocol import ProbabilisticTagger, Tagger


def load_model(folder: Path, data_dir: str = "") -> Tagger:
    """The model saved in ``folder`` (kind ``crf``, ``bilstm`` or ``transformer``), verified.

    Raises:
        ArtifactError: the kind is unknown, or a file is missing or fails its checksum.
    """
    kind = read_metadata(folder).get("kind")
    if kind == "crf":
        from .crf import CrfTagger

        return CrfTagger.load(str(folder), data_dir)
    if kind == "bilstm":
        from .bilstm import BilstmTagger

        return BilstmTagger.load(str(folder))
    if kind == "transformer":
        from .transformer import TransformerTagger

        return TransformerTagger.load(str(folder))
    raise ArtifactError(f"{folder}: unknown model kind {kind!r}")


def load_best_model(folder: Path, data_dir: str = "") -> tuple[Tagger, str]:
    """A model folder as it is, or the best model in a folder of them, with its display name.

    In a models folder the strong ensemble is preferred, then the strong CRF, then the
    BiLSTM.

    Raises:
        ArtifactError: nothing loadable is there, or a file fails its checksum.
    """
    if (folder / METADATA).is_file():
        return load_model(folder, data_dir), folder.name
    crf, transformer = folder / "strong_crf", folder / "strong_transformer"
    if (crf / METADATA).is_file():
        weight = read_metadata(crf).get("ensemble_weight")
        if weight is not None and (transformer / METADATA).is_file():
            members = [
                _probabilistic(load_model(crf, data_dir), crf),
                _probabilistic(load_model(transformer, data_dir), transformer),
            ]
            return EnsembleTagger(members, [1 - weight, weight]), "strong ensemble"
        return load_model(crf, data_dir), "strong_crf"
    if ((folder / "bilstm") / METADATA).is_file():
        return load_model(folder / "bilstm", data_dir), "bilstm"
    raise ArtifactError(
        f"{folder}: no saved model found (expected a model folder or models/strong_crf); "
        "run `make reports` first or pass --model"
    )


def _probabilistic(model: Tagger, folder: Path) -> ProbabilisticTagger:
    """An ensemble member must give full distributions."""
    if not isinstance(model, ProbabilisticTagger):
        raise ArtifactError(f"{folder}: a {type(model).__name__} cannot be an ensemble member (no predict_proba)")
    return model


def read_metadata(folder: Path) -> dict:
    """A model folder's ``metadata.json``."""
    return json.loads((folder / METADATA).read_text("utf-8"))

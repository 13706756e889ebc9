"""Load saved model folders by the kind their metadata names, and pick the best one in a folder.

The model classes are imported only for the kind being loaded: a CRF loads without
PyTorch, which keeps tagging a single tweet from the command line quick.
"""

from __future__ import annotations

from pathlib import Path

from ..data.access import DATA_DIR_ENV
from ..exceptions import ArtifactError, DataNotFoundError
from . import families
from .artifacts import METADATA, read_artifact, read_verified_metadata
from .ensemble import EnsembleTagger
from .protocol import ProbabilisticTagger, Tagger


def load_model(folder: Path, data_dir: str = "") -> Tagger:
    """The model saved in ``folder`` (of a registered family's kind, or an ensemble of them), verified.

    Raises:
        ArtifactError: the kind is unknown, or a file is missing or fails its checksum.
    """
    meta = read_metadata(folder)
    try:
        return _load_kind(folder, meta, data_dir)
    except DataNotFoundError as exc:
        raise DataNotFoundError(
            f"{folder}: this model looks words up in gazetteers, Wikidata names and Twitter "
            f"word clusters, and they were not found. Point ${DATA_DIR_ENV} or --data-dir at a folder "
            f"holding them, or allow the download. {exc}"
        ) from None


def _load_kind(folder: Path, meta: dict, data_dir: str) -> Tagger:
    kind = meta.get("kind")
    if kind == "ensemble":
        return _load_ensemble(folder, meta, data_dir)
    try:
        found = families.family(str(kind))
    except ArtifactError as exc:
        raise ArtifactError(f"{folder}: {exc}") from None
    return found.load(folder, meta, data_dir)


def _load_ensemble(folder: Path, meta: dict, data_dir: str) -> Tagger:
    """An ensemble folder names its member folders (beside it) and their weights.

    One member is that member itself, as the run scored it: wrapped as an ensemble it would
    be decoded from its marginals instead of by its own Viterbi, and tag differently
    (a quick run's CRF lost 4 F1 points so).
    """
    read_artifact(folder)  # verifies the descriptor itself
    members = [_probabilistic(load_model(folder.parent / m["folder"], data_dir), folder) for m in meta["members"]]
    if len(members) == 1:
        return members[0]
    return EnsembleTagger(members, [float(m["weight"]) for m in meta["members"]])


def load_best_model(folder: Path, data_dir: str = "") -> tuple[Tagger, Path]:
    """A model folder as it is, or the best model in a folder of them, with the folder used.

    In a models folder the strong model (``strong/``, an ensemble or the single member
    chosen on dev) is preferred, then the knowledge CRF, then the BiLSTM.

    Raises:
        ArtifactError: nothing loadable is there, or a file fails its checksum.
    """
    found = best_model_folder(folder)
    return load_model(found, data_dir), found


PREFERRED: tuple[str, ...] = ("strong", "strong_crf", "bilstm")
"""The model folders of a models folder, best first."""


def best_model_folder(folder: Path) -> Path:
    """``folder`` if it is a model folder, else its best model folder (:data:`PREFERRED`).

    Raises:
        ArtifactError: nothing is saved there.
    """
    for candidate in (folder, *(folder / name for name in PREFERRED)):
        if (candidate / METADATA).is_file():
            return candidate
    raise ArtifactError(
        f"{folder}: no saved model found (expected a model folder, or models/strong); "
        "run `make reports` first or pass --model"
    )


def saved_entity_types(folder: Path) -> tuple[str, ...]:
    """The entity types a saved model (or the best model in a models folder) tags, read from
    verified metadata alone: nothing is loaded, so it is quick even for a transformer.

    Raises:
        ArtifactError: nothing is saved there, or the metadata names no labels.
    """
    from ..data.labels import LabelSet

    folder = best_model_folder(folder)
    meta = read_metadata(folder)
    if "labels" in meta:
        return LabelSet.from_tags([meta["labels"]]).types
    if meta.get("kind") == "ensemble" and meta.get("members"):
        return saved_entity_types(folder.parent / meta["members"][0]["folder"])
    raise ArtifactError(f"{folder / METADATA}: names no labels")


def display_name(folder: Path, metadata: dict) -> str:
    """The folder's name and its label, for messages."""
    label = metadata.get("label")
    return f"{folder.name} ({label})" if label else folder.name


def _probabilistic(model: Tagger, folder: Path) -> ProbabilisticTagger:
    """An ensemble member must give full distributions."""
    if not isinstance(model, ProbabilisticTagger):
        raise ArtifactError(f"{folder}: a {type(model).__name__} cannot be an ensemble member (no predict_proba)")
    return model


def read_metadata(folder: Path) -> dict:
    """A model folder's ``metadata.json``, verified against its checksum before it is parsed."""
    return read_verified_metadata(folder)

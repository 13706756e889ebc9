"""An ensemble as folders: each member a verified folder ``strong_<family>`` and a descriptor
folder ``strong`` naming them with their weights, which ``loading`` reads back. The saved
strong model and a teacher lent to Dask workers (``teacher_labels``) are both written so."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from . import families
from .artifacts import write_artifact
from .protocol import Tagger

FAST_KEY = "fast"
"""The field of the ``strong`` descriptor naming the fast model's folder (``--model fast``)."""


def save_member(name: str, member: Tagger, models_dir: Path, neural: dict, metadata: dict) -> Path:
    """``member`` (of family ``name``) as the verified folder ``strong_<name>``, with what
    its family needs beside the model (the BiLSTM-CRF: its inputs' ``neural`` spec)."""
    folder = models_dir / f"strong_{name}"
    extra = families.family(name).saved_metadata(neural)
    member.save(str(folder), {**metadata, **extra, "role": name})  # type: ignore[attr-defined]
    return folder


def save_descriptor(models_dir: Path, members: Sequence[str], weights: Sequence[float], metadata: dict) -> Path:
    """The ensemble's own folder ``strong``: its members' folders and weights."""
    ensemble = {
        "kind": "ensemble",
        **{k: v for k, v in metadata.items() if k != "members"},
        "members": [{"folder": f"strong_{m}", "weight": w} for m, w in zip(members, weights)],
    }
    return write_artifact(models_dir / "strong", {}, ensemble)


def save_ensemble(members: Mapping[str, Tagger], weights: Sequence[float], models_dir: Path, neural: dict) -> Path:
    """Every member and the descriptor, nothing else recorded: what loads the same model elsewhere."""
    for name, member in members.items():
        save_member(name, member, models_dir, neural, {})
    labels = list(next(iter(members.values())).labels)
    return save_descriptor(models_dir, list(members), weights, {"labels": labels})

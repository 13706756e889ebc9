"""Saving the strong model: every final member as a verified folder, and the ensemble that names them."""

from __future__ import annotations

from pathlib import Path

from .ensemble_folders import FAST_KEY, save_descriptor, save_member
from .selection import CRF_FAMILY, StrongModel


def save_strong_model(
    model: StrongModel, models_dir: str | Path, metadata: dict, neural: dict, outcomes: dict[str, dict]
) -> list[Path]:
    """Save every final member as a verified folder under ``models_dir``, and the ensemble
    (members and weights) as ``strong``; returns the folders written.

    The fast model is saved as ``strong_<its family>`` (one folder with the member of that
    family when it is one), which the descriptor names under :data:`FAST_KEY`; the knowledge
    CRF alone is always ``strong_crf``. ``outcomes`` holds, for the models scored alone,
    ``strong`` (the chosen configuration) and ``fast``, what their folders record of this run:
    ``test_entity_f1`` and ``routing_threshold`` (the dev-chosen auto-accept confidence, which
    ``tweetner review export`` uses). Another member of the ensemble is never scored alone
    after its refit, so its folder records neither. ``neural`` is the inputs' spec a family
    may need beside its model.
    """
    alone = {model.members[0]: outcomes["strong"]} if len(model.members) == 1 else {}
    recorded = {model.fast_family: outcomes["fast"]} | alone
    folders = {CRF_FAMILY: model.knowledge_crf, model.fast_family: model.fast, **model.final_members}
    saved = [
        save_member(name, member, Path(models_dir), neural, {**metadata, **recorded.get(name, {})})
        for name, member in folders.items()
    ]
    described = {
        "label": model.label,
        "labels": list(model.fast.labels),
        **metadata,
        **outcomes["strong"],
        FAST_KEY: f"strong_{model.fast_family}",
    }
    saved.append(save_descriptor(Path(models_dir), model.members, model.weights, described))
    return saved

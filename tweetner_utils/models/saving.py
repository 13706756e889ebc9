"""Saving the strong model: every final member as a verified folder, and the ensemble that names them."""

from __future__ import annotations

from pathlib import Path

from .ensemble_folders import save_descriptor, save_member
from .selection import FAST_FAMILY, STUDENT, StrongModel


def save_strong_model(
    model: StrongModel, models_dir: str | Path, metadata: dict, neural: dict, outcomes: dict[str, dict]
) -> list[Path]:
    """Save every final member as a verified folder under ``models_dir``, and the ensemble
    (members and weights) as ``strong``; returns the folders written.

    The fast model is ``strong_crf_student`` when dev chose a student, and the knowledge CRF
    alone (``strong_crf``) is saved beside it. ``outcomes`` holds, for the models scored
    alone, ``strong`` (the chosen configuration) and ``fast``, what their folders record of
    this run: ``test_entity_f1`` and ``routing_threshold`` (the dev-chosen auto-accept
    confidence, which ``tweetner review export`` uses). A member of the ensemble is never
    scored alone after its refit, so its folder records neither. ``neural`` is the inputs'
    spec a family may need beside its model.
    """
    saved = []
    alone = {model.members[0]: outcomes["strong"]} if len(model.members) == 1 else {}
    crf = model.knowledge_crf if model.knowledge_crf is not None else model.fast
    fast_name = FAST_FAMILY if crf is model.fast else STUDENT
    recorded = {fast_name: outcomes["fast"]} | alone
    for name, member in {FAST_FAMILY: crf, fast_name: model.fast, **model.final_members}.items():
        saved.append(save_member(name, member, Path(models_dir), neural, {**metadata, **recorded.get(name, {})}))
    described = {"label": model.label, "labels": list(model.fast.labels), **metadata, **outcomes["strong"]}
    saved.append(save_descriptor(Path(models_dir), model.members, model.weights, described))
    return saved

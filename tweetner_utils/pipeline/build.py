"""The build folder: every step writes there, and only a complete run replaces the reports.

A failure must never leave a mix of old and half-new reports or models, so the
previous ones are replaced file by file (and model folder by model folder) only after
every step succeeded; until then the build folder holds the partial output for debugging.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from fnmatch import fnmatch
from pathlib import Path

BUILD = ".build"
"""The build folder's name inside the reports folder."""


def fresh_build_folder(reports: Path, build: Path) -> None:
    """An empty build folder, seeded with the previous results (later steps read earlier ones)."""
    reports.mkdir(parents=True, exist_ok=True)
    if build.exists():
        shutil.rmtree(build)
    (build / "results").mkdir(parents=True)
    (build / "notebooks").mkdir()
    for old in (reports / "results").glob("*.json"):
        shutil.copy2(old, build / "results" / old.name)
    for old in (reports / "results" / "timings").glob("*.json"):
        (build / "results" / "timings").mkdir(exist_ok=True)
        shutil.copy2(old, build / "results" / "timings" / old.name)


def swap_reports(build: Path, reports: Path) -> None:
    """Move every built file over its previous version, then drop the build folder."""
    for source in sorted(build.rglob("*")):
        if source.is_file():
            target = reports / source.relative_to(build)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
    shutil.rmtree(build)


def owned_folders(models: Path, patterns: Sequence[str]) -> list[Path]:
    """The folders of ``models`` whose names match one of ``patterns`` (a step's ``models``)."""
    if not models.is_dir():
        return []
    return sorted(p for p in models.iterdir() if p.is_dir() and any(fnmatch(p.name, o) for o in patterns))


def swap_models(built: Path, models: Path, owned: Sequence[str] = ()) -> None:
    """Put each model folder this run saved in place of the old one (one rename each), then
    remove the folders matching ``owned`` (patterns of the steps that ran) that it did not save."""
    if not built.is_dir():
        return
    models.mkdir(parents=True, exist_ok=True)
    written = {p.name for p in built.iterdir() if p.is_dir()}
    stale = [p for p in owned_folders(models, owned) if p.name not in written]
    for folder in stale:
        retired = models / f".{folder.name}.old"
        if retired.exists():
            shutil.rmtree(retired)
        os.replace(folder, retired)
        shutil.rmtree(retired)
    for folder in sorted(p for p in built.iterdir() if p.is_dir()):
        target, old = models / folder.name, models / f".{folder.name}.old"
        if old.exists():
            shutil.rmtree(old)
        if target.exists():
            os.replace(target, old)
        os.replace(folder, target)
        if old.exists():
            shutil.rmtree(old)
    shutil.rmtree(built)

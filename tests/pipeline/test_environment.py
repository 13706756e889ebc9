"""Versions are pinned once (pyproject.toml) and environment.yml follows them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tweetner_utils.environment_file import pinned_requirements, render_environment

ROOT = Path(__file__).resolve().parents[2]


def test_environment_yml_is_generated_from_pyproject() -> None:
    committed = (ROOT / "environment.yml").read_text("utf-8")
    assert committed == render_environment(ROOT / "pyproject.toml"), "run `make environment.yml`"


def test_every_requirement_is_exactly_pinned_and_torch_is_the_cpu_release() -> None:
    requirements = pinned_requirements(ROOT / "pyproject.toml")
    assert "torch==2.13.0" in requirements
    names = {r.split("==")[0].lower() for r in requirements}
    assert {"jupyterlab", "papermill", "nbconvert", "torch", "scikit-learn", "seaborn", "seqeval"} <= names


def test_loose_pins_are_refused(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nrequires-python = ">=3.11"\ndependencies = ["numpy>=2"]\n', "utf-8"
    )
    with pytest.raises(ValueError, match="numpy>=2"):
        pinned_requirements(tmp_path / "pyproject.toml")

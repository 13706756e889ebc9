"""The layers contract holds, and an import against the data flow breaks it (``make lint`` runs it)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_copy(tmp_path: Path, edits: dict[str, str]) -> subprocess.CompletedProcess:
    """Run the project's import contracts on a copy of the package with ``edits`` appended to modules."""
    shutil.copytree(ROOT / "tweetner_utils", tmp_path / "tweetner_utils", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    for module, line in edits.items():
        with open(tmp_path / "tweetner_utils" / module, "a", encoding="utf-8") as handle:
            handle.write(f"\n{line}\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )


def test_the_package_keeps_its_contracts(tmp_path: Path) -> None:
    done = lint_copy(tmp_path, {})
    assert done.returncode == 0, done.stdout
    assert "2 kept, 0 broken" in done.stdout


@pytest.mark.parametrize(
    ("module", "line", "message"),
    [
        # data reaching up into models: the kind of upward import the layout forbids
        ("data/labels.py", "from ..models import crf", "tweetner_utils.data.labels -> tweetner_utils.models.crf"),
        # evaluation reaching into analysis (they are independent siblings)
        ("evaluation/errors.py", "from ..analysis import eda", "tweetner_utils.evaluation.errors"),
        # a model borrowing from the serving layer
        ("models/crf.py", "from ..serving import api", "tweetner_utils.models.crf -> tweetner_utils.serving.api"),
    ],
)
def test_an_upward_import_breaks_the_layers_contract(tmp_path: Path, module: str, line: str, message: str) -> None:
    done = lint_copy(tmp_path, {module: line})
    assert done.returncode != 0
    assert "Subpackages follow the data flow: each imports only from the layers below it BROKEN" in done.stdout
    assert message in done.stdout


def test_a_hidden_cycle_between_siblings_breaks_the_acyclic_contract(tmp_path: Path) -> None:
    """The eda <-> drift cycle the old layout hid behind a function-level import."""
    done = lint_copy(tmp_path, {"analysis/eda.py": "def drift_of(corpora):\n    from . import drift\n    return drift"})
    assert done.returncode != 0
    assert "No import cycles between the modules of a subpackage BROKEN" in done.stdout
    assert "- .eda -> .drift" in done.stdout

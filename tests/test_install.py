"""A non-editable install outside the checkout: the package alone (no notebooks, no models/)
tags tweets with a model folder given by path, and ``best`` then needs a models folder.

``scripts/check_install.sh`` does the same in a fresh virtual environment with the pinned
dependencies downloaded (minutes); this test borrows this environment's dependencies.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def test_an_install_outside_the_checkout_tags_with_a_model_folder_given_by_path(tmp_path: Path, fast_model: Path):
    source, target, elsewhere = tmp_path / "source", tmp_path / "site", tmp_path / "elsewhere"
    shutil.copytree(ROOT / "tweetner_utils", source / "tweetner_utils", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps"]
    subprocess.run([*pip, "--no-build-isolation", "--target", str(target), str(source)], check=True)
    elsewhere.mkdir()
    (elsewhere / "tweets.txt").write_text("just met Mara Quill at Kellan Arena !\n")
    env = {**os.environ, "PYTHONPATH": str(target)}  # found before this checkout's editable install
    env.pop("TWEETNER_MODELS_DIR", None)

    def tweetner(*argv: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "tweetner_utils", *argv]
        return subprocess.run(command, cwd=elsewhere, env=env, capture_output=True, text=True)

    where = subprocess.run(
        [sys.executable, "-c", "import tweetner_utils; print(tweetner_utils.__file__)"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(where.stdout.strip()).is_relative_to(target)
    tagged = tweetner("predict", "--model", str(fast_model), "tweets.txt")
    assert tagged.returncode == 0, tagged.stderr
    (record,) = [json.loads(line) for line in tagged.stdout.splitlines()]
    assert [(e["type"], e["text"]) for e in record["entities"]] == [("people", "Mara Quill"), ("venue", "Kellan Arena")]
    best = tweetner("predict", "tweets.txt")
    assert best.returncode == 2 and best.stderr.count("\n") == 1
    assert "no models folder: give --models-dir DIR or set $TWEETNER_MODELS_DIR" in best.stderr

"""What several pipeline test modules share: one quick run of every step, and a data folder of their own."""

from __future__ import annotations

from pathlib import Path

import pytest
from malformed_inputs import GOOD_SPLIT
from quick_runs import quick

from tweetner_utils import data_access


@pytest.fixture(scope="session")
def quick_run(tmp_path_factory) -> Path:
    """A complete quick run's folder (``reports/``, ``models/``); tests that change it work on a copy."""
    tmp = tmp_path_factory.mktemp("quick")
    assert quick(tmp) == 0
    return tmp


@pytest.fixture
def isolated_data(tmp_path: Path, monkeypatch) -> Path:
    """A data folder of valid splits; no other data folder, an empty cache, no network."""
    root = tmp_path / "data"
    (root / "wnut16").mkdir(parents=True)
    for split in data_access.SPLITS:
        (root / "wnut16" / split).write_bytes(GOOD_SPLIT)
    monkeypatch.delenv(data_access.DATA_DIR_ENV, raising=False)
    monkeypatch.setenv(data_access.CACHE_DIR_ENV, str(tmp_path / "empty-cache"))
    monkeypatch.setenv(data_access.UNVERIFIED_ENV, "0")  # run() sets it; monkeypatch restores it

    def no_network(url: str, destination: Path) -> None:
        raise ConnectionError("network cut by the test")

    monkeypatch.setattr(data_access, "_fetch", no_network)
    return root

"""Shared test setup: find the real data beside the project, as CI lays it out."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tweetner_utils import DATA_DIR_ENV, SPLITS, DataError, data_path

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"

if not os.environ.get(DATA_DIR_ENV) and SHARED_DATA.is_dir():
    os.environ[DATA_DIR_ENV] = str(SHARED_DATA)


def _real_data_available() -> bool:
    try:
        for split in SPLITS:
            data_path(f"wnut16/{split}")
    except DataError:
        return False
    return True


@pytest.fixture(scope="session")
def real_data() -> None:
    """Skip where the WNUT16 files cannot be found, except in CI, where they must be."""
    if _real_data_available():
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI must see the WNUT16 data: set {DATA_DIR_ENV} or place ../shared/data")
    pytest.skip(f"WNUT16 data not found: set {DATA_DIR_ENV} to run real-data tests")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Real-data tests belong to the slow tier too (``make test-fast`` leaves them out)."""
    for item in items:
        if item.get_closest_marker("real_data"):
            item.add_marker(pytest.mark.slow)

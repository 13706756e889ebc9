"""Shared test setup: the real data found beside the project (as CI lays it out), and the
fixtures many test modules share: the synthetic splits, a saved fast model, a CLI runner."""

from __future__ import annotations

import io
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tweetner_utils import DATA_DIR_ENV, SPLITS, DataError, data_path, synthetic_splits, tweet_fingerprints
from tweetner_utils.data.corpora import Corpus
from tweetner_utils.features.knowledge import KnowledgeFeaturizer, synthetic_knowledge
from tweetner_utils.models.crf import CrfTagger
from tweetner_utils.serving.cli import main

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


SYNTHETIC_SEED = 6
"""The seed of the synthetic splits the shared fast model learns from."""

CliRun = Callable[..., tuple[int, str, str]]


@pytest.fixture(scope="session")
def synthetic() -> dict[str, Corpus]:
    """The synthetic train/dev/test splits (seed :data:`SYNTHETIC_SEED`)."""
    return synthetic_splits(SYNTHETIC_SEED)


@pytest.fixture(scope="session")
def fast_model(tmp_path_factory: pytest.TempPathFactory, synthetic: dict[str, Corpus]) -> Path:
    """A knowledge CRF trained on the synthetic train split and saved as ``make reports`` saves
    the fast model (``strong_crf``): with a test F1, the corpus and its training tweets.
    Read-only: a test that changes a models folder uses :func:`models`."""
    folder = tmp_path_factory.mktemp("fast") / "strong_crf"
    crf = CrfTagger(c1=0.1, c2=0.1, max_iterations=40, featurizer=KnowledgeFeaturizer(synthetic_knowledge()))
    crf.fit(synthetic["train"].tokens, synthetic["train"].tags)
    metadata = {
        "test_entity_f1": 0.5,
        "corpus": "synthetic",
        "training_tweets": tweet_fingerprints(synthetic["train"].tokens),
    }
    crf.save(str(folder), metadata)
    return folder


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory, fast_model: Path) -> Path:
    """A models folder of this test module's own, holding a copy of :func:`fast_model`."""
    folder = tmp_path_factory.mktemp("models")
    shutil.copytree(fast_model, folder / fast_model.name)
    return folder


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> CliRun:
    """``tweetner ARGV`` in this process with ``stdin`` as its input: (status, stdout, stderr)."""

    def run(argv: list[str], stdin: bytes = b"") -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
        code = main([str(a) for a in argv])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run

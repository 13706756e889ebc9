"""Data access: manifest, resolution order, checksum refusal, failed downloads."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from tweetner_utils import (
    CACHE_DIR_ENV,
    DATA_DIR_ENV,
    ChecksumMismatchError,
    DataNotFoundError,
    data_access,
    data_path,
    load_split,
    manifest,
)

SAMPLE = b"Hi\tO\nBob\tB-person\n\n"
SAMPLE_SHA = hashlib.sha256(SAMPLE).hexdigest()
NAME = "wnut16/train"


@pytest.fixture
def fake_manifest(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Pin ``wnut16/train`` to SAMPLE, point the cache at an empty folder, cut the network."""
    entry = data_access.DataFile(NAME, "https://example.invalid/train", SAMPLE_SHA)
    monkeypatch.setattr(data_access, "manifest", lambda: {NAME: entry})
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "cache"))
    monkeypatch.delenv(DATA_DIR_ENV, raising=False)
    data_access._verified.clear()

    def no_network(url: str, destination: Path) -> None:
        raise ConnectionError(f"cannot resolve host for {url}")

    monkeypatch.setattr(data_access, "_fetch", no_network)
    return tmp_path


def place(root: Path, data: bytes = SAMPLE) -> Path:
    path = root / NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_manifest_lists_every_data_file_with_url_and_sha256() -> None:
    entries = manifest()
    assert {f"wnut16/{s}" for s in ("train", "dev", "dev_2015", "test")} <= set(entries)
    assert "brown_clusters/60K_clusters.txt" in entries
    assert sum(p.startswith("wikidata_lexicons/") for p in entries) == 8
    assert sum(p.startswith("wnut16/lexicon/") for p in entries) == 52
    for entry in entries.values():
        assert re.fullmatch(r"[0-9a-f]{64}", entry.sha256)
        assert entry.url.startswith("https://raw.githubusercontent.com/")
        assert re.search(r"/[0-9a-f]{40}/", entry.url), "URLs must pin a commit"


def test_argument_wins_over_environment_and_cache(fake_manifest: Path, monkeypatch) -> None:
    explicit = place(fake_manifest / "explicit")
    place(fake_manifest / "env")
    place(fake_manifest / "cache")
    monkeypatch.setenv(DATA_DIR_ENV, str(fake_manifest / "env"))
    assert data_path(NAME, fake_manifest / "explicit") == explicit


def test_environment_wins_over_cache(fake_manifest: Path, monkeypatch) -> None:
    env_copy = place(fake_manifest / "env")
    place(fake_manifest / "cache")
    monkeypatch.setenv(DATA_DIR_ENV, str(fake_manifest / "env"))
    assert data_path(NAME) == env_copy


def test_cache_is_used_when_nothing_else_is_set(fake_manifest: Path) -> None:
    cached = place(fake_manifest / "cache")
    assert data_path(NAME) == cached


def test_missing_file_without_network_names_the_variable(fake_manifest: Path, monkeypatch) -> None:
    empty = fake_manifest / "empty"
    empty.mkdir()
    monkeypatch.setenv(DATA_DIR_ENV, str(empty))
    with pytest.raises(DataNotFoundError) as caught:
        load_split("train")
    message = str(caught.value)
    assert DATA_DIR_ENV in message
    assert "--data-dir" in message
    assert str(empty) in message
    assert "ConnectionError" in message


def test_tampered_file_is_refused_with_both_hashes(fake_manifest: Path, monkeypatch) -> None:
    tampered = place(fake_manifest / "env", SAMPLE.replace(b"Bob", b"Bib"))
    monkeypatch.setenv(DATA_DIR_ENV, str(fake_manifest / "env"))
    with pytest.raises(ChecksumMismatchError) as caught:
        data_path(NAME)
    message = str(caught.value)
    assert str(tampered) in message
    assert SAMPLE_SHA in message
    assert hashlib.sha256(tampered.read_bytes()).hexdigest() in message
    assert tampered.read_bytes() != SAMPLE  # the user's file is reported, never deleted


def test_file_changed_after_verification_is_checked_again(fake_manifest: Path, monkeypatch) -> None:
    copy = place(fake_manifest / "env")
    monkeypatch.setenv(DATA_DIR_ENV, str(fake_manifest / "env"))
    data_path(NAME)
    copy.write_bytes(SAMPLE + b"extra\tO\n")
    with pytest.raises(ChecksumMismatchError):
        data_path(NAME)


def test_download_is_verified_then_cached(fake_manifest: Path, monkeypatch) -> None:
    calls: list[str] = []

    def serve(url: str, destination: Path) -> None:
        calls.append(url)
        destination.write_bytes(SAMPLE)

    monkeypatch.setattr(data_access, "_fetch", serve)
    path = data_path(NAME)
    assert path == fake_manifest / "cache" / NAME
    assert path.read_bytes() == SAMPLE
    assert len(load_split("train")) == 1
    assert calls == ["https://example.invalid/train"]


def test_corrupt_download_keeps_nothing(fake_manifest: Path, monkeypatch) -> None:
    monkeypatch.setattr(data_access, "_fetch", lambda url, dest: dest.write_bytes(b"<html>rate limited"))
    with pytest.raises(ChecksumMismatchError, match="nothing was kept"):
        data_path(NAME)
    leftovers = [p for p in (fake_manifest / "cache").rglob("*") if p.is_file()]
    assert leftovers == []


def test_interrupted_download_leaves_nothing_that_passes(fake_manifest: Path, monkeypatch) -> None:
    def half(url: str, destination: Path) -> None:
        destination.write_bytes(SAMPLE[:5])
        raise ConnectionError("connection reset")

    monkeypatch.setattr(data_access, "_fetch", half)
    with pytest.raises(DataNotFoundError, match="connection reset"):
        data_path(NAME)
    assert [p for p in (fake_manifest / "cache").rglob("*") if p.is_file()] == []


def test_unknown_names_are_rejected() -> None:
    with pytest.raises(ValueError, match="unknown split 'validation'"):
        load_split("validation")
    with pytest.raises(KeyError, match="not in the data manifest"):
        data_path("wnut16/nope")

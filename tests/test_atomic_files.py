"""Atomic writes: all or nothing, with readable permissions."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tweetner_utils import atomic_write_bytes, atomic_write_text, atomic_writer


def test_success_replaces_content_with_shareable_permissions(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("old")
    atomic_write_text(target, "new")
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) & 0o044 == 0o044
    atomic_write_bytes(target, b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"


def test_failure_keeps_previous_content_and_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("good")
    with pytest.raises(KeyboardInterrupt), atomic_writer(target) as handle:
        handle.write("half")
        raise KeyboardInterrupt
    assert target.read_text() == "good"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_unknown_mode_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="mode"), atomic_writer(tmp_path / "x", "a"):
        pass

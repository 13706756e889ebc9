"""``run_all.py --quick`` as the pipeline tests call it."""

from __future__ import annotations

from pathlib import Path

from tweetner_utils.pipeline import command


def quick(tmp: Path, *extra: str) -> int:
    """``run_all.py --quick`` into ``tmp/reports`` and ``tmp/models``; its exit code."""
    return command.main(["--quick", "--reports-dir", str(tmp / "reports"), "--models-dir", str(tmp / "models"), *extra])

"""Writes that either complete or leave the previous file untouched.

Reports and predictions are forwarded to people who never see the logs, so a crash
mid-write must never leave a truncated file that looks finished.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO


@contextlib.contextmanager
def atomic_writer(path: str | os.PathLike[str], mode: str = "w") -> Iterator[IO]:
    """Open a temporary file beside ``path``; move it into place only on success.

    Args:
        path: the final destination; its folder must exist. A symbolic link is followed:
            the file it points to is replaced and the link stays.
        mode: ``"w"`` for UTF-8 text (``\\n`` line ends) or ``"wb"`` for bytes.

    Yields:
        The open temporary file. If the ``with`` block raises, the temporary file is
        removed and ``path`` keeps its previous content (or stays absent).
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_writer mode must be 'w' or 'wb', not {mode!r}")
    target = Path(os.path.realpath(path))
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        if mode == "w":
            handle: IO = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        else:
            handle = os.fdopen(fd, "wb")
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, _mode_for(target))
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write UTF-8 ``text`` to ``path`` atomically (see :func:`atomic_writer`)."""
    with atomic_writer(path, "w") as handle:
        handle.write(text)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_writer`)."""
    with atomic_writer(path, "wb") as handle:
        handle.write(data)


def _mode_for(target: Path) -> int:
    """An existing file keeps its permission bits (a shared file stays shared); a new one
    gets the usual ``0666`` less the umask."""
    try:
        return target.stat().st_mode & 0o7777
    except FileNotFoundError:
        return 0o666 & ~_current_umask()


def _current_umask() -> int:
    """The process umask (mkstemp creates files 0600; results should be shareable)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask

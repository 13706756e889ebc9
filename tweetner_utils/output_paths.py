"""Whether an output path may be written, decided before any work: the checks every command
that writes a file makes, so that a mistake costs nothing (the writing itself is ``atomic_files``)."""

from __future__ import annotations

import os
from pathlib import Path

from .exceptions import UsageError


def check_output_path(output: str, inputs: list[str]) -> None:
    """Refuse, before any work, an output that cannot or must not be written.

    A symbolic link is followed (the file it points to is replaced, the link stays); an
    existing file keeps its permission bits; a read-only file is refused rather than
    replaced.

    Raises:
        UsageError: naming the path as the user gave it.
    """
    if output == "-":
        return
    path = Path(output)
    target = Path(os.path.realpath(path))
    if target.is_dir():
        raise UsageError(f"-o {output}: is a folder; give a file name")
    if not target.parent.is_dir():
        raise UsageError(f"-o {output}: the folder {target.parent} does not exist")
    for source in inputs:
        if source != "-" and target.exists() and Path(source).exists() and os.path.samefile(source, target):
            raise UsageError(f"-o {output}: is the input file {source}; choose another name (it would be replaced)")
    if target.exists() and not os.access(target, os.W_OK):
        raise UsageError(f"-o {output}: the file is read-only; remove it or choose another name")
    if not os.access(target.parent, os.W_OK | os.X_OK):
        raise UsageError(f"-o {output}: cannot create files in {target.parent} (permission denied)")

"""Derive the conda ``environment.yml`` from the pins in ``pyproject.toml``.

Versions are pinned once, in ``pyproject.toml``; conda users get the same versions
through the pip section of the generated file, so the two install paths cannot drift.
Regenerate with ``make environment.yml``; ``tests/pipeline/test_environment.py`` fails when the
committed file is stale.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

HEADER = (
    "# Generated from pyproject.toml by `make environment.yml`; do not edit by hand.\n"
    "# conda env create -f environment.yml && conda activate tweetner\n"
)


def pinned_requirements(pyproject: Path) -> list[str]:
    """The runtime and dev requirements of ``pyproject``, each checked to be ``==``-pinned."""
    project = tomllib.loads(pyproject.read_text("utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in sorted(project.get("optional-dependencies", {})):
        requirements += project["optional-dependencies"][extra]
    loose = [r for r in requirements if "==" not in r]
    if loose:
        raise ValueError(f"{pyproject}: requirements without an exact == pin: {loose}")
    return requirements


def python_version(pyproject: Path) -> str:
    """The minor Python version the project targets (from ``requires-python``'s lower bound)."""
    spec = tomllib.loads(pyproject.read_text("utf-8"))["project"]["requires-python"]
    lower = next(part for part in spec.split(",") if part.strip().startswith(">="))
    return lower.strip()[2:]


def render_environment(pyproject: Path) -> str:
    """The full text of ``environment.yml`` for ``pyproject``."""
    lines = [
        HEADER.rstrip("\n"),
        "name: tweetner",
        "channels:",
        "  - conda-forge",
        "dependencies:",
        f"  - python={python_version(pyproject)}",
        "  - pip",
        "  - pip:",
    ]
    lines += [f"      - {req}" for req in pinned_requirements(pyproject)]
    lines.append("      - -e .")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd()
    sys.stdout.write(render_environment(root / "pyproject.toml"))

"""Write each notebook's ``parameters`` cell from its config class, so defaults live in one place.

    python -m tweetner_utils.pipeline.parameters          # rewrite every cell that is out of date
    python -m tweetner_utils.pipeline.parameters --check  # exit 1 naming the notebooks out of date

papermill needs the defaults in the notebook itself (it injects a run's values after
the cell), so the cell is a generated copy of the config class, never edited by hand.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import fields
from pathlib import Path

import nbformat

from .config import NotebookConfig
from .steps import STEPS, Step

PARAMETERS_TAG = "parameters"


def parameters_source(config: NotebookConfig) -> str:
    """The cell's source: one ``name = value`` line per field, in field order.

    >>> from tweetner_utils.pipeline.config import SummaryConfig
    >>> print(parameters_source(SummaryConfig()))
    quick = False
    results_dir = "../reports/interactive/results"
    steps_results_dir = "../reports/results"
    seed_spread_dir = "../benchmarks/results"
    labelling_goal_points = 2.0
    labelling_rate_per_hour = 120.0
    """
    return "\n".join(f"{f.name} = {_literal(getattr(config, f.name))}" for f in fields(config))


def stale_notebooks(steps: tuple[Step, ...] = STEPS) -> list[Path]:
    """The notebooks whose parameters cell differs from their config class."""
    return [step.notebook for step in steps if _cell(step).source != parameters_source(type(step.config)())]


def write_parameters(steps: tuple[Step, ...] = STEPS) -> list[Path]:
    """Rewrite the parameters cell of every stale notebook; returns the notebooks written."""
    written = []
    for step in steps:
        book = nbformat.read(str(step.notebook), as_version=4)
        cell = next(c for c in book.cells if PARAMETERS_TAG in c.metadata.get("tags", []))
        source = parameters_source(type(step.config)())
        if cell.source != source:
            cell.source = source
            nbformat.write(book, str(step.notebook))
            written.append(step.notebook)
    return written


def _cell(step: Step) -> nbformat.NotebookNode:
    book = nbformat.read(str(step.notebook), as_version=4)
    return next(c for c in book.cells if PARAMETERS_TAG in c.metadata.get("tags", []))


def _literal(value: object) -> str:
    """Python source for a parameter value, in the form ``ruff format`` keeps (double quotes)."""
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    return repr(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only report notebooks that are out of date")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_notebooks()
        for path in stale:
            print(f"{path}: parameters cell differs from its config class", file=sys.stderr)
        return 1 if stale else 0
    for path in write_parameters():
        print(f"rewrote the parameters cell of {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

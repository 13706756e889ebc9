"""Each notebook's papermill parameters match its configuration object exactly."""

from __future__ import annotations

import ast
from dataclasses import fields

import nbformat
import papermill
import pytest

from tweetner_utils.pipeline import NOTEBOOKS, STEPS


@pytest.mark.parametrize("step", STEPS, ids=[s.name for s in STEPS])
def test_parameters_cell_matches_config(step) -> None:
    declared = papermill.inspect_notebook(str(step.notebook))
    config = type(step.config)()
    expected = {f.name: getattr(config, f.name) for f in fields(config)}
    assert list(declared) == list(expected)
    for name, value in expected.items():
        assert ast.literal_eval(declared[name]["default"]) == value, name


def test_every_notebook_is_a_step_and_stored_without_outputs() -> None:
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == sorted(s.name for s in STEPS)
    for step in STEPS:
        book = nbformat.read(str(step.notebook), as_version=4)
        tagged = [c for c in book.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1, f"{step.name}: exactly one parameters cell"
        for cell in book.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, f"{step.name} has outputs"

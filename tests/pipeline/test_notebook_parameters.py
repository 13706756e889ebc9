"""Each notebook's papermill parameters are generated from its configuration object, and defaults live once."""

from __future__ import annotations

import ast
import shutil
from dataclasses import dataclass, fields, replace
from pathlib import Path

import nbformat
import papermill
import pytest

from tweetner_utils.models.bilstm import BilstmSettings
from tweetner_utils.models.seeding import Seeded
from tweetner_utils.models.strong_settings import StrongModelSettings
from tweetner_utils.pipeline.config import BilstmConfig, StrongConfig, SummaryConfig, recorded_settings
from tweetner_utils.pipeline.parameters import stale_notebooks, write_parameters
from tweetner_utils.pipeline.steps import NOTEBOOKS, STEPS, RunOptions, step_parameters


@pytest.mark.parametrize("step", STEPS, ids=[s.name for s in STEPS])
def test_parameters_cell_matches_config(step) -> None:
    declared = papermill.inspect_notebook(str(step.notebook))
    config = type(step.config)()
    expected = {f.name: getattr(config, f.name) for f in fields(config)}
    assert list(declared) == list(expected)
    for name, value in expected.items():
        assert ast.literal_eval(declared[name]["default"]) == value, name


def test_every_parameters_cell_is_the_generated_one() -> None:
    assert stale_notebooks() == []


@dataclass(frozen=True)
class _Elsewhere(SummaryConfig):
    """The summary's config with another default folder."""

    results_dir: str = "elsewhere"


def test_a_changed_default_makes_the_cell_stale_and_the_generator_rewrites_it(tmp_path: Path) -> None:
    step = STEPS[-1]
    copy = tmp_path / step.notebook.name
    shutil.copy(step.notebook, copy)
    moved = replace(step, notebook=copy, config=_Elsewhere())
    assert stale_notebooks((moved,)) == [copy]
    assert write_parameters((moved,)) == [copy]
    assert stale_notebooks((moved,)) == []
    assert papermill.inspect_notebook(str(copy))["results_dir"]["default"] == '"elsewhere"'


def test_model_settings_defaults_are_the_notebook_defaults() -> None:
    """The configs extend the model settings rather than repeating them."""
    assert issubclass(BilstmConfig, BilstmSettings) and issubclass(StrongConfig, StrongModelSettings)
    assert BilstmSettings.of(BilstmConfig(seed=7, hidden_dim=64)) == BilstmSettings(seed=7, hidden_dim=64)
    assert RunOptions().seed == Seeded().seed == BilstmConfig().seed
    assert RunOptions().transformer == StrongConfig().transformer


def test_a_notebook_builds_its_config_in_one_call_and_names_missing_parameters() -> None:
    given = {"quick": True, "results_dir": "x", "steps_results_dir": "y", "seed_spread_dir": "z", "other": 1}
    given |= {"labelling_goal_points": 2.0, "labelling_rate_per_hour": 120.0}
    assert SummaryConfig.from_parameters(given) == SummaryConfig(True, "x", "y", "z")
    with pytest.raises(NameError, match="results_dir"):
        SummaryConfig.from_parameters({"quick": True})


def test_every_notebook_is_a_step_and_stored_without_outputs() -> None:
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == sorted(s.name for s in STEPS)
    for step in STEPS:
        book = nbformat.read(str(step.notebook), as_version=4)
        tagged = [c for c in book.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1, f"{step.name}: exactly one parameters cell"
        for cell in book.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, f"{step.name} has outputs"
        builds = [c for c in book.cells if c.cell_type == "code" and ".from_parameters(globals())" in c.source]
        assert len(builds) == 1, f"{step.name}: the config is built from the parameters in one call"


def test_notebooks_are_stored_as_jupyter_saves_them() -> None:
    """JupyterLab saves through nbformat; a notebook stored in that form is not rewritten (and
    `git status` stays clean) when it is only opened and autosaved."""
    for step in STEPS:
        stored = step.notebook.read_text("utf-8")
        assert stored == nbformat.writes(nbformat.read(str(step.notebook), as_version=4)) + "\n", step.notebook.name


def test_no_students_empties_the_curve_of_04_only() -> None:
    strong = next(step for step in STEPS if step.name == "04_strong_models")
    eda = STEPS[0]
    default = step_parameters(strong, RunOptions(), Path("build"))
    without = step_parameters(strong, RunOptions(students=False), Path("build"))
    students = ("unlabelled_sizes", "bilstm_crf_student_sizes", "transformer_student_sizes")
    assert all(default[key] == getattr(StrongConfig(), key) != [] for key in students)
    assert all(without[key] == [] for key in students)
    assert {**without, **{key: default[key] for key in students}} == default
    assert "unlabelled_sizes" not in step_parameters(eda, RunOptions(students=False), Path("build"))


def test_a_dask_scheduler_reaches_04_only_and_is_not_recorded() -> None:
    strong = next(step for step in STEPS if step.name == "04_strong_models")
    there = step_parameters(strong, RunOptions(dask_scheduler="tcp://host:8786"), Path("build"))
    here = step_parameters(strong, RunOptions(), Path("build"))
    assert there["dask_scheduler"] == "tcp://host:8786" and here["dask_scheduler"] == ""
    assert "dask_scheduler" not in step_parameters(STEPS[0], RunOptions(dask_scheduler="tcp://h:1"), Path("build"))
    assert recorded_settings(StrongConfig(**there)) == recorded_settings(StrongConfig(**here))
    assert recorded_settings(StrongConfig(**there)) != recorded_settings(StrongConfig(**{**here, "seed": 7}))

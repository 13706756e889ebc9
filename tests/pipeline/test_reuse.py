"""A step whose inputs are unchanged is reused, byte for byte; anything that changes them runs
it again, with every step that reads it; a damaged output or an interrupted run is never reused."""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Sequence
from pathlib import Path

import nbformat
import pytest
from malformed_inputs import GOOD_SPLIT, snapshot

from tweetner_utils.data import access as data_access
from tweetner_utils.pipeline import command, reuse
from tweetner_utils.pipeline import run as pipeline
from tweetner_utils.pipeline.config import SummaryConfig
from tweetner_utils.pipeline.steps import DATA, EVERY_STEP, STEPS, RunOptions, Step, key_parameters

HERE = Path(__file__).resolve().parents[1]  # tests/
NAMES = [step.name for step in STEPS]


def run_into(folder: Path, steps: Sequence[Step] = STEPS, **options) -> list[str]:
    """Run the pipeline (quick unless told otherwise) into ``folder``; the steps it executed."""
    settings = {"quick": True, "kernel": command.default_kernel()} | options
    said: list[str] = []
    reports, models = folder / "reports", folder / "models"
    pipeline.run(RunOptions(reports_dir=reports, models_dir=models, steps=tuple(steps), **settings), log=said.append)
    return [line.split("] ")[1].split(":")[0] for line in said if ": done in " in line]


def copy_of(quick_run: Path, tmp_path: Path) -> Path:
    """A complete quick run to change (the shared one stays as it was)."""
    for folder in ("reports", "models"):
        shutil.copytree(quick_run / folder, tmp_path / folder)
    return tmp_path


def outputs(folder: Path) -> dict[str, bytes]:
    """Every report, result and model file, less the two a run always rewrites (its index and manifest)."""
    files = {f"reports/{k}": v for k, v in snapshot(folder / "reports").items()}
    files |= {f"models/{k}": v for k, v in snapshot(folder / "models").items()}
    return {k: v for k, v in files.items() if k not in ("reports/index.html", "reports/run_manifest.json")}


def replaced(name: str, **changes) -> list[Step]:
    return [dataclasses.replace(step, **changes) if step.name == name else step for step in STEPS]


# Whole quick runs --------------------------------------------------------------------------


@pytest.mark.slow
def test_a_second_run_executes_no_notebook_and_changes_no_byte(quick_run: Path, tmp_path: Path) -> None:
    folder = copy_of(quick_run, tmp_path)
    before = outputs(folder)
    assert run_into(folder) == []
    assert outputs(folder) == before
    manifest = json.loads((folder / "reports" / "run_manifest.json").read_text())
    assert set(manifest["steps_reused"]) == set(NAMES) and manifest["steps_run"].startswith("none")
    keys = reuse.read_records(folder / "reports" / reuse.KEYS)
    assert manifest["steps_reused"]["04_strong_models"] == keys["04_strong_models"].reused_line()
    assert keys["04_strong_models"].reused_line() in (folder / "reports" / "index.html").read_text("utf-8")


@pytest.mark.slow
def test_a_damaged_report_or_model_runs_its_step_again_and_restores_it(quick_run: Path, tmp_path: Path) -> None:
    folder = copy_of(quick_run, tmp_path)
    before = outputs(folder)
    page = folder / "reports" / "02_baselines.html"
    page.write_text(page.read_text("utf-8").replace("<body", "<body data-edited", 1), "utf-8")
    weights = next(p for p in sorted((folder / "models" / "bilstm").iterdir()) if p.suffix == ".pt")
    weights.write_bytes(weights.read_bytes()[:-1] + bytes([weights.read_bytes()[-1] ^ 1]))
    executed = run_into(folder)
    assert executed[:2] == ["02_baselines", "03_bilstm"] and set(executed) <= {*executed[:2], "05_business_summary"}
    after = outputs(folder)
    for name in (
        "reports/results/02_baselines.json",
        "reports/results/03_bilstm.json",
        f"models/bilstm/{weights.name}",
    ):
        assert after[name] == before[name], name  # the same seed wrote the same bytes again


@pytest.mark.slow
def test_an_edited_business_summary_runs_only_the_summary(quick_run: Path, tmp_path: Path) -> None:
    folder = copy_of(quick_run, tmp_path)
    summary = next(step for step in STEPS if step.name == "05_business_summary")
    book = nbformat.read(summary.notebook, as_version=4)
    book.cells.append(nbformat.v4.new_markdown_cell("A sentence an analyst added."))
    edited = tmp_path / "05_business_summary.ipynb"
    nbformat.write(book, edited)
    assert run_into(folder, replaced(summary.name, notebook=edited)) == ["05_business_summary"]
    assert "A sentence an analyst added." in (folder / "reports" / "05_business_summary.html").read_text("utf-8")


@pytest.mark.slow
def test_a_changed_04_parameter_survives_an_interruption_then_runs_04_and_05(
    quick_run: Path, tmp_path: Path, monkeypatch
) -> None:
    folder = copy_of(quick_run, tmp_path)
    strong = next(step for step in STEPS if step.name == "04_strong_models")
    before, keys = snapshot(folder / "reports"), (folder / "reports" / reuse.KEYS).read_bytes()
    real = pipeline.execute_step

    def interrupted(step: Step, options: RunOptions, build: Path) -> None:
        if step.name == strong.name:
            raise KeyboardInterrupt  # Ctrl-C in the middle of 04
        real(step, options, build)

    monkeypatch.setattr(pipeline, "execute_step", interrupted)
    with pytest.raises(KeyboardInterrupt):  # 04 without MiniLM: a changed key, and the cheapest rerun of 04
        run_into(folder, transformer=False)
    assert {k: v for k, v in snapshot(folder / "reports").items() if not k.startswith(".build")} == before
    assert (folder / "reports" / reuse.KEYS).read_bytes() == keys
    monkeypatch.setattr(pipeline, "execute_step", real)
    assert run_into(folder, transformer=False) == ["04_strong_models", "05_business_summary"]
    recorded = json.loads((folder / "reports" / "results" / "04_strong_models.json").read_text())
    assert recorded["config"]["transformer"] is False


# A changed data file, on two tiny steps -----------------------------------------------------


TINY = (
    Step("99_ok", "reads the data", SummaryConfig(), SummaryConfig(), HERE / "notebooks" / "ok.ipynb", reads=(DATA,)),
    Step(
        "99_reads_ok",
        "reads 99_ok",
        SummaryConfig(),
        SummaryConfig(),
        HERE / "notebooks" / "reads_ok.ipynb",
        reads=("99_ok",),
    ),
)


@pytest.mark.slow
def test_one_changed_byte_of_a_data_file_runs_the_steps_that_read_it(isolated_data: Path, tmp_path: Path) -> None:
    options = {"quick": False, "data_dir": str(isolated_data), "unverified_splits": True, "kernel": "python3"}
    assert run_into(tmp_path, TINY, **options) == ["99_ok", "99_reads_ok"]
    assert run_into(tmp_path, TINY, **options) == []
    train = isolated_data / "wnut16" / "train"
    train.write_bytes(GOOD_SPLIT.replace(b"Made", b"Mode", 1))  # one byte, still a valid split
    assert run_into(tmp_path, TINY, **options) == ["99_ok"]  # what 99_reads_ok reads came out the same
    assert run_into(tmp_path, TINY, force=("99_ok",), **options) == ["99_ok", "99_reads_ok"]
    assert run_into(tmp_path, TINY, force=(EVERY_STEP,), **options) == ["99_ok", "99_reads_ok"]


# The key and the records, without running anything -----------------------------------------------


def test_force_runs_the_step_and_every_step_that_reads_it() -> None:
    assert reuse.forced_steps([], STEPS) == set()
    assert reuse.forced_steps(["03_bilstm"], STEPS) == {"03_bilstm", "05_business_summary"}
    assert reuse.forced_steps(["05_business_summary"], STEPS) == {"05_business_summary"}
    assert reuse.forced_steps([EVERY_STEP], STEPS) == set(NAMES)
    with pytest.raises(ValueError, match="known steps: 01_eda"):
        reuse.forced_steps(["06_nope"], STEPS)
    assert command.parse_args(["--force"]).force == [EVERY_STEP]
    assert command.parse_args(["--force", "04_strong_models"]).force == ["04_strong_models"]


def test_each_steps_declared_inputs_are_what_its_notebook_reads() -> None:
    """A notebook reading an input its step does not declare would be reused when that input changed."""
    clues = {DATA: "load_corpora(", "seed_spread": "seed_spread_dir", "transfer_models": "transfer_models_dir"}
    for position, step in enumerate(STEPS):
        code = "".join(c.source for c in nbformat.read(step.notebook, as_version=4).cells if c.cell_type == "code")
        for read, clue in clues.items():
            assert (read in step.reads) == (clue in code), (step.name, read)
        earlier = {s.name for s in STEPS[:position]}
        assert set(step.reads) - set(clues) == (earlier if "steps_results_dir" in code else set()), step.name


def key_of(step: Step, tmp_path: Path, **options) -> str:
    settings = RunOptions(quick=True, **options)
    return reuse.step_key(step, settings, reuse.shared_inputs(settings), tmp_path)


def test_the_key_follows_seed_parameters_and_earlier_results_but_not_folders(tmp_path: Path) -> None:
    eda, summary = STEPS[0], STEPS[-1]
    first = key_of(eda, tmp_path)
    assert key_of(eda, tmp_path, reports_dir=tmp_path / "elsewhere", dask_scheduler="tcp://h:8786") == first
    assert key_of(eda, tmp_path, seed=7) != first
    assert (
        key_of(dataclasses.replace(eda, quick_config=dataclasses.replace(eda.quick_config, top_n=3)), tmp_path) != first
    )
    assert key_parameters(eda, RunOptions(quick=True))["results_dir"] == ""  # the build folder is no input
    full, wnut17 = key_parameters(eda, RunOptions()), key_parameters(eda, RunOptions(corpus="wnut17"))
    assert key_parameters(eda, RunOptions(quick=True)) != full != wnut17  # quick, full and each corpus apart
    before = key_of(summary, tmp_path)
    (tmp_path / "02_baselines.json").write_text("{}\n")
    assert key_of(summary, tmp_path) != before


def test_a_record_is_reused_only_with_its_key_and_unchanged_files(tmp_path: Path) -> None:
    reports, models = tmp_path / "reports", tmp_path / "models"
    (reports / "results").mkdir(parents=True)
    (models / "bilstm").mkdir(parents=True)
    (reports / "results" / "03_bilstm.json").write_text("{}\n")
    (models / "bilstm" / "weights.pt").write_bytes(b"weights")
    record = reuse.StepRecord(
        "k",
        "2026-12-04 10:00 UTC",
        {"results/03_bilstm.json": data_access.sha256_of(reports / "results" / "03_bilstm.json")},
        {"bilstm/weights.pt": data_access.sha256_of(models / "bilstm" / "weights.pt")},
    )
    assert reuse.why_not_reused(record, "k", reports, models) == ""
    assert reuse.why_not_reused(None, "k", reports, models) == "no earlier run of it recorded"
    assert reuse.why_not_reused(record, "other", reports, models) == "its inputs changed"
    (models / "bilstm" / "weights.pt").write_bytes(b"weightz")
    assert "weights.pt changed since that run wrote it" in reuse.why_not_reused(record, "k", reports, models)
    (models / "bilstm" / "weights.pt").unlink()
    assert "weights.pt is missing" in reuse.why_not_reused(record, "k", reports, models)
    keys = tmp_path / reuse.KEYS
    keys.write_text(reuse.records_text({"03_bilstm": record}))
    assert reuse.read_records(keys) == {"03_bilstm": record}
    for damaged in ("not json", '{"format": 0, "steps": {}}', '{"format": 1, "steps": {"x": {"key": 1}}}'):
        keys.write_text(damaged)
        assert reuse.read_records(keys) == {}


def test_the_tree_digest_ignores_bytecode_and_sees_any_source_change(tmp_path: Path) -> None:
    (tmp_path / "pkg" / "__pycache__").mkdir(parents=True)
    (tmp_path / "pkg" / "a.py").write_text("x = 1\n")
    first = reuse.tree_digest(tmp_path / "pkg")
    (tmp_path / "pkg" / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"\0")
    assert reuse.tree_digest(tmp_path / "pkg") == first
    (tmp_path / "pkg" / "a.py").write_text("x = 2\n")
    assert reuse.tree_digest(tmp_path / "pkg") != first
    assert reuse.tree_digest(tmp_path / "nothing") == "absent"

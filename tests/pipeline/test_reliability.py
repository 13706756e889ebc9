"""Reliability: every malformed input through every entry point, and faults injected into run_all.

Each bad input must end with a clear message naming the file (and line, where there is
one), a non-zero exit, no traceback, and no output file created or changed.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest
from fault_runner import fault_step
from malformed_inputs import CASES, GOOD_SPLIT, TOLERATED, Malformed, build, os_error_text, snapshot

from tweetner_utils import synthetic_splits
from tweetner_utils.data.conll import parse_conll_bytes, read_conll
from tweetner_utils.data.corpora import corpus_labels
from tweetner_utils.exceptions import ConllFormatError, ReportsNotWritable
from tweetner_utils.models.crf import CrfTagger
from tweetner_utils.pipeline import command
from tweetner_utils.pipeline.run import run
from tweetner_utils.pipeline.steps import RunOptions
from tweetner_utils.serving.cli import main as tweetner

HERE = Path(__file__).resolve().parents[1]  # tests/
IDS = [case.id for case in CASES]


def expected_message(case: Malformed, path: Path) -> str:
    return f"{path}:{case.line}: " if case.line is not None else str(path)


def no_traceback(text: str) -> None:
    assert "Traceback" not in text and 'File "' not in text


def test_the_corpus_has_at_least_25_distinct_failures() -> None:
    assert len(CASES) >= 25 and len(set(IDS)) == len(IDS)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_reader(case: Malformed, tmp_path: Path) -> None:
    path = build(case, tmp_path)
    with pytest.raises(ConllFormatError) as caught:
        if case.unknown_type:  # well-formed: refused when the splits' label sets are compared
            good = parse_conll_bytes(GOOD_SPLIT, "train")
            corpus_labels({"train": good, "dev": read_conll(path)})
        read_conll(path)
    assert caught.value.path == str(path) and caught.value.line == case.line
    assert case.reason.lower() in caught.value.reason.lower()
    assert str(caught.value).startswith(expected_message(case, path))
    if case.repairable:
        assert read_conll(path, repair=True).repaired == 1


@pytest.mark.parametrize(("name", "data"), TOLERATED, ids=[n for n, _ in TOLERATED])
def test_tolerated_variants_read_like_the_plain_file(name: str, data: bytes) -> None:
    plain = b"Made\tO\nNew\tB-geo-loc\nYork\tI-geo-loc\n"
    assert parse_conll_bytes(data, name) == parse_conll_bytes(plain, "plain")


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> Path:
    from tweetner_utils.features.knowledge import KnowledgeFeaturizer, synthetic_knowledge

    splits = synthetic_splits(2)
    crf = CrfTagger(c1=0.1, c2=0.1, max_iterations=20, featurizer=KnowledgeFeaturizer(synthetic_knowledge()))
    folder = tmp_path_factory.mktemp("model") / "strong_crf"
    crf.fit(splits["train"].tokens, splits["train"].tags).save(str(folder), {"ensemble_weight": None})
    return folder


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_tweetner_evaluate(case: Malformed, model_dir: Path, tmp_path: Path, capsys) -> None:
    path = build(case, tmp_path / "in")
    output = tmp_path / "out" / "pred.txt"
    output.parent.mkdir()
    code = tweetner(["evaluate", "--model", str(model_dir), "-o", str(output), str(path)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"tweetner: error: {expected_message(case, path)}")
    no_traceback(err)
    assert list(output.parent.iterdir()) == []


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_tweetner_predict_conll(case: Malformed, model_dir: Path, tmp_path: Path, capsys) -> None:
    path = build(case, tmp_path / "in")
    output = tmp_path / "out" / "tags.jsonl"
    output.parent.mkdir()
    output.write_text("previous result\n")
    code = tweetner(["predict", "--model", str(model_dir), "--input-format", "conll", "-o", str(output), str(path)])
    err = capsys.readouterr().err
    no_traceback(err)
    if case.repairable or case.unknown_type or case.tag_column_only:  # predict reads only the tokens
        assert code == 0 and output.read_text() != "previous result\n"
        return
    assert code == 2 and str(path) in err
    assert expected_message(case, path) in err or os_error_text(path) in err.lower()
    assert output.read_text() == "previous result\n" and len(list(output.parent.iterdir())) == 1


def previous_run(tmp_path: Path) -> tuple[Path, Path, dict, dict]:
    reports, models = tmp_path / "reports", tmp_path / "models"
    (reports / "results").mkdir(parents=True)
    (reports / "index.html").write_text("previous good index")
    (reports / "results" / "01_eda.json").write_text('{"step": "01_eda"}\n')
    (models / "strong_crf").mkdir(parents=True)
    (models / "strong_crf" / "model.crfsuite").write_bytes(b"previous model")
    return reports, models, snapshot(reports), snapshot(models)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_run_all_data_dir(case: Malformed, isolated_data: Path, tmp_path: Path, capsys) -> None:
    split = "dev" if case.unknown_type else "train"  # train defines the types: dev may not add one
    target = isolated_data / "wnut16" / split
    target.unlink()
    path = build(case, target.parent, split)
    reports, models, before_reports, before_models = previous_run(tmp_path)
    argv = ["--data-dir", str(isolated_data), "--unverified-splits", "--reports-dir", str(reports)]
    code = command.main([*argv, "--models-dir", str(models), "--kernel", "python3"])
    err = capsys.readouterr().err
    no_traceback(err)
    if case.repairable:  # the pipeline reads strictly: a file needing repair is refused too
        assert code == 2 and f"{path}:{case.line}: " in err
    elif case.id in ("missing-file", "symlink-loop"):  # not there: the other folders are searched
        assert code == 2 and "wnut16/train" in err and "TWEETNER_DATA_DIR" in err
    else:
        assert code == 2 and expected_message(case, path) in err
    assert "nothing was run" in err
    assert snapshot(reports) == before_reports and snapshot(models) == before_models


def test_run_all_refuses_a_changed_split_unless_told(isolated_data: Path, tmp_path: Path, capsys) -> None:
    reports, models, before, _ = previous_run(tmp_path)
    argv = ["--data-dir", str(isolated_data), "--reports-dir", str(reports), "--models-dir", str(models)]
    assert command.main(argv) == 2
    err = capsys.readouterr().err
    assert "SHA-256 mismatch" in err and str(isolated_data / "wnut16" / "train") in err
    assert snapshot(reports) == before


def test_relative_data_folders_reach_the_notebooks_as_absolute_paths(tmp_path: Path, monkeypatch) -> None:
    """The notebooks run in another folder: ``TWEETNER_DATA_DIR=../shared/data run_all.py``
    failed in 01 with "wnut17/train was not found in $TWEETNER_DATA_DIR (../shared/data)"."""
    from tweetner_utils.data.access import DATA_DIR_ENV

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(DATA_DIR_ENV, "../shared/data")
    assert command.absolute_data_folders("data") == str(tmp_path.resolve() / "data")
    assert os.environ[DATA_DIR_ENV] == str(tmp_path.resolve().parent / "shared" / "data")
    monkeypatch.delenv(DATA_DIR_ENV)
    assert command.absolute_data_folders("") == "" and DATA_DIR_ENV not in os.environ


# Faults injected into the pipeline ---------------------------------------------------------


def run_fault(notebook: str, reports: Path, models: Path, *extra: str, interrupt_after: float | None = None):
    """``tests/fault_runner.py`` in its own process group; optionally Ctrl-C it after a delay
    (SIGINT to the whole group, kernel included, as a terminal does)."""
    import subprocess
    import time

    command = [sys.executable, str(HERE / "fault_runner.py"), notebook, str(reports), str(models), *extra]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    if interrupt_after is not None:  # once the step's kernel is running (its log exists), plus the delay
        started = reports / ".build" / "logs" / f"99_{notebook}.kernel.log"
        deadline = time.monotonic() + 90
        while not started.exists() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.2)
        time.sleep(interrupt_after)
        os.killpg(process.pid, signal.SIGINT)
    out, err = process.communicate(timeout=120)
    return process.returncode, out, err, process.pid


def group_left_running(group: int, wait: float = 15.0) -> bool:
    """Whether any process of the run's group (its kernel included) is still alive after ``wait`` seconds."""
    import time

    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return False
        time.sleep(0.2)
    return True


def kept(reports: Path) -> dict:
    return {k: v for k, v in snapshot(reports).items() if not k.startswith(".build")}


@pytest.mark.slow
def test_a_raising_notebook_names_step_and_cell(tmp_path: Path) -> None:
    reports, models, before_reports, before_models = previous_run(tmp_path)
    code, _, err, _ = run_fault("broken", reports, models)
    assert code == 1 and "step 99_broken failed: cell 3 of the executed notebook" in err
    assert "raised ValueError: deliberate failure for the tests" in err
    assert str(reports / ".build" / "notebooks" / "99_broken.ipynb") in err
    assert (reports / ".build" / "notebooks" / "99_broken.ipynb").is_file()
    assert kept(reports) == before_reports and snapshot(models) == before_models
    no_traceback(err)


@pytest.mark.slow
def test_a_dying_kernel_fails_the_step_and_keeps_everything(tmp_path: Path) -> None:
    reports, models, before_reports, before_models = previous_run(tmp_path)
    code, _, err, _ = run_fault("dies", reports, models)
    assert code == 1 and "step 99_dies failed: DeadKernelError" in err
    assert kept(reports) == before_reports and snapshot(models) == before_models
    no_traceback(err)


@pytest.mark.slow
def test_a_step_past_its_timeout_is_stopped(tmp_path: Path) -> None:
    reports, models, before_reports, before_models = previous_run(tmp_path)
    code, _, err, group = run_fault("sleeps", reports, models, "8")
    assert code == 1 and "step 99_sleeps failed: timed out after 8 s (--step-timeout)" in err
    assert not group_left_running(group)
    assert (reports / ".build" / "notebooks" / "99_sleeps.ipynb").is_file()
    assert kept(reports) == before_reports and snapshot(models) == before_models
    no_traceback(err)


@pytest.mark.slow
def test_ctrl_c_mid_run_keeps_earlier_reports(tmp_path: Path) -> None:
    reports, models, before_reports, before_models = previous_run(tmp_path)
    code, _, err, group = run_fault("sleeps", reports, models, interrupt_after=3)
    assert code == 130 and "Interrupted. Previous reports" in err
    assert not group_left_running(group)  # the kernel was shut down too
    assert kept(reports) == before_reports and snapshot(models) == before_models
    no_traceback(err)


@pytest.mark.slow
def test_a_full_disk_at_the_end_keeps_earlier_reports(tmp_path: Path, monkeypatch) -> None:
    from tweetner_utils.pipeline import run as pipeline

    reports, models, before_reports, _ = previous_run(tmp_path)
    real_write = pipeline.atomic_write_text

    def disk_full(path, text: str) -> None:
        if Path(path).name == "index.html":
            raise OSError(28, "No space left on device", str(path))
        real_write(path, text)

    monkeypatch.setattr(pipeline, "atomic_write_text", disk_full)
    steps = (fault_step("ok"),)
    options = RunOptions(quick=True, reports_dir=reports, models_dir=models, kernel="python3", steps=steps)
    with pytest.raises(ReportsNotWritable, match="No space left on device"):
        run(options, log=lambda _: None)
    assert {k: v for k, v in snapshot(reports).items() if not k.startswith(".build")} == before_reports


@pytest.mark.slow
def test_an_unwritable_reports_folder_is_a_clear_error(tmp_path: Path, capsys) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the reports folder should be")
    argv = ["--quick", "--only", "01_eda", "--reports-dir", str(blocker / "reports"), "--kernel", "python3"]
    assert command.main([*argv, "--models-dir", str(tmp_path / "models")]) == 1
    err = capsys.readouterr().err
    assert "cannot write" in err and str(blocker) in err
    no_traceback(err)
    assert blocker.read_text() == "a file where the reports folder should be"


@pytest.mark.slow
def test_run_all_as_a_process_prints_no_traceback(tmp_path: Path) -> None:
    import subprocess

    data = tmp_path / "data"
    (data / "wnut16").mkdir(parents=True)
    (data / "wnut16" / "train").write_bytes(b"Made\tb-city\n")
    done = subprocess.run(
        [sys.executable, str(HERE.parent / "run_all.py"), "--data-dir", str(data), "--unverified-splits"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.startswith(f"run_all: input rejected, nothing was run: {data / 'wnut16' / 'train'}:1: ")
    no_traceback(done.stderr)

"""`tweetner` stopped from outside: Ctrl-C at several moments and a closed pipe.

Each test here failed before the change it guards (issue 17's list, one case per test).
They signal a process at a moment in time, so a loaded machine can move the moment: they
carry the ``timing`` marker and run in ``make test``, not in ``make test-fast``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tweetner_utils import write_conll

pytestmark = pytest.mark.timing

WORKERS = str(min(2, os.cpu_count() or 1))


def tweetner(*args: str) -> list[str]:
    return [sys.executable, "-m", "tweetner_utils.serving.cli", *args]


def many_lines(path: Path, copies: int, synthetic) -> Path:
    texts = [" ".join(t.tokens) for t in synthetic["test"]] * copies
    path.write_text("\n".join(texts) + "\n", "utf-8")
    return path


# Signals --------------------------------------------------------------------------------


@pytest.mark.parametrize("delay", [0.4, 0.8, 1.2, 1.8, 2.6, 3.5])
def test_ctrl_c_during_predict_exits_130_without_traceback_or_output(
    models: Path, tmp_path: Path, delay, synthetic
) -> None:
    """Ctrl-C reaches the whole process group, workers included, as in a terminal."""
    source, out = many_lines(tmp_path / "in.txt", 1500, synthetic), tmp_path / "out.jsonl"
    argv = tweetner("predict", "--model", str(models), "--workers", WORKERS, "-o", str(out), str(source))
    process = subprocess.Popen(argv, stderr=subprocess.PIPE, text=True, start_new_session=True)
    time.sleep(delay)
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=60)  # a hang fails here
    if process.returncode == 0:
        pytest.fail(f"the run finished before Ctrl-C at {delay} s; give it more lines")
    assert process.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert err.strip().splitlines()[-1].startswith("tweetner: interrupted")
    assert not out.exists() and not list(tmp_path.glob(".out.jsonl*"))


@pytest.mark.parametrize("delay", [0.5, 1.5])
def test_ctrl_c_during_evaluate_exits_130_without_traceback(models: Path, tmp_path: Path, delay, synthetic) -> None:
    gold = tmp_path / "gold.conll"
    write_conll(gold, list(synthetic["test"]) * 600)
    process = subprocess.Popen(
        tweetner("evaluate", "--model", str(models), str(gold)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    time.sleep(delay)
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130 and "Traceback" not in err, err


def predicting_to_a_pipe(models: Path, source: Path) -> subprocess.Popen:
    """``tweetner predict`` in its own process group, its stdout and stderr read by the test."""
    argv = tweetner("predict", "--model", str(models), "--workers", "1", str(source))
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def test_ctrl_c_after_lines_reached_stdout_says_so(models: Path, tmp_path: Path, synthetic) -> None:
    process = predicting_to_a_pipe(models, many_lines(tmp_path / "in.txt", 1500, synthetic))
    assert process.stdout is not None
    process.stdout.readline()  # the first batch has been written
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert b"already been written to standard output" in err and b"no output file" not in err


def test_a_closed_pipe_ends_quietly(models: Path, tmp_path: Path, synthetic) -> None:
    """``tweetner predict ... | head -1``."""
    process = predicting_to_a_pipe(models, many_lines(tmp_path / "in.txt", 200, synthetic))
    assert process.stdout is not None and process.stderr is not None
    process.stdout.readline()
    process.stdout.close()
    err = process.stderr.read().decode()
    process.wait(timeout=60)
    assert process.returncode == 141 and "Broken pipe" not in err and "Traceback" not in err


def test_ctrl_c_while_a_model_loads_is_raised_once_loading_is_over() -> None:
    """A ``KeyboardInterrupt`` raised inside PyTorch's C++ start-up callbacks aborted the
    process (``terminate called``, no exit 130): while a model loads, Ctrl-C is only noted."""
    from tweetner_utils.serving.cli.progress import Progress

    progress = Progress()
    previous = signal.signal(signal.SIGINT, progress.on_interrupt)
    loaded = False
    try:
        with pytest.raises(KeyboardInterrupt), progress.deferred():
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)  # the handler runs here: it must not raise inside the block
            loaded = True
        assert loaded and progress.interrupted and not progress.deferring
        with pytest.raises(KeyboardInterrupt):  # outside the block, Ctrl-C stops at once
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)
    finally:
        signal.signal(signal.SIGINT, previous)


def _import_failing(interrupt: bool):
    """A command whose import of a C extension fails as scipy's HiGHS module did under Ctrl-C:
    pybind11 turns the ``KeyboardInterrupt`` raised in its initialisation into an ImportError."""

    def run(args, progress) -> int:
        try:
            if interrupt:
                os.kill(os.getpid(), signal.SIGINT)
                time.sleep(0.05)  # the handler raises here
            raise KeyboardInterrupt
        except KeyboardInterrupt as exc:
            raise ImportError("initialization failed") from exc

    return run


def test_ctrl_c_turned_into_an_import_error_still_exits_130(monkeypatch, capsys) -> None:
    """CI saw it: Ctrl-C 0.5 s into ``tweetner evaluate`` printed a traceback, exit 1."""
    from tweetner_utils.serving.cli import entry, evaluate_command

    monkeypatch.setattr(evaluate_command, "evaluate", _import_failing(interrupt=True))
    assert entry.main(["evaluate", "gold.conll"]) == 130
    assert capsys.readouterr().err.startswith("tweetner: interrupted; nothing was written")


def test_the_same_import_error_without_ctrl_c_is_not_called_an_interrupt(monkeypatch) -> None:
    from tweetner_utils.serving.cli import entry, evaluate_command

    monkeypatch.setattr(evaluate_command, "evaluate", _import_failing(interrupt=False))
    with pytest.raises(ImportError, match="initialization failed"):
        entry.main(["evaluate", "gold.conll"])

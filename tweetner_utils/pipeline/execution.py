"""Execute one notebook with papermill and render its two HTML reports.

A failing notebook must say which step and cell failed, and its kernel's own complaints
belong in a log beside the partial notebook, not in front of the user.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

from traitlets.config import Config

from ..atomic_files import atomic_write_text
from ..exceptions import StepFailed
from ..reporting.html import PageStamp, render_html
from .steps import RERUN_COMMENT, RunOptions, Step, rerun_parameters, step_parameters


class StepTimeout(BaseException):
    """Raised inside a step that ran past ``--step-timeout`` (a BaseException, like
    KeyboardInterrupt, so no library's ``except Exception`` swallows it)."""


@contextlib.contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Stop the step after ``seconds`` (SIGALRM; only in the main thread of the main interpreter)."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise StepTimeout(f"timed out after {seconds:g} s (--step-timeout)")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def execute_step(step: Step, options: RunOptions, build: Path) -> None:
    """Run ``step``'s notebook into ``build/notebooks``; it must record its results.

    Raises:
        StepFailed: a cell raised, the kernel died, the step timed out, or no results
            were recorded; names the cell and keeps the partial notebook.
    """
    import papermill

    output = build / "notebooks" / f"{step.name}.ipynb"
    results = build / "results" / f"{step.name}.json"
    results.unlink(missing_ok=True)
    try:
        with _stderr_to(build / "logs" / f"{step.name}.kernel.log"):
            papermill.execute_notebook(
                str(step.notebook),
                str(output),
                parameters=step_parameters(step, options, build),
                kernel_name=options.kernel,
                cwd=str(step.notebook.parent),
                progress_bar=False,
                config=_encrypted_kernel_transport(),
            )
    except papermill.PapermillExecutionError as exc:
        first_line = next((line for line in str(exc.source).splitlines() if line.strip()), "")
        detail = (
            f"cell {exc.cell_index} of the executed notebook (execution count {exc.exec_count}, "
            f"starting `{first_line.strip()[:80]}`) raised {exc.ename}: {exc.evalue}"
        )
        raise StepFailed(step.name, detail, output) from None
    except StepTimeout as exc:
        raise StepFailed(step.name, str(exc), output if output.exists() else None) from None
    except Exception as exc:  # a dead kernel, a missing kernel, a timeout: all end this step
        raise StepFailed(step.name, f"{type(exc).__name__}: {exc}", output if output.exists() else None) from None
    if not results.is_file():
        raise StepFailed(step.name, f"the notebook recorded no results ({results.name})", output)


def render_step(step: Step, build: Path, run_date: str, commit: str) -> None:
    """The executed notebook as HTML: with code, and without (the stakeholder version), each
    titled and stamped with the run's date and commit and a link back to the index."""
    executed = build / "notebooks" / f"{step.name}.ipynb"
    stamp = PageStamp(step.title, run_date, commit)
    atomic_write_text(build / f"{step.name}.html", render_html(executed, hide_code=False, stamp=stamp))
    stakeholder = render_html(executed, hide_code=True, stamp=stamp)
    atomic_write_text(build / f"{step.name}.stakeholder.html", stakeholder)


def make_rerunnable(step: Step, options: RunOptions, build: Path) -> None:
    """Point the executed copy's parameters at folders that exist where it will lie
    (``reports/notebooks/``), after its HTML was rendered: re-run as it is, it read a build
    folder that is gone and failed."""
    import nbformat
    from papermill.translators import translate_parameters

    executed = build / "notebooks" / f"{step.name}.ipynb"
    book = nbformat.read(str(executed), as_version=4)
    parameters = rerun_parameters(step, options)
    for cell in book.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.source = translate_parameters(options.kernel, "python", parameters, RERUN_COMMENT)
    if "papermill" in book.metadata:
        book.metadata.papermill.update(parameters=parameters, output_path=f"{step.name}.ipynb")
    atomic_write_text(executed, nbformat.writes(book) + "\n")


@contextlib.contextmanager
def _stderr_to(path: Path) -> Iterator[None]:
    """Send standard error (and so the kernel's, which inherits it) to ``path`` meanwhile.

    A kernel that dies or is interrupted logs tracebacks of its own; they belong in a
    log beside the partial notebook, not in front of the user.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    sys.stderr.flush()
    saved = os.dup(2)
    with open(path, "ab") as log:
        os.dup2(log.fileno(), 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


def _encrypted_kernel_transport() -> Config:
    """Kernel sockets with CurveZMQ keys: ipykernel warns on every start over plain TCP."""
    config = Config()
    config.KernelManager.transport_encryption = "required"
    return config

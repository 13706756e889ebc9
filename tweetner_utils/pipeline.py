"""The report pipeline behind ``run_all.py``: ordered steps, a build folder, a swap.

Every step executes into a private build folder. Only when all requested steps have
succeeded are their outputs moved over the previous reports, so a failure never leaves
a mix of old and half-new reports; the partial notebook stays in the build folder for
debugging.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from .atomic_files import atomic_write_text
from .config import BaselinesConfig, BilstmConfig, EdaConfig, StrongConfig, SummaryConfig, parameters_of
from .conll import ConllFormatError
from .data_access import SPLITS, UNVERIFIED_ENV, DataError, data_path, load_split, sha256_of
from .reporting import IndexEntry, index_page, render_html
from .results import read_results

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
BUILD = ".build"
MANIFEST = "run_manifest.json"


@dataclass(frozen=True)
class Step:
    """One notebook of the pipeline and how to configure it."""

    name: str
    title: str
    config: object
    quick_config: object
    notebook: Path = Path()

    def __post_init__(self) -> None:
        if self.notebook == Path():
            object.__setattr__(self, "notebook", NOTEBOOKS / f"{self.name}.ipynb")


STEPS: tuple[Step, ...] = (
    Step("01_eda", "Exploring the WNUT16 tweets", EdaConfig(), EdaConfig(quick=True)),
    Step(
        "02_baselines",
        "Baselines: original models reproduced, feature CRF",
        BaselinesConfig(),
        BaselinesConfig(quick=True, sgd_alphas=[1e-5, 1e-4], crf_max_iterations=30, bootstrap_resamples=200),
    ),
    Step(
        "03_bilstm",
        "The original BiLSTM, trained reproducibly",
        BilstmConfig(),
        BilstmConfig(quick=True, emb_dim=32, hidden_dim=32, max_epochs=2, bootstrap_resamples=200),
    ),
    Step(
        "04_strong_models",
        "Strong models: knowledge features, selected on dev",
        StrongConfig(),
        StrongConfig(quick=True, crf_grid=[[0.1, 0.1]], crf_max_iterations=30, bootstrap_resamples=200),
    ),
    Step("05_business_summary", "Business summary", SummaryConfig(), SummaryConfig(quick=True)),
)
"""The pipeline, in order: later steps read the results of earlier ones."""


class InputRejected(RuntimeError):
    """Raised before any notebook runs when a data file is missing, changed or malformed."""


class ReportsNotWritable(RuntimeError):
    """Raised when the reports or models folder cannot be written (permissions, full disk)."""


class StepFailed(RuntimeError):
    """Raised when a notebook fails; says which step, which cell, and where the partial notebook is."""

    def __init__(self, step: str, detail: str, partial: Path | None) -> None:
        self.step, self.detail, self.partial = step, detail, partial
        where = f"; partially executed notebook: {partial}" if partial else ""
        if partial:
            where += f"; kernel log: {partial.parent.parent / 'logs' / f'{step}.kernel.log'}"
        super().__init__(f"step {step} failed: {detail}{where}")


@dataclass(frozen=True)
class RunOptions:
    """What ``run_all.py`` was asked to do."""

    quick: bool = False
    only: Sequence[str] = ()
    seed: int = 42
    data_dir: str = ""
    reports_dir: Path = ROOT / "reports"
    models_dir: Path = ROOT / "models"
    kernel: str = "tweetner"
    transformer: bool = False
    step_timeout: float | None = None
    """Seconds one notebook may run before it is stopped (None: no limit)."""
    unverified_splits: bool = False
    """Accept split files that differ from the pinned WNUT16 ones (still strictly read)."""
    steps: Sequence[Step] = field(default=STEPS)


def select_steps(options: RunOptions) -> list[Step]:
    """The steps to run, in pipeline order; unknown names are an error listing the known ones."""
    known = [s.name for s in options.steps]
    unknown = [name for name in options.only if name not in known]
    if unknown:
        raise ValueError(f"unknown step(s) {', '.join(unknown)}; known steps: {', '.join(known)}")
    return [s for s in options.steps if not options.only or s.name in options.only]


def step_parameters(step: Step, options: RunOptions, build: Path) -> dict:
    """The papermill parameters of ``step``: its config with this run's seed and folders."""
    config = step.quick_config if options.quick else step.config
    overrides = {"results_dir": str(build / "results")}
    fields = parameters_of(config)
    if "seed" in fields:
        overrides["seed"] = options.seed
    if "data_dir" in fields:
        overrides["data_dir"] = options.data_dir
    if "models_dir" in fields:
        overrides["models_dir"] = str(build / "models")
    if "transformer" in fields:
        overrides["transformer"] = options.transformer
    return parameters_of(replace(config, **overrides))


def run(options: RunOptions, log: Callable[[str], None] = print) -> Path:
    """Check the inputs, execute the selected steps, render their reports, then swap
    reports and models into place.

    Returns:
        The path of the index page.

    Raises:
        InputRejected: a data file is missing, changed or malformed; nothing was run.
        StepFailed: a notebook failed or timed out; earlier reports and models are untouched.
        ReportsNotWritable: the reports or models folder cannot be written.
    """
    steps = select_steps(options)
    if options.unverified_splits:
        os.environ[UNVERIFIED_ENV] = "1"  # the kernels inherit it
    check_inputs(options)
    reports = options.reports_dir
    build = reports / BUILD
    try:
        _fresh_build_folder(reports, build)
        previous = _read_manifest(reports / MANIFEST)
        run_started = time.perf_counter()
        timings: dict[str, float] = {}
        for number, step in enumerate(steps, start=1):
            log(f"[{number}/{len(steps)}] {step.name}: {step.title} ...")
            started = time.perf_counter()
            with _time_limit(options.step_timeout, step):
                _execute(step, options, build)
            _render(step, build)
            timings[step.name] = time.perf_counter() - started
            log(f"[{number}/{len(steps)}] {step.name}: done in {timings[step.name]:.1f} s")
        manifest_data = _run_manifest(options, timings, previous, time.perf_counter() - run_started)
        atomic_write_text(build / MANIFEST, json.dumps(manifest_data, indent=2, sort_keys=True) + "\n")
        atomic_write_text(build / "index.html", _index(options, manifest_data, build))
        _swap_models(build / "models", options.models_dir)
        _swap(build, reports)
    except OSError as exc:
        raise ReportsNotWritable(f"cannot write {exc.filename or reports}: {exc.strerror or exc}") from None
    return reports / "index.html"


def check_inputs(options: RunOptions) -> None:
    """Read every split strictly (and verified, unless allowed otherwise) before any notebook starts."""
    if options.quick:
        return
    for split in SPLITS:
        try:
            load_split(split, options.data_dir or None)
        except (ConllFormatError, DataError) as exc:
            raise InputRejected(str(exc)) from None


@contextlib.contextmanager
def _time_limit(seconds: float | None, step: Step) -> Iterator[None]:
    """Stop the step after ``seconds`` (SIGALRM; only in the main thread of the main interpreter)."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame) -> None:
        raise StepTimeout(f"timed out after {seconds:g} s (--step-timeout)")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class StepTimeout(BaseException):
    """Raised inside a step that ran past ``--step-timeout`` (a BaseException, like
    KeyboardInterrupt, so no library's ``except Exception`` swallows it)."""


def _fresh_build_folder(reports: Path, build: Path) -> None:
    reports.mkdir(parents=True, exist_ok=True)
    if build.exists():
        shutil.rmtree(build)
    (build / "results").mkdir(parents=True)
    (build / "notebooks").mkdir()
    for old in (reports / "results").glob("*.json"):
        shutil.copy2(old, build / "results" / old.name)
    for old in (reports / "results" / "timings").glob("*.json"):
        (build / "results" / "timings").mkdir(exist_ok=True)
        shutil.copy2(old, build / "results" / "timings" / old.name)


def _execute(step: Step, options: RunOptions, build: Path) -> None:
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


def _encrypted_kernel_transport():
    """Kernel sockets with CurveZMQ keys: ipykernel warns on every start over plain TCP."""
    from traitlets.config import Config

    config = Config()
    config.KernelManager.transport_encryption = "required"
    return config


def _render(step: Step, build: Path) -> None:
    executed = build / "notebooks" / f"{step.name}.ipynb"
    atomic_write_text(build / f"{step.name}.html", render_html(executed, hide_code=False))
    atomic_write_text(build / f"{step.name}.stakeholder.html", render_html(executed, hide_code=True))


def _index(options: RunOptions, manifest_data: dict, build: Path) -> str:
    results = read_results(build / "results")
    entries = [
        IndexEntry(
            step=step.name,
            title=step.title,
            report=f"{step.name}.html",
            stakeholder_report=f"{step.name}.stakeholder.html",
            headline=results.get(step.name, {}).get("headline", {}),
            wall_seconds=manifest_data["wall_seconds_per_step"].get(step.name),
            status="ok" if step.name in results else "not run yet",
        )
        for step in options.steps
    ]
    title = "tweetner reports" + (" (quick run on synthetic data)" if options.quick else "")
    return index_page(entries, manifest_data, title)


def _swap(build: Path, reports: Path) -> None:
    """Move every built file over its previous version, then drop the build folder."""
    for source in sorted(build.rglob("*")):
        if source.is_file():
            target = reports / source.relative_to(build)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
    shutil.rmtree(build)


def _swap_models(built: Path, models: Path) -> None:
    """Put each model folder this run saved in place of the old one (one rename each)."""
    if not built.is_dir():
        return
    models.mkdir(parents=True, exist_ok=True)
    for folder in sorted(p for p in built.iterdir() if p.is_dir()):
        target, old = models / folder.name, models / f".{folder.name}.old"
        if old.exists():
            shutil.rmtree(old)
        if target.exists():
            os.replace(target, old)
        os.replace(folder, target)
        if old.exists():
            shutil.rmtree(old)
    shutil.rmtree(built)


def _read_manifest(path: Path) -> dict:
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}


def _run_manifest(options: RunOptions, timings: dict[str, float], previous: dict, total: float) -> dict:
    per_step = dict(previous.get("wall_seconds_per_step", {}))
    per_step.update({k: round(v, 1) for k, v in timings.items()})
    return {
        "finished_at_utc": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"),
        "git_commit": _git_commit(),
        "seed": options.seed,
        "quick": options.quick,
        "transformer_ensemble": options.transformer,
        "unverified_splits": options.unverified_splits,
        "steps_run": ", ".join(timings),
        "wall_seconds_total": round(total, 1),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "wall_seconds_per_step": per_step,
        "package_versions": _package_versions(),
        "data_sha256": {"synthetic corpus": "generated, seed above"}
        if options.quick
        else _split_hashes(options),
    }


def _split_hashes(options: RunOptions) -> dict[str, str]:
    """The SHA-256 of each split actually read (the pinned ones unless unverified splits were allowed)."""
    return {f"wnut16/{s}": sha256_of(data_path(f"wnut16/{s}", options.data_dir or None)) for s in SPLITS}


def _package_versions() -> dict[str, str]:
    versions = {}
    for requirement in metadata.requires("tweetner") or []:
        name = requirement.split("==")[0].split(";")[0].strip()
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _git_commit() -> str:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return commit + (" (with uncommitted changes)" if dirty.strip() else "")

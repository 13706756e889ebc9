"""The report pipeline behind ``run_all.py``: check the inputs, run the steps, swap the results in.

Every step executes into a private build folder (``build``). Only when all requested
steps have succeeded are their outputs moved over the previous reports, so a failure
never leaves a mix of old and half-new reports; the partial notebook stays in the build
folder for debugging.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from .. import numerics
from ..atomic_files import atomic_write_text
from ..data.access import UNVERIFIED_ENV
from ..data.corpora import corpus_spec, extra_training, load_corpora
from ..exceptions import ConllFormatError, DataError, InputRejected, ReportsNotWritable
from ..reporting.html import IndexEntry, index_page
from ..reporting.results import collect_models, read_results, results_digest
from ..reporting.summary.comparison import comparison_table
from ..reporting.summary.decision import decide, decision_html
from .build import BUILD, fresh_build_folder, swap_models, swap_reports
from .execution import execute_step, make_rerunnable, render_step, time_limit
from .manifest import MANIFEST, git_commit, read_manifest, run_manifest
from .reuse import (
    KEYS,
    StepRecord,
    forced_steps,
    read_records,
    records_text,
    shared_inputs,
    step_key,
    step_outputs,
    why_not_reused,
)
from .steps import RunOptions, select_steps


def run(options: RunOptions, log: Callable[[str], None] = print) -> Path:
    """Check the inputs, execute the selected steps whose inputs changed since the recorded
    run (``pipeline.reuse``; all of them with ``--force``), render their reports, then swap
    reports, models and the steps' keys into place.

    Returns:
        The path of the index page.

    Raises:
        InputRejected: a data file is missing, changed or malformed; nothing was run.
        StepFailed: a notebook failed or timed out; earlier reports and models are untouched.
        ReportsNotWritable: the reports or models folder cannot be written.
    """
    steps = select_steps(options)
    forced = forced_steps(options.force, options.steps)
    if options.unverified_splits:
        os.environ[UNVERIFIED_ENV] = "1"  # the kernels inherit it
    use_kernel_path(options.fast_kernels)
    check_inputs(options, log)
    reports = options.reports_dir
    build = reports / BUILD
    try:
        fresh_build_folder(reports, build)
        previous = read_manifest(reports / MANIFEST)
        records = read_records(reports / KEYS)
        shared = shared_inputs(options)
        run_started = time.perf_counter()
        run_date, commit = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), git_commit()
        timings: dict[str, float] = {}
        reused: dict[str, str] = {}
        for number, step in enumerate(steps, start=1):
            progress = f"[{number}/{len(steps)}] {step.name}"
            key = step_key(step, options, shared, build / "results")
            record = records.get(step.name)
            why = "--force" if step.name in forced else why_not_reused(record, key, reports, options.models_dir)
            if record is not None and not why:
                reused[step.name] = record.reused_line()
                log(f"{progress}: inputs unchanged, {reused[step.name]} (--force {step.name} runs it)")
                continue
            log(f"{progress}: {step.title} ({why}) ...")
            started = time.perf_counter()
            with time_limit(options.step_timeout):
                execute_step(step, options, build)
            render_step(step, build, run_date, commit)
            make_rerunnable(step, options, build)
            records[step.name] = StepRecord(key, run_date, *step_outputs(step, build))
            timings[step.name] = time.perf_counter() - started
            log(f"{progress}: done in {timings[step.name]:.1f} s")
        digest = results_digest(build / "results")
        total = time.perf_counter() - run_started
        manifest_data = run_manifest(options, timings, reused, previous, total, digest)
        atomic_write_text(build / MANIFEST, json.dumps(manifest_data, indent=2, sort_keys=True) + "\n")
        atomic_write_text(build / KEYS, records_text(records))
        atomic_write_text(build / "index.html", _index(options, manifest_data, build))
        executed = [pattern for step in steps if step.name in timings for pattern in step.models]
        swap_models(build / "models", options.models_dir, executed)
        swap_reports(build, reports)
    except OSError as exc:
        raise ReportsNotWritable(f"cannot write {exc.filename or reports}: {exc.strerror or exc}") from None
    return reports / "index.html"


def use_kernel_path(fast_kernels: bool) -> None:
    """Portable numerics for the kernels this run starts (they inherit the environment), or
    the libraries' own choice for this CPU with ``--fast-kernels``."""
    if fast_kernels:
        os.environ[numerics.FAST_KERNELS_ENV] = "1"
    else:
        os.environ.pop(numerics.FAST_KERNELS_ENV, None)
    numerics.apply()


def check_inputs(options: RunOptions, log: Callable[[str], None] = print) -> None:
    """Read every split strictly (and verified, unless allowed otherwise), and the reviewed
    files to add, before any notebook starts; say what the reviewed files add and refuse."""
    try:
        corpora = load_corpora(options.quick, options.seed, options.data_dir, options.corpus, options.corpus_dir)
        extra = extra_training([str(p) for p in options.extra_train], corpora)
    except (ConllFormatError, DataError) as exc:
        raise InputRejected(str(exc)) from None
    if extra.files:
        log(f"reviewed tweets: {len(extra.tweets)} added to train; {len(extra.refused)} refused")
        for line in extra.refused:
            log(f"  refused: {line}")


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
            note=manifest_data["steps_reused"].get(step.name, ""),
        )
        for step in sorted(options.steps, key=lambda s: s.name != SUMMARY_STEP)  # the summary first
    ]
    title = "tweetner reports: " + (
        "quick run on synthetic data" if options.quick else corpus_spec(options.corpus, options.corpus_dir).title
    )
    return index_page(entries, manifest_data, title, _decision_box(results))


SUMMARY_STEP = "05_business_summary"


def _decision_box(results: dict) -> str:
    """The business summary's decision box for the index (nothing until the models and the EDA ran)."""
    models = collect_models(results)
    table = comparison_table(models)
    if table.empty or "01_eda" not in results:
        return ""
    leader = models[table.iloc[0]["id"]]
    eda = results["01_eda"]
    return decision_html(
        decide(leader, eda["overview"]["test"]["tweets"], eda["corpus"]["name"]), f"{SUMMARY_STEP}.stakeholder.html"
    )

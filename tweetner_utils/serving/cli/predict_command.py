"""``tweetner predict``: tag a stream or a file, or a folder of files here or on a Dask cluster."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ...output_paths import check_output_path
from ..streams import open_input, read_items, tag_items
from .progress import Progress
from .terminal import announce, output, progress_bar

if TYPE_CHECKING:
    from ..folders import FileResult


def predict(args: argparse.Namespace, progress: Progress) -> int:
    from ...exceptions import UsageError
    from ..api import load_tagger

    if args.input != "-" and Path(args.input).is_dir():
        return _predict_folder(args, progress)
    if args.dask_scheduler:
        raise UsageError("--dask-scheduler tags a folder of files: give an input folder and -o an output folder")
    check_output_path(args.output, [args.input])
    source = open_input(args.input, sys.stdin.buffer)
    with contextlib.ExitStack() as stack:
        stack.enter_context(source)  # closed however loading ends
        with progress.deferred():
            tagger = stack.enter_context(load_tagger(args.model, args.data_dir, args.workers, args.models_dir))
        out = stack.enter_context(output(args.output))
        progress.check()
        announce(tagger)
        bar = progress_bar(args)

        def before_each() -> None:
            progress.check()
            bar.update(1)

        def on_error(error: Exception) -> None:
            bar.write(f"tweetner: {'warning' if args.skip_invalid else 'error'}: {error}", file=sys.stderr)

        def on_line() -> None:
            if args.output == "-":
                progress.stdout_lines += 1

        items = read_items(source, args.input_format, args.input)
        errors = tag_items(tagger, items, out, args.output_format, on_error, before_each, on_line)
        bar.close()
        progress.check()  # before the output file is moved into place
    if errors:
        print(f"tweetner: {errors} input line(s) could not be tagged; all other lines were written", file=sys.stderr)
    return 1 if errors and not args.skip_invalid else 0


def _predict_folder(args: argparse.Namespace, progress: Progress) -> int:
    """One output file per input file, tagged here or on the Dask cluster ``--dask-scheduler`` names."""
    from ...exceptions import UsageError
    from ..api import load_tagger, model_folder
    from ..folders import dask_client, plan_folder, tag_folder, tag_folder_on_dask

    if args.output == "-":
        raise UsageError(f"{args.input}: is a folder; give -o OUT_DIR, the folder for the tagged files (one per input)")
    if args.dask_scheduler and args.workers:
        raise UsageError("--workers counts processes on this machine; on a Dask cluster each worker tags its own files")
    if args.dask_scheduler:
        dask_client()  # a missing Dask is said before any output folder is made
    tasks, skipped = plan_folder(args.input, args.output, args.input_format, args.output_format)
    for path in skipped:
        print(f"tweetner: skipping {path}: its suffix names no input format (see --input-format)", file=sys.stderr)
    progress.output_path, progress.output_folder = None, args.output
    if not args.dask_scheduler:
        with progress.deferred():
            tagger = load_tagger(args.model, args.data_dir, args.workers, args.models_dir)
        with tagger:
            announce(tagger)
            return _report_files(tag_folder(tasks, tagger, args.output_format), len(tasks), args, progress)
    folder = model_folder(args.model, args.models_dir).resolve()
    if not folder.is_dir():
        raise UsageError(f"--model {args.model}: no model folder at {folder}")
    data_dir = str(Path(args.data_dir).resolve()) if args.data_dir else ""
    print(f"tweetner: tagging {len(tasks)} file(s) on the Dask cluster at {args.dask_scheduler}", file=sys.stderr)
    found = tag_folder_on_dask(tasks, args.dask_scheduler, args.output_format, str(folder), data_dir, progress.check)
    return _report_files(found, len(tasks), args, progress)


def _report_files(results: Iterator[FileResult], total: int, args: argparse.Namespace, progress: Progress) -> int:
    """A line per file as it is done, its bad lines named; the exit status of the whole folder."""
    line_errors = failed = 0
    announced = not args.dask_scheduler
    for done, result in enumerate(results, start=1):
        progress.check()
        if not announced and result.model:
            print(f"tweetner: model {result.model} (on the cluster)", file=sys.stderr)
            announced = True
        level = "warning" if args.skip_invalid and result.written else "error"
        for error in result.errors:
            print(f"tweetner: {level}: {error}", file=sys.stderr)
        if result.written:
            progress.files_written += 1
            line_errors += len(result.errors)
            outcome = f"{result.task.target}, {result.tweets:,} tweet(s)"
        else:
            failed += 1
            outcome = "not written"
        print(f"tweetner: [{done}/{total}] {result.task.source} -> {outcome}", file=sys.stderr)
    if line_errors or failed:
        print(
            f"tweetner: {line_errors} input line(s) could not be tagged, {failed} file(s) could not be read; "
            "every other line was written",
            file=sys.stderr,
        )
    return 1 if failed or (line_errors and not args.skip_invalid) else 0

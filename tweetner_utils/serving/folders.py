"""Tag a folder of tweet files, one output file per input: in this process, or spread over
an existing Dask cluster (``tweetner predict --dask-scheduler tcp://HOST:8786 IN_DIR -o OUT_DIR``).

A file is the unit of work: each output is written atomically by whoever tags it, so after
a failure or Ctrl-C every output file is either whole or absent, and a rerun redoes only
what is missing or wrong. On a cluster the workers read the inputs, the model folder and
the data folder at the same paths as this machine (a shared file system), and write the
outputs there; each worker process loads the model once and keeps it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..atomic_files import atomic_writer
from ..exceptions import UsageError
from .streams import read_items, tag_items

if TYPE_CHECKING:
    from .api import TweetTagger

SUFFIX_FORMATS = {".txt": "text", ".jsonl": "jsonl", ".conll": "conll"}
"""The input format of a file in a folder, from its suffix (unless ``--input-format`` says)."""
OUTPUT_SUFFIXES = {"jsonl": ".jsonl", "conll": ".conll"}
CONNECT_TIMEOUT_S = 10.0
"""How long to wait for the Dask scheduler before saying it cannot be reached."""


@dataclass(frozen=True)
class FileTask:
    """One input file, its format, and the output file it becomes (absolute paths, so that
    a worker with another working folder finds them)."""

    source: str
    target: str
    input_format: str


@dataclass(frozen=True)
class FileResult:
    """What tagging one file gave: tweets written, and the lines (or the whole file) that failed."""

    task: FileTask
    tweets: int
    errors: tuple[str, ...]
    written: bool
    """False when the whole file failed (it was not written)."""
    model: str = ""
    """The tagger's description (name and test F1), for the command to announce."""


def plan_folder(
    in_dir: str, out_dir: str, input_format: str | None, output_format: str
) -> tuple[list[FileTask], list[str]]:
    """The files of ``in_dir`` to tag (not its subfolders or hidden files) and the outputs
    they become in ``out_dir`` (created when missing), plus the files skipped because
    their suffix names no format.

    Raises:
        UsageError: no folder, the output folder is the input folder or cannot be made,
            two inputs would write the same output, or nothing to tag.
    """
    source, target = Path(in_dir), Path(out_dir)
    if not source.is_dir():
        raise UsageError(f"{in_dir}: not a folder")
    if target.exists() and not target.is_dir():
        raise UsageError(
            f"{in_dir} is a folder, so -o must be a folder too (one output per input file); {out_dir} is a file"
        )
    if target.is_dir() and os.path.samefile(source, target):
        raise UsageError(f"-o {out_dir}: is the input folder; choose another (outputs would mix with inputs)")
    tasks: list[FileTask] = []
    skipped: list[str] = []
    claimed: dict[str, Path] = {}
    for path in sorted(p for p in source.iterdir() if p.is_file() and not p.name.startswith(".")):
        fmt = input_format or SUFFIX_FORMATS.get(path.suffix.lower())
        if fmt is None:
            skipped.append(str(path))
            continue
        output = target / (path.stem + OUTPUT_SUFFIXES[output_format])
        if output.name in claimed:
            raise UsageError(f"{claimed[output.name]} and {path} would both be written to {output}; rename one of them")
        claimed[output.name] = path
        tasks.append(FileTask(str(path.resolve()), str(output.resolve()), fmt))
    if not tasks:
        suffixes = ", ".join(SUFFIX_FORMATS)
        raise UsageError(f"{in_dir}: no file to tag (files ending {suffixes}, or any file with --input-format)")
    try:
        target.mkdir(exist_ok=True)
    except OSError as exc:
        raise UsageError(f"-o {out_dir}: cannot create the folder ({exc.strerror})") from None
    return tasks, skipped


def tag_file(task: FileTask, tagger: TweetTagger, output_format: str) -> FileResult:
    """Tag one file into its output, atomically; a bad line is named and skipped, a file
    that cannot be read at all is not written."""
    errors: list[str] = []
    counted = [0]

    def line_written() -> None:
        counted[0] += 1

    try:
        with open(task.source, "rb") as source, atomic_writer(task.target, "w") as out:
            items = read_items(source, task.input_format, task.source)
            tag_items(
                tagger,
                items,
                out,
                output_format,
                lambda exc: errors.append(f"{task.source}: {exc}"),
                on_line=line_written,
            )
    except (OSError, ValueError, UsageError) as exc:  # unreadable, or a malformed CoNLL file (names its line)
        return FileResult(task, 0, (f"{task.source}: {exc}",), False, tagger.description)
    return FileResult(task, counted[0], tuple(errors), True, tagger.description)


def tag_folder(tasks: list[FileTask], tagger: TweetTagger, output_format: str) -> Iterator[FileResult]:
    """Each file in turn, in this process (the tagger's own worker processes split each batch)."""
    for task in tasks:
        yield tag_file(task, tagger, output_format)


_WORKER_TAGGERS: dict[tuple[str, str], TweetTagger] = {}
_WORKER_LOCK = threading.Lock()


def tag_file_on_worker(task: FileTask, output_format: str, model: str, data_dir: str) -> FileResult:
    """What a Dask worker runs per file: the model is loaded on the worker's first file and
    kept; one file at a time per worker process (a tagger is not shared between threads)."""
    from .api import load_tagger

    with _WORKER_LOCK:
        key = (model, data_dir)
        if key not in _WORKER_TAGGERS:
            _WORKER_TAGGERS[key] = load_tagger(model, data_dir, workers=1)
        return tag_file(task, _WORKER_TAGGERS[key], output_format)


def dask_client() -> tuple[Any, Any]:
    """Dask's ``Client`` and ``as_completed``, imported only when a cluster is used.

    Raises:
        UsageError: Dask is not installed (the base install leaves it out).
    """
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise UsageError(
            "--dask-scheduler needs Dask, which the base install leaves out: pip install 'tweetner[dask]'"
        ) from None
    return Client, as_completed


def tag_folder_on_dask(
    tasks: list[FileTask],
    address: str,
    output_format: str,
    model: str,
    data_dir: str,
    interrupted: Callable[[], None],
) -> Iterator[FileResult]:
    """Each file as a task on the Dask cluster at ``address``, yielded as they finish.

    ``interrupted`` is called between results (it raises on Ctrl-C); the client is closed
    on the way out, which cancels the files not started yet.

    Raises:
        UsageError: Dask is not installed, or the scheduler cannot be reached.
    """
    Client, as_completed = dask_client()

    try:
        client = Client(address, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError, ValueError) as exc:
        raise UsageError(f"--dask-scheduler {address}: cannot reach the scheduler ({exc})") from None
    with client:
        futures = {
            client.submit(tag_file_on_worker, task, output_format, model, data_dir, pure=False): task for task in tasks
        }
        for future in as_completed(futures):
            interrupted()
            try:
                yield future.result()
            except Exception as exc:  # the worker died or its code failed: this file only
                task = futures[future]
                yield FileResult(
                    task, 0, (f"{task.source}: failed on the cluster ({type(exc).__name__}: {exc})",), False
                )

"""``run_all.py``'s command line: options into a :class:`RunOptions`, the run, and one
clear message and exit status for every way it ends.

It lives in the package (not in ``run_all.py``) so that the type checker and the layers
contract see it like the rest of the pipeline.
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import os
import sys
import time
from pathlib import Path

from .. import numerics
from ..data.access import DATA_DIR_ENV, catalogue
from ..exceptions import InputRejected, ReportsNotWritable, StepFailed
from ..reporting.results import results_digest
from .run import run
from .steps import EVERY_STEP, ROOT, STEPS, RunOptions, corpus_subfolder, transfer_models_dir

USAGE = """Regenerate every report: run each notebook with papermill, render HTML, write the index.

    python run_all.py                 # all steps on the real data -> reports/
    python run_all.py --quick         # synthetic corpus, tiny models -> reports/quick/
    python run_all.py --force         # run every step, even those whose inputs are unchanged
    python run_all.py --force 04_strong_models   # that step and the steps that read it
    python run_all.py --only 02_baselines --seed 7 --data-dir ~/wnut-data
    python run_all.py --no-transformer    # 04_strong_models without the fine-tuned MiniLM (faster)
    python run_all.py --no-students       # 04_strong_models without students of the leading model (faster)
    python run_all.py --dask-scheduler tcp://HOST:8786  # the teacher's labels computed on a Dask cluster
    python run_all.py --extra-train reviewed.conll    # add reviewed tweets (tweetner review import) to train
    python run_all.py --corpus wnut17     # the WNUT17 corpus -> reports/wnut17/, models/wnut17/
    python run_all.py --corpus-dir my_tweets/    # your own train/dev/test CoNLL -> reports/my_tweets/

A step whose inputs (notebook, parameters, package source, environment, data and the
results it reads) are unchanged since the last complete run is not executed: its reports,
results and models stay, checked against their recorded SHA-256 (``reports/step_keys.json``).
The steps live in ``tweetner_utils.pipeline.steps``, their parameters in
``tweetner_utils.pipeline.config``.
"""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="run_all.py", description=USAGE, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="synthetic corpus and tiny models (seconds)")
    parser.add_argument(
        "--only", action="append", default=[], metavar="STEP", choices=[s.name for s in STEPS], help="run only STEP"
    )
    parser.add_argument(
        "--force",
        action="append",
        nargs="?",
        const=EVERY_STEP,
        default=[],
        metavar="STEP",
        choices=[*(s.name for s in STEPS), EVERY_STEP],
        help="run STEP and every step that reads it even if their inputs are unchanged (alone: every step)",
    )
    parser.add_argument(
        "--seed", type=int, default=RunOptions.seed, help=f"seed for every stochastic step (default {RunOptions.seed})"
    )
    parser.add_argument(
        "--data-dir", default=RunOptions.data_dir, help=f"local data folder (default: ${DATA_DIR_ENV}, then cache)"
    )
    parser.add_argument(
        "--corpus",
        choices=list(catalogue()),
        default=RunOptions.corpus,
        help=f"built-in corpus to analyse (default {RunOptions.corpus}); another one writes reports/CORPUS/",
    )
    parser.add_argument(
        "--corpus-dir",
        type=Path,
        metavar="DIR",
        help="your own corpus: a folder with train, dev and test CoNLL files (token and tag columns, tab or space"
        " separated; the label set is read from train) -> reports/FOLDER_NAME/",
    )
    parser.add_argument(
        "--reports-dir", type=Path, help="where reports go (default reports/, reports/quick/ or reports/CORPUS/)"
    )
    parser.add_argument(
        "--models-dir", type=Path, help="where models go (default models/, models/quick/ or models/CORPUS/)"
    )
    parser.add_argument(
        "--no-transformer",
        action="store_true",
        help="leave the fine-tuned MiniLM out of 04_strong_models (faster; the strong model is then weaker)",
    )
    parser.add_argument(
        "--no-students",
        action="store_true",
        help="no students of the leading model in 04_strong_models (faster; the fast model is then the knowledge CRF"
        " alone and no unlabelled tweets are read)",
    )
    parser.add_argument(
        "--dask-scheduler",
        metavar="ADDRESS",
        default="",
        help="compute the teacher's labels of unlabelled tweets in 04_strong_models on this Dask scheduler"
        " (tcp://HOST:8786); its workers must see the data folder and the teacher cache at the same paths",
    )
    parser.add_argument(
        "--device",
        choices=("auto", "cpu", "cuda"),
        default=RunOptions.device,
        help="where the transformer trains: a CUDA GPU when PyTorch sees one (auto), or force cpu/cuda",
    )
    parser.add_argument(
        "--fast-kernels",
        action="store_true",
        default=numerics.fast_kernels_requested(),
        help=f"let PyTorch, MKL and NumPy pick this CPU's fastest kernels (also ${numerics.FAST_KERNELS_ENV}=1): faster"
        " on CPUs with AVX-512 BF16 or AMX, but the numbers are then this CPU's; by default every x86-64 CPU with"
        " AVX2 gives the same numbers",
    )
    parser.add_argument("--kernel", default="", help="Jupyter kernel (default: tweetner if installed, else python3)")
    parser.add_argument("--step-timeout", type=float, metavar="SECONDS", help="stop a notebook that runs longer")
    parser.add_argument(
        "--unverified-splits",
        action="store_true",
        help="accept train/dev/test files that differ from the pinned WNUT16 ones (e.g. your own annotations);"
        " they are still read strictly and their hashes are recorded in the run manifest",
    )
    parser.add_argument(
        "--extra-train",
        action="append",
        default=[],
        type=Path,
        metavar="FILE",
        help="reviewed tweets in CoNLL (`tweetner review import` writes it) added to every model's training data,"
        " never to dev or test; a tweet that dev or test also holds is refused by its id (repeatable)",
    )
    return parser.parse_args(argv)


def default_kernel() -> str:
    """The project's kernel when ``make env`` installed it, else the running interpreter's."""
    from jupyter_client.kernelspec import KernelSpecManager

    return "tweetner" if "tweetner" in KernelSpecManager().find_kernel_specs() else "python3"


REPORTS_EXTRA = ("papermill", "nbconvert", "jupyter_client", "matplotlib", "seaborn")
"""What the ``[reports]`` extra installs and a run needs beyond ``tweetner predict``'s base."""


def check_reports_extra() -> None:
    """Stop with one line when the ``[reports]`` extra is missing, before any step starts.

    Raises:
        SystemExit: a module of :data:`REPORTS_EXTRA` cannot be imported.
    """
    missing = [name for name in REPORTS_EXTRA if importlib.util.find_spec(name) is None]
    if missing:
        raise SystemExit(
            f"run_all: the reports need the [reports] extra ({', '.join(missing)} not installed):"
            " pip install 'tweetner[reports]', or `make env` in a checkout"
        )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    check_reports_extra()
    sub = output_subfolder(args)
    options = RunOptions(
        quick=args.quick,
        only=tuple(args.only),
        force=tuple(args.force),
        seed=args.seed,
        data_dir=absolute_data_folders(args.data_dir),
        corpus=args.corpus,
        corpus_dir=str(args.corpus_dir.resolve()) if args.corpus_dir else "",
        reports_dir=(args.reports_dir or ROOT / "reports" / sub).resolve(),
        models_dir=(args.models_dir or ROOT / "models" / sub).resolve(),
        kernel=args.kernel or default_kernel(),
        transformer=RunOptions.transformer and not args.no_transformer,
        students=RunOptions.students and not args.no_students,
        dask_scheduler=args.dask_scheduler,
        device=args.device,
        step_timeout=args.step_timeout,
        unverified_splits=args.unverified_splits,
        extra_train=tuple(path.resolve() for path in args.extra_train),
        transfer_models_dir=transfer_models_dir(args.corpus, str(args.corpus_dir or ""), args.quick),
        fast_kernels=args.fast_kernels,
    )
    return execute(options)


def absolute_data_folders(given: str) -> str:
    """``--data-dir`` made absolute, and ``$TWEETNER_DATA_DIR`` too (the notebooks inherit it):
    they run in another folder, where a relative path such as ``../shared/data`` names nothing."""
    from_environment = os.environ.get(DATA_DIR_ENV, "")
    if from_environment:
        os.environ[DATA_DIR_ENV] = str(Path(from_environment).expanduser().resolve())
    return str(Path(given).expanduser().resolve()) if given else ""


RESERVED_SUBFOLDERS = ("quick", "interactive", "results", "notebooks", "build")
"""Folders of ``reports/`` that hold other things: a corpus may not be written there."""


def output_subfolder(args: argparse.Namespace) -> str:
    """Where a run's reports and models go below ``reports/`` and ``models/``: nothing for the
    default corpus, ``quick`` for a quick run, else the corpus's (or its folder's) name."""
    if args.quick:
        return "quick"
    if not args.corpus_dir:
        return corpus_subfolder(args.corpus)
    name = args.corpus_dir.resolve().name
    if name in RESERVED_SUBFOLDERS or name.startswith(".") or name.startswith("strong") or name == "bilstm":
        raise SystemExit(f"run_all: a corpus named {name!r} would collide with reports/{name}; rename the folder")
    return name


def execute(options: RunOptions) -> int:
    """Run the pipeline; every failure becomes one clear message on stderr and an exit code."""
    started = time.perf_counter()
    try:
        index = run(options)
    except InputRejected as exc:
        print(f"run_all: input rejected, nothing was run: {exc}", file=sys.stderr)
        return 2
    except (StepFailed, ReportsNotWritable) as exc:
        _quiet_abandoned_kernel_tasks()
        print(f"\nFAILED: {exc}", file=sys.stderr)
        print(_unchanged(options), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        _quiet_abandoned_kernel_tasks()
        print(f"\nInterrupted. {_unchanged(options)}", file=sys.stderr)
        return 130
    print(f"All reports written in {time.perf_counter() - started:.1f} s: {index}")
    results = index.parent / "results"
    print(f"Results digest: {results_digest(results)} (SHA-256 over {results}/*.json; `sha256sum *.json | sha256sum`)")
    return 0


def _quiet_abandoned_kernel_tasks() -> None:
    """A step stopped midway (Ctrl-C, ``--step-timeout``) leaves the kernel client's tasks
    behind; when one of them later sees the kernel die, asyncio would log its traceback
    ("DeadKernelError: Kernel died") after our message. The kernel's log keeps what it said."""
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)


def _unchanged(options: RunOptions) -> str:
    return f"Previous reports in {options.reports_dir} and models in {options.models_dir} are unchanged."

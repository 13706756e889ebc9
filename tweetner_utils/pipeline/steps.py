"""The report pipeline's ordered steps, and what one run of it was asked to do.

Later steps read the results of earlier ones, so the order is the data flow: EDA,
baselines, BiLSTM, strong models, then the business summary that compares them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from ..data.access import catalogue
from ..data.corpora import DEFAULT_CORPUS
from ..evaluation.transfer import other_corpus
from ..models.seeding import Seeded
from ..models.strong_settings import StrongModelSettings
from .config import (
    BaselinesConfig,
    BilstmConfig,
    EdaConfig,
    NotebookConfig,
    RunConfig,
    StrongConfig,
    SummaryConfig,
    parameters_of,
)

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
BENCHMARKS = ROOT / "benchmarks" / "results"
"""What the benchmarks that run longer than the reports recorded for them (the seed spread)."""
QUICK_RESAMPLES = 200
"""Bootstrap resamples in quick runs (synthetic data: the intervals mean nothing there)."""

EVERY_STEP = "all"
"""``RunOptions.force`` value (``run_all.py --force`` alone): run every step."""
DATA, SEED_SPREAD, TRANSFER_MODELS = "data", "seed_spread", "transfer_models"
"""What a step may read besides its parameters and earlier steps' results (``Step.reads``)."""


@dataclass(frozen=True)
class Step:
    """One notebook of the pipeline, its configuration, and the configuration of a quick run."""

    name: str
    title: str
    config: NotebookConfig
    quick_config: NotebookConfig
    notebook: Path = Path()
    models: tuple[str, ...] = ()
    """Names (``fnmatch`` patterns) of the model folders this step writes: after it ran, a
    folder of these names that it did not write this time is removed (a member the last run
    chose but this one did not would otherwise stay loadable)."""
    reads: tuple[str, ...] = (DATA,)
    """What its notebook reads besides its parameters: :data:`DATA` (the corpus and reviewed
    tweets), :data:`SEED_SPREAD` (the seed benchmark's records), :data:`TRANSFER_MODELS` (the
    other corpus's models), or an earlier step's name (its results). A step whose inputs are
    unchanged is reused (``pipeline.reuse``): an input missing here would reuse stale reports."""

    def __post_init__(self) -> None:
        if self.notebook == Path():
            object.__setattr__(self, "notebook", NOTEBOOKS / f"{self.name}.ipynb")


STEPS: tuple[Step, ...] = (
    Step("01_eda", "Exploring the corpus", EdaConfig(), EdaConfig(quick=True)),
    Step(
        "02_baselines",
        "Baselines: original models reproduced, feature CRF",
        BaselinesConfig(),
        BaselinesConfig(
            quick=True, sgd_alphas=[1e-5, 1e-4], crf_max_iterations=30, bootstrap_resamples=QUICK_RESAMPLES
        ),
    ),
    Step(
        "03_bilstm",
        "The original BiLSTM, trained reproducibly",
        BilstmConfig(),
        BilstmConfig(quick=True, emb_dim=32, hidden_dim=32, max_epochs=2, bootstrap_resamples=QUICK_RESAMPLES),
        models=("bilstm",),
    ),
    Step(
        "04_strong_models",
        "Strong models: knowledge CRF, MiniLM and a BiLSTM-CRF, selected on dev",
        StrongConfig(),
        StrongConfig(
            quick=True,
            crf_grid=[[0.1, 0.1]],
            crf_max_iterations=30,
            transformer_max_epochs=2,
            bilstm_crf_max_epochs=3,
            unlabelled_sizes=[100, 200, 400],
            bilstm_crf_student_sizes=[200],
            bilstm_crf_student_max_epochs=3,  # 2 left the 100-wide student below the member: no soft fit
            bilstm_crf_student_refit_epochs=3,  # its refit trains as long as its fit may
            bilstm_crf_student_hidden_dim=100,  # the quick run exercises a student narrower than its member
            bilstm_crf_student_soft=[False, True],  # the quick run exercises the soft student too
            transformer_student_sizes=[200],
            transformer_seeds=1,  # tests/models/test_transformer_seeds.py fits two seeds; not every quick run
            labelling_shares=[0.25, 0.5, 1.0],
            labelling_seeds=[1, 2],
            labelling_simulation_seeds=[1, 2],
            labelling_start=40,
            labelling_batch=40,
            labelling_rounds=2,
            labelling_max_iterations=10,
            bootstrap_resamples=QUICK_RESAMPLES,
        ),
        models=("strong", "strong_*"),
        reads=(DATA, SEED_SPREAD, TRANSFER_MODELS),
    ),
    Step(
        "05_business_summary",
        "Business summary",
        SummaryConfig(),
        SummaryConfig(quick=True),
        reads=(SEED_SPREAD, "01_eda", "02_baselines", "03_bilstm", "04_strong_models"),
    ),
)
"""The pipeline, in order: later steps read the results of earlier ones."""


@dataclass(frozen=True)
class RunOptions:
    """What ``run_all.py`` was asked to do; defaults come from the notebook configs."""

    quick: bool = False
    only: Sequence[str] = ()
    force: Sequence[str] = ()
    """Steps to run even where their inputs are unchanged, with every step that reads them
    (:data:`EVERY_STEP` for all); the others are reused when their key matches the last run's."""
    seed: int = Seeded.seed
    data_dir: str = RunConfig.data_dir
    corpus: str = RunConfig.corpus
    corpus_dir: str = RunConfig.corpus_dir
    reports_dir: Path = ROOT / "reports"
    models_dir: Path = ROOT / "models"
    kernel: str = "tweetner"
    transformer: bool = StrongModelSettings.transformer
    students: bool = True
    """Whether 04 trains students of the leading model on unlabelled tweets (``--no-students``: not)."""
    dask_scheduler: str = ""
    """Where 04 computes the teacher's labels (``--dask-scheduler``; "": in the notebook's process)."""
    device: str = StrongModelSettings.device
    """Where the transformer member trains: ``auto``, ``cpu`` or ``cuda``."""
    step_timeout: float | None = None
    """Seconds one notebook may run before it is stopped (None: no limit)."""
    unverified_splits: bool = False
    """Accept split files that differ from the pinned ones (still strictly read)."""
    extra_train: tuple[Path, ...] = ()
    """Reviewed CoNLL files added to every model's training data (``--extra-train``)."""
    transfer_models_dir: str = ""
    """The other built-in corpus's models folder, for the cross-corpus section ("" for none)."""
    fast_kernels: bool = False
    """Let the libraries pick this CPU's fastest kernels (``numerics``): faster on some CPUs, but
    the numbers are then this CPU's, not the same on every machine."""
    steps: Sequence[Step] = field(default=STEPS)


def quick_strong_config() -> StrongConfig:
    """The quick run's 04 settings (synthetic corpus, tiny models): to try a benchmark in seconds."""
    config = next(step.quick_config for step in STEPS if step.name == "04_strong_models")
    assert isinstance(config, StrongConfig)
    return config


def corpus_subfolder(corpus: str) -> str:
    """Where a built-in corpus's reports and models go below ``reports/`` and ``models/``:
    nothing for the default corpus, else its name."""
    return "" if corpus == DEFAULT_CORPUS else corpus


def transfer_models_dir(corpus: str, corpus_dir: str, quick: bool) -> str:
    """The models folder of the other built-in corpus (see ``evaluation.transfer``), "" for none."""
    other = "" if quick or corpus_dir else other_corpus(corpus, catalogue())
    return str(ROOT / "models" / corpus_subfolder(other)) if other else ""


def select_steps(options: RunOptions) -> list[Step]:
    """The steps to run, in pipeline order; unknown names are an error listing the known ones."""
    known = [s.name for s in options.steps]
    unknown = [name for name in options.only if name not in known]
    if unknown:
        raise ValueError(f"unknown step(s) {', '.join(unknown)}; known steps: {', '.join(known)}")
    return [s for s in options.steps if not options.only or s.name in options.only]


def step_parameters(step: Step, options: RunOptions, build: Path) -> dict:
    """The papermill parameters of ``step``: its config with this run's seed and folders."""
    results = str(build / "results")
    return _parameters(
        step, options, results=results, steps_results=results, models=str(build / "models"), seeds=str(BENCHMARKS)
    )


def key_parameters(step: Step, options: RunOptions) -> dict:
    """The parameters that decide ``step``'s output (``pipeline.reuse`` hashes them): its
    config with this run's options, less where it runs from (the build folder) and where the
    teacher's labels are computed (a Dask cluster gives the same labels)."""
    parameters = _parameters(step, options, results="", steps_results="", models="", seeds="")
    parameters.pop("dask_scheduler", None)
    return parameters


RERUN_COMMENT = (
    "Parameters of this run, with its folders replaced so that this executed copy runs again from\n"
    "# reports/notebooks/: it reads the published results beside it and writes to reports/interactive/\n"
    "# (never over the published reports). To regenerate the published reports: python run_all.py"
)


def rerun_parameters(step: Step, options: RunOptions) -> dict:
    """The parameters the executed copy in ``reports/notebooks/`` keeps: the run's own (seed,
    quick, data), but the folders of a notebook opened by hand, relative to where it lies (the
    build folder it ran in is gone by the time anyone opens it)."""
    return _parameters(
        step,
        options,
        results="../interactive/results",
        steps_results="../results",
        models="../interactive/models",
        seeds=os.path.relpath(BENCHMARKS, options.reports_dir / "notebooks"),
    )


def _parameters(step: Step, options: RunOptions, *, results: str, steps_results: str, models: str, seeds: str) -> dict:
    config = step.quick_config if options.quick else step.config
    wanted: dict[str, Any] = {
        "results_dir": results,
        "steps_results_dir": steps_results,
        "seed": options.seed,
        "data_dir": options.data_dir,
        "corpus": options.corpus,
        "corpus_dir": options.corpus_dir,
        "models_dir": models,
        "transformer": options.transformer,
        "device": options.device,
        "extra_train": [str(path) for path in options.extra_train],
        "transfer_models_dir": options.transfer_models_dir,
        "seed_spread_dir": seeds,
        "dask_scheduler": options.dask_scheduler,
    }
    if not options.students:
        for sizes in ("unlabelled_sizes", "bilstm_crf_student_sizes", "transformer_student_sizes"):
            wanted[sizes] = []
    names = {f.name for f in fields(config)}
    return parameters_of(replace(config, **{k: v for k, v in wanted.items() if k in names}))

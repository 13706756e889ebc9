"""One frozen configuration object per notebook; its fields are the papermill parameters.

Each default is written once: here, or in the model settings a config extends
(``BilstmSettings``, ``StrongModelSettings``; the seed in ``Seeded``). A notebook's
``parameters`` cell is generated from its class (``python -m
tweetner_utils.pipeline.parameters``) and ``tests/pipeline/test_notebook_parameters.py`` checks it
is current; the notebook then builds its config from the parameters in one call,
``EdaConfig.from_parameters(globals())``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Self

from ..data.access import DEFAULT_CORPUS
from ..models.bilstm import BilstmSettings
from ..models.seeding import Seeded
from ..models.strong_settings import StrongModelSettings

INTERACTIVE = "../reports/interactive"
"""Where a notebook opened by hand (in JupyterLab, or ``jupyter nbconvert --execute``) writes:
a scratch folder, so that exploring never overwrites the published results and models while
the HTML and the index stay old. ``run_all.py`` passes its own folders instead."""
PUBLISHED_RESULTS = "../reports/results"
"""The results ``run_all.py`` published, which a notebook opened by hand reads."""
BENCHMARK_RESULTS = "../benchmarks/results"
"""What the benchmarks that run longer than the reports recorded (the leading model's seed spread)."""


@dataclass(frozen=True)
class NotebookConfig:
    """The parameters every notebook takes."""

    quick: bool = False
    results_dir: str = f"{INTERACTIVE}/results"
    """Where this notebook writes its results and timings."""

    @classmethod
    def from_parameters(cls, namespace: Mapping[str, object]) -> Self:
        """The config from a notebook's parameter variables (``globals()`` after papermill set them).

        Raises:
            NameError: a parameter is missing from ``namespace`` (the parameters cell was edited).
        """
        missing = [f.name for f in fields(cls) if f.name not in namespace]
        if missing:
            raise NameError(f"{cls.__name__}: parameters not defined in the notebook: {', '.join(missing)}")
        values: dict[str, Any] = {f.name: namespace[f.name] for f in fields(cls)}
        return cls(**values)


@dataclass(frozen=True)
class RunConfig(Seeded, NotebookConfig):
    """A notebook that reads the corpora."""

    data_dir: str = ""
    corpus: str = DEFAULT_CORPUS
    """A built-in corpus (``wnut16``, ``wnut17``: ``data/corpora.json``)."""
    corpus_dir: str = ""
    """A folder with your own ``train``, ``dev`` and ``test`` CoNLL files, read instead of ``corpus``."""


@dataclass(frozen=True)
class ModelRunConfig(RunConfig):
    """A notebook that trains, scores and saves models."""

    models_dir: str = f"{INTERACTIVE}/models"
    bootstrap_resamples: int = 1000
    extra_train: list[str] = field(default_factory=list)
    """Reviewed CoNLL files (``tweetner review import``) added to every model's training data."""


@dataclass(frozen=True)
class HeldOutConfig(ModelRunConfig):
    """A notebook that holds part of ``train`` out for validation and checks seed stability."""

    val_fraction: float = 0.2
    stability_seeds: list[int] = field(default_factory=lambda: [11, 21, 42])


@dataclass(frozen=True)
class EdaConfig(RunConfig):
    """Parameters of ``01_eda``."""

    top_n: int = 10


@dataclass(frozen=True)
class BaselinesConfig(HeldOutConfig):
    """Parameters of ``02_baselines``: the original's SGD and majority baselines, a CRF."""

    sgd_alphas: list[float] = field(default_factory=lambda: [1e-5, 5e-5, 1e-4, 5e-4])
    crf_c1: float = 0.1
    crf_c2: float = 0.1
    crf_max_iterations: int = 100


@dataclass(frozen=True)
class BilstmConfig(HeldOutConfig, BilstmSettings):
    """Parameters of ``03_bilstm``: the original BiLSTM's settings plus the run's."""


@dataclass(frozen=True)
class StrongConfig(ModelRunConfig, StrongModelSettings):
    """Parameters of ``04_strong_models``: the strong-model selection's settings plus the run's."""

    transfer_models_dir: str = ""
    """The other built-in corpus's models folder, whose leading model is scored on this corpus's
    test tweets ("" for none; ``run_all.py`` passes ``models/`` or ``models/<corpus>/``)."""
    seed_spread_dir: str = BENCHMARK_RESULTS
    """Where ``benchmarks/stability.py --leader`` recorded the leading model's test F1 over seeds."""
    teacher_cache_dir: str = ""
    """Where the teacher's labels of unlabelled tweets are kept between runs ("": the download
    cache's ``teacher_labels/``)."""
    dask_scheduler: str = ""
    """A Dask scheduler (``tcp://HOST:8786``) whose workers compute the teacher's labels ("":
    this process). They must see the teacher cache and the data folder at the same paths."""


@dataclass(frozen=True)
class SummaryConfig(NotebookConfig):
    """Parameters of ``05_business_summary``."""

    steps_results_dir: str = PUBLISHED_RESULTS
    """Where the results of the steps it summarises are read."""
    seed_spread_dir: str = BENCHMARK_RESULTS
    """Where ``benchmarks/stability.py --leader`` recorded the leading model's test F1 over seeds."""
    labelling_goal_points: float = 2.0
    """The labelling plan's goal: this many points of test F1 more for the fast model's recipe."""
    labelling_rate_per_hour: float = 120.0
    """The annotation rate the plan assumes (tweets an hour per person), said as an assumption."""


NOT_RECORDED = ("dask_scheduler",)
"""Parameters that change where work runs, never what it gives."""


def parameters_of(config: NotebookConfig) -> dict:
    """The papermill parameters for ``config`` (a plain dict of its fields)."""
    return asdict(config)


def recorded_settings(config: NotebookConfig) -> dict:
    """The parameters worth recording with results: all but folder paths and where work ran.

    Paths differ between machines and between a build folder and the final one, and must
    not make two otherwise identical results files differ: folders are left out, files
    (``extra_train``) keep their names only. A Dask scheduler computes the same teacher
    labels as the notebook's own process, so its address is left out too.
    """
    recorded = {k: v for k, v in parameters_of(config).items() if not k.endswith("_dir") and k not in NOT_RECORDED}
    if "extra_train" in recorded:
        recorded["extra_train"] = [Path(f).name for f in recorded["extra_train"]]
    return recorded

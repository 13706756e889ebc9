"""One frozen configuration object per notebook; its fields are the papermill parameters.

``tests/test_notebook_parameters.py`` compares each notebook's ``parameters`` cell with
its class here, so the two cannot drift apart. ``run_all.py`` builds the parameters it
passes to papermill from these objects.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class RunConfig:
    """The parameters every analysis notebook takes (first in each parameters cell)."""

    quick: bool = False
    seed: int = 42
    data_dir: str = ""
    results_dir: str = "../reports/results"


@dataclass(frozen=True)
class ModelRunConfig(RunConfig):
    """A notebook that also saves models."""

    models_dir: str = "../models"


@dataclass(frozen=True)
class EdaConfig(RunConfig):
    """Parameters of ``01_eda``."""

    top_n: int = 10


@dataclass(frozen=True)
class BaselinesConfig(ModelRunConfig):
    """Parameters of ``02_baselines``: the original's SGD and majority baselines, a CRF."""

    val_fraction: float = 0.2
    sgd_alphas: list[float] = field(default_factory=lambda: [1e-5, 5e-5, 1e-4, 5e-4])
    crf_c1: float = 0.1
    crf_c2: float = 0.1
    crf_max_iterations: int = 100
    bootstrap_resamples: int = 1000
    stability_seeds: list[int] = field(default_factory=lambda: [11, 21, 42])


@dataclass(frozen=True)
class BilstmConfig(ModelRunConfig):
    """Parameters of ``03_bilstm``: the original BiLSTM token tagger."""

    val_fraction: float = 0.2
    min_count: int = 2
    emb_dim: int = 128
    hidden_dim: int = 192
    dropout: float = 0.3
    lr: float = 2e-3
    weight_decay: float = 1e-2
    batch_size: int = 24
    max_epochs: int = 12
    patience: int = 3
    num_threads: int = 2
    bootstrap_resamples: int = 1000
    stability_seeds: list[int] = field(default_factory=lambda: [11, 21, 42])


@dataclass(frozen=True)
class SummaryConfig:
    """Parameters of ``05_business_summary``."""

    results_dir: str = "../reports/results"
    quick: bool = False


def parameters_of(config: object) -> dict:
    """The papermill parameters for ``config`` (a plain dict of its fields)."""
    return asdict(config)  # type: ignore[call-overload]


def recorded_settings(config: object) -> dict:
    """The parameters worth recording with results: all but folder paths.

    Paths differ between machines and between a build folder and the final one, and must
    not make two otherwise identical results files differ.
    """
    return {k: v for k, v in parameters_of(config).items() if not k.endswith("_dir")}


@dataclass(frozen=True)
class StrongConfig(ModelRunConfig):
    """Parameters of ``04_strong_models``: knowledge CRF, optional MiniLM ensemble."""

    crf_grid: list[list[float]] = field(default_factory=lambda: [[0.05, 0.05], [0.1, 0.1], [0.2, 0.05]])
    crf_max_iterations: int = 200
    wikidata: bool = True
    transformer: bool = False
    transformer_dir: str = ""
    transformer_epochs: int = 10
    transformer_weights: list[float] = field(default_factory=lambda: [0.3, 0.4, 0.5, 0.6, 0.7])
    bootstrap_resamples: int = 1000

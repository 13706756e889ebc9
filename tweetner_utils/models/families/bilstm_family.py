"""The original analysis's BiLSTM (``03_bilstm``): loadable, not a strong-model candidate."""

from __future__ import annotations

from pathlib import Path

from ..bilstm import BilstmTagger
from ..family import Family
from ..protocol import Tagger


def _load(folder: Path, meta: dict, data_dir: str) -> Tagger:
    return BilstmTagger.load(str(folder))


FAMILY = Family(name="bilstm", label="original BiLSTM", load=_load)

"""The knowledge CRF student: the chosen knowledge CRF fit on the gold tweets plus unlabelled
tweets the leading model tagged (``models/distillation.py``). It is not fit with the other
candidates (it needs their teacher first) but may join the leading ensemble when dev says so
(self-training). Its folder is a CRF's, so it loads like one."""

from __future__ import annotations

from pathlib import Path

from ..crf import CrfTagger
from ..family import Family
from ..protocol import Tagger


def _load(folder: Path, meta: dict, data_dir: str) -> Tagger:
    return CrfTagger.load(str(folder), data_dir)


FAMILY = Family(name="crf_student", label="knowledge CRF student", load=_load, fast=True)

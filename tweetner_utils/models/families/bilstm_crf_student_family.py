"""The BiLSTM-CRF student: the BiLSTM-CRF fit on the gold tweets plus unlabelled tweets the
leading model tagged (``models/bilstm_crf_students.py``). Like the knowledge-CRF student it is
not fit with the other candidates (it needs their teacher first) but may join the leading
ensemble when dev says so. Its folder is a BiLSTM-CRF's, so it loads like one."""

from __future__ import annotations

from ..family import Family
from .bilstm_crf_family import load_bilstm_crf

FAMILY = Family(
    name="bilstm_crf_student",
    label="BiLSTM-CRF student",
    load=load_bilstm_crf,
    saved_metadata=lambda neural_spec: {"features": neural_spec},
    fast=True,
)

"""The MiniLM student: the MiniLM member continued on the gold tweets plus unlabelled tweets the
leading model tagged (``models/transformer_students.py``). Like the other students it is not fit
with the other candidates (it needs their teacher first) but may join the leading ensemble when
dev says so. Its folder is a fine-tuned MiniLM's, so it loads like one."""

from __future__ import annotations

from ..family import Family
from .transformer_family import load_transformer

FAMILY = Family(name="transformer_student", label="MiniLM student", load=load_transformer)

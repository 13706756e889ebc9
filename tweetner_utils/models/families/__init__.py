"""The registry of model families, by name (the ``kind`` their saved folders record).

Adding a family: a module here defining ``FAMILY`` (a :class:`~tweetner_utils.models.family.Family`)
and its line in :data:`BUILT_IN`; selection, refit, loading and the reports then use it. A family
from outside the package (or a test's) calls :func:`register`. Built-in families are imported on
first use, so loading a CRF folder never imports PyTorch.
"""

from __future__ import annotations

from importlib import import_module

from ...exceptions import ArtifactError
from ..family import Family

BUILT_IN: dict[str, str] = {
    "crf": "crf_family",
    "crf_student": "crf_student_family",
    "transformer": "transformer_family",
    "bilstm_crf": "bilstm_crf_family",
    "bilstm_crf_student": "bilstm_crf_student_family",
    "transformer_student": "transformer_student_family",
    "bilstm": "bilstm_family",
}
"""Family name -> its module in this package. The order is the order ensembles list members."""

_registered: dict[str, Family] = {}


def register(family: Family) -> None:
    """Make ``family`` known by its name (after the built-in ones; a name is registered once)."""
    if family.name in BUILT_IN or family.name in _registered or family.name == "ensemble":
        raise ValueError(f"a model family named {family.name!r} is already registered")
    _registered[family.name] = family


def unregister(name: str) -> None:
    """Forget a family :func:`register` added (tests register toy families)."""
    _registered.pop(name, None)


def names() -> list[str]:
    """Every family's name: the built-in ones in :data:`BUILT_IN`'s order, then registered ones."""
    return [*BUILT_IN, *_registered]


def family(name: str) -> Family:
    """The family called ``name``.

    Raises:
        ArtifactError: no family has that name (a saved folder of an unknown kind).
    """
    if name in BUILT_IN:
        found: Family = import_module(f"{__name__}.{BUILT_IN[name]}").FAMILY
        return found
    if name in _registered:
        return _registered[name]
    raise ArtifactError(f"unknown model kind {name!r} (known: {', '.join(names())}, ensemble)")


def candidates() -> list[Family]:
    """The families that can be candidates of the strong-model selection, in ensemble order."""
    return [found for found in map(family, names()) if found.candidate is not None]


def label(name: str) -> str:
    """A family's name in reports ("knowledge CRF")."""
    return family(name).label

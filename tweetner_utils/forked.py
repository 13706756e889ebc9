"""Independent jobs in processes forked from this one, for work that uses one core each
(CRFsuite trains on one thread, so a 2-core machine fits two CRFs at once).

Forked workers inherit the function and its inputs as they are in memory: nothing large is
pickled on the way out (a featurizer, the corpora, teacher labels), only each result on the
way back. Results come back in the jobs' order, so what a caller records does not depend on
how many workers ran them.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

FIT_WORKERS = 2
"""Processes for one-core fits such as CRFsuite's (the development machine has two cores)."""

T = TypeVar("T")
U = TypeVar("U")

_INHERITED: list[Any] = []
"""The function and the items of the running :func:`fork_map` (read by the workers after the fork)."""


def fork_map(function: Callable[[T], U], items: Sequence[T], workers: int) -> list[U]:
    """``[function(item) for item in items]``, in up to ``workers`` forked processes (here,
    in order, with one worker, one item, or where fork does not exist). ``function`` may be
    a closure: it is inherited, not pickled; its results must pickle.

    Workers take the items in order, so a caller that knows which items are long puts
    them first. An exception in a worker is raised here."""
    if workers <= 1 or len(items) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [function(item) for item in items]
    if _INHERITED:
        raise RuntimeError("fork_map is not re-entrant: a job may not start another")
    _INHERITED[:] = [function, items]
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=min(workers, len(items)), mp_context=context) as pool:
            return list(pool.map(_call, range(len(items))))
    finally:
        _INHERITED.clear()  # the inputs are not kept alive after the jobs


def _call(index: int) -> Any:
    function, items = _INHERITED
    return function(items[index])

"""Jobs in forked processes: the same results in the same order as here, closures welcome,
a worker's exception raised in the caller."""

from __future__ import annotations

import os

import pytest

from tweetner_utils.forked import fork_map


def test_results_come_back_in_the_items_order_from_other_processes() -> None:
    offset = 10  # a closure: inherited by the workers, never pickled

    def job(item: int) -> tuple[int, int]:
        return item + offset, os.getpid()

    found = fork_map(job, list(range(6)), workers=2)
    assert [value for value, _ in found] == list(range(10, 16))
    assert os.getpid() not in {pid for _, pid in found}
    assert {pid for _, pid in fork_map(job, [1], workers=2)} == {os.getpid()}  # one item: no fork
    assert fork_map(job, [1, 2], workers=1) == [(11, os.getpid()), (12, os.getpid())]


def test_a_failing_job_raises_in_the_caller_and_the_next_map_still_runs() -> None:
    def job(item: int) -> int:
        if item == 3:
            raise ValueError(f"bad item {item}")
        return item

    with pytest.raises(ValueError, match="bad item 3"):
        fork_map(job, [1, 2, 3, 4], workers=2)
    assert fork_map(job, [1, 2], workers=2) == [1, 2]

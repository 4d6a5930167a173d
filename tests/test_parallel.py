"""fork_map gives the serial result, in order, and reports a failing slice."""

from __future__ import annotations

import os

import pytest

from publish.parallel import MINIMUM, fork_map


def test_fork_map_equals_the_serial_map_in_order() -> None:
    items = list(range(MINIMUM * 3 + 7))
    assert fork_map(lambda x: (x, x * x), items, workers=3) == [(x, x * x) for x in items]
    assert fork_map(lambda x: x + 1, items[:5], workers=3) == [1, 2, 3, 4, 5]  # too few to fork


def test_fork_map_runs_slices_in_other_processes() -> None:
    pids = set(fork_map(lambda _: os.getpid(), range(MINIMUM * 2), workers=2))
    assert len(pids) == 2 and os.getpid() in pids


def test_fork_map_reports_a_failure_in_a_child() -> None:
    def odd(x: int) -> int:
        if x == MINIMUM * 2 - 1:  # in the last slice, computed by a child
            raise ValueError("bad item")
        return x

    with pytest.raises(RuntimeError, match="bad item"):
        fork_map(odd, range(MINIMUM * 2), workers=2)

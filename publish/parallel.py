"""Share a pure, costly map between the cores: forked processes compute slices of it.

Used where a build stage is a long list of independent calls on data that is
already in memory (formatting each reference-list entry, computing each
reference's sort key): the children inherit the data by ``fork`` and only
their results travel back, pickled.  The result is the list
``[func(x) for x in items]``, in order, whatever the number of cores.
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")
# Fewer items than this: everything runs in this process.  A build's second core spends its first
# second loading WeasyPrint for the layout workers (publish.pdf.parts.pool); a shorter map split across
# both cores only competes with that (measured on ten articles, 60-80 items a map: the layout started
# 0.1 s later with the maps forked than without).
MINIMUM = 150


def cores() -> int:
    """Cores this process may use (``PUBLISH_JOBS`` overrides)."""
    override = os.environ.get("PUBLISH_JOBS", "").strip()
    if override.isdigit() and int(override) > 0:
        return int(override)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def fork_available() -> bool:
    """Whether this platform can fork (Linux and other POSIX systems; not Windows)."""
    return "fork" in multiprocessing.get_all_start_methods()


def _child(func: Callable, items: Sequence, conn: Connection) -> None:
    try:
        conn.send(("ok", [func(item) for item in items]))
    except BaseException:
        conn.send(("failed", traceback.format_exc()))
    finally:
        conn.close()


def fork_map(func: Callable[[T], R], items: Sequence[T], workers: int | None = None,
             minimum: int = MINIMUM) -> list[R]:
    """``[func(x) for x in items]``, the later slices computed by forked children.

    ``minimum``: below this many items everything runs here (cheap items need many to pay for a fork).
    """
    items = list(items)
    workers = cores() if workers is None else workers
    if workers < 2 or len(items) < minimum or not fork_available():
        return [func(item) for item in items]
    size = -(-len(items) // workers)
    slices = [items[i:i + size] for i in range(0, len(items), size)]
    context = multiprocessing.get_context("fork")
    children = []
    for piece in slices[1:]:
        parent, child = context.Pipe(duplex=False)
        process = context.Process(target=_child, args=(func, piece, child), daemon=True)
        process.start()
        child.close()
        children.append((parent, process))
    try:
        results = [func(item) for item in slices[0]]
        for conn, _process in children:
            kind, value = conn.recv()
            if kind != "ok":
                raise RuntimeError(f"a forked worker failed:\n{value}")
            results += value
    finally:
        for conn, process in children:
            conn.close()
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join()
    return results


class Forked:
    """One call running in a forked child while this process does something else.

    :meth:`result` waits for it and returns its (pickled) value, or raises
    with the child's traceback; :meth:`cancel` ends it.
    """

    def __init__(self, func: Callable[[], R]):
        context = multiprocessing.get_context("fork")
        self._conn, child = context.Pipe(duplex=False)
        self._process = context.Process(target=_child, args=(lambda _: func(), [None], child), daemon=True)
        self._process.start()
        child.close()

    def result(self):
        try:
            kind, value = self._conn.recv()
        except EOFError:
            raise RuntimeError("a forked call ended without a result") from None
        finally:
            self.cancel()
        if kind != "ok":
            raise RuntimeError(f"a forked call failed:\n{value}")
        return value[0]

    def cancel(self) -> None:
        self._conn.close()
        self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()


__all__ = ["Forked", "cores", "fork_available", "fork_map"]

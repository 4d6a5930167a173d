"""Which files of the book folder changed: watchfiles (the operating system's notifications) or polling.

watchfiles is the preview's one optional dependency (``pip install
accessible-publish[serve]``); without it, or with ``PUBLISH_WATCH=poll``, the
folder is polled every 50 ms: a book is tens of files, and comparing their
modification times and sizes costs well under a millisecond.  Either way a
burst of writes (an editor's save, a ``git checkout``) arrives as one set.
Hidden files and folders (``.git``, an editor's ``.swp``) and backups (``~``) are left out.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger(__name__)
POLL_SECONDS = 0.05
DEBOUNCE_MS = 30  # watchfiles: how long a burst of events is gathered before it is handed over


def ignored(path: Path, root: Path) -> bool:
    parts = path.relative_to(root).parts if path.is_relative_to(root) else path.parts
    return any(part.startswith(".") for part in parts) or path.name.endswith("~") or "__pycache__" in parts


def _snapshot(root: Path) -> dict[Path, tuple[int, int]]:
    found = {}
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
        for name in names:
            path = Path(folder) / name
            if ignored(path, root):
                continue
            try:
                stat = path.stat()
            except OSError:
                continue
            found[path] = (stat.st_mtime_ns, stat.st_size)
    return found


def poll(root: Path, stop: threading.Event, interval: float = POLL_SECONDS) -> Iterator[set[Path]]:
    """Changed, added and removed files, by comparing snapshots of the folder."""
    before = _snapshot(root)
    while not stop.wait(interval):
        now = _snapshot(root)
        changed = {p for p in before.keys() | now.keys() if before.get(p) != now.get(p)}
        before = now
        if changed:
            yield changed


def changes(root: Path, stop: threading.Event) -> Iterator[set[Path]]:
    """Sets of changed paths under ``root`` (resolved), until ``stop`` is set."""
    root = root.resolve()
    try:
        if os.environ.get("PUBLISH_WATCH") == "poll":
            raise ImportError("polling asked for")
        import watchfiles
    except ImportError:
        log.info("watching %s by polling every %.0f ms", root, POLL_SECONDS * 1000)
        yield from poll(root, stop)
        return
    for batch in watchfiles.watch(root, stop_event=stop, debounce=DEBOUNCE_MS, step=10, rust_timeout=500,
                                  raise_interrupt=False):
        paths = {Path(path) for _, path in batch}
        paths = {p for p in paths if not ignored(p, root)}
        if paths:
            yield paths

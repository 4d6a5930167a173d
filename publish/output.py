"""Atomic output: a build either replaces the file whole or leaves the old one untouched.

Renderers write to a temporary file beside the target and rename it at the
end, so an interrupted or failed build never leaves a half-written EPUB or
PDF in ``dist/`` (the previous good file stays).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_output(target: Path) -> Iterator[Path]:
    """Yield a temporary path; on success rename it to ``target``, on failure delete it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(handle)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        for leftover in tmp.parent.glob(tmp.name + "*"):
            leftover.unlink(missing_ok=True)
        for leftover in tmp.parent.glob(tmp.stem + ".raw*"):
            leftover.unlink(missing_ok=True)
        raise

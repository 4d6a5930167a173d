"""Atomic output: a build either replaces the file whole or leaves the old one untouched.

Renderers write to a temporary file beside the target and rename it at the
end, so an interrupted or failed build never leaves a half-written EPUB or
PDF in ``dist/`` (the previous good file stays).  Temporary names carry the
building process's id: what a killed build left behind (a ``kill -9`` runs
no clean-up) is removed by the next build of the same file.

A command that writes several files (the EPUB and the PDF) opens an
:func:`output_set`: each file is then complete beside its target, and all of
them are renamed into place together once the last one is done, so a
failure, Ctrl-C or SIGTERM anywhere leaves the previous pair as it was — never
a new PDF beside an old EPUB.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


def temporary_prefix(target: Path) -> str:
    """The name every temporary file or folder for ``target`` starts with: hidden, and this process's id."""
    return f".{target.name}.{os.getpid()}."


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


def sweep_stale(target: Path) -> list[Path]:
    """Remove temporary files and folders for ``target`` whose process is gone; return what was removed.

    A process id that has been reused only keeps a leftover a while longer.
    Not on Windows, where ``os.kill`` would end the process it asks about.
    """
    if os.name != "posix" or not target.parent.is_dir():
        return []
    own = re.compile(rf"\.{re.escape(target.name)}\.(\d+)\.")
    removed = []
    for entry in target.parent.glob(f".{glob_escape(target.name)}.*"):
        match = own.match(entry.name)
        if match is None or _alive(int(match[1])):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed.append(entry)
    return removed


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


class OutputSet:
    """Finished temporary files waiting to be renamed onto their targets together."""

    def __init__(self) -> None:
        self.staged: list[tuple[Path, Path]] = []
        self.pid = os.getpid()  # a forked child (the EPUB made beside the PDF's join) writes its own files

    def commit(self) -> None:
        for tmp, target in self.staged:
            os.replace(tmp, target)
        self.staged.clear()

    def discard(self) -> None:
        for tmp, _ in self.staged:
            tmp.unlink(missing_ok=True)
        self.staged.clear()


_CURRENT: contextvars.ContextVar[OutputSet | None] = contextvars.ContextVar("publish_output_set", default=None)


@contextlib.contextmanager
def outside_set() -> Iterator[None]:
    """Write scratch files directly, even inside an :func:`output_set` (they are read back, never published)."""
    token = _CURRENT.set(None)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def staged(target: Path) -> Path:
    """Where ``target``'s new content waits in the open :func:`output_set` (``target`` itself outside one).

    The build reads the finished PDF there, before anything is renamed into place.
    """
    outputs = _CURRENT.get()
    waiting = [tmp for tmp, goal in (outputs.staged if outputs is not None else ()) if goal == target]
    return waiting[-1] if waiting else target


@contextlib.contextmanager
def output_set() -> Iterator[OutputSet]:
    """Stage every :func:`atomic_output` inside; rename all of them at the end, or none."""
    outputs = OutputSet()
    token = _CURRENT.set(outputs)
    try:
        yield outputs
        outputs.commit()
    except BaseException:
        outputs.discard()
        raise
    finally:
        _CURRENT.reset(token)


@contextlib.contextmanager
def atomic_output(target: Path) -> Iterator[Path]:
    """Yield a temporary path; on success rename it to ``target`` (or stage it in the open :func:`output_set`),
    on failure delete it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    sweep_stale(target)
    handle, name = tempfile.mkstemp(prefix=temporary_prefix(target), suffix=".part", dir=target.parent)
    os.close(handle)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, 0o644)
        staging = _CURRENT.get()
        if staging is None or staging.pid != os.getpid():
            os.replace(tmp, target)
        else:
            staging.staged.append((tmp, target))
    except BaseException:
        for leftover in tmp.parent.glob(glob_escape(tmp.name) + "*"):
            leftover.unlink(missing_ok=True)
        for leftover in tmp.parent.glob(glob_escape(tmp.stem) + ".raw*"):
            leftover.unlink(missing_ok=True)
        raise


SITE_MARKERS = ("index.html", "css/web.css")  # a folder holding both is a web edition written earlier


def replaceable_site(folder: Path) -> bool:
    """Whether ``folder`` may be replaced by a web edition: absent, empty, or a web edition itself.

    Anything else (``--out-dir dist``, a folder of the author's) is never emptied.
    """
    if not folder.exists():
        return True
    if not folder.is_dir():
        return False
    return not any(folder.iterdir()) or all((folder / marker).is_file() for marker in SITE_MARKERS)


def write_folder(target: Path, files: dict[str, bytes]) -> None:
    """Write ``files`` (relative path → bytes) as the folder ``target``, whole or not at all.

    The files go to a hidden folder beside it, which then takes the old one's
    place; a failure leaves the previous folder as it was.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    sweep_stale(target)
    fresh = Path(tempfile.mkdtemp(prefix=temporary_prefix(target), dir=target.parent))
    try:
        for name, data in files.items():
            path = fresh / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            os.chmod(path, 0o644)
        os.chmod(fresh, 0o755)
        old = None
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=temporary_prefix(target), dir=target.parent))
            os.replace(target, old / "previous")
        os.replace(fresh, target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise

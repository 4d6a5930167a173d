"""Import WeasyPrint without its slow search for C libraries.

WeasyPrint opens GObject, Pango, HarfBuzz and fontconfig by trying several
names for each, Windows and macOS spellings first (``libgobject-2.0-0``,
``gobject-2.0-0``, ``gobject-2.0``, ``libgobject-2.0.so.0``, …).  cffi hands
every name the dynamic loader cannot open to ``ctypes.util.find_library``,
which on Linux runs ``ldconfig -p`` and, when that finds nothing, ``gcc``
and ``ld`` as well: fourteen failed searches and about forty subprocesses,
0.17 s of the import (profiled) — in the process the layout workers are
forked from, while the build waits for them.

:func:`import_weasyprint` imports it with a search that reads the loader's
cache (``ldconfig -p``) once and answers from it the way ``find_library``
answers first, skipping the compiler and linker.  Either way the answer is a
soname (never a path) that the loader then opens, and WeasyPrint's list ends
with the Linux sonames, which the loader opens directly wherever ``gcc`` or
``ld`` could have found them.  Should the import still fail, it is tried
again with the normal search.
"""

from __future__ import annotations

import contextlib
import ctypes.util
import logging
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator

log = logging.getLogger(__name__)

# ldconfig's ABI tag for 64-bit builds of these machines (what ctypes matches too); others say "libc6".
_ABI = {"x86_64": "libc6,x86-64", "ppc64": "libc6,64bit", "sparc64": "libc6,64bit", "s390x": "libc6,64bit",
        "ia64": "libc6,IA-64"}


def _loader_cache() -> str:
    """The text of ``ldconfig -p`` (empty where there is no ldconfig)."""
    for ldconfig in ("/sbin/ldconfig", "ldconfig"):
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            done = subprocess.run([ldconfig, "-p"], capture_output=True, timeout=10, check=False,
                                  env={**os.environ, "LC_ALL": "C", "LANG": "C"})
            return done.stdout.decode("utf-8", "replace")
    return ""


def cached_search() -> Callable[[str], str | None]:
    """A ``find_library`` that answers from one reading of the loader's cache, or ``None``."""
    cache: list[str] = []
    machine = os.uname().machine
    abi = _ABI.get(machine, "libc6") if sys.maxsize > 2**32 else "libc6"

    def find_library(name: str) -> str | None:
        if not cache:
            cache.append(_loader_cache())
        found = re.search(rf"\s+(lib{re.escape(name)}\.[^\s]+)\s+\({re.escape(abi)}", cache[0])
        return found.group(1) if found else None

    return find_library


@contextlib.contextmanager
def _searching_with(find_library: Callable[[str], str | None]) -> Iterator[None]:
    real = ctypes.util.find_library
    ctypes.util.find_library = find_library
    try:
        yield
    finally:
        ctypes.util.find_library = real


def import_weasyprint() -> None:
    """Import WeasyPrint's C bindings with :func:`cached_search` (see the module docstring); then the rest."""
    if "weasyprint.text.ffi" not in sys.modules and sys.platform.startswith("linux"):
        try:
            with _searching_with(cached_search()):
                import weasyprint.text.ffi
        except OSError as problem:  # a library the loader's cache does not know: the normal search
            log.debug("quick library search failed (%s); trying WeasyPrint's own", problem)
            for name in [name for name in sys.modules if name == "weasyprint" or name.startswith("weasyprint.")]:
                del sys.modules[name]
    import weasyprint  # noqa: F401

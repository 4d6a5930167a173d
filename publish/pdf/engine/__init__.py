"""The one gate to WeasyPrint's private code: speed-ups, the page-numbering hook, the box walkers.

Everything in this package reads or replaces functions WeasyPrint does not
publish, so each piece was written against one release and is tested on it.
This module decides, once per process, whether they may be used:

* on the WeasyPrint and pydyf versions in :data:`TESTED`, :func:`load`
  imports WeasyPrint with the quick library search (:mod:`.libraries`) and
  installs the speed-ups (:mod:`.speedups`, :mod:`.glyph_runs`); a long book
  is laid out in parts, numbered through the hook in :mod:`.pagination`;
* on any other version, or with ``PUBLISH_PLAIN=1`` in the environment, the
  book is laid out the plain way: WeasyPrint as it is, the whole book as one
  document (the parts need the hook).  The output is the same for a book
  short enough to be laid out whole; only the time differs.  The build says
  so once, as a warning that names the versions (:func:`findings`).

Deciding needs no import of WeasyPrint (the versions come from the installed
packages' metadata), so the build process, which never loads WeasyPrint,
can plan the layout and report the warning.  :mod:`.boxes` reads laid-out
pages (the page map, the regions the tags need) on every version: reading
fails loudly, it never patches anything.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from functools import cache
from importlib import metadata

from publish.findings import Finding, warning

log = logging.getLogger(__name__)

TESTED = {"weasyprint": ("70.0",), "pydyf": ("0.13.0",)}  # the releases this package was written and tested for
PLAIN_VARIABLE = "PUBLISH_PLAIN"


@dataclass(frozen=True)
class Engine:
    """What this process may do with WeasyPrint: ``fast`` when the speed-ups and the hook may be installed."""

    versions: tuple[tuple[str, str], ...]  # (package, installed version)
    fast: bool
    reason: str = ""  # why not, when not fast


def _installed(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


@cache
def engine() -> Engine:
    """The decision for this process (read once: the environment and the installed versions do not change)."""
    versions = tuple((name, _installed(name)) for name in TESTED)
    if os.environ.get(PLAIN_VARIABLE, "").strip() not in ("", "0"):
        return Engine(versions, False, f"{PLAIN_VARIABLE} is set")
    untested = [f"{name} {version}" for name, version in versions if version not in TESTED[name]]
    if untested:
        wanted = ", ".join(f"{name} {' or '.join(TESTED[name])}" for name in TESTED)
        return Engine(versions, False, f"{' and '.join(untested)} installed; the speed-ups were written for {wanted}")
    return Engine(versions, True)


def tested() -> bool:
    """Whether the installed WeasyPrint and pydyf are the releases this package's readers of them were written for.

    Reading WeasyPrint's boxes (the structure walk) patches nothing, so it
    runs on a tested version even with ``PUBLISH_PLAIN``; on any other it is
    not tried, and the PDF keeps the structure WeasyPrint wrote.
    """
    return all(version in TESTED[name] for name, version in engine().versions)


def fast() -> bool:
    """Whether the speed-ups and the page-numbering hook may be used (parts need the hook)."""
    return engine().fast


def findings() -> list[Finding]:
    """The one warning a plain layout on an untested version gets (none when asked for with PUBLISH_PLAIN)."""
    state = engine()
    if state.fast or state.reason.startswith(PLAIN_VARIABLE):
        return []
    return [warning("x-010", f"laid out without the speed-ups: {state.reason}", None,
                    "the files are complete and correct, only slower to make; install the versions in "
                    "pyproject.toml to have them")]


def load() -> None:
    """Import WeasyPrint, and on a tested version install the speed-ups (idempotent; for layout processes)."""
    if not fast():
        import weasyprint  # noqa: F401  (the plain way: WeasyPrint's own library search, no patches)

        log.info("WeasyPrint laid out plainly: %s", engine().reason)
        return
    from publish.pdf.engine.libraries import import_weasyprint

    import_weasyprint()  # without the compiler runs of its library search (0.17 s)
    from publish.pdf.engine.speedups import install

    install()

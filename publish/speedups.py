"""A linear-time replacement for one quadratic step in pydyf, the PDF writer under WeasyPrint.

``pydyf.PDF.page_references`` rebuilds a tuple of every page's reference
each time it is read, and WeasyPrint's PDF/UA tagging reads it once per
tagged box: for a 600-page book that is tens of thousands of tuples of 600
items (profiled: about a third of ``write_pdf`` at 50 articles).  The
replacement caches the tuple until a page is added.  The bytes written are
the same; only the time changes.
"""

from __future__ import annotations

import logging

import pydyf

log = logging.getLogger(__name__)
_CACHE = "_publish_page_references"


def _page_references(pdf: pydyf.PDF) -> tuple[bytes, ...]:
    kids = pdf.pages["Kids"]
    cached = pdf.__dict__.get(_CACHE)
    if cached is not None and cached[0] == len(kids):  # Kids only ever grows, by add_page
        return cached[1]
    references = tuple(f"{number} 0 R".encode("ascii") for number in kids[::3])
    pdf.__dict__[_CACHE] = (len(kids), references)
    return references


def install() -> None:
    """Replace ``pydyf.PDF.page_references`` once (idempotent)."""
    current = pydyf.PDF.__dict__.get("page_references")
    if isinstance(current, property) and current.fget is _page_references:
        return
    if not isinstance(current, property):
        log.warning("pydyf.PDF.page_references is not a property; speed-up not installed")
        return
    pydyf.PDF.page_references = property(_page_references)  # type: ignore[method-assign]

"""Two speed-ups for the libraries under WeasyPrint; the bytes written stay the same, only the time changes.

* ``pydyf.PDF.page_references`` rebuilds a tuple of every page's reference
  each time it is read, and WeasyPrint's PDF/UA tagging reads it once per
  tagged box: for a 600-page book that is tens of thousands of tuples of 600
  items (profiled: about a third of ``write_pdf`` at 50 articles).  The
  replacement caches the tuple until a page is added.
* WeasyPrint's font subsetting allocates its glyph lists as
  ``ffi.new(f"hb_codepoint_t[{n}]", items)``.  cffi parses every new C type
  string with pycparser (about 14 ms), so each distinct length costs a parse:
  two per font per document, about 0.17 s for each part of a long book.  An
  array of ``n`` items given all ``n`` items is the same array whether the
  type says ``[n]`` or ``[]``, and ``T[]`` is parsed once.
"""

from __future__ import annotations

import logging
import re

import pydyf

log = logging.getLogger(__name__)
_CACHE = "_publish_page_references"
_SIZED_ARRAY = re.compile(r"(?P<item>[A-Za-z_][A-Za-z0-9_ ]*?)\s*\[(?P<length>\d+)\]")
_TEXT_ITEMS = frozenset({"char", "signed char", "unsigned char", "wchar_t", "char16_t", "char32_t"})


def _page_references(pdf: pydyf.PDF) -> tuple[bytes, ...]:
    kids = pdf.pages["Kids"]
    cached = pdf.__dict__.get(_CACHE)
    if cached is not None and cached[0] == len(kids):  # Kids only ever grows, by add_page
        return cached[1]
    references = tuple(f"{number} 0 R".encode("ascii") for number in kids[::3])
    pdf.__dict__[_CACHE] = (len(kids), references)
    return references


def _open_array_new(real_new):
    """``ffi.new`` that allocates a sized array given exactly its items through the open array type."""

    def new(cdecl, init=None):
        if isinstance(cdecl, str) and isinstance(init, (list, tuple)):
            sized = _SIZED_ARRAY.fullmatch(cdecl)
            # char arrays are left alone: T[] from bytes adds a terminating NUL, T[n] does not
            if sized and int(sized["length"]) == len(init) and sized["item"] not in _TEXT_ITEMS:
                return real_new(f"{sized['item']}[]", init)
        return real_new(cdecl, init)

    new.__wrapped__ = real_new  # type: ignore[attr-defined]
    return new


def install() -> None:
    """Install both speed-ups once (idempotent)."""
    current = pydyf.PDF.__dict__.get("page_references")
    if isinstance(current, property) and current.fget is not _page_references:
        pydyf.PDF.page_references = property(_page_references)  # type: ignore[method-assign]
    elif not isinstance(current, property):
        log.warning("pydyf.PDF.page_references is not a property; speed-up not installed")
    from weasyprint.text.ffi import ffi

    if not hasattr(ffi.new, "__wrapped__"):
        ffi.new = _open_array_new(ffi.new)

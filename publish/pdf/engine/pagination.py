"""Folios that count on from the parts before: a hook into WeasyPrint 70's pagination.

WeasyPrint paginates the whole document, then makes the margin boxes from
each page's counter values (``LayoutContext.page_maker``, private).  A part
of a book laid out in parts (:mod:`publish.pdf.parts`) must number its pages
from the pages of the parts before it, which are known only once those have
paginated: the hook asks for that number at the one moment it is needed.
Installed only through :func:`numbered_from`, and only where
:func:`publish.pdf.engine.fast` says the version is the one it was written for.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from publish.pdf.engine import fast


@contextlib.contextmanager
def numbered_from(ask: Callable[[int], int]) -> Iterator[bool]:
    """While laying out, ask ``ask(pages)`` for the number of pages before this part, and count on from it.

    WeasyPrint paginates the whole document, then makes the margin boxes from
    each page's counter values: the hook wraps the margin-box step, calls
    ``ask`` once with the page count and adds the answer to every page's
    ``page`` counter before the first folio is made.  Yields whether the
    hook is in place: on a version the hook was not written for, nothing is
    installed and the caller asks after laying out (a whole book only,
    numbered from 1).
    """
    if not fast():
        yield False
        return
    import weasyprint.layout as layout

    real = layout.make_margin_boxes
    done: list[bool] = []

    def make_margin_boxes(context, page, state):
        if not done:
            done.append(True)
            offset = ask(len(context.page_maker) - 1)
            shifted: set[int] = set()
            for entry in context.page_maker[1:]:
                counters = entry[3][1]
                if id(counters) not in shifted and "page" in counters:
                    shifted.add(id(counters))
                    counters["page"] = [value + offset for value in counters["page"]]
        return real(context, page, state)

    layout.make_margin_boxes = make_margin_boxes
    try:
        yield True
    finally:
        layout.make_margin_boxes = real



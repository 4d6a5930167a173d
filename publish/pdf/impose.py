"""Booklet imposition: A5 pages two-up on A4 landscape, in saddle-stitch order.

An office printer prints the result double-sided (flip on the short edge);
the stack folded in the middle reads in page order.  Each A5 page is placed
as a form XObject with pikepdf, so text stays text and nothing is
re-rasterised.  The page count is padded to a multiple of four with blank
pages, which fall at the end of the booklet.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pikepdf

log = logging.getLogger(__name__)

A4_LANDSCAPE = (841.89, 595.28)


def saddle_stitch_order(pages: int) -> list[tuple[int | None, int | None]]:
    """Sides of the printed sheets as (left, right) 0-based page indices; ``None`` is a blank.

    For 8 pages: (7, 0), (1, 6), (5, 2), (3, 4) — the outer sheet carries the
    last and first pages on its front and the second and second-to-last on
    its back, and so on inwards.
    """
    total = -(-pages // 4) * 4 if pages else 0

    def real(index: int) -> int | None:
        return index if index < pages else None

    sides: list[tuple[int | None, int | None]] = []
    for sheet in range(total // 4):
        outer, inner = 2 * sheet, total - 1 - 2 * sheet
        sides.append((real(inner), real(outer)))
        sides.append((real(outer + 1), real(inner - 1)))
    return sides


def impose_booklet(path: Path) -> None:
    """Rewrite the PDF at ``path`` as its saddle-stitched two-up booklet."""
    with pikepdf.open(path) as source:
        booklet = pikepdf.new()
        forms = [booklet.copy_foreign(pikepdf.Page(page).as_form_xobject()) for page in source.pages]
        width, height = A4_LANDSCAPE
        for left, right in saddle_stitch_order(len(forms)):
            booklet.add_blank_page(page_size=(width, height))
            sheet = pikepdf.Page(booklet.pages[-1])
            for index, x0 in ((left, 0.0), (right, width / 2)):
                if index is not None:  # add_overlay would name the form at random: the same source, other bytes
                    name = sheet.add_resource(forms[index], pikepdf.Name.XObject, pikepdf.Name(f"/Page{index + 1}"))
                    placement = sheet.calc_form_xobject_placement(
                        forms[index], name, pikepdf.Rectangle(x0, 0, x0 + width / 2, height), allow_expand=True)
                    sheet.contents_add(booklet.make_stream(placement))
        for key in ("/Title", "/Author", "/Subject", "/Creator", "/Producer", "/CreationDate", "/ModDate"):
            if key in source.docinfo:
                booklet.docinfo[key] = source.docinfo[key]
        if "/Lang" in source.Root:
            booklet.Root.Lang = source.Root.Lang
        log.info("imposed %d pages on %d sheets", len(forms), len(booklet.pages) // 2)
        booklet.save(path.with_name(path.name + ".imposed"), deterministic_id=True)
    path.with_name(path.name + ".imposed").replace(path)

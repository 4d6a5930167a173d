"""Markdown tables and their header rows.

A Markdown table always has a header row, so authors who want a plain grid
leave it empty.  Pandoc then writes the table without one; Python-Markdown
writes empty ``<th>`` cells, which screen readers announce as headings with
nothing in them and Ace reports (``empty-table-header``).  An empty header
row is therefore dropped, as pandoc does; a header row with some headings
and some blanks is an error (``m-018``) that says which column.
"""

from __future__ import annotations

import re

from lxml import etree

from publish.conventions import q
from publish.findings import Finding, Location, error
from publish.source.xhtml import has_words, line_at, remove_keeping_tail

DELIMITER_ROW = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$", re.MULTILINE)


def check_header_rows(root: etree._Element, source: str, display: str, offset: int) -> list[Finding]:
    """Drop header rows without words; report header rows with some cells left empty (n-th table, n-th row)."""
    findings = []
    headers = [line_at(source, m.start()) - 1 for m in DELIMITER_ROW.finditer(source)]  # the line above
    for number, table in enumerate(root.iter(q("table"))):
        head = table.find(q("thead"))
        if head is None:
            continue
        cells = [cell for row in head.iter(q("tr")) for cell in row if cell.tag in (q("th"), q("td"))]
        filled = [has_words(cell) for cell in cells]
        if not any(filled):
            table.remove(head)
            continue
        if all(filled):
            continue
        line = headers[number] + offset if number < len(headers) else None
        columns = ", ".join(str(index + 1) for index, full in enumerate(filled) if not full)
        findings.append(error("m-018", f"the table's header row leaves column {columns} without a heading",
                              Location(display, line),
                              "write a heading for every column (a screen reader reads it with each cell), or "
                              "leave the whole header row empty for a table without headings"))
    return findings


# pandoc's table caption: a paragraph just before or after the table that begins "Table:" (or "table:", or
# only ":").  Without a blank line after the table Python-Markdown reads it as a last row of one cell.
CAPTION = re.compile(r"^\s*(?:[Tt]able)?:\s+")


def table_captions(root: etree._Element) -> None:
    """Make each pandoc caption the table's ``<caption>``: its name for screen readers, set above it in print."""
    for table in list(root.iter(q("table"))):
        source = _caption_paragraph(table)
        if source is None:
            source = _caption_row(table)
        if source is None:
            continue
        caption = etree.Element(q("caption"))
        caption.text = CAPTION.sub("", source.text or "", count=1)
        for child in list(source):
            caption.append(child)
        table.insert(0, caption)


def _caption_paragraph(table: etree._Element) -> etree._Element | None:
    for near in (table.getnext(), table.getprevious()):
        if near is not None and near.tag == q("p") and CAPTION.match(near.text or ""):
            holder = near.getparent()
            if holder is not None:
                remove_keeping_tail(near)
                return near
    return None


def _caption_row(table: etree._Element) -> etree._Element | None:
    body = table.find(q("tbody"))
    rows = body.findall(q("tr")) if body is not None else []
    if not rows:
        return None
    cells = list(rows[-1])
    if cells and CAPTION.match(cells[0].text or "") and not any(has_words(cell) for cell in cells[1:]):
        body.remove(rows[-1])
        return cells[0]
    return None


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
from publish.source.xhtml import has_words, line_at

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

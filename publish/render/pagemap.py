"""The print edition's pages, found in the EPUB: a page map from the one WeasyPrint layout.

EPUB Accessibility 1.1 asks a publication made alongside a print edition to
carry that edition's page breaks, so a student with the EPUB can follow "turn
to page 7".  Both editions come from the same model through the same builder
functions (:mod:`publish.render.markup`), so an element's position in an article's
``section`` — the path of child indexes — is the same in the print HTML and
in the EPUB document.  From the laid-out PDF we take, for every page, the
first piece of text (or image) in the page's main flow, the block it belongs
to and how many characters of that block came before the page; the EPUB
renderer inserts ``<span role="doc-pagebreak">`` at that character, moved to
the end of a word the page split by hyphenation, so the words after marker N
are the words that begin page N.

The title page and the colophon are built by the same functions for both
editions, so their pages are exact too.  The cover (an image in the EPUB,
text in the PDF) maps to the cover document and the contents page to the
navigation document; a blank page shares the place of the next page with
text.  Those entries are marked ``exact=False``.
"""

from __future__ import annotations

import logging
from bisect import bisect_right
from dataclasses import dataclass

from lxml import etree

from publish.conventions import EPUB_TYPE, XHTML, local_name

log = logging.getLogger(__name__)

IGNORED = {"\u2010", "\u00ad"}  # hyphenation marks WeasyPrint adds, soft hyphens
BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "figcaption", "td", "th", "dt", "dd", "pre",
          "blockquote", "div", "section", "aside", "figure", "header", "nav", "ul", "ol", "table"}
START, END = None, -1  # offsets meaning "before the element" and "at the end of the document"
Place = tuple[str, tuple[int, ...], int | None, bool]  # where a page begins: (doc, path, offset, exact)


@dataclass(frozen=True)
class PageBreak:
    """Where print page ``label`` begins in EPUB document ``doc``."""

    label: str
    doc: str
    path: tuple[int, ...]
    offset: int | None
    exact: bool = True


def _significant(text: str) -> int:
    return sum(1 for c in text if not c.isspace() and c not in IGNORED)


def labelled(found: list[Place | None]) -> dict[str, list[PageBreak]]:
    """Page breaks labelled 1…n from each page's place, grouped by EPUB document."""
    out: dict[str, list[PageBreak]] = {}
    for index, place in enumerate(found):
        exact = True
        if place is None:  # a blank page: where the next page with content begins
            exact = False
            place = next((p for p in found[index + 1:] if p is not None), None)
            if place is None:
                last = next((p for p in reversed(found) if p is not None), ("titlepage", (), END, False))
                place = (last[0], (), END, False)
        doc, path, offset, shared_exact = place
        out.setdefault(doc, []).append(PageBreak(str(index + 1), doc, path, offset, exact and shared_exact))
    return out


def page_list(page_map: dict[str, list[PageBreak]]) -> list[PageBreak]:
    """Every page break in page order."""
    return sorted((b for breaks in page_map.values() for b in breaks), key=lambda b: int(b.label))


# ---- the EPUB side ---------------------------------------------------------------------------


def marker(label: str) -> etree._Element:
    span = etree.Element(f"{{{XHTML}}}span", id=f"page-{label}")
    span.set(EPUB_TYPE, "pagebreak")
    span.set("role", "doc-pagebreak")
    span.set("aria-label", label)
    return span


def _skipped(element: etree._Element) -> bool:
    """Text the print edition does not run in its lines: note calls (footnotes there) and markers."""
    return element.get("role") in ("doc-noteref", "doc-pagebreak")


def _segments(block: etree._Element) -> list[tuple[etree._Element, str, str]]:
    """(element, 'text'|'tail', string) of a block's own running text, in reading order."""
    out = []

    def walk(element: etree._Element, top: bool) -> None:
        if not top and (local_name(element.tag) in BLOCKS or _skipped(element)):
            return
        if element.text:
            out.append((element, "text", element.text))
        for child in element:
            if isinstance(child.tag, str):
                walk(child, False)
            if child.tail:
                out.append((child, "tail", child.tail))

    walk(block, True)
    return out


# Elements whose words are an accessible name (of a heading, caption, header cell or link): a page-break
# marker inside one would be announced as part of it ("6 7 The Healing Power of Tears").
NAMING = {"h1", "h2", "h3", "h4", "h5", "h6", "figcaption", "caption", "th", "dt", "summary", "legend"}


def _naming_ancestor(element: etree._Element | None, block: etree._Element) -> etree._Element | None:
    """The outermost link (``a``) holding ``element`` inside ``block``, if any."""
    found = None
    while element is not None and element is not block:
        if local_name(element.tag) == "a":
            found = element
        element = element.getparent()
    return found


def _insert_all(block: etree._Element, pending: list[tuple[int, etree._Element]]) -> None:
    """Put each ``(offset, span)`` of one block at the character where its page begins, in one pass.

    A page that begins inside a word (hyphenated in print) is marked at the end of that word.  The
    block's running text is read once and the markers go in from the last to the first, so a paragraph
    that spans hundreds of pages costs its length once, not once per page.  Markers with the same
    offset keep their order.
    """
    segments = _segments(block)
    if not segments:
        for _, span in pending:
            block.append(span)
        return
    flat = "".join(s for _, _, s in segments)
    starts = []
    total = 0
    for _, _, string in segments:
        starts.append(total)
        total += len(string)
    positions: list[int] = [0] * len(pending)
    count = position = 0
    for index in sorted(range(len(pending)), key=lambda i: pending[i][0]):
        offset = pending[index][0]
        while position < len(flat) and count < offset:
            if not flat[position].isspace() and flat[position] not in IGNORED:
                count += 1
            position += 1
        at = position
        if 0 < at < len(flat) and not flat[at - 1].isspace() and not flat[at].isspace():
            while at < len(flat) and not flat[at].isspace():
                at += 1  # the page began inside a hyphenated word: mark the next whole word
        while at < len(flat) and flat[at].isspace():
            at += 1
        positions[index] = at
    for index in sorted(range(len(pending)), key=lambda i: (positions[i], i), reverse=True):
        at, span = positions[index], pending[index][1]
        number = len(segments) - 1 if at >= total else bisect_right(starts, at) - 1
        element, kind, _ = segments[number]
        link = _naming_ancestor(element if kind == "text" else element.getparent(), block)
        if link is not None:  # inside a link's words: the marker goes just before the link
            link.addprevious(span)
            continue
        local = at - starts[number]
        current = (element.text if kind == "text" else element.tail) or ""
        head, rest = current[:local], current[local:]
        if kind == "text":
            element.text = head or None
            element.insert(0, span)
        else:
            element.tail = head or None
            element.addnext(span)
        span.tail = rest or None


def insert_page_breaks(section: etree._Element, breaks: list[PageBreak]) -> None:
    """Put a page-break marker in an EPUB document's top section at each break.

    Every path is resolved before the first marker goes in: paths count the
    children of the untouched section, and a marker placed before a block
    (``START``) would otherwise shift the indexes of the blocks after it.
    """
    targets = []
    for brk in breaks:
        target = section
        for index in brk.path:
            children = [c for c in target if isinstance(c.tag, str)]
            if index >= len(children):
                log.warning("page %s: no element at %s in %s", brk.label, brk.path, brk.doc)
                break
            target = children[index]
        targets.append(target)
    inside: dict[int, tuple[etree._Element, list[tuple[int, etree._Element]]]] = {}
    for brk, target in zip(breaks, targets, strict=True):
        span = marker(brk.label)
        if target is section and brk.offset in (START, END):
            if brk.offset == END:
                section.append(span)
            else:
                section.insert(0, span)
        elif brk.offset is START:
            target.addprevious(span)
        elif local_name(target.tag) in NAMING:  # a marker inside a heading would be read as part of its name
            target.addprevious(span)
        else:
            inside.setdefault(id(target), (target, []))[1].append((int(brk.offset), span))  # type: ignore[arg-type]
    for target, pending in inside.values():
        _insert_all(target, pending)


def insert_all_page_breaks(sections: list[tuple[str, etree._Element]], page_map: dict[str, list[PageBreak]] | None
                           ) -> None:
    """Insert the markers of every document at once: ``sections`` pairs each document's name with its section."""
    if page_map:
        for doc, section in sections:
            insert_page_breaks(section, page_map.get(doc, []))

"""Readers of WeasyPrint's laid-out pages: what each page begins with, and where some elements were drawn.

WeasyPrint publishes a document's pages but not the boxes on them: these
walkers read ``page_box(page)`` and the box classes' shapes as WeasyPrint 70
has them.  They only read (nothing is patched), so they run on every
version; each is used for one finished product:

* :func:`page_places`: where each page begins, in EPUB terms, for the EPUB's
  page-list (:mod:`publish.render.pagemap` labels and inserts them);
* :func:`hidden_regions`, :func:`language_regions`: where duplicate pull
  quotes and passages in another language were drawn, for the PDF's tags
  (:mod:`publish.pdf.tags`);
* :func:`laid_out_root`: the HTML tree the pages were laid out from.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree import ElementTree

from publish.conventions import local_name
from publish.model import Book
from publish.render.pagemap import END, START, PageBreak, Place, _significant, labelled


def page_box(page):
    """A laid-out page's root box (private in WeasyPrint: the one place that names it)."""
    return page._page_box


@dataclass(frozen=True)
class Region:
    """A rectangle on a page (CSS px from the top-left) whose content is not for assistive technology."""

    page: int  # 0-based
    x0: float
    y0: float
    x1: float
    y1: float

    def holds(self, x: float, y: float) -> bool:
        return self.x0 - 1 <= x <= self.x1 + 1 and self.y0 - 1 <= y <= self.y1 + 1


def _leaves(box, skip_types: tuple):
    """Text and replaced boxes of the main flow in tree order, with the block element each belongs to."""
    stack = [(box, None)]
    while stack:
        current, block = stack.pop()
        if isinstance(current, skip_types) or "::" in (getattr(current, "element_tag", "") or ""):
            continue
        kind = type(current).__name__
        if kind == "TextBox" or kind.endswith("ReplacedBox"):
            yield current, block
            continue
        if kind != "LineBox" and not kind.startswith("Inline") and getattr(current, "element", None) is not None:
            block = current.element  # a block container: its lines belong to its element
        stack.extend((child, block) for child in reversed(getattr(current, "children", None) or []))


def _parents(root: ElementTree.Element) -> dict[int, tuple[ElementTree.Element, int]]:
    out = {}
    for parent in root.iter():
        for index, child in enumerate(parent):
            out[id(child)] = (parent, index)
    return out


def _documents(book: Book, body: ElementTree.Element) -> dict[int, tuple[str, bool]]:
    """Top-level print sections → (EPUB document, whether its markup is shared with the EPUB)."""
    slugs = {c.slug for c in book.chapters}
    out = {}
    for child in body:
        classes = (child.get("class") or "").split()
        ident = child.get("id") or ""
        if ident in slugs:
            out[id(child)] = (ident, True)
        elif ident == "references":
            out[id(child)] = ("references", True)
        elif "titlepage" in classes:
            out[id(child)] = ("titlepage", True)
        elif "cover-page" in classes:
            out[id(child)] = ("cover", False)
        elif "colophon" in classes:
            out[id(child)] = ("colophon", True)
        elif local_name(child.tag) == "nav":
            out[id(child)] = ("nav", False)
    return out


def build_page_map(book: Book, document) -> dict[str, list[PageBreak]]:
    """document slug → page breaks in page order, for every page of the laid-out PDF."""
    return labelled(page_places(book, document))


def page_places(book: Book, document) -> list[Place | None]:
    """Where each page of a laid-out document begins, in EPUB terms (``None``: a page without text).

    A book laid out in parts (:mod:`publish.pdf.parts.coordinator`) joins its parts' lists,
    with ``None`` for the blank pages added between them, and labels the whole.
    """
    from weasyprint.formatting_structure import boxes

    skip = tuple(getattr(boxes, name) for name in ("MarginBox", "FootnoteAreaBox") if hasattr(boxes, name))
    pages = document.pages
    if not pages:
        return []
    html = laid_out_root(document)
    body = next((c for c in html if local_name(c.tag) == "body"), html)
    parents = _parents(html)
    docs = _documents(book, body)
    consumed: dict[int, int] = {}
    found: list[Place | None] = []
    for page in pages:
        first = None
        for leaf, block in _leaves(page_box(page), skip):
            element = block if block is not None else leaf.element
            text = getattr(leaf, "text", None)
            if text is not None and not _significant(text):
                continue
            if first is None:
                first = _place(element, leaf, text is None, consumed.get(id(element), 0), parents, docs, body)
            if text is not None:
                consumed[id(element)] = consumed.get(id(element), 0) + _significant(text)
        found.append(first)
    return found


def _place(element, leaf, replaced: bool, before: int, parents, docs, body):
    """(doc, path, offset, exact) for a page that starts in ``element``."""
    path: list[int] = []
    node = leaf.element if replaced else element
    hidden = None
    while id(node) in parents and node is not body:
        parent, index = parents[id(node)]
        if node.get("aria-hidden") == "true":
            hidden = len(path)
        if parent is body:
            doc, shared = docs.get(id(node), ("", False))
            path.reverse()
            if not doc:  # print-only material: listed at the end of the title page
                return ("titlepage", (), END, False)
            if not shared:
                return (doc, (), START, False)
            if hidden is not None:
                return (doc, tuple(path[:len(path) - hidden]), START, True)
            return (doc, tuple(path), START if replaced else before, True)
        path.append(index)
        node = parent
    return None


def hidden_regions(document) -> list[Region]:
    """Border boxes of elements marked ``aria-hidden="true"`` (duplicate pull quotes), per page."""
    regions = []
    for index, page in enumerate(document.pages):
        stack = [page_box(page)]
        while stack:
            box = stack.pop()
            element = getattr(box, "element", None)
            if element is not None and getattr(box, "element_tag", "") and element.get("aria-hidden") == "true" \
                    and "::" not in box.element_tag:
                x, y = box.border_box_x(), box.border_box_y()
                regions.append(Region(index, x, y, x + box.border_width(), y + box.border_height()))
                continue
            stack.extend(getattr(box, "children", []))
    return regions


def language_regions(document) -> list[tuple[Region, str]]:
    """Boxes of passages in another language than the document's (``lang`` on the element), per page.

    PDF/UA asks for a change of language to be declared on the structure
    element (``/Lang``); WeasyPrint 70 declares only the document's.
    """
    regions = []
    for index, page in enumerate(document.pages):
        stack = [(page_box(page), "")]
        while stack:
            box, inherited = stack.pop()
            element = getattr(box, "element", None)
            lang = inherited
            if element is not None and getattr(box, "element_tag", "") and "::" not in box.element_tag:
                own = element.get("lang")
                if local_name(element.tag) == "html":
                    lang = own or ""  # the document's language: declared by WeasyPrint
                elif own:
                    lang = own
                    if own != inherited:
                        x, y = box.border_box_x(), box.border_box_y()
                        regions.append((Region(index, x, y, x + box.border_width(), y + box.border_height()), own))
            stack.extend((child, lang) for child in getattr(box, "children", []))
    return regions


def laid_out_root(document):
    """The HTML tree a laid-out document was made from (``None`` for a document without pages)."""
    return page_box(document.pages[0]).children[0].element if document.pages else None

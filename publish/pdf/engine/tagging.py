"""The shape of WeasyPrint's structure tree, page by page, with the HTML element behind every node.

WeasyPrint 70 writes a structure element for each box of each page
(``weasyprint.pdf.tags``), so an element that crosses a page becomes one
structure element per page, and nothing in the PDF says they are one.  This
walker goes over the same boxes in the same order and builds the same tree
— a :class:`Node` per structure element, a :class:`Leaf` per marked-content
sequence or annotation — but remembers which HTML element (its index in
document order) and which pseudo-element each node was made from.
:mod:`publish.pdf.structure` zips it with the written tree, checks that
every tag matches, and merges the nodes of one element into one.

Only reads boxes (nothing is patched), so it runs on every version; on a
version whose tagging differs, the zip finds a mismatch and the tree is left
as WeasyPrint wrote it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from publish.conventions import local_name
from publish.pdf.engine.boxes import page_box

log = logging.getLogger(__name__)

# The attributes the rebuilt tree needs to know about an HTML element.
KEPT = ("id", "class", "role", "aria-hidden", "aria-label", "lang", "alt", "scope", "data-again", "data-actual-text")


@dataclass
class Leaf:
    """Marked content (``text``/``image``) or an annotation (``objr``, ``widget``) directly under a node."""

    kind: str
    text: str = ""
    hyphen: str = ""  # the text ends with a hyphen: "layout" (hyphenation added it) or "author" (in the source)


@dataclass
class Node:
    """One structure element as WeasyPrint writes it."""

    tag: str  # without the slash: "P", "Link", "NonStruct"
    element: int | None  # the HTML element's index in document order; None for an anonymous box
    pseudo: str = ""  # "after", "marker", "footnote-call"… for a pseudo-element's box
    kids: list[Node | Leaf] = field(default_factory=list)
    inline: bool = False


@dataclass(frozen=True)
class Element:
    """What the rebuild needs of one HTML element."""

    tag: str
    parent: int | None
    attributes: dict[str, str]
    block: bool  # laid out as a block (its nearest such ancestor holds a footnote's call)


@dataclass
class Skeleton:
    """Each page's top-level nodes, and the HTML elements they refer to."""

    pages: list[list[Node]]
    elements: dict[int, Element]


def tag_skeleton(document) -> Skeleton | None:
    """The structure WeasyPrint wrote for ``document``'s pages (``None``: no pages, or an unknown WeasyPrint).

    The walk mirrors WeasyPrint 70's own tagging step by step, so it runs
    only on the tested releases; there, a box it does not expect keeps the
    tree as WeasyPrint wrote it (logged), and the claim then waits for the
    structure checks, which say what a listener would meet.
    """
    from publish.pdf.engine import tested

    if not tested():
        log.info("the PDF's structure is kept as this WeasyPrint wrote it (an untested release)")
        return None
    try:
        return _skeleton(document)
    except (AttributeError, TypeError, KeyError, IndexError, ValueError) as why:
        log.warning("the PDF's structure is kept as WeasyPrint wrote it: %s: %s", type(why).__name__, why)
        return None


def _skeleton(document) -> Skeleton | None:
    try:
        from weasyprint.formatting_structure import boxes
        from weasyprint.layout.absolute import AbsolutePlaceholder
        from weasyprint.pdf.tags import _get_pdf_tag
    except ImportError:  # another WeasyPrint: its tags are its own
        return None
    if not document.pages:
        return None
    root = page_box(document.pages[0]).children[0].element
    order = {id(element): index for index, element in enumerate(root.iter())}
    walker = _Walker(boxes, AbsolutePlaceholder, _get_pdf_tag, order)
    pages = [walker.page(page_box(page)) for page in document.pages]
    elements = {}
    parents = {id(child): parent for parent in root.iter() for child in parent}
    for element in root.iter():
        index = order[id(element)]
        if index not in walker.used or not isinstance(element.tag, str):
            continue
        for ancestor in _ancestors(element, parents):  # notes need their call's blocks, lang needs its holders
            key = order[id(ancestor)]
            if key not in elements:
                parent = parents.get(id(ancestor))
                elements[key] = Element(local_name(ancestor.tag), order[id(parent)] if parent is not None else None,
                                        {k: ancestor.get(k) for k in KEPT if ancestor.get(k) is not None},
                                        walker.display.get(key, "block") != "inline")
    return Skeleton(pages, elements)


def _ancestors(element, parents):
    while element is not None:
        yield element
        element = parents.get(id(element))


class _Walker:
    """Follows ``weasyprint.pdf.tags._build_box_tree`` box by box, building :class:`Node` objects instead."""

    def __init__(self, boxes, placeholder, pdf_tag, order):
        self.boxes, self.placeholder, self.pdf_tag, self.order = boxes, placeholder, pdf_tag, order
        self.used: set[int] = set()
        self.display: dict[int, str] = {}

    def page(self, box) -> list[Node]:
        return list(self.build(box, None))

    def build(self, box, parent: Node | None):
        boxes = self.boxes
        if isinstance(box, self.placeholder):
            box = box._box
        element_tag = None if box.element is None else box.element_tag
        tag = self.pdf_tag(element_tag)
        parent_tag = parent.tag if parent is not None else "Document"
        if element_tag in ("html", "body") or isinstance(box, boxes.PageBox):
            if isinstance(box, boxes.ParentBox) and not isinstance(box, boxes.LineBox):
                for child in box.children:
                    yield from self.build(child, parent)
                return
        elif isinstance(box, boxes.MarginBox):
            for child in box.children:  # built and dropped: running heads and folios become artifacts
                list(self.build(child, parent))
            return
        elif tag in ("TD", "TH") and parent_tag in ("TD", "TH"):
            tag = "NonStruct"
        elif tag == "LI":
            no_bullet = box.element_tag == "li" and (
                "list-item" not in box.style["display"] or box.style["list_style_type"] == "none")
            if parent_tag == "LI":
                tag = "LBody"
            elif parent_tag == "LBody":
                tag = "NonStruct"
            elif box.element_tag in ("dt", "dd") or no_bullet:
                wrapper = Node("LI", None)
                wrapper.kids.extend(self.build(box, wrapper))
                yield wrapper
                return
        node = self.node(tag, box)
        if tag == "Table" and box.is_table_wrapper:
            table = box.get_wrapped_table()
            if table:
                children = [c for child in box.children for c in (child.children if child is table else [child])]
                box = table.copy_with_children(children)
        if box.link_annotation:
            node.kids.append(Leaf("objr"))
        if box.widget_annotation:
            node.kids.append(Node("Form", None, kids=[Leaf("objr")]))
        for child in box.children:
            for grandchild in child.children if isinstance(child, boxes.LineBox) else [child]:
                if isinstance(grandchild, boxes.TextBox):
                    node.kids.append(self.text(grandchild))
                    continue
                holder = parent if grandchild.element_tag in ("ul", "ol") and node.tag == "LI" else node
                if holder is None:  # a list straight under the page: WeasyPrint would fail the same way
                    raise LookupError("a nested list without a parent structure element")
                at = len(holder.kids)
                holder.kids[at:at] = list(self.build(grandchild, holder))
        if isinstance(box, boxes.ReplacedBox):
            node.kids.append(Leaf("image"))
        yield node

    def node(self, tag: str, box) -> Node:
        if box.element is None:
            return Node(tag, None)
        key = self.order.get(id(box.element))
        name = box.element_tag or ""
        pseudo = name.split("::", 1)[1] if "::" in name else ""
        if key is not None:
            self.used.add(key)
            if not pseudo:
                self.display.setdefault(key, "inline" if box.style["display"][0] == "inline" else "block")
        return Node(tag, key, pseudo, inline=box.style["display"][0] == "inline")

    def text(self, box) -> Leaf:
        text = box.text
        mark = box.style["hyphenate_character"]
        joint = ""
        if mark and text.endswith(mark) and len(text) > len(mark):
            source = "".join(box.element.itertext()) if box.element is not None else ""
            joint = "author" if mark in source else "layout"  # not the author's: hyphenation put it there
        elif text.endswith(("-", "\u2010")) and len(text) > 1:
            joint = "author"
        return Leaf("text", text, joint)

"""Rebuild the PDF's structure tree so that one logical element is one structure element, whatever the pages.

WeasyPrint 70 writes the tree page by page (upstream issues 2902 and 2903):
every page is a ``Sect`` under ``Document``, a paragraph that crosses a page
is two ``P``, a list two ``L``, a link that wraps one ``Link`` per line, and
footnotes are anonymous fragments between two pages.  A screen-reader user
following the tree hears the book cut at every page.

:mod:`publish.pdf.engine.tagging` tells which HTML element each written
structure element came from; here the written tree is zipped with it (every
tag must match, or the tree is left alone) and rebuilt:

* all structure elements of one HTML element become one, whose content
  (marked-content references with their page, ``/Pg``) runs over the pages;
* a footnote is a ``Note`` with an ``/ID``, placed right after the block that
  calls it; the call is a ``Reference`` (with ``/Ref`` to the note, as PDF 2.0
  has it);
* a link is one ``Link`` with all its annotations; empty marked content that
  a pseudo-element draws (the contents' dot leaders) becomes an artifact;
* a pull quote with words of its own is a ``PullQuote``, role-mapped to
  ``BlockQuote`` (PDF 1.7 has no aside; a pull quote is a quotation of the
  article, and screen readers announce ``BlockQuote`` as one), titled (``/T``)
  with the label the EPUB announces; a duplicate pull quote, a decorative
  image and a table header repeated on a later page are artifacts;
* a passage in another language declares ``/Lang``.

The parent tree is written anew from the rebuilt tree, and the ``/ID`` of
every element is listed in the ``/IDTree``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pikepdf

from publish.pdf.engine.tagging import Element, Leaf, Node, Skeleton

ROLE_MAP = {"PullQuote": "BlockQuote"}
HEADER_ROWS = ("thead", "tfoot")  # repeated on every page a table covers: only the first copy is read
KEEP_COPIED = ("/A", "/Alt", "/ID")


class Mismatch(Exception):
    """The written tree is not the one the walker expected (another WeasyPrint): keep it as written."""


@dataclass(eq=False)
class Built:
    """One element of the rebuilt tree."""

    tag: str
    element: int | None
    parent: Built | None
    source: pikepdf.Dictionary | None = None  # the first written element: its attributes are kept
    kids: list = field(default_factory=list)  # Built, ("mcr", page, mcid, leaf) or ("objr", OBJR)
    attributes: dict = field(default_factory=dict)


@dataclass
class Rebuilt:
    """What the rebuild did: counts for the log and tests, and the MCIDs that are now artifacts."""

    artifacts: dict[int, set[int]] = field(default_factory=dict)  # page objgen number → MCIDs
    counts: dict[str, int] = field(default_factory=dict)
    hyphens: dict[int, set[int]] = field(default_factory=dict)  # page objgen number → MCIDs ending in the author's


def kids_of(element) -> list:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


class Zipper:
    """The written tree, node by node against the skeleton: every leaf gets its page and MCID or OBJR."""

    def __init__(self, pdf: pikepdf.Pdf, skeleton: Skeleton):
        self.pdf, self.skeleton = pdf, skeleton

    def pages(self, document: pikepdf.Dictionary) -> list[list[tuple[Node, pikepdf.Dictionary, object]]]:
        written = kids_of(document)
        if len(self.skeleton.pages) != len(self.pdf.pages):
            raise Mismatch("page count")
        out, at = [], 0
        for index, nodes in enumerate(self.skeleton.pages):
            page = self.pdf.pages[index].obj
            chunk = written[at:at + len(nodes)]
            if len(chunk) != len(nodes):
                raise Mismatch(f"page {index + 1}: {len(nodes)} top-level elements expected")
            for node, element in zip(nodes, chunk, strict=True):
                self.check(node, element)
            out.append([(node, element, page) for node, element in zip(nodes, chunk, strict=True)])
            at += len(nodes)
        if at != len(written):
            raise Mismatch("elements left over")
        return out

    def check(self, node: Node, element) -> None:
        if not isinstance(element, pikepdf.Dictionary) or str(element.get("/S")) != f"/{node.tag}":
            raise Mismatch(f"{node.tag} expected where {element!r:.60} was written")
        kids = kids_of(element)
        if len(kids) != len(node.kids):
            raise Mismatch(f"{node.tag}: {len(node.kids)} kids expected, {len(kids)} written")
        for kid, written in zip(node.kids, kids, strict=True):
            if isinstance(kid, Node):
                self.check(kid, written)
            elif kid.kind == "objr" and not (isinstance(written, pikepdf.Dictionary) and "/Obj" in written):
                raise Mismatch("annotation reference expected")
            elif kid.kind == "text" and node.tag != "Link":
                if not (isinstance(written, pikepdf.Dictionary) and len(kids_of(written)) == 1):
                    raise Mismatch("text element expected")
            elif kid.kind in ("image", "text") and not isinstance(written, int):
                raise Mismatch("MCID expected")


def _mcid(kid: Leaf, node: Node, written) -> int:
    if kid.kind == "text" and node.tag != "Link":
        return int(kids_of(written)[0])
    return int(written)


class Rebuilder:
    """Merge the zipped tree into :class:`Built` elements keyed by HTML element, then write them."""

    def __init__(self, pdf: pikepdf.Pdf, skeleton: Skeleton):
        self.pdf, self.elements = pdf, skeleton.elements
        self.skeleton = skeleton
        self.root = Built("Document", None, None)
        self.merged: dict[tuple, Built] = {}
        self.result = Rebuilt()
        self.header_ids: dict[str, str] = {}  # repeated header cells' IDs → the first copy's
        self.notes: list[Built] = []
        self.repeated_ids: list[str] = []

    # -- reading the HTML element behind a node

    def info(self, key: int | None) -> Element | None:
        return self.elements.get(key) if key is not None else None

    def ancestors(self, key: int | None):
        while key is not None:
            info = self.elements.get(key)
            if info is None:
                return
            yield key, info
            key = info.parent

    def hidden(self, key: int | None) -> bool:
        return any(info.attributes.get("aria-hidden") == "true" for _, info in self.ancestors(key))

    def in_header(self, key: int | None) -> bool:
        return any(info.tag in HEADER_ROWS for _, info in self.ancestors(key))

    # -- merging

    def merge(self, zipped: list[list[tuple[Node, pikepdf.Dictionary, object]]]) -> None:
        for page_number, page in enumerate(zipped):
            for node, element, page_obj in page:
                self.add(node, element, page_obj, self.root, page_number, False)

    def artifact(self, node: Node, element, page) -> None:
        """Everything under ``node`` becomes a ``/Layout`` artifact (its annotations stay, untagged)."""
        for kid, written in zip(node.kids, kids_of(element), strict=True):
            if isinstance(kid, Node):
                self.artifact(kid, written, page)
            elif kid.kind in ("text", "image"):
                self.result.artifacts.setdefault(page.objgen[0], set()).add(_mcid(kid, node, written))
            if isinstance(kid, Node) and kid.tag == "TH" and "/ID" in written:
                self.repeated_ids.append(str(written.ID))

    def add(self, node: Node, element, page, parent: Built, page_number: int, in_pseudo: bool) -> None:
        info = self.info(node.element)
        tag = node.tag
        again = info is not None and "data-again" in info.attributes and not node.pseudo  # a note printed twice
        if info is not None and (again or self.hidden(node.element) or (tag == "Figure" and not _alt(element))):
            self.artifact(node, element, page)
            self.result.counts["hidden"] = self.result.counts.get("hidden", 0) + 1
            return
        flatten = node.element is None and tag not in ("LI", "LBody")
        flatten |= tag == "Link" and parent.tag == "Link"
        flatten |= node.inline and tag in ("NonStruct", "Span") and not node.pseudo and \
            not (info and info.attributes.get("lang"))
        if (node.pseudo in ("before", "after") and tag != "Link") or node.pseudo == "footnote-marker":
            flatten = True  # generated text: read with its element (a note's number is not a list label)
        if flatten:
            self.kids(node, element, page, parent, page_number, in_pseudo or bool(node.pseudo))
            return
        # An anonymous box keeps its element: the body of a list item is told from the item by its tag.
        key = (node.element if node.element is not None else (tag, id(parent)),
               node.pseudo or ("body" if tag == "LBody" else ""))
        if tag == "LI" and node.element is None:  # WeasyPrint's item around a dt, dd or unmarked li
            first = next((k for k in node.kids if isinstance(k, Node) and k.element is not None), None)
            key = ("item", first.element if first else id(element))
        built = self.merged.get(key)
        if built is not None and self.in_header(node.element) and built.attributes.get("page") != page_number:
            self.repeated_ids = []
            self.artifact(node, element, page)
            self.map_header_ids(built)
            return
        if built is None:
            if tag == "L" and info is not None:  # WeasyPrint hangs a nested list beside its item: put it inside
                item = self.merged.get((info.parent, "body")) or self.merged.get((info.parent, ""))
                parent = item if item is not None and item.tag in ("LBody", "LI") else parent
            built = self.merged[key] = Built(self.retag(tag, node, info), node.element, parent, element)
            built.attributes["page"] = page_number
            parent.kids.append(built)
            if built.tag == "Note":
                self.notes.append(built)
        self.kids(node, element, page, built, page_number, in_pseudo or bool(node.pseudo))

    def kids(self, node: Node, element, page, built: Built, page_number: int, in_pseudo: bool) -> None:
        for kid, written in zip(node.kids, kids_of(element), strict=True):
            if isinstance(kid, Node):
                self.add(kid, written, page, built, page_number, in_pseudo)
            elif kid.kind == "objr":  # a link's annotation belongs to its Link (WeasyPrint gives a linked image one)
                holder = built
                while holder.tag != "Link" and holder.parent is not None:
                    holder = holder.parent
                (holder if holder.tag == "Link" else built).kids.append(("objr", written))
            else:
                mcid = _mcid(kid, node, written)
                if in_pseudo and kid.kind == "text" and not kid.text.strip():
                    self.result.artifacts.setdefault(page.objgen[0], set()).add(mcid)
                    self.result.counts["empty"] = self.result.counts.get("empty", 0) + 1
                    continue
                built.kids.append(("mcr", page, mcid, kid))
                if kid.hyphen == "author":
                    self.result.hyphens.setdefault(page.objgen[0], set()).add(mcid)

    def retag(self, tag: str, node: Node, info: Element | None) -> str:
        if info is None:
            return tag
        classes = (info.attributes.get("class") or "").split()
        if node.pseudo == "footnote-call":
            return "Reference"
        if node.pseudo == "marker":
            return "Lbl"
        if info.attributes.get("role") == "doc-footnote":
            return "Note"
        if info.tag == "aside" and "pullquote" in classes:
            return "PullQuote"
        if tag == "NonStruct" and info.attributes.get("lang"):
            return "Span" if node.inline else "Div"
        return tag

    def map_header_ids(self, first: Built) -> None:
        """The repeated header's cell IDs, in order, name the first copy's cells (``/Headers`` of later rows)."""
        ids = [str(b.source.ID) for b in walk_built(first)
               if b.tag == "TH" and b.source is not None and "/ID" in b.source]
        for repeated, original in zip(self.repeated_ids, ids, strict=False):
            self.header_ids[repeated] = original

    # -- placing notes after the block that calls them

    def place_notes(self) -> None:
        after: dict[int, Built] = {}  # id of a block → the last note placed after it
        for note in self.notes:
            block = next((self.merged.get((key, "")) for key, info in self.ancestors(note.element)
                          if key != note.element and info.block and (key, "") in self.merged), None)
            if block is None or block.parent is None:
                continue
            note.parent.kids.remove(note)
            anchor = after.get(id(block), block)
            siblings = block.parent.kids
            siblings.insert(siblings.index(anchor) + 1, note)
            note.parent = block.parent
            after[id(block)] = note
            self.result.counts["notes"] = self.result.counts.get("notes", 0) + 1


def item_bodies(root: Built) -> None:
    """An item whose content is blocks (a loose list: paragraphs) gets the ``LBody`` PDF wants after its ``Lbl``."""
    for item in list(walk_built(root)):
        if item.tag != "LI" or all(isinstance(k, Built) and k.tag in ("Lbl", "LBody") for k in item.kids):
            continue
        labels = [k for k in item.kids if isinstance(k, Built) and k.tag == "Lbl"]
        body = Built("LBody", None, item, kids=[k for k in item.kids if not any(k is label for label in labels)])
        for kid in body.kids:
            if isinstance(kid, Built):
                kid.parent = body
        item.kids = [*labels, body]


def definition_items(root: Built, info) -> None:
    """A definition list read as pairs: one ``LI`` per term, its ``Lbl`` the term, its ``LBody`` the definition.

    WeasyPrint makes every ``dt`` and every ``dd`` an item of its own, so a
    listener heard "list, 4 items" for two terms, each term apart from what
    it means.  Several terms before one definition share the item; several
    definitions after one term are its bodies.  ``info`` gives the HTML
    element behind a node (:meth:`Rebuilder.info`).
    """
    for listing in [b for b in walk_built(root) if b.tag == "L" and _html(info, b) == "dl"]:
        items: list[Built] = []
        current: Built | None = None
        defined = False
        for item in listing.kids:
            bodies = [k for k in item.kids if isinstance(k, Built) and k.tag == "LBody"] \
                if isinstance(item, Built) and item.tag == "LI" else []
            kind = _html(info, bodies[0]) if len(bodies) == 1 else None
            if kind == "dt" and (current is None or defined):
                bodies[0].tag, current, defined = "Lbl", item, False
                items.append(item)
            elif kind == "dt":  # another term for the same definition
                bodies[0].tag, bodies[0].parent = "Lbl", current
                current.kids.append(bodies[0])  # type: ignore[union-attr]
            elif kind == "dd" and current is not None:
                bodies[0].parent, defined = current, True
                current.kids.append(bodies[0])
            else:
                items.append(item)
        listing.kids = items


def _html(info, built: Built) -> str | None:
    element = info(built.element) if built.element is not None else None
    return element.tag if element is not None else None


def _alt(element) -> bool:
    return bool(str(element.get("/Alt", "")).strip())


def walk_built(built: Built):
    stack = [built]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed([k for k in node.kids if isinstance(k, Built)]))

"""Join the PDFs of a book laid out in parts (:mod:`publish.pdf.parts.coordinator`) into one PDF.

Each part is a complete WeasyPrint PDF: its pages, a structure tree (tagged
editions), named destinations, bookmarks and font subsets of its own.  The
joined file must read as if the book had been laid out whole:

* pages in order, with blank pages where a part ends on a right-hand page so
  that the next article still opens on the right (as ``break-before: right``
  does inside one document);
* one structure tree: each part's ``Document`` children appended to the
  first part's ``Document``, and the ``ParentTree`` keys (``StructParents``
  of pages, ``StructParent`` of link annotations) shifted past the previous
  part's;
* named destinations from the part that holds the anchor — a part may link
  to an anchor in another one (the contents page to the articles, citations
  to a book-wide reference list), and has a stand-in destination for it;
* bookmarks in order, pointing at the joined pages;
* one font per face: the parts' subsets of a face are joined into one
  (:mod:`publish.pdf.parts.fonts`), so the file is no larger than a whole-book one.

Document-level entries (metadata, language, viewer preferences, output
intents) come from the first part, which every part shares.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from pathlib import Path

import pikepdf

from publish.pdf.parts.fonts import join_fonts

log = logging.getLogger(__name__)
BOXES = ("/MediaBox", "/CropBox", "/BleedBox", "/TrimBox", "/ArtBox")


@dataclass(frozen=True)
class PartFile:
    """One part's PDF, the anchors it really holds, and how many pages it must fill (padding with blanks)."""

    path: Path
    anchors: frozenset[str]
    slot: int


@dataclass
class _Outline:
    title: str
    page: int
    x: float
    y: float
    closed: bool
    children: list[_Outline]


def join_parts(parts: list[PartFile], output: Path) -> dict[str, int]:
    """Write the parts, in order, as one PDF at ``output``; return counts for the log and tests."""
    counts = {"pages": 0, "blank": 0, "fonts_joined": 0}
    with pikepdf.open(parts[0].path) as pdf:
        tagged = "/StructTreeRoot" in pdf.Root
        document = _document_element(pdf) if tagged else None
        nums = list(pdf.Root.StructTreeRoot.ParentTree.Nums) if tagged else []
        next_key = _next_key(nums)
        dests = _own_dests(pdf, parts[0].anchors, 0)
        outlines = _outlines(pdf, 0)
        counts["blank"] += _pad(pdf, parts[0].slot)
        for part in parts[1:]:
            with pikepdf.open(part.path) as src:
                first = len(pdf.pages)
                with warnings.catch_warnings():  # named destinations are carried over below, by hand
                    warnings.simplefilter("ignore", category=getattr(pikepdf, "PageCopyWarning", Warning))
                    pdf.pages.extend(src.pages)
                if tagged:
                    next_key = _append_structure(pdf, src, document, nums, first, next_key)
                dests.update(_own_dests(pdf, part.anchors, first, src))
                outlines += _outlines(src, first)
            counts["blank"] += _pad(pdf, part.slot, first)
        if tagged:
            tree = pdf.Root.StructTreeRoot
            pairs = sorted(zip(nums[0::2], nums[1::2], strict=True), key=lambda kv: int(kv[0]))
            tree.ParentTree = pdf.make_indirect(pikepdf.Dictionary(Nums=pikepdf.Array(
                [item for pair in pairs for item in pair])))
            tree.ParentTreeNextKey = next_key
        _write_dests(pdf, dests)
        _write_outlines(pdf, outlines)
        counts["fonts_joined"] = join_fonts(pdf)
        counts["pages"] = len(pdf.pages)
        pdf.save(output, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    log.info("PDF parts joined: %s", counts)
    return counts


def _document_element(pdf: pikepdf.Pdf) -> pikepdf.Dictionary:
    kids = pdf.Root.StructTreeRoot.K
    return kids[0] if isinstance(kids, pikepdf.Array) else kids


def _next_key(nums: list) -> int:
    keys = [int(k) for k in nums[0::2]]
    return max(keys) + 1 if keys else 0


def _append_structure(pdf: pikepdf.Pdf, src: pikepdf.Pdf, document: pikepdf.Dictionary, nums: list,
                      first: int, offset: int) -> int:
    """Hang ``src``'s structure under ``document``; shift its ParentTree keys by ``offset``; return the next key.

    The pages were copied first, so ``copy_foreign`` points every ``/Pg`` of
    the copied elements at the copied pages.
    """
    if "/StructTreeRoot" not in src.Root:
        return offset
    tree = pdf.copy_foreign(src.Root.StructTreeRoot)
    kids = tree.K if isinstance(tree.K, pikepdf.Array) else [tree.K]
    target = document.K if isinstance(document.K, pikepdf.Array) else pikepdf.Array([document.K])
    for part_document in kids:
        for kid in (part_document.K if isinstance(part_document.K, pikepdf.Array) else [part_document.K]):
            if isinstance(kid, pikepdf.Dictionary):
                kid.P = document
            target.append(kid)
    document.K = target
    _join_ids(pdf, tree, first)
    part_nums = list(tree.ParentTree.Nums)
    for key, value in zip(part_nums[0::2], part_nums[1::2], strict=True):
        nums += [int(key) + offset, value]
    for page in pdf.pages[first:]:
        if "/StructParents" in page.obj:
            page.obj.StructParents = int(page.obj.StructParents) + offset
        for annot in page.obj.get("/Annots", []):
            if "/StructParent" in annot:
                annot.StructParent = int(annot.StructParent) + offset
    return offset + _next_key(part_nums)


def _join_ids(pdf: pikepdf.Pdf, tree: pikepdf.Dictionary, first: int) -> None:
    """Add a part's ``/IDTree`` (notes, header cells) to the joined one.

    WeasyPrint names header cells after their object number, which another
    part may also have used: such an ID is renamed after the part's first
    page, and the cells' ``/Headers`` follow it.
    """
    if "/IDTree" not in tree:
        return
    root = pdf.Root.StructTreeRoot
    old = list(root.IDTree.Names) if "/IDTree" in root else []
    names = {str(k): v for k, v in zip(old[0::2], old[1::2], strict=True)}
    renamed: dict[str, str] = {}
    new = list(tree.IDTree.Names)
    for key, element in zip(new[0::2], new[1::2], strict=True):
        ident = str(key)
        if ident in names:
            renamed[ident] = ident = f"{ident}-{first}"
            element.ID = pikepdf.String(ident)
        names[ident] = element
    if renamed:
        stack = list(tree.K) if isinstance(tree.K, pikepdf.Array) else [tree.K]
        while stack:
            node = stack.pop()
            if not isinstance(node, pikepdf.Dictionary) or "/S" not in node:
                continue
            headers = node.get("/A", {}).get("/Headers") if isinstance(node.get("/A"), pikepdf.Dictionary) else None
            if isinstance(headers, pikepdf.Array):
                node.A.Headers = pikepdf.Array([pikepdf.String(renamed.get(str(h), str(h))) for h in headers])
            kids = node.get("/K")
            stack.extend(kids if isinstance(kids, pikepdf.Array) else [kids])
    flat = pikepdf.Array()
    for ident in sorted(names):
        flat.append(pikepdf.String(ident))
        flat.append(names[ident])
    root.IDTree = pdf.make_indirect(pikepdf.Dictionary(Names=flat))


def _dest_pairs(pdf: pikepdf.Pdf) -> list[tuple[str, pikepdf.Object]]:
    names = pdf.Root.get("/Names")
    dests = names.get("/Dests") if names is not None else None
    if dests is None:
        return []
    out = []
    stack = [dests]
    while stack:  # a flat /Names array (WeasyPrint's) or a tree of /Kids
        node = stack.pop()
        flat = node.get("/Names")
        if flat is not None:
            out += [(str(flat[i]), flat[i + 1]) for i in range(0, len(flat), 2)]
        stack += list(node.get("/Kids", []))
    return out


def _own_dests(pdf: pikepdf.Pdf, anchors: frozenset[str], first: int, src: pikepdf.Pdf | None = None
               ) -> dict[str, pikepdf.Array]:
    """Destinations of the anchors this part holds, pointing at the joined document's pages."""
    found = {}
    source = src if src is not None else pdf
    index = {page.objgen: i for i, page in enumerate(source.pages)}
    for name, dest in _dest_pairs(source):
        if name not in anchors:
            continue  # a stand-in for an anchor another part holds
        array = dest.D if isinstance(dest, pikepdf.Dictionary) else dest
        page = index.get(array[0].objgen)
        if page is None:
            continue
        # [page /XYZ left top zoom]: only the page is an object of the part's file
        found[name] = pikepdf.Array([pdf.pages[first + page].obj, *list(array)[1:]])
    return found


def _write_dests(pdf: pikepdf.Pdf, dests: dict[str, pikepdf.Array]) -> None:
    flat = pikepdf.Array()
    for name in sorted(dests):  # a name tree's keys are sorted
        flat.append(pikepdf.String(name))
        flat.append(dests[name])
    if "/Names" not in pdf.Root:
        pdf.Root.Names = pikepdf.Dictionary()
    pdf.Root.Names.Dests = pdf.make_indirect(pikepdf.Dictionary(Names=flat))


def _outlines(pdf: pikepdf.Pdf, first: int) -> list[_Outline]:
    index = {page.objgen: i for i, page in enumerate(pdf.pages)}

    def convert(item) -> _Outline | None:
        dest = item.destination
        if not isinstance(dest, pikepdf.Array) or dest[0].objgen not in index:
            return None
        x = float(dest[2]) if len(dest) > 2 and dest[2] is not None else 0.0
        y = float(dest[3]) if len(dest) > 3 and dest[3] is not None else 0.0
        children = [c for c in (convert(child) for child in item.children) if c is not None]
        return _Outline(str(item.title), first + index[dest[0].objgen], x, y, item.is_closed, children)

    with pdf.open_outline() as outline:
        return [o for o in (convert(item) for item in outline.root) if o is not None]


def _write_outlines(pdf: pikepdf.Pdf, outlines: list[_Outline]) -> None:
    def make(node: _Outline) -> pikepdf.OutlineItem:
        dest = pikepdf.Array([pdf.pages[node.page].obj, pikepdf.Name.XYZ, node.x, node.y, 0])
        item = pikepdf.OutlineItem(node.title, dest)
        item.is_closed = node.closed
        item.children.extend(make(child) for child in node.children)
        return item

    with pdf.open_outline() as outline:
        outline.root.clear()
        outline.root.extend(make(node) for node in outlines)


def _pad(pdf: pikepdf.Pdf, slot: int, first: int = 0) -> int:
    """Add blank pages after the part that starts at ``first`` until it fills ``slot`` pages."""
    added = 0
    while len(pdf.pages) - first < slot:
        last = pdf.pages[-1].obj
        blank = pikepdf.Dictionary(Type=pikepdf.Name.Page, Resources=pikepdf.Dictionary(),
                                   Contents=pdf.make_stream(b""))
        for key in BOXES:
            if key in last:
                blank[key] = pikepdf.Array(list(last[key]))
        pdf.pages.append(pikepdf.Page(blank))
        added += 1
    if len(pdf.pages) - first > slot:
        raise RuntimeError(f"a part has {len(pdf.pages) - first} pages, more than the {slot} planned for it")
    return added

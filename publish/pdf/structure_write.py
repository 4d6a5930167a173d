"""Write a rebuilt structure tree (:mod:`publish.pdf.structure`) into the PDF: elements, parent tree, IDs.

:func:`rebuild_structure` is the entry point: zip, merge, place the notes, write.

Every structure element is made anew; the written ones are left
unreferenced (and so not saved).  Content on the element's own page
(``/Pg``) is referred to by its MCID, content on another page by a
marked-content reference that names its page — the PDF format's way of
letting one element own content on several pages.  The parent tree maps
every page's MCIDs and every link annotation to the element that owns it.
"""

from __future__ import annotations

import logging

import pikepdf

from publish.pdf.engine.tagging import Skeleton
from publish.pdf.structure import (
    KEEP_COPIED,
    ROLE_MAP,
    Built,
    Mismatch,
    Rebuilder,
    Rebuilt,
    Zipper,
    definition_items,
    item_bodies,
    kids_of,
    walk_built,
)

log = logging.getLogger(__name__)


def write_tree(pdf: pikepdf.Pdf, document: pikepdf.Dictionary, rebuilder: Rebuilder, language: str) -> None:
    """Replace ``document``'s children with the rebuilt tree and write the parent tree and ID tree anew."""
    writer = _Writer(pdf, rebuilder, language)
    document.K = pikepdf.Array([writer.make(kid, document) for kid in rebuilder.root.kids])
    writer.link_references()
    tree = pdf.Root.StructTreeRoot
    writer.parent_tree(tree)
    names = pikepdf.Array()
    for ident in sorted(writer.ids):
        names.append(pikepdf.String(ident))
        names.append(writer.ids[ident])
    if len(names):
        tree.IDTree = pdf.make_indirect(pikepdf.Dictionary(Names=names))
    roles = tree.get("/RoleMap") or pikepdf.Dictionary()
    for custom, standard in ROLE_MAP.items():
        roles[f"/{custom}"] = pikepdf.Name(f"/{standard}")
    tree.RoleMap = roles


class _Writer:
    def __init__(self, pdf: pikepdf.Pdf, rebuilder: Rebuilder, language: str):
        self.pdf, self.rebuilder, self.language = pdf, rebuilder, language
        self.owners: dict[tuple[int, int], pikepdf.Dictionary] = {}
        self.annotations: list[tuple[pikepdf.Dictionary, pikepdf.Dictionary]] = []
        self.ids: dict[str, pikepdf.Dictionary] = {}
        self.made: dict[int, pikepdf.Dictionary] = {}  # id(Built) → its element

    def make(self, built: Built, parent: pikepdf.Dictionary) -> pikepdf.Dictionary:
        element = self.pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem,
                                                            S=pikepdf.Name(f"/{built.tag}"), P=parent))
        self.made[id(built)] = element
        if built.source is not None:
            for key in KEEP_COPIED:
                if key in built.source:
                    element[key] = self.copy_attribute(built.source[key]) if key == "/A" else built.source[key]
        leaves = [kid for kid in built.kids if isinstance(kid, tuple)]
        own_page = next((kid[1] for kid in leaves if kid[0] == "mcr"), None)
        if own_page is None:
            own_page = next((kid[1].get("/Pg") for kid in leaves if kid[0] == "objr"), None)
        if own_page is not None:
            element.Pg = own_page
        kids = pikepdf.Array()
        at = 0
        while at < len(built.kids):
            kid = built.kids[at]
            at += 1
            if isinstance(kid, Built):
                kids.append(self.make(kid, element))
            elif kid[0] == "objr":
                kids.append(kid[1])
                self.annotations.append((kid[1], element))
            elif kid[3].hyphen and at < len(built.kids) and _is_text(built.kids[at]):
                run = [kid]
                while at < len(built.kids) and _is_text(built.kids[at]):
                    run.append(built.kids[at])
                    at += 1
                    if not run[-1][3].hyphen:
                        break
                kids.append(self.hyphenated(run, element))
            else:
                kids.append(self.reference(kid, element, own_page))
        element.K = kids
        self.describe(built, element)
        return element

    def reference(self, kid: tuple, owner: pikepdf.Dictionary, own_page) -> object:
        """An MCID on the owner's page, a marked-content reference naming its page otherwise."""
        _, page, mcid, _leaf = kid
        self.owners[(page.objgen[0], mcid)] = owner
        if own_page is not None and page.objgen == own_page.objgen:
            return mcid
        return pikepdf.Dictionary(Type=pikepdf.Name.MCR, Pg=page, MCID=mcid)

    def hyphenated(self, run: list[tuple], parent: pikepdf.Dictionary) -> pikepdf.Dictionary:
        """Lines joined by a hyphen, as one ``Span`` whose ``/ActualText`` is the text as written.

        The hyphen stays on paper; a screen reader gets the word whole: without
        a hyphen that layout added ("autonomic", not "auto- nomic"), with the
        author's own ("built-up", not "built- up").
        """
        words = "".join(leaf.text[:-1] if leaf.hyphen == "layout" and index < len(run) - 1 else leaf.text
                        for index, (_, _, _, leaf) in enumerate(run))
        span = self.pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.Span,
                                                         P=parent, Pg=run[0][1], ActualText=pikepdf.String(words)))
        span.K = pikepdf.Array([self.reference(kid, span, run[0][1]) for kid in run])
        layout = sum(1 for kid in run[:-1] if kid[3].hyphen == "layout")
        self.rebuilder.result.counts["hyphens"] = self.rebuilder.result.counts.get("hyphens", 0) + layout
        return span

    def copy_attribute(self, value):
        """A copy of ``/A`` with the cells' ``/Headers`` pointing at the first copy of a repeated header."""
        if not isinstance(value, pikepdf.Dictionary):
            return value
        copy = pikepdf.Dictionary({key: value[key] for key in value.keys()})
        headers = value.get("/Headers")
        if isinstance(headers, pikepdf.Array):
            mapping = self.rebuilder.header_ids
            copy.Headers = pikepdf.Array([pikepdf.String(mapping.get(str(h), str(h))) for h in headers])
        return copy

    def describe(self, built: Built, element: pikepdf.Dictionary) -> None:
        """The entries that say what an element is: ``/ID``, ``/T``, ``/Lang``, ``/ActualText``."""
        info = self.rebuilder.info(built.element)
        attributes = info.attributes if info is not None else {}
        if built.tag == "Note":
            ident = attributes.get("id") or f"note-{len(self.ids) + 1}"
            while ident in self.ids:
                ident += "-again"
            element.ID = pikepdf.String(ident)
        if built.tag == "PullQuote" and attributes.get("aria-label"):
            element.T = pikepdf.String(attributes["aria-label"])
        if built.tag == "L" and info is not None and info.tag == "dl":  # its labels are terms, not numbers
            element.A = pikepdf.Dictionary(O=pikepdf.Name.List, ListNumbering=pikepdf.Name("/None"))
        if attributes.get("data-actual-text"):  # small caps: the words as written, not as the glyphs map back
            element.ActualText = pikepdf.String(attributes["data-actual-text"])
        if "/ID" in element:
            self.ids[str(element.ID)] = element
        lang = attributes.get("lang")
        if lang and lang != self.inherited(built):
            element.Lang = pikepdf.String(lang)

    def inherited(self, built: Built) -> str:
        info = self.rebuilder.info(built.element)
        key = info.parent if info is not None else None
        for _, ancestor in self.rebuilder.ancestors(key):
            if ancestor.attributes.get("lang"):
                return ancestor.attributes["lang"]
        return self.language

    def link_references(self) -> None:
        """A footnote's call refers to its note (``/Ref``, PDF 2.0's way; a PDF 1.7 reader ignores it)."""
        notes = {}
        for note in self.rebuilder.notes:
            info = self.rebuilder.info(note.element)
            if info is not None and info.attributes.get("id"):
                notes[info.attributes["id"]] = note
        for (element, pseudo), built in self.rebuilder.merged.items():
            if pseudo != "footnote-call":
                continue
            info = self.rebuilder.info(element if isinstance(element, int) else None)
            again = info.attributes.get("data-again") if info is not None else None
            note = notes.get(again) if again else self.rebuilder.merged.get((element, ""))
            if note is not None and id(note) in self.made and id(built) in self.made:
                self.made[id(built)].Ref = pikepdf.Array([self.made[id(note)]])

    def parent_tree(self, tree: pikepdf.Dictionary) -> None:
        nums: dict[int, object] = {}
        by_page: dict[int, dict[int, pikepdf.Dictionary]] = {}
        for (number, mcid), owner in self.owners.items():
            by_page.setdefault(number, {})[mcid] = owner
        for page in self.pdf.pages:
            key = page.obj.get("/StructParents")
            if key is None:
                continue
            mine = by_page.get(page.obj.objgen[0], {})
            size = max(mine, default=-1) + 1
            nums[int(key)] = pikepdf.Array([mine.get(mcid) for mcid in range(size)])
        tagged = set()
        for objr, owner in self.annotations:
            annotation = objr.get("/Obj")
            if annotation is not None and "/StructParent" in annotation:
                nums[int(annotation.StructParent)] = owner
                tagged.add(annotation.objgen)
        for page in self.pdf.pages:  # an annotation left outside the tree (a hidden duplicate's link)
            for annotation in page.obj.get("/Annots", []):
                if "/StructParent" in annotation and annotation.objgen not in tagged:
                    del annotation["/StructParent"]
        flat = pikepdf.Array()
        for key in sorted(nums):
            flat.append(key)
            flat.append(nums[key])
        tree.ParentTree = self.pdf.make_indirect(pikepdf.Dictionary(Nums=flat))
        tree.ParentTreeNextKey = max(nums, default=-1) + 1


def _is_text(kid) -> bool:
    return isinstance(kid, tuple) and kid[0] == "mcr" and kid[3].kind == "text"


def rebuild_structure(pdf: pikepdf.Pdf, skeleton: Skeleton | None, language: str) -> Rebuilt | None:
    """Rebuild ``pdf``'s structure tree from the skeleton; ``None`` (tree untouched) when they disagree."""
    if skeleton is None or "/StructTreeRoot" not in pdf.Root:
        return None
    tree = pdf.Root.StructTreeRoot
    documents = kids_of(tree)
    if len(documents) != 1 or str(documents[0].get("/S")) != "/Document":
        return None
    try:
        zipped = Zipper(pdf, skeleton).pages(documents[0])
    except Mismatch as why:
        log.warning("the PDF's structure tree is kept as WeasyPrint wrote it: %s", why)
        return None
    rebuilder = Rebuilder(pdf, skeleton)
    rebuilder.merge(zipped)
    rebuilder.place_notes()
    item_bodies(rebuilder.root)
    definition_items(rebuilder.root, rebuilder.info)
    write_tree(pdf, documents[0], rebuilder, language)
    result = rebuilder.result
    result.counts["elements"] = sum(1 for _ in walk_built(rebuilder.root)) - 1
    return result

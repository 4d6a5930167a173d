"""Checks of what a listener hears from the PDF's structure tree, beside what PDF/UA validators look at.

A validator is satisfied by a tree that cuts every paragraph at the page
end; a listener is not.  These checks read the tree's logical text
(:mod:`publish.validation.pdf_text`) and compare it with the EPUB's:

* ``v-018``: the tree is sound — every tagged content sequence on a page is
  owned by exactly one element, the parent tree says the same, every
  reference names its page, every link annotation is in the tree, every
  ``/ID`` is in the ID tree;
* ``v-019``: a paragraph, list or table of the EPUB is not one structure
  element (P, L with as many LI, Table with as many rows) in the PDF;
* ``v-020``: a hyphen that layout added is part of the logical text;
* ``v-021``: a footnote of the EPUB is not a ``Note`` in the PDF;
* ``v-022``: an article's logical text differs from the EPUB's reading text
  (same characters in the same order, whitespace, page furniture and
  hidden duplicates aside).
"""

from __future__ import annotations

import zipfile
from itertools import pairwise
from pathlib import Path

import pikepdf
from lxml import etree

from publish.findings import Finding, Location, error
from publish.validation.pdf_text import LAYOUT_HYPHEN, LogicalText

LONG_PARAGRAPH = 12  # words: a paragraph this long must reach the listener in one piece
BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "th", "td", "figcaption", "dt", "dd"}


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _squeeze(text: str) -> str:
    """The text without whitespace, hyphens as U+002D (an author's hyphen at a line end reads back as U+2010)."""
    return "".join(text.split()).replace(LAYOUT_HYPHEN, "-")


def _words(text: str) -> str:
    return " ".join(text.split())



def _term(label: pikepdf.Dictionary) -> bool:
    """A definition list's label is its term, text the EPUB has too; other labels are generated numbers."""
    if str(label.get("/S")) != "/Lbl":
        return False
    item = label.get("/P")
    listing = item.get("/P") if isinstance(item, pikepdf.Dictionary) else None
    attributes = listing.get("/A") if isinstance(listing, pikepdf.Dictionary) else None
    return isinstance(attributes, pikepdf.Dictionary) and str(attributes.get("/ListNumbering")) == "/None"

class Tree:
    """The structure elements in reading order with their parent's tag and their text."""

    def __init__(self, pdf: pikepdf.Pdf):
        self.text = LogicalText(pdf)
        self.elements: list[tuple[pikepdf.Dictionary, str]] = []
        root = pdf.Root.get("/StructTreeRoot")
        stack = [(kid, "") for kid in reversed(_kids(root))] if root is not None else []
        while stack:
            node, parent = stack.pop()
            if isinstance(node, pikepdf.Dictionary) and "/S" in node:
                self.elements.append((node, parent))
                stack.extend((kid, str(node.S)) for kid in reversed(_kids(node)))

    def of(self, *tags: str) -> list[tuple[int, pikepdf.Dictionary]]:
        return [(i, e) for i, (e, _) in enumerate(self.elements) if str(e.S) in tags]

    def words(self, element: pikepdf.Dictionary, skip: tuple[str, ...] = ("/Lbl", "/Note")) -> str:
        pieces = []
        for kid in _kids(element):
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                if str(kid.S) not in skip or _term(kid):
                    pieces.append(self.words(kid, skip))
            else:
                text = self.text.leaf(kid, element.get("/Pg"))
                if text is not None:
                    pieces.append(text)
        if "/ActualText" in element:
            return str(element.ActualText)
        return _words(" ".join(pieces))


def _kids(element) -> list:
    kids = element.get("/K") if element is not None else None
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def soundness(pdf: pikepdf.Pdf, tree: Tree) -> list[str]:
    """Problems with the parent tree and the references of the structure tree (v-018)."""
    problems: list[str] = []
    owned: dict[tuple[int, int], list[pikepdf.Dictionary]] = {}
    for element, _ in tree.elements:
        page = element.get("/Pg")
        for kid in _kids(element):
            if isinstance(kid, int):
                if page is None:
                    problems.append(f"{element.S} refers to MCID {kid} without a page (/Pg)")
                    continue
                owned.setdefault((page.objgen[0], int(kid)), []).append(element)
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                where = kid.get("/Pg", page)
                if where is None:
                    problems.append(f"{element.S} has a marked-content reference without a page")
                    continue
                owned.setdefault((where.objgen[0], int(kid.MCID)), []).append(element)
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR":
                annotation = kid.get("/Obj")
                if annotation is None:
                    problems.append(f"{element.S} refers to a missing annotation")
            elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid and kid.get("/P") is not None \
                    and kid.P.objgen != element.objgen:
                problems.append(f"{kid.S} names another parent (/P) than the element that holds it")
    names = pdf.Root.StructTreeRoot.get("/IDTree", pikepdf.Dictionary()).get("/Names", pikepdf.Array())
    listed = {str(names[i]): names[i + 1] for i in range(0, len(names) - 1, 2)}
    for element, _ in tree.elements:
        if "/ID" in element and (str(element.ID) not in listed or listed[str(element.ID)].objgen != element.objgen):
            problems.append(f"{element.S} {element.ID} is not listed under its ID in the ID tree")
    nums = pdf.Root.StructTreeRoot.get("/ParentTree", pikepdf.Dictionary()).get("/Nums", pikepdf.Array())
    parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums) - 1, 2)}
    for number, page in enumerate(pdf.pages, start=1):
        drawn = [m for m in _page_mcids(page)]
        array = parents.get(int(page.obj.get("/StructParents", -1)))
        for mcid in drawn:
            owners = owned.get((page.obj.objgen[0], mcid), [])
            if len(owners) != 1:
                problems.append(f"page {number} MCID {mcid} belongs to {len(owners)} structure elements")
            elif not isinstance(array, pikepdf.Array) or mcid >= len(array) or array[mcid] is None \
                    or array[mcid].objgen != owners[0].objgen:
                problems.append(f"page {number} MCID {mcid}: the parent tree names another element")
        for annotation in page.obj.get("/Annots", []):
            if annotation.get("/Subtype") == "/Link":
                owner = parents.get(int(annotation.get("/StructParent", -1)))
                if not isinstance(owner, pikepdf.Dictionary) or str(owner.get("/S")) != "/Link":
                    problems.append(f"page {number}: a link annotation is not owned by a Link element")
    return problems


def _page_mcids(page: pikepdf.Page) -> list[int]:
    found = []
    for operands, operator in pikepdf.parse_content_stream(page):
        if str(operator) == "BDC" and len(operands) == 2 and isinstance(operands[1], pikepdf.Dictionary) \
                and "/MCID" in operands[1]:
            found.append(int(operands[1].MCID))
    return found


def layout_hyphens(tree: Tree, written: str | None = None) -> list[str]:
    """Line ends in the logical text with a hyphen that layout added (v-020).

    WeasyPrint's hyphen and the author's share a glyph and so read back the
    same; with the EPUB's text (``written``, whitespace removed) a line
    ending "auto-" before "nomic" is a layout hyphen when the EPUB has
    "autonomic" and not "auto-nomic".  Without the EPUB nothing is found.
    """
    found = []
    lines: list[str] = []
    for element, parent in tree.elements:
        if not parent:  # the tree's top: its pieces are the whole logical text in order
            lines += tree.text.pieces(element)
    for this, following in pairwise(lines):
        end = this.rstrip()
        if not end.endswith(("-", LAYOUT_HYPHEN)) or not following.strip():
            continue
        head = end.split()[-1][:-1] if end.split() else ""
        tail = following.split()[0]
        if written is not None and head and _squeeze(head + tail) in written \
                and _squeeze(f"{head}-{tail}") not in written:
            found.append(f"{head}-{tail}")
    return found


# -- the EPUB's reading text, article by article

class EpubArticle:
    """One article of the EPUB as a listener reads it: blocks, lists, tables, notes and the running text."""

    def __init__(self, section: etree._Element):
        self.blocks: list[str] = []
        self.paragraphs: list[str] = []
        self.lists: list[list[str]] = []
        self.tables: list[tuple[int, str]] = []
        self.notes: list[str] = []
        self.title = ""
        self.running: list[str] = []
        self._walk(section, hidden=False, in_notes=False)
        self.text = _squeeze("".join(self.running))

    def _walk(self, element: etree._Element, hidden: bool, in_notes: bool) -> None:
        tag = _local(element.tag)
        hidden = hidden or element.get("aria-hidden") == "true" or element.get("role") == "doc-backlink"
        notes_here = "endnotes" in (element.get("{http://www.idpf.org/2007/ops}type") or "").split() \
            or element.get("role") in ("doc-endnotes", "doc-footnotes")
        if hidden:
            self._tail(element, hidden=False, in_notes=in_notes)
            return
        if notes_here:
            for item in element.iter():
                if _local(item.tag) == "li" and item.get("id"):
                    self.notes.append(_words(self._text(item)))
            self._tail(element, hidden=False, in_notes=in_notes)
            return
        if tag == "h1" and not self.title:
            self.title = _words(self._text(element))
        if tag in ("ul", "ol"):
            self.lists.append([_words(self._text(li)) for li in element if _local(li.tag) == "li"])
        if tag == "table":
            self.tables.append((sum(1 for row in element.iter() if _local(row.tag) == "tr"),
                                _squeeze(self._text(element))))
        if tag == "p" and len(self._text(element).split()) >= LONG_PARAGRAPH:
            self.paragraphs.append(_words(self._text(element)))
        if not in_notes:
            self.running.append(element.text or "")
        for child in element:
            self._walk(child, hidden=False, in_notes=in_notes)
        self._tail(element, hidden=False, in_notes=in_notes)

    def _tail(self, element, hidden: bool, in_notes: bool) -> None:
        if not hidden and not in_notes and element.tail and _local(element.getparent().tag) != "html":
            self.running.append(element.tail)

    def _text(self, element: etree._Element) -> str:
        out = [element.text or ""]
        for child in element:
            if child.get("aria-hidden") != "true" and child.get("role") != "doc-backlink":
                out.append(self._text(child))
            out.append(child.tail or "")
        return "".join(out)


def epub_articles(epub: Path) -> list[EpubArticle]:
    """The articles of an EPUB in spine order (documents with a ``section.chapter``)."""
    articles = []
    with zipfile.ZipFile(epub) as archive:
        container = etree.fromstring(archive.read("META-INF/container.xml"))
        opf_path = next(e.get("full-path") for e in container.iter() if _local(e.tag) == "rootfile")
        opf = etree.fromstring(archive.read(opf_path))
        base = opf_path.rsplit("/", 1)[0] + "/" if "/" in opf_path else ""
        items = {e.get("id"): e.get("href") for e in opf.iter() if _local(e.tag) == "item"}
        for ref in (e for e in opf.iter() if _local(e.tag) == "itemref"):
            href = items.get(ref.get("idref"))
            if not href or not href.endswith(".xhtml"):
                continue
            document = etree.fromstring(archive.read(base + href))
            for section in document.iter("{http://www.w3.org/1999/xhtml}section"):
                if "chapter" in (section.get("class") or "").split():
                    articles.append(EpubArticle(section))
                    break
    return articles


def compare_with_epub(tree: Tree, articles: list[EpubArticle]) -> list[tuple[str, str]]:
    """(code, problem) for every EPUB paragraph, list, table, note or article the PDF does not give whole."""
    problems: list[tuple[str, str]] = []
    paragraphs: dict[str, list[int]] = {}
    for index, element in tree.of("/P"):
        paragraphs.setdefault(_squeeze(tree.words(element)), []).append(index)
    lists = [[_squeeze(tree.words(kid)) for kid in _kids(element)
              if isinstance(kid, pikepdf.Dictionary) and str(kid.get("/S")) == "/LI"] for _, element in tree.of("/L")]
    tables = [(sum(1 for e, _ in _rows(tree, element)), _squeeze(tree.words(element, ("/Note",))))
              for _, element in tree.of("/Table")]
    # A note's list items are printed on their own lines after a bullet (publish/pdf/print_html.py).
    notes = {_squeeze(tree.words(element)).replace("•", "") for _, element in tree.of("/Note")}
    sections = {tree.words(heading): parent for heading, parent in _headed_sections(tree)}
    last = -1
    for article in articles:
        for paragraph in article.paragraphs:
            found = [i for i in paragraphs.get(_squeeze(paragraph), []) if i > last]
            if not found:
                problems.append(("v-019", f"the paragraph '{_clip(paragraph)}' is not one P with its words in order"))
            else:
                last = found[0]
        for items in article.lists:
            if [_squeeze(item) for item in items] not in lists:
                first = _clip(items[0] if items else "")
                problems.append(("v-019", f"the list of {len(items)} items beginning '{first}' is not one L with "
                                 f"{len(items)} LI"))
        for rows, text in article.tables:
            if (rows, text) not in tables:
                problems.append(("v-019", f"a table of {rows} rows is not one Table with its rows and words"))
        for note in article.notes:
            if not any(_squeeze(note) in text for text in notes):
                problems.append(("v-021", f"the footnote '{_clip(note)}' is not a Note in the PDF"))
        section = sections.get(article.title)
        if section is None:
            problems.append(("v-022", f"the article '{article.title}' has no section with its heading in the PDF"))
            continue
        printed = _squeeze(tree.words(section))
        if printed != article.text:
            at = next((i for i, (a, b) in enumerate(zip(printed, article.text, strict=False)) if a != b),
                      min(len(printed), len(article.text)))
            problems.append(("v-022", f"the article '{article.title}' reads differently from the EPUB after "
                             f"'…{article.text[max(0, at - 30):at]}': the PDF has '{printed[at:at + 20]}…', the EPUB "
                             f"'{article.text[at:at + 20]}…'"))
    return problems


def _rows(tree: Tree, table: pikepdf.Dictionary):
    stack = list(_kids(table))
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Dictionary) and "/S" in node:
            if str(node.S) == "/TR":
                yield node, table
            else:
                stack.extend(_kids(node))


def _headed_sections(tree: Tree):
    """(first H1, the Sect that holds it) for every article in the tree."""
    for element, _ in tree.elements:
        if str(element.S) != "/Sect":
            continue
        stack = list(reversed(_kids(element)))
        while stack:
            node = stack.pop()
            if not (isinstance(node, pikepdf.Dictionary) and "/S" in node) or str(node.S) == "/Sect":
                continue
            if str(node.S) == "/H1":
                yield node, element
                break
            stack.extend(reversed(_kids(node)))


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def check_logic(pdf: pikepdf.Pdf, where: Location, epub: Path | None = None) -> tuple[list[Finding], list[str]]:
    """The checks above on an open tagged PDF (and the EPUB built with it, when there is one)."""
    tree = Tree(pdf)
    findings: list[Finding] = []
    notes: list[str] = []
    broken = soundness(pdf, tree)
    if broken:
        findings.append(error("v-018", f"the structure tree is not sound: {len(broken)} problems, first: "
                              f"{'; '.join(broken[:3])}", where, "publish.pdf.structure rebuilds the tree"))
    else:
        notes.append("structure tree sound: every tagged content sequence has one owner in the parent tree")
    articles = epub_articles(epub) if epub is not None and epub.is_file() else None
    hyphens = layout_hyphens(tree, "".join(a.text + _squeeze("".join(a.notes)) for a in articles)
                             if articles is not None else None)
    if hyphens:
        findings.append(error("v-020", f"{len(hyphens)} hyphens added by layout are in the logical text, e.g. "
                              f"'{hyphens[0]}'", where, "a screen reader would read the word in two pieces"))
    else:
        notes.append("no hyphen added by layout in the logical text")
    if articles is not None:
        problems = compare_with_epub(tree, articles)
        for code, problem in problems[:20]:
            findings.append(error(code, problem, where))
        if not problems:
            notes.append("every EPUB paragraph, list, table and note is one structure element with the same words")
    return findings, notes

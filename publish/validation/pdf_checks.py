"""Our own checks of the tagged PDF (veraPDF is not available here), read with pikepdf.

They test what PDF/UA-1 and the issue ask and what a screen-reader user
notices: the document language and title, tagging, bookmarks, that page
furniture (running heads, folios) is not in the structure tree, that lists
are ``L``/``LI``, figures carry ``/Alt`` and links a ``/Contents`` that says
where they go.  Each problem is a finding with a ``v-01x`` code.
"""

from __future__ import annotations

from pathlib import Path

import pikepdf

from publish.findings import Finding, Location, error
from publish.validation.pdf_logic import check_logic

LIST_TAGS = {"/L", "/LI", "/Lbl", "/LBody"}


def walk_structure(pdf: pikepdf.Pdf):
    """Yield (element, parent tag) for every structure element reachable from the root."""
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return
    stack = [(root.get("/K"), "/StructTreeRoot")]
    while stack:
        node, parent = stack.pop()
        if node is None:
            continue
        if isinstance(node, pikepdf.Array):
            stack.extend((child, parent) for child in reversed(list(node)))
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
            yield node, parent
            stack.append((node.get("/K"), str(node.S)))


def reachable_mcids(pdf: pikepdf.Pdf) -> set[tuple[int, int]]:
    """(page object number, MCID) of every marked-content reference in the structure tree."""
    found = set()
    for element, _ in walk_structure(pdf):
        page = element.get("/Pg")
        kids = element.get("/K")
        kids = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
        for kid in kids:
            if isinstance(kid, int) and page is not None:
                found.add((page.objgen[0], int(kid)))
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                pg = kid.get("/Pg", page)
                found.add((pg.objgen[0], int(kid.MCID)))
    return found


def page_mcids(page: pikepdf.Page) -> list[int]:
    """MCIDs of the marked-content sequences drawn on a page, in order."""
    found = []
    for operands, operator in pikepdf.parse_content_stream(page):
        if str(operator) == "BDC" and len(operands) == 2 and isinstance(operands[1], pikepdf.Dictionary):
            if "/MCID" in operands[1]:
                found.append(int(operands[1].MCID))
    return found


def _outline_titles(pdf: pikepdf.Pdf) -> list[str]:
    titles: list[str] = []
    with pdf.open_outline() as outline:
        stack = list(outline.root)
        while stack:
            item = stack.pop(0)
            titles.append(item.title)
            stack[:0] = list(item.children)
    return titles


def check_pdf(path: Path, epub: Path | None = None) -> tuple[list[Finding], list[str]]:
    """All PDF checks; returns findings and the notes on what passed (for the report).

    With ``epub`` (the EPUB built from the same source), the PDF's logical
    text is compared with the EPUB's (:mod:`publish.validation.pdf_logic`).
    """
    where = Location(path.name)
    findings: list[Finding] = []
    notes: list[str] = []
    with pikepdf.open(path) as pdf:
        root = pdf.Root
        lang = str(root.get("/Lang", ""))
        if not lang:
            findings.append(error("v-010", "the PDF has no document language (/Lang)", where))
        else:
            notes.append(f"document language {lang}")
        prefs = root.get("/ViewerPreferences")
        if prefs is None or not bool(prefs.get("/DisplayDocTitle", False)):
            findings.append(error("v-011", "the PDF viewer is not told to show the title (DisplayDocTitle)",
                                  where))
        title = str(pdf.docinfo.get("/Title", "")) if pdf.docinfo else ""
        if not title:
            findings.append(error("v-011", "the PDF has no title", where))
        else:
            notes.append(f"title shown: {title}")
        marked = root.get("/MarkInfo")
        if marked is None or not bool(marked.get("/Marked", False)) or "/StructTreeRoot" not in root:
            findings.append(error("v-012", "the PDF is not tagged (MarkInfo/StructTreeRoot)", where))
            return findings, notes
        with pdf.open_metadata() as xmp:
            part = xmp.get("pdfuaid:part")
        if part != "1":
            findings.append(error("v-012", "the PDF does not declare PDF/UA-1 (pdfuaid:part)", where))
        else:
            notes.append("declares PDF/UA-1")
        titles = _outline_titles(pdf)
        if not titles:
            findings.append(error("v-013", "the PDF has no bookmarks", where))
        else:
            notes.append(f"{len(titles)} bookmarks")
        findings += _check_furniture(pdf, where, notes)
        findings += _check_elements(pdf, where, notes)
        logic, said = check_logic(pdf, where, epub)
        findings += logic
        notes += said
    return findings, notes


def _check_furniture(pdf: pikepdf.Pdf, where: Location, notes: list[str]) -> list[Finding]:
    """Every tagged piece of content must be reachable; running heads and folios are artifacts."""
    reachable = reachable_mcids(pdf)
    detached = []
    for number, page in enumerate(pdf.pages, start=1):
        for mcid in page_mcids(page):
            if (page.obj.objgen[0], mcid) not in reachable:
                detached.append(f"page {number} MCID {mcid}")
    if detached:
        return [error("v-014", f"{len(detached)} tagged content sequences are outside the structure tree "
                      f"(page furniture should be /Artifact): {', '.join(detached[:5])}", where,
                      "publish.pdf.tags marks running heads and folios as artifacts")]
    notes.append("no content outside the structure tree; running heads and folios are artifacts")
    return []


def _check_elements(pdf: pikepdf.Pdf, where: Location, notes: list[str]) -> list[Finding]:
    findings: list[Finding] = []
    figures = lists = items = 0
    for element, parent in walk_structure(pdf):
        tag = str(element.S)
        if tag == "/Figure":
            figures += 1
            if not str(element.get("/Alt", "")).strip():
                findings.append(error("v-016", "a figure in the PDF has no /Alt text", where))
        elif tag == "/L":
            lists += 1
        elif tag == "/LI":
            items += 1
            if parent != "/L":
                findings.append(error("v-015", f"a list item (LI) sits in {parent}, not in L", where))
        elif tag in ("/LBody", "/Lbl") and parent != "/LI":
            findings.append(error("v-015", f"{tag[1:]} sits in {parent}, not in LI", where))
    notes.append(f"{lists} lists with {items} items tagged L/LI; {figures} figures, all with /Alt"
                 if not findings else f"{lists} lists, {figures} figures")
    links = described = 0
    for page in pdf.pages:
        for annot in page.obj.get("/Annots", []):
            if annot.get("/Subtype") != "/Link":
                continue
            links += 1
            contents = str(annot.get("/Contents", "")).strip()
            if " " in contents:  # words, not a bare id or URL as WeasyPrint leaves it
                described += 1
    if links != described:
        findings.append(error("v-017", f"{links - described} of {links} links have no /Contents that "
                              "describes them", where))
    else:
        notes.append(f"{links} links, each described in /Contents")
    return findings


STRUCTURE_CODES = frozenset({"v-012", "v-018", "v-019", "v-020", "v-021", "v-022"})


def structure_findings(path: Path, epub: Path) -> list[Finding]:
    """Only the checks of the PDF's logical structure against the EPUB (what the claim waits for)."""
    with pikepdf.open(path) as pdf:
        if "/StructTreeRoot" not in pdf.Root:
            return [error("v-012", "the PDF is not tagged (MarkInfo/StructTreeRoot)", Location(path.name))]
        findings, _ = check_logic(pdf, Location(path.name), epub)
    return findings


def claim_blockers(findings: list[Finding]) -> list[str]:
    """The PDF structure problems that withhold the conformance claim (for ``conformance_problems``)."""
    return [f.message for f in findings if f.code in STRUCTURE_CODES]

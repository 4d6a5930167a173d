"""The accessibility report: one HTML page in ``dist/`` that a person can read.

Validators answer "is anything wrong that a machine can see?".  The report
puts their answers next to what the EPUB claims about itself (its
accessibility metadata) and lists what no machine can judge and a person
must still review: whether each alt text says what the image shows, whether
the reading order makes sense, whether the summary is true.  The page is
itself accessible (language, headings, lists, a table with headers).
"""

from __future__ import annotations

import dataclasses
import zipfile
from pathlib import Path

from lxml import etree
from lxml.builder import E

from publish.model import Book
from publish.validation.validators import ToolRun

OPF_NS = {"opf": "http://www.idpf.org/2007/opf"}
CSS = """body{font-family:sans-serif;max-width:48em;margin:2em auto;padding:0 1em;line-height:1.5;color:#1a1a1a;
background:#fff}h1,h2{line-height:1.2}.pass{color:#1d5e20}.fail{color:#9b1c1c}.not-run{color:#6b4a00}
table{border-collapse:collapse}th,td{border:1px solid #767676;padding:.25em .5em;text-align:left;
vertical-align:top}code{font-size:.95em}"""


def claimed_metadata(epub: Path) -> list[tuple[str, str]]:
    """(property, value) of the accessibility and conformance metadata in the EPUB's package."""
    with zipfile.ZipFile(epub) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".opf"))
        opf = etree.fromstring(zf.read(name), etree.XMLParser(resolve_entities=False, no_network=True))
    rows = []
    for meta in opf.xpath("//opf:metadata/opf:meta[@property]", namespaces=OPF_NS):
        prop = meta.get("property")
        if prop.startswith(("schema:", "a11y:", "dcterms:conformsTo", "pageBreakSource")):
            rows.append((prop, (meta.text or "").strip()))
    for link in opf.xpath("//opf:metadata/opf:link[@rel]", namespaces=OPF_NS):
        if link.get("rel", "").startswith(("dcterms:conformsTo", "a11y:")):
            rows.append((link.get("rel"), link.get("href", "")))
    return rows


def _status_text(status: str) -> etree._Element:
    words = {"pass": "passed", "fail": "failed", "not run": "did not run"}
    return E.strong({"class": status.replace(" ", "-")}, words.get(status, status))


def _review_items(book: Book, page_count: int) -> list[etree._Element]:
    """What a person must still check, with the specifics of this book."""
    items = []
    images = [(ch.source, img) for ch in book.chapters for img in ch.images]
    if images:
        alts = E.ul(*[E.li(E.code(img.href), f" ({source}): ",
                           "decorative, hidden from screen readers" if img.decorative else f"“{img.alt}”")
                      for source, img in images])
        items.append(E.li("Alt text quality: does each description say what the image shows and why it is "
                          "there? ", alts))
    else:
        items.append(E.li("Alt text: the articles have no images; the cover's alt text is “"
                          f"{_cover_alt(book)}”."))
    items.append(E.li("Reading order: read each article with a screen reader (or the EPUB's text view) and "
                      "check that pull quotes, notes and figures come where a listener expects them."))
    quotes = sum(ch.pullquotes for ch in book.chapters)
    if quotes:
        items.append(E.li(f"Pull quotes ({quotes}): the build exposes a quote with words of its own and hides "
                          "one that repeats the text; check that this matches the author's intent."))
    items.append(E.li("Language: passages in another language should be marked (e.g. "
                      "[texte]{lang=fr}); the build cannot detect unmarked ones."))
    items.append(E.li("The accessibility summary (in the metadata above) should be true of this book; "
                      "override it in book.yaml (accessibility.summary) if it is not."))
    if page_count:
        items.append(E.li(f"Page-list: {page_count} print pages are linked from the EPUB; spot-check a few "
                          "against the PDF."))
    items.append(E.li("Colour: every colour in the stylesheets is checked for 4.5:1 contrast; a cover image "
                      "or figure with text in it must be checked by eye."))
    return items


def _cover_alt(book: Book) -> str:
    from publish.render.cover import cover_image

    return cover_image(book).alt


def release_blockers(book: Book, findings: list) -> list[str]:
    """What a release must not carry: every error and warning, and each reason the EPUB makes no claim."""
    from publish.findings import Severity
    from publish.render.accessibility import conformance_problems

    said = [str(f) for f in findings if f.severity in (Severity.ERROR, Severity.WARNING)]
    return said + [f"no conformance claim: {problem}" for problem in conformance_problems(book)]


def write_report(book: Book, runs: list[ToolRun], epub: Path | None, pdf: Path | None, target: Path,
                 page_count: int = 0, blockers: list[str] | None = None) -> Path:
    """Write the report to ``target`` (HTML) and return it; ``blockers``: what stops a release (None: unknown)."""
    overall = "fail" if any(r.status != "pass" for r in runs) else "pass"
    title = f"Accessibility report: {book.metadata.title}"
    body = E.body(E.h1(title))
    files = [p.name for p in (epub, pdf) if p is not None]
    body.append(E.p("Files checked: ", ", ".join(files) or "none", ". Validators: ", _status_text(overall), "."))
    if blockers is not None:
        body.append(E.h2("Release"))
        if blockers or overall != "pass":
            body.append(E.p(_status_text("fail"), " — not ready for a release. What still blocks it:"))
            body.append(E.ul(*[E.li(E.code(text)) for text in blockers],
                             *[E.li(f"{run.name} did not pass") for run in runs if run.status != "pass"]))
        else:
            body.append(E.p(_status_text("pass"), " — nothing blocks a release: no error, no warning, no "
                            "placeholder, and the EPUB carries its conformance claim."))
    body.append(E.h2("Validators"))
    for run in runs:
        section = E.section(E.h3(run.name, ": ", _status_text(run.status)))
        if run.notes:
            section.append(E.ul(*[E.li(note) for note in run.notes]))
        if run.findings:
            section.append(E.ul(*[E.li(E.code(str(f))) for f in run.findings]))
        body.append(section)
    if epub is not None:
        body.append(E.h2("What the EPUB claims"))
        rows = claimed_metadata(epub)
        body.append(E.table(E.caption("Accessibility metadata in the package document"),
                            E.thead(E.tr(E.th({"scope": "col"}, "property"), E.th({"scope": "col"}, "value"))),
                            E.tbody(*[E.tr(E.td(E.code(p)), E.td(v)) for p, v in rows])))
        if not any(p == "dcterms:conformsTo" for p, _ in rows):
            from publish.render.accessibility import conformance_problems

            body.append(E.p("No conformance claim, because:"))
            body.append(E.ul(*[E.li(problem) for problem in conformance_problems(book)]
                             or [E.li("the build's own checks found a problem (see the findings)")]))
    body.append(E.h2("What a person must still review"))
    body.append(E.ul(*_review_items(book, page_count)))
    html = E.html({"lang": "en"}, E.head(E.meta(charset="utf-8"), E.title(title), E.style(CSS)), body)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(etree.tostring(html, encoding="utf-8", method="html", doctype="<!DOCTYPE html>"))
    return target


def page_list_size(epub: Path) -> int:
    """Entries in the EPUB's page-list nav (0 when there is none)."""
    with zipfile.ZipFile(epub) as zf:
        name = next((n for n in zf.namelist() if n.endswith("nav.xhtml")), None)
        if name is None:
            return 0
        nav = etree.fromstring(zf.read(name), etree.XMLParser(resolve_entities=False, no_network=True))
    return len(nav.xpath("//*[local-name()='nav'][@*[local-name()='type']='page-list']//*[local-name()='a']"))


def check_files(book: Book, epub: Path, pdf: Path, out_dir: Path, findings: list | None = None
                ) -> tuple[list, Path]:
    """Run every validator on the built files and write ``<slug>-accessibility.html`` beside them.

    ``findings``: the build's own, so the report can say what still blocks a release.
    """
    from publish.validation.validators import validate

    runs = validate(epub, pdf)
    # the validators name places inside the built files (book.epub/EPUB/ch01.xhtml): they lie in out_dir
    found = [dataclasses.replace(f, location=dataclasses.replace(f.location, root=str(out_dir)))
             if f.location is not None and f.location.root is None else f for run in runs for f in run.findings]
    target = out_dir / f"{book.slug}-accessibility.html"
    write_report(book, runs, epub, pdf, target, page_list_size(epub), release_blockers(book, [*(findings or []),
                                                                                               *found]))
    return found, target

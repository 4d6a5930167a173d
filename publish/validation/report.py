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

from publish.i18n import Strings, strings
from publish.model import Book
from publish.validation.plain import blockers, image_list, metadata_sentences, pull_quotes
from publish.validation.validators import NAMES, ToolRun

OPF_NS = {"opf": "http://www.idpf.org/2007/opf"}
# Readable on a phone (no sideways scroll: long codes and paths wrap) and in a dark colour scheme.
CSS = """:root{color-scheme:light dark}body{font-family:system-ui,sans-serif;max-width:42em;margin:0 auto;
padding:1rem;line-height:1.5;color:#1a1a1a;background:#fff;overflow-wrap:anywhere}h1,h2,h3{line-height:1.25}
.verdict{border-left:.4em solid #767676;padding:.25em 1em;margin:1em 0}.verdict.ready{border-color:#1d5e20}
.verdict.not-ready{border-color:#9b1c1c}.pass{color:#1d5e20}.fail{color:#9b1c1c}.not-run{color:#6b4a00}
.where,.fix{display:block;font-size:.95em}li{margin:.35em 0}blockquote{margin:.25em 0 .25em 1em}
.scroll{overflow-x:auto}table{border-collapse:collapse}th,td{border:1px solid #767676;padding:.25em .5em;
text-align:left;vertical-align:top}code{font-size:.95em}
@media (prefers-color-scheme:dark){body{color:#eaeaea;background:#121212}.pass{color:#7fd18b}
.fail{color:#ff9b9b}.not-run{color:#f0c36b}}"""
VIEWPORT = "width=device-width, initial-scale=1"
CHECK_NAMES = {"EPUBCheck": "report.check_epubcheck", "Ace by DAISY": "report.check_ace",
               "PDF checks (pikepdf)": "report.check_pdf", NAMES: "report.check_names"}


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


def _status_text(status: str, words: Strings) -> etree._Element:
    key = {"pass": "report.passed", "fail": "report.failed", "not run": "report.not_run"}.get(status)
    return E.strong({"class": status.replace(" ", "-")}, words(key) if key else status)


def _review_items(book: Book, page_count: int, words: Strings) -> list[etree._Element]:
    """What a person must still check, with the specifics of this book."""
    items = []
    images = image_list(book)
    if images:
        alts = E.ul(*[E.li(E.code(href), f" ({source}): ", f"“{alt}”" if alt else words("report.review_alt_decorative"))
                      for href, source, alt in images])
        items.append(E.li(words("report.review_alt"), " ", alts))
    else:
        items.append(E.li(words("report.review_no_images", alt=_cover_alt(book))))
    items.append(E.li(words("report.review_order")))
    if any(ch.pullquotes for ch in book.chapters):
        items.append(E.li(words("report.review_pull_quotes")))
    items.append(E.li(words("report.review_language")))
    items.append(E.li(words("report.review_summary")))
    if page_count:
        items.append(E.li(words("report.review_pages", count=page_count)))
    items.append(E.li(words("report.review_colour")))
    return items


def _cover_alt(book: Book) -> str:
    from publish.render.cover import cover_image

    return cover_image(book).alt


def _verdict(book: Book, runs: list[ToolRun], findings: list | None, words: Strings) -> etree._Element:
    """The first thing on the page: ready or not, and what to fix, in plain words."""
    if findings is None:
        return E.section({"class": "verdict"}, E.h2(words("report.unknown")), E.p(words("report.unknown_why")))
    found = blockers(book, findings, words)
    failed = [run for run in runs if run.status != "pass"]
    if not found and not failed:
        return E.section({"class": "verdict ready"}, E.h2(words("report.ready")), E.p(words("report.ready_why")))
    items = []
    for blocker in found:
        item = E.li(blocker.what)
        if blocker.where:
            item.append(E.span({"class": "where"}, words("report.where", place=blocker.where)))
        if blocker.fix:
            item.append(E.span({"class": "fix"}, words("report.fix", hint=blocker.fix)))
        items.append(item)
    items += [E.li(words("report.validator_failed", name=run.name)) for run in failed]
    return E.section({"class": "verdict not-ready"}, E.h2(words("report.not_ready")),
                     E.p(words("report.not_ready_why")), E.ol(*items))


def _checks(runs: list[ToolRun], files: list[str], words: Strings) -> list[etree._Element]:
    items = [E.li(words(CHECK_NAMES[run.name]) if run.name in CHECK_NAMES else run.name, ": ",
                  _status_text(run.status, words)) for run in runs]
    return [E.h2(words("report.checks")), E.p(words("report.files", files=", ".join(files) or words(
        "report.no_files"))), E.ul(*items)]


def _pull_quotes(book: Book, words: Strings) -> list[etree._Element]:
    quotes = pull_quotes(book)
    if not quotes:
        return []
    several = len(book.chapters) > 1
    items = [E.li(E.strong(words("report.pull_quote_announced" if quote.announced else "report.pull_quote_hidden")),
                  *([" ", words("report.pull_quote_in", article=quote.article)] if several else []),
                  E.blockquote(quote.text)) for quote in quotes]
    return [E.h2(words("report.pull_quotes")), E.p(words("report.pull_quotes_intro")), E.ul(*items)]


def _technical(runs: list[ToolRun], rows: list[tuple[str, str]], words: Strings) -> etree._Element:
    """The validators' own notes and messages and the raw metadata, folded away for those who need them."""
    details = E.details(E.summary(words("report.technical")))
    for run in runs:
        section = E.section(E.h3(run.name, ": ", _status_text(run.status, words)))
        if run.notes:
            section.append(E.ul(*[E.li(note) for note in run.notes]))
        if run.findings:
            section.append(E.p(words("report.technical_findings", name=run.name)))
            section.append(E.ul(*[E.li(E.code(str(f))) for f in run.findings]))
        details.append(section)
    if rows:
        details.append(E.div({"class": "scroll"}, E.table(
            E.caption(words("report.metadata_table")),
            E.thead(E.tr(E.th({"scope": "col"}, words("report.property")),
                         E.th({"scope": "col"}, words("report.value")))),
            E.tbody(*[E.tr(E.td(E.code(p)), E.td(v)) for p, v in rows]))))
    return details


def write_report(book: Book, runs: list[ToolRun], epub: Path | None, pdf: Path | None, target: Path,
                 page_count: int = 0, findings: list | None = None) -> Path:
    """Write the report to ``target`` (HTML) and return it.

    ``findings``: the build's and the validators' findings, from which the
    verdict says what blocks a release (None: not known, the verdict says so).
    """
    words = strings(book.metadata.language)
    title = words("report.title", title=book.metadata.title)
    body = E.body(E.h1(title), _verdict(book, runs, findings, words))
    body.extend(_checks(runs, [p.name for p in (epub, pdf) if p is not None], words))
    body.extend(_pull_quotes(book, words))
    rows = claimed_metadata(epub) if epub is not None else []
    if epub is not None:
        body.append(E.h2(words("report.claims")))
        body.append(E.ul(*[E.li(sentence) for sentence in metadata_sentences(rows, words)]))
    body.append(E.h2(words("report.review")))
    body.append(E.ul(*_review_items(book, page_count, words)))
    body.append(_technical(runs, rows, words))
    head = E.head(E.meta(charset="utf-8"), E.meta(name="viewport", content=VIEWPORT), E.title(title), E.style(CSS))
    html = E.html({"lang": book.metadata.language}, head, body)
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
    write_report(book, runs, epub, pdf, target, page_list_size(epub), [*(findings or []), *found])
    return found, target

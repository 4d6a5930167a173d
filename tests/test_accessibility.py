"""Accessibility of the real book and of small test books: validators, PDF tags, report.

The real book is built once (``built``) and checked once (``checked``: EPUBCheck,
Ace by DAISY and the PDF checks through ``publish check``); Ace runs on at most
one small book besides.
"""

from __future__ import annotations

import dataclasses
import re
import shutil

import pikepdf
import pytest
from conftest import IN_CI, require_tool
from lxml import html

from publish.validation.pdf_checks import check_pdf, page_mcids, reachable_mcids, walk_structure
from publish.validation.validators import ACE_BIN, ace_findings


def require_ace() -> None:
    """Ace needs node, tools/ace (make installs it) and Chromium."""
    require_tool("node")
    require_tool("chromium")
    if not ACE_BIN.exists():
        if IN_CI:
            pytest.fail("tools/ace is not installed (make test installs it)")
        pytest.skip("tools/ace is not installed; run make test")


def test_real_book_passes_every_validator(checked):
    require_tool("java")
    require_ace()
    assert checked["code"] == 0, checked["stderr"]
    for code in ("v-001", "v-002", "v-003", "v-004", "v-005", "v-01"):
        assert code not in checked["stderr"], checked["stderr"]


def test_report_says_what_passed_and_what_to_review(checked):
    require_tool("java")
    require_ace()
    page = html.fromstring(checked["report"].read_bytes())
    body = page.find("body")
    verdict = body[1]  # right after the title: ready or not, and why
    assert verdict.get("class") == "verdict not-ready"
    assert verdict.findtext("h2") == "Not ready for release"
    blockers = [" ".join(li.text_content().split()) for li in verdict.iter("li")]
    assert any("'authors' still holds placeholder text" in b and "book.yaml, line 6" in b for b in blockers)
    assert not any("v-006" in b for b in blockers)  # the missing claim is said once, with its reason
    checks = [" ".join(li.text_content().split()) for li in page.xpath("//h2[.='Checks']/following-sibling::ul[1]/li")]
    assert checks == ["EPUBCheck: the EPUB follows the format's rules: passed",
                      "Ace by DAISY: the EPUB's accessibility, as a machine can see it: passed",
                      "Names: headings, links and captions are announced without page numbers, each citation as "
                      "one link: passed",
                      "PDF checks: the PDF's tags for screen readers: passed"]
    quotes = page.xpath("//h2[.='Pull quotes']/following-sibling::ul[1]/li")
    assert [q.findtext("strong") for q in quotes] == ["announced", "announced"]
    assert "regulate our emotions" in quotes[0].findtext("blockquote")
    plain = " ".join(e.text_content() for e in body if e.tag != "details")
    for jargon in ("schema:", "/Alt", "L/LI", "accessibilityFeature", "v-00"):
        assert jargon not in plain, jargon  # only under "Technical details"
    assert "It offers: " in plain and "a table of contents" in plain
    assert page.xpath("//meta[@name='viewport']")
    assert "Reading order" in plain


def test_pdf_furniture_is_artifact_and_links_described(built):
    findings, _notes = check_pdf(built["pdf"])
    assert findings == []
    with pikepdf.open(built["pdf"]) as pdf:
        reachable = reachable_mcids(pdf)
        drawn = {(page.obj.objgen[0], m) for page in pdf.pages for m in page_mcids(page)}
        assert drawn and drawn <= reachable
        artifacts = 0
        for page in pdf.pages[4:]:
            for operands, operator in pikepdf.parse_content_stream(page):
                if str(operator) == "BDC" and operands[0] == pikepdf.Name.Artifact \
                        and operands[1].get("/Type") == pikepdf.Name.Pagination:
                    artifacts += 1
        assert artifacts >= len(pdf.pages) - 4  # a running head or folio on every article page
        tags = [str(e.S) for e, _ in walk_structure(pdf)]
        assert "/L" in tags and "/LI" in tags
        contents = [str(a.Contents) for p in pdf.pages for a in p.obj.get("/Annots", [])]
        assert any(c.startswith("Reference: Rottenberg, J.") for c in contents)
        assert all(" " in c for c in contents)


def test_pdf_checks_catch_detached_content(built, tmp_path):
    """The check fails on WeasyPrint's own output, where running heads are detached."""
    from conftest import BOOK

    from publish.pdf.document import render
    from publish.pipeline import prepare

    book, _ = prepare(BOOK)
    raw = tmp_path / "raw.pdf"
    render(book).document.write_pdf(raw, pdf_variant="pdf/ua-1")
    codes = {f.code for f in check_pdf(raw)[0]}
    assert {"v-014", "v-017"} <= codes


def test_ace_report_becomes_findings():
    report = {"earl:result": {"earl:outcome": "fail"},
              "a11y-metadata": {"missing": ["schema:accessibilitySummary", "a11y:certifierReport"], "empty": []},
              "assertions": [{"earl:testSubject": {"url": "ch01.xhtml"}, "assertions": [
                  {"earl:test": {"earl:impact": "serious", "dct:title": "color-contrast"},
                   "earl:result": {"earl:outcome": "fail", "dct:description": "low contrast",
                                   "earl:pointer": {"css": ["p.x"]}}}]}]}
    run = ace_findings(report, "book.epub")
    assert run.status == "fail"
    assert [f.code for f in run.findings] == ["v-003", "v-004"]
    assert "serious" in run.findings[0].message and "p.x" in run.findings[0].message
    assert str(run.findings[0].location) == "book.epub/ch01.xhtml"


def test_chromium_wrapper_is_executable():
    from publish.validation.validators import CHROMIUM_WRAPPER

    assert CHROMIUM_WRAPPER.stat().st_mode & 0o111
    assert shutil.which(str(CHROMIUM_WRAPPER))


# ---- page-list ---------------------------------------------------------------------------------

NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}


def _norm(text: str) -> str:
    import re

    return re.sub(r"[\W_]+", "", text.replace("\u00ad", "")).lower()


def _pdf_page_text(pdf, number: int) -> str:
    import subprocess

    return subprocess.run(["pdftotext", "-f", str(number), "-l", str(number), "-enc", "UTF-8", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


def test_page_list_matches_the_pdf_pages(built):
    """Marker N sits where PDF page N begins: the words after it are on page N (one entry per page)."""
    require_tool("pdftotext")
    from publish.epub.package import read_back

    docs = read_back(built["epub"])
    entries = docs["EPUB/nav.xhtml"].xpath("//x:nav[@epub:type='page-list']//x:a", namespaces=NS)
    with pikepdf.open(built["pdf"]) as pdf:
        assert [a.text for a in entries] == [str(n) for n in range(1, len(pdf.pages) + 1)]
    checked_pages = 0
    for a in entries:
        doc, fragment = a.get("href").split("#")
        tree = docs[f"EPUB/{doc}"]
        (marker,) = tree.xpath(f"//*[@id='{fragment}']")
        assert marker.get("role") == "doc-pagebreak" and marker.get("aria-label") == a.text
        if doc in ("cover.xhtml", "nav.xhtml"):
            continue  # the cover (an image) and contents map to their nearest EPUB counterpart (README: page-list)
        number = int(a.text)
        after = " ".join(marker.xpath("following::text()[ancestor::x:body]", namespaces=NS)).split()[:4]
        page = _pdf_page_text(built["pdf"], number)
        if not _norm(page.split("\n\n", 1)[-1]):
            continue  # the blank page before the article
        assert _norm(" ".join(after)) in _norm(page), (number, after)
        checked_pages += 1
    assert checked_pages >= 6  # the title page and colophon as well as the article pages


def test_page_metadata_and_features(built):
    from publish.epub.package import read_back

    opf = read_back(built["epub"])["EPUB/content.opf"]
    features = opf.xpath("//opf:meta[@property='schema:accessibilityFeature']/text()", namespaces=NS)
    assert {"pageNavigation", "printPageNumbers", "pageBreakMarkers", "tableOfContents"} <= set(features)
    source = opf.xpath("//dc:source[@id='print-edition']/text()", namespaces=NS)
    assert source and "print edition" in source[0]
    assert opf.xpath("//opf:meta[@refines='#print-edition'][@property='source-of']/text()",
                     namespaces=NS) == ["pagination"]
    # The shipped book.yaml still names its publisher as [[Practice name]]: nobody stands behind a claim yet.
    assert opf.xpath("//opf:meta[@property='dcterms:conformsTo']", namespaces=NS) == []
    assert opf.xpath("//opf:meta[@property='a11y:certifiedBy']", namespaces=NS) == []


def test_the_claim_is_made_once_a_real_publisher_stands_behind_it(tmp_path):
    """With the placeholders replaced, the EPUB claims WCAG 2.2 AA, certified by the publisher it names."""
    import shutil

    from conftest import BOOK

    from publish.cli import main
    from publish.epub.package import read_back

    book = tmp_path / "book"
    shutil.copytree(BOOK, book)
    yaml = (book / "book.yaml").read_text(encoding="utf-8")
    (book / "book.yaml").write_text(re.sub(r"\[\[[^]]*\]\]", "Calm Waters Practice", yaml), encoding="utf-8")
    assert main(["epub", str(book), "--out-dir", str(tmp_path / "out"), "-q"]) == 0
    opf = read_back(next((tmp_path / "out").glob("*.epub")))["EPUB/content.opf"]
    assert opf.xpath("//opf:meta[@property='dcterms:conformsTo']/text()", namespaces=NS) == \
        ["EPUB Accessibility 1.1 - WCAG 2.2 Level AA"]
    assert opf.xpath("//opf:meta[@property='a11y:certifiedBy']/text()", namespaces=NS) == ["Calm Waters Practice"]
    assert opf.xpath("//opf:meta[@property='a11y:certifiedBy']/@refines", namespaces=NS) == ["#conformance"]


def test_page_break_inside_a_word_moves_to_the_next_word():
    from lxml import etree

    from publish.conventions import XHTML
    from publish.render.pagemap import PageBreak, insert_page_breaks

    section = etree.fromstring(f'<section xmlns="{XHTML}"><p>From early child<em>hood</em>, boys and girls</p>'
                               "</section>")
    # the page began after "Fromearlychild" + "ho" (14 + 2 characters, hyphenated "child-hood")
    insert_page_breaks(section, [PageBreak("9", "ch01", (0,), 16)])
    (marker,) = section.iter(f"{{{XHTML}}}span")
    assert marker.get("id") == "page-9"
    assert marker.getprevious().tag == f"{{{XHTML}}}em" and marker.getprevious().tail == ", "
    assert marker.tail == "boys and girls"


# ---- colour, conformance, semantics ------------------------------------------------------------------


def test_every_stylesheet_colour_has_enough_contrast():
    from publish.render.accessibility import STYLES, contrast, css_contrast_problems

    assert round(contrast("#777777", "#ffffff"), 2) == 4.48
    assert css_contrast_problems("p { color: #777; }", "x.css")  # grey text on white fails 4.5:1
    assert not css_contrast_problems("hr { border-top: 1px solid #777; }", "x.css")  # a rule needs 3:1
    sheets = sorted(STYLES.glob("*.css"))
    assert sheets
    for sheet in sheets:
        assert css_contrast_problems(sheet.read_text(encoding="utf-8"), sheet.name) == []


def test_no_conformance_claim_when_our_checks_fail(monkeypatch):
    from conftest import BOOK

    from publish.pipeline import prepare
    from publish.render import accessibility

    book, _ = prepare(BOOK)
    assert [p for p in accessibility.conformance_problems(book) if "placeholder" in p]  # the shipped publisher
    book.metadata = dataclasses.replace(book.metadata, publisher="Calm Waters Practice")
    assert accessibility.conformance_problems(book) == []
    assert "dcterms:conformsTo" in [r[0] for r in accessibility.epub_accessibility_metadata(book, None)]
    monkeypatch.setattr(accessibility, "css_contrast_problems", lambda css, name: [f"{name}: too pale"])
    rows = accessibility.epub_accessibility_metadata(book, None)
    assert "dcterms:conformsTo" not in [r[0] for r in rows]
    assert "a11y:certifiedBy" not in [r[0] for r in rows]
    summary = dict((r[0], r[1]) for r in rows)["schema:accessibilitySummary"]
    assert "not been confirmed" in summary


@pytest.fixture(scope="module")
def quote_book(tmp_path_factory):
    from conftest import ROOT

    from publish.cli import main

    out = tmp_path_factory.mktemp("quotes")
    assert main(["build", str(ROOT / "tests" / "books" / "duplicate-pullquote"), "--out-dir", str(out), "-q"]) == 0
    return {"epub": next(out.glob("*.epub")), "pdf": next(out.glob("*.pdf"))}


def test_duplicate_pull_quote_hidden_unique_one_exposed(quote_book):
    from publish.epub.package import read_back

    chapter = read_back(quote_book["epub"])["EPUB/ch01.xhtml"]
    quotes = chapter.xpath("//x:aside[contains(@class, 'pullquote')]", namespaces=NS)
    assert len(quotes) == 3
    assert quotes[0].get("aria-hidden") == "true" and quotes[0].get("role") == "doc-pullquote"
    assert quotes[1].get("aria-hidden") is None and quotes[1].get("aria-label") == "Pull quote"
    # a hidden quote holds nothing that takes focus (Ace: aria-hidden-focus): its link is words, its note
    # call is gone, and the note's one way back leads to the call in the text
    assert quotes[2].get("aria-hidden") == "true" and "its own pace" in "".join(quotes[2].itertext())
    assert not quotes[2].xpath(".//x:a | .//x:sup", namespaces=NS)
    assert chapter.xpath("//x:p/x:a[@href='https://example.org/breathing']", namespaces=NS)
    backs = chapter.xpath("//x:li[@id='fn-2']//x:a[@role='doc-backlink']", namespaces=NS)
    assert len(backs) == 1 and chapter.xpath(f"//x:p/x:sup[@id='{backs[0].get('href')[1:]}']", namespaces=NS)
    french = chapter.xpath("//x:span[@lang='fr']", namespaces=NS)
    assert french and french[0].get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"
    back = chapter.xpath("//x:a[@role='doc-backlink']", namespaces=NS)
    assert back and chapter.xpath(f"//*[@id='{back[0].get('href')[1:]}']")
    assert not chapter.xpath("//*[@role='doc-endnote']")  # deprecated in DPUB-ARIA 1.1


def test_duplicate_pull_quote_is_an_artifact_in_the_pdf(quote_book, built):
    def layout_artifacts(path) -> int:
        with pikepdf.open(path) as pdf:
            return sum(1 for page in pdf.pages for operands, op in pikepdf.parse_content_stream(page)
                       if str(op) == "BDC" and operands[0] == pikepdf.Name.Artifact
                       and operands[1].get("/Type") == pikepdf.Name.Layout)

    assert layout_artifacts(quote_book["pdf"]) >= 1
    with pikepdf.open(built["pdf"]) as pdf:  # both of the real book's pull quotes are read, as pull quotes
        quotes = [o for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and o.get("/S") == "/PullQuote"]
        assert len(quotes) == 2
    assert check_pdf(quote_book["pdf"])[0] == []


def test_small_book_passes_ace_and_epubcheck(quote_book):
    """The suite's one Ace run on a small book: a hidden quote, a note, a French passage."""
    require_tool("java")
    require_ace()
    from publish.validation.validators import run_ace, run_epubcheck

    for run in (run_epubcheck(quote_book["epub"]), run_ace(quote_book["epub"])):
        assert run.status == "pass", [str(f) for f in run.findings]


def test_figure_book_has_alt_in_pdf_and_decorative_hidden(tmp_path, caplog):
    import logging

    from conftest import ROOT

    from publish.cli import main

    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        assert main(["build", str(ROOT / "tests" / "books" / "figure"), "--out-dir", str(tmp_path), "-q"]) == 0
    # the decorative image has no alt on purpose and becomes an artifact: no false alarm in the log
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []
    with pikepdf.open(next(tmp_path.glob("*.pdf"))) as pdf:
        figures = [e for e, _ in walk_structure(pdf) if str(e.S) == "/Figure"]
        assert [str(f.Alt) for f in figures] == ["A dark circle on a cream background"]
    from publish.epub.package import read_back

    opf = read_back(next(tmp_path.glob("*.epub")))["EPUB/content.opf"]
    assert "alternativeText" in opf.xpath("//opf:meta[@property='schema:accessibilityFeature']/text()",
                                          namespaces=NS)

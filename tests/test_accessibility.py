"""Accessibility of the real book and of small test books: validators, PDF tags, report.

The real book is built once (``built``) and checked once (``checked``: EPUBCheck,
Ace by DAISY and the PDF checks through ``publish check``); Ace runs on at most
one small book besides.
"""

from __future__ import annotations

import shutil

import pikepdf
import pytest
from conftest import IN_CI, require_tool

from publish.pdf_checks import check_pdf, page_mcids, reachable_mcids, walk_structure
from publish.validate import ACE_BIN, ace_findings


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
    report = checked["report"].read_text(encoding="utf-8")
    assert "EPUBCheck: <strong class=\"pass\">passed" in report
    assert "Ace by DAISY: <strong class=\"pass\">passed" in report
    assert "PDF checks (pikepdf): <strong class=\"pass\">passed" in report
    assert "schema:accessibilitySummary" in report
    assert "What a person must still review" in report
    assert "Reading order" in report


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

    from publish.pdf import render
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
    from publish.validate import CHROMIUM_WRAPPER

    assert CHROMIUM_WRAPPER.stat().st_mode & 0o111
    assert shutil.which(str(CHROMIUM_WRAPPER))

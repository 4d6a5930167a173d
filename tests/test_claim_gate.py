"""The conformance claim waits for the written PDF's structure checks."""

from __future__ import annotations

import zipfile

import pytest
from conftest import ROOT

from publish.cli import main
from publish.findings import Location, error

FIGURE = ROOT / "tests" / "books" / "figure"
pytestmark = pytest.mark.slow


def _opf(out) -> str:
    with zipfile.ZipFile(next(out.glob("*.epub"))) as zf:
        return zf.read("EPUB/content.opf").decode()


def test_the_claim_is_made_when_the_pdf_structure_passes(tmp_path, capsys):
    assert main(["build", str(FIGURE), "--out-dir", str(tmp_path), "-q"]) == 0
    assert "dcterms:conformsTo" in _opf(tmp_path)
    assert "v-023" not in capsys.readouterr().err


def test_a_cut_paragraph_in_the_pdf_withholds_the_claim(tmp_path, capsys, monkeypatch):
    from publish.validation import pdf_checks

    def cut(path, epub):
        return [error("v-019", "a paragraph is two P elements", Location(path.name))]

    monkeypatch.setattr(pdf_checks, "structure_findings", cut)
    assert main(["build", str(FIGURE), "--out-dir", str(tmp_path), "-q"]) == 0
    opf = _opf(tmp_path)
    assert "dcterms:conformsTo" not in opf and "has not been confirmed to meet WCAG 2.2" in opf
    assert "warning v-023 what a listener meets has 1 problem(s)" in capsys.readouterr().err


def test_a_page_number_in_a_heading_withholds_the_claim_of_an_epub_alone(tmp_path, capsys, monkeypatch):
    from publish.validation import epub_names

    def heard(epub):
        return [error("v-007", "the page number 7 is part of the name of a <h1>", Location(epub.name))]

    monkeypatch.setattr(epub_names, "check_names", heard)
    assert main(["epub", str(FIGURE), "--out-dir", str(tmp_path), "-q"]) == 0
    assert "dcterms:conformsTo" not in _opf(tmp_path)
    assert "warning v-023 what a listener meets has 1 problem(s)" in capsys.readouterr().err


def test_an_untested_weasyprint_keeps_its_own_tree(monkeypatch, caplog):
    """No walk of another release's boxes, and a box the walk does not expect: WeasyPrint's tree, never a traceback.

    (On WeasyPrint 69 a build then says v-023 and makes no claim: the structure checks fail on its tree.)
    """
    from publish.pdf import engine
    from publish.pdf.document import render
    from publish.pdf.engine import tagging
    from publish.pipeline import prepare

    book, _ = prepare(FIGURE)
    document = render(book).document
    assert tagging.tag_skeleton(document) is not None
    monkeypatch.setattr(engine, "tested", lambda: False)
    assert tagging.tag_skeleton(document) is None
    monkeypatch.setattr(engine, "tested", lambda: True)

    def unexpected(document):
        raise AttributeError("'Box' object has no attribute 'element_tag'")

    monkeypatch.setattr(tagging, "_skeleton", unexpected)
    assert tagging.tag_skeleton(document) is None
    assert "kept as WeasyPrint wrote it: AttributeError" in caplog.text

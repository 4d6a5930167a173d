"""The real book's PDF, opened with pikepdf: metadata, tagging, text."""

from __future__ import annotations

import pikepdf
import pytest


@pytest.fixture(scope="module")
def pdf(built):
    with pikepdf.open(built["pdf"]) as doc:
        yield doc


def test_metadata_and_language(pdf):
    assert str(pdf.Root.Lang) == "en-GB"
    assert str(pdf.docinfo["/Title"]) == "Mental Health Matters"
    assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle)
    assert pdf.docinfo["/CreationDate"] == pdf.docinfo["/ModDate"]


def test_tagged_with_structure_tree(pdf):
    assert bool(pdf.Root.MarkInfo.Marked)
    assert "/StructTreeRoot" in pdf.Root


def test_bookmarks_for_articles(pdf):
    with pdf.open_outline() as outline:
        titles = []

        def walk(items):
            for item in items:
                titles.append(item.title)
                walk(item.children)

        walk(outline.root)
    assert "The Healing Power of Tears" in titles
    assert "Crying as Emotional Processing" in titles


def test_text_holds_article_and_references(built):
    import subprocess

    from conftest import require_tool

    require_tool("pdftotext")
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(built["pdf"]), "-"], capture_output=True,
                          text=True, check=True).stdout
    flat = " ".join(text.replace("\u2010\n", "").replace("-\n", "-").split())
    assert "The Healing Power of Tears" in flat
    assert "(Rottenberg et al., 2008)" in flat
    assert "Crying can be a way to build connection" in flat
    assert "References" in flat
    assert "https://doi.org/10.3389/fpsyg.2014.00502" in "".join(flat.split())

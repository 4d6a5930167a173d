"""A German or French book carries no English word the tool wrote, in the EPUB or the PDF."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile

import pikepdf
import pytest
from conftest import ROOT
from lxml import etree

from publish.cli import main

pytestmark = pytest.mark.slow

REFS = """[{"id": "weber2019", "type": "article-journal", "title": "Weinen und Erleichterung",
  "author": [{"family": "Weber", "given": "Anna"}], "issued": {"date-parts": [[2019]]},
  "container-title": "Zeitschrift", "volume": 12, "page": "1-9"}]"""
ARTICLES = {
    "de-DE": ("Die heilende Kraft der Tränen",
              'Tränen helfen dem Körper, sich nach einer Anstrengung zu beruhigen [@weber2019, S. 3].[^1] '
              'Sie sagte: "Es tut gut."\n\n::: pullquote\nWeinen ist ein Weg zur Ruhe.\n:::\n\n'
              "![Ein dunkler Kreis auf hellem Grund](../images/circle.png)\n\n"
              "Mehr Text folgt hier.\n\n[^1]: Eine Anmerkung dazu.\n"),
    "fr-FR": ("Le pouvoir apaisant des larmes",
              'Les larmes aident le corps à se calmer après un effort [@weber2019, p. 3].[^1] '
              'Elle a dit : "Cela fait du bien."\n\n::: pullquote\nPleurer est un chemin vers le calme.\n:::\n\n'
              "![Un cercle sombre sur fond clair](../images/circle.png)\n\n"
              "La suite du texte vient ici.\n\n[^1]: Une note à ce sujet.\n"),
}
# Words only English would write here (the articles and the reference are German or French).
# Words only English would write here (the articles and the reference are German or French): not words of
# either language too (French has "notes", "page", "colophon", "section", "édition").
ENGLISH = re.compile(r"\b(the|and|of|to|is|this|with|for|back|contents|references?|cover|quote|identifier|web link|"
                     r"landmarks|start of|title page|set in|print edition|retrieved|n\.d\.|go to)\b", re.IGNORECASE)
KEPT = ("SIL Open Font License", "EPUB", "WCAG", "PDF/UA", "Source Serif 4", "Weber")


def _book(tmp_path, language: str):
    title, body = ARTICLES[language]
    book = tmp_path / language
    (book / "chapters").mkdir(parents=True)
    (book / "images").mkdir()
    shutil.copy(ROOT / "tests" / "books" / "figure" / "images" / "circle.png", book / "images")
    (book / "chapters" / "01.md").write_text(f"---\ntitle: {title}\n---\n\n{body}", encoding="utf-8")
    (book / "references.json").write_text(REFS, encoding="utf-8")
    (book / "book.yaml").write_text(
        f"title: {title}\nlanguage: {language}\nidentifier: urn:uuid:12345678-1234-4234-8234-123456789abc\n"
        "date: '2026-11-26'\npublisher: Praxis\nauthors: [A. Autor]\nchapters:\n  - chapters/01.md\n"
        "bibliography: references.json\n", encoding="utf-8")
    out = tmp_path / f"{language}-dist"
    assert main(["build", str(book), "--out-dir", str(out), "-q"]) == 0
    return next(out.glob("*.epub")), next(out.glob("*.pdf"))


def _epub_words(epub) -> list[str]:
    """Every text and every label a reader or a screen reader meets in the EPUB."""
    found = []
    with zipfile.ZipFile(epub) as zf:
        for name in zf.namelist():
            if not name.endswith((".xhtml", ".ncx", ".opf")):
                continue
            root = etree.fromstring(zf.read(name))
            found += [t for t in root.itertext() if t.strip()]
            for element in root.iter():
                found += [element.get(a) for a in ("alt", "aria-label", "title") if element.get(a)]
    return found


def _pdf_words(pdf) -> list[str]:
    found = [subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout]
    with pikepdf.open(pdf) as doc:
        for page in doc.pages:
            found += [str(a.Contents) for a in page.obj.get("/Annots", []) if "/Contents" in a]
        with doc.open_outline() as outline:
            stack = list(outline.root)
            while stack:
                item = stack.pop()
                found.append(item.title)
                stack.extend(item.children)
        for element in _structure(doc.Root.StructTreeRoot):
            found += [str(element[k]) for k in ("/Alt", "/ActualText", "/E") if k in element]
    return found


def _structure(node):
    kids = node.get("/K")
    items = kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []
    for kid in items:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid
            yield from _structure(kid)


def _english(texts: list[str]) -> list[str]:
    hits = []
    for text in texts:
        for kept in KEPT:
            text = text.replace(kept, "")
        hits += [m.group(0) for m in ENGLISH.finditer(text)]
    return sorted(set(hits))


@pytest.mark.parametrize("language", ["de-DE", "fr-FR"])
def test_no_english_word_the_tool_wrote(tmp_path, language):
    epub, pdf = _book(tmp_path, language)
    assert _english(_epub_words(epub)) == []
    assert _english(_pdf_words(pdf)) == []


def test_dates_and_quotation_marks_as_the_language_writes_them(tmp_path):
    epub, _ = _book(tmp_path, "de-DE")
    with zipfile.ZipFile(epub) as zf:
        colophon = "".join(etree.fromstring(zf.read("EPUB/colophon.xhtml")).itertext())
        article = "".join(etree.fromstring(zf.read("EPUB/ch01.xhtml")).itertext())
    assert "26. November 2026" in colophon
    assert "„Es tut gut.“" in article
    assert "(Weber, 2019, S. 3)" in article

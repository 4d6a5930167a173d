"""Bad input stops the build with a located finding, exit 1, and leaves dist/ as it was.

Every case starts from a small good book, breaks one thing, runs ``publish
build`` in-process into an output folder that already holds a previous good
EPUB and PDF, and asserts: the exact finding (code, file, line), exit code
1, no traceback, and the previous files untouched with nothing beside them.
"""

from __future__ import annotations

import io
import os
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import said, write_book
from PIL import Image as PILImage

from publish.cli import main

REFS = """[
  {"id": "smith2020", "type": "book", "title": "A book",
   "author": [{"family": "Smith", "given": "A."}], "issued": {"date-parts": [[2020]]}, "publisher": "Pub"},
  {"id": "jones2019", "type": "book", "title": "Another book",
   "author": [{"family": "Jones", "given": "B."}], "issued": {"date-parts": [[2019]]}, "publisher": "Pub"}
]
"""
GOOD = "---\ntitle: One\n---\n\n## Start\n\nText [@smith2020] and @jones2019.\n"
PREVIOUS = {"test-book.epub": b"previous good epub", "test-book.pdf": b"previous good pdf"}
Setup = Callable[[Path], None]


def chapter(text: str, name: str = "01.md") -> Setup:
    return lambda book: (book / "chapters" / name).write_text(text, encoding="utf-8")


def chapter_bytes(data: bytes) -> Setup:
    return lambda book: (book / "chapters" / "01.md").write_bytes(data)


def with_image(markdown: str, name: str, data: bytes) -> Setup:
    def setup(book: Path) -> None:
        (book / "images").mkdir(exist_ok=True)
        (book / "images" / name).write_bytes(data)
        (book / "chapters" / "01.md").write_text(GOOD + "\n" + markdown + "\n", encoding="utf-8")
    return setup


def both(*setups: Setup) -> Setup:
    def setup(book: Path) -> None:
        for one in setups:
            one(book)
    return setup


def yaml_edit(old: str, new: str) -> Setup:
    def setup(book: Path) -> None:
        text = (book / "book.yaml").read_text(encoding="utf-8")
        assert old in text
        (book / "book.yaml").write_text(text.replace(old, new), encoding="utf-8")
    return setup


def yaml_append(extra: str) -> Setup:
    return yaml_edit("chapters:\n", f"{extra}chapters:\n")


def png(width: int = 4, height: int = 3, mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    PILImage.new(mode, (width, height)).save(out, "PNG")
    return out.getvalue()


def webp() -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", (4, 3)).save(out, "WEBP")
    return out.getvalue()


def huge_png_header(side: int = 9000) -> bytes:
    """A valid PNG header claiming side×side pixels: Pillow reads the size without decoding."""
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    data = zlib.compress(b"\x00" * 9001)  # one row is enough for identification
    idat = b"IDAT" + data
    return (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))
            + struct.pack(">I", len(data)) + idat + struct.pack(">I", zlib.crc32(idat))
            + struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND")))


def make_book(tmp_path: Path) -> Path:
    return write_book(tmp_path / "book", {"01.md": GOOD}, REFS)


def run_build(tmp_path: Path, capsys, setup: Setup) -> tuple[int, str, Path]:
    book = make_book(tmp_path)
    setup(book)
    out = tmp_path / "dist"
    out.mkdir()
    for name, data in PREVIOUS.items():
        (out / name).write_bytes(data)
    code = main(["build", str(book), "--out-dir", str(out), "-q"])
    return code, capsys.readouterr().err, out


def built_chapter(tmp_path: Path, capsys, setup: Setup):
    """The small book, changed by ``setup``, built as an EPUB that must succeed: its chapter read back, and stderr."""
    from publish.epub.package import read_back

    book = make_book(tmp_path)
    setup(book)
    out = tmp_path / "book.epub"
    code = main(["epub", str(book), "-o", str(out), "-q"])
    err = capsys.readouterr().err
    assert code == 0, err
    return read_back(out)["EPUB/ch01.xhtml"], err


def assert_stopped(code: int, err: str, out: Path, expected: str) -> None:
    assert code == 1, err
    assert "Traceback" not in err and "x-001" not in err, err
    assert any(said(line, expected) for line in err.splitlines()), f"{expected!r} not in:\n{err}"
    assert sorted(p.name for p in out.iterdir()) == sorted(PREVIOUS)
    for name, data in PREVIOUS.items():
        assert (out / name).read_bytes() == data


MULTILINE_DUPLICATE = REFS.replace('\n]', ',\n  {"id": "smith2020", "type": "book", "title": "Again"}\n]')

# (id, setup, the start of the expected finding line: "code severity file:line")
CASES: list[tuple[str, Setup, str]] = [
    ("yaml-malformed", yaml_append("subtitle: [unclosed\n"), "book.yaml:…: error y-001"),
    ("yaml-bad-indent", yaml_edit("publisher: Test Practice\n", "publisher: Test Practice\n  bad: indent\n"),
     "book.yaml:6:6…: error y-001"),
    ("yaml-misspelled-key", yaml_append("subtitel: Oops\n"), "book.yaml:7: error y-002 unknown key 'subtitel'"),
    ("yaml-unknown-nested-key", yaml_append("print:\n  paper: A4\n"), "book.yaml:7…: error y-002"),
    ("yaml-duplicate-key", yaml_append("title: Again\n"), "book.yaml:7: error y-001 key 'title' appears twice"),
    ("yaml-tabs", yaml_edit("  - chapters/01.md", "\t- chapters/01.md"), "book.yaml:8…: error y-001"),
    ("yaml-python-tag", yaml_append("rights: !!python/object/apply:os.system ['true']\n"),
     "book.yaml:7…: error y-001"),
    ("yaml-not-a-mapping", lambda b: (b / "book.yaml").write_text("- a\n- b\n"), "book.yaml:1…: error y-001"),
    ("yaml-empty-title", yaml_edit("title: Test Book", "title: ''"), "book.yaml:1: error y-003 'title' is empty"),
    ("yaml-hazards-not-text", yaml_append("accessibility:\n  hazards: [1, 2]\n"), "book.yaml:7…: error y-003"),
    ("yaml-locale-path", yaml_append("citation_locale: ../../etc/passwd\n"), "book.yaml:7…: error y-005"),
    ("yaml-not-utf8", lambda b: (b / "book.yaml").write_bytes(
        (b / "book.yaml").read_bytes() + b"rights: \xe9t\xe9\n"), "book.yaml:10:9…: error f-002"),
    ("yaml-chapter-not-text", yaml_edit("  - chapters/01.md", "  - chapters/01.md\n  - 42\n  - {file: x.md}"),
     "book.yaml:7: error y-003 every item of 'chapters' must be text"),
    ("yaml-author-not-text", yaml_edit("authors: [A. Author]", "authors: [A. Author, [B, C]]"),
     "book.yaml:6: error y-003 every item of 'authors' must be text"),
    ("link-to-missing-anchor", chapter(GOOD + "\nSee [below](#nowhere).\n"),
     "chapters/01.md:9: error m-013 link to '#nowhere', but nothing in the article has that id"),
    ("link-to-a-file", chapter(GOOD + "\nSee [the next one](02-next.md#part).\n"),
     "chapters/01.md:9: error m-013 link to '02-next.md#part', which is neither a web address nor a place"),
    ("nocite-unknown-in-book-yaml", yaml_append("nocite: [nobody]\n"),
     "book.yaml: error c-001 unknown citation key '@nobody' in nocite"),
    ("nocite-unknown-in-chapter", chapter("---\ntitle: One\nnocite: [\"@nobody\"]\n---\n\nText [@smith2020].\n"),
     "chapters/01.md: error c-001 unknown citation key '@nobody' in nocite"),
    ("missing-chapter", yaml_edit("  - chapters/01.md", "  - chapters/01.md\n  - chapters/02.md"),
     "book.yaml:9: error f-001 chapter 'chapters/02.md' not found"),
    ("chapter-listed-twice", yaml_edit("  - chapters/01.md", "  - chapters/01.md\n  - ./chapters/01.md"),
     "book.yaml:9…: error f-004"),
    ("chapter-is-folder", lambda b: ((b / "chapters" / "d.md").mkdir(),
                                     yaml_edit("  - chapters/01.md", "  - chapters/01.md\n  - chapters/d.md")(b)),
     "book.yaml:9: error f-001 chapter 'chapters/d.md' is a folder"),
    ("chapter-not-markdown", yaml_edit("  - chapters/01.md", "  - references.json"), "book.yaml:8…: error y-005"),
    ("chapter-outside-book", yaml_edit("  - chapters/01.md", "  - ../../etc/passwd"), "book.yaml:8…: error f-003"),
    ("chapter-absolute", yaml_edit("  - chapters/01.md", "  - /etc/passwd"), "book.yaml:8…: error f-003"),
    ("chapter-symlink-outside", lambda b: ((b / "chapters" / "01.md").unlink(),
                                           (b / "chapters" / "01.md").symlink_to("/etc/hostname")),
     "book.yaml:8…: error f-003"),
    ("missing-bibliography", lambda b: (b / "references.json").unlink(),
     "book.yaml:9: error f-001 bibliography 'references.json' not found"),
    ("bibliography-is-folder", lambda b: ((b / "references.json").unlink(), (b / "references.json").mkdir()),
     "book.yaml:9: error f-001 bibliography 'references.json' is a folder"),
    ("missing-csl", yaml_append("csl: styles/nope.csl\n"), "book.yaml:7: error f-001 CSL style"),
    ("csl-malformed", lambda b: ((b / "s.csl").write_text("<style>\n<info>"), yaml_append("csl: s.csl\n")(b)),
     "s.csl:2…: error s-001"),
    ("csl-not-a-style", lambda b: ((b / "s.csl").write_text("<html/>"), yaml_append("csl: s.csl\n")(b)),
     "s.csl:1…: error s-001"),
    ("csl-xxe", lambda b: ((b / "s.csl").write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE style [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'
        '<style xmlns="http://purl.org/net/xbiblio/csl" version="1.0"><info><title>&e;</title></info>'
        '<citation><layout><text variable="title"/></layout></citation></style>'),
        yaml_append("csl: s.csl\n")(b)), "s.csl:…: error s-001"),
    ("missing-image", chapter(GOOD + "\n![A photo](../images/none.png)\n"),
     "chapters/01.md:9: error f-001 image file '../images/none.png' not found"),
    ("image-empty-path", chapter(GOOD + "\n![A photo]()\n"), "chapters/01.md:9: error f-001 image without a path"),
    ("unknown-citation-key", chapter(GOOD + "\nAs [@smyth2020] shows.\n"),
     "chapters/01.md:9:4: error c-001 unknown citation key '@smyth2020'; did you mean '@smith2020'?"),
    ("unknown-narrative-key", chapter(GOOD + "\nAs @nobody1999 [p. 3] shows.\n"),
     "chapters/01.md:9:4: error c-001 unknown citation key '@nobody1999'"),
    ("bibliography-malformed-json", lambda b: (b / "references.json").write_text(REFS.replace('"A book",', '"A book"')),
     "references.json:3…: error b-001"),
    ("bibliography-entry-without-id", lambda b: (b / "references.json").write_text(
        REFS.replace('{"id": "jones2019", ', '{')), "references.json:4…: error b-001"),
    ("bibliography-duplicate-key", lambda b: (b / "references.json").write_text(MULTILINE_DUPLICATE),
     "references.json:6…: error b-002"),
    ("bibliography-not-utf8", lambda b: (b / "references.json").write_bytes(
        REFS.replace("A book", "A b\xf6ok").encode("latin-1")), "references.json:2:52…: error b-005"),
    ("image-without-alt", with_image("![](../images/p.png)", "p.png", png()),
     "chapters/01.md:9: error m-003 image '../images/p.png' has no alt text"),
    ("heading-skipped", chapter(GOOD + "\n#### Too deep\n"), "chapters/01.md:9: error m-002 heading 'Too deep'"),
    ("heading-level-one", chapter(GOOD + "\n# Top\n"), "chapters/01.md:9…: error m-002"),
    ("link-without-words", chapter(GOOD + "\nSee [](https://example.org) here.\n"),
     "chapters/01.md:9: error m-017 link to 'https://example.org' has no words"),
    ("link-with-only-a-space", chapter(GOOD + "\nSee [ ](#start) here.\n"), "chapters/01.md:9…: error m-017"),
    ("table-header-with-a-blank", chapter(GOOD + "\n|   | Mon | Tue |\n|---|---|---|\n| Walk | yes | no |\n"),
     "chapters/01.md:9: error m-018 the table's header row leaves column 1 without a heading"),
    ("chapter-of-rules-and-a-comment", chapter("---\ntitle: One\n---\n\n***\n\n<!-- draft -->\n"),
     "chapters/01.md:4: error m-001 chapter has no text"),
    ("chapter-of-an-uncalled-note", chapter("---\ntitle: One\n---\n\n[^a]: A note.\n"),
     "chapters/01.md:4: error m-001 chapter has no text"),
    ("heading-without-words", chapter(GOOD + "\nMore text.\n\n## \n\nAfter.\n"),
     "chapters/01.md:11: error m-014 level-2 heading without words"),
    ("lang-not-a-language-tag", chapter(GOOD + "\nSay [bonjour]{lang=French} to them.\n"),
     'chapters/01.md:9: error m-021 lang="French" on <span> is not a value e-books allow'),
    ("dir-not-ltr-rtl-auto", chapter(GOOD + '\nText <span dir="sideways">odd</span>.\n'),
     'chapters/01.md:9: error m-021 dir="sideways" on <span>'),
    ("colspan-not-a-number", chapter(GOOD + '\n<table><tr><th colspan="two">A</th></tr></table>\n'),
     'chapters/01.md:9: error m-021 colspan="two" on <th>'),
    ("datetime-not-a-date", chapter(GOOD + '\nOn <time datetime="last Tuesday">Tuesday</time>.\n'),
     'chapters/01.md:9: error m-021 datetime="last Tuesday" on <time>'),
    ("block-inside-inline-html", chapter(GOOD + '\nText <span class="x"><div>block</div></span> here.\n'),
     "chapters/01.md:9: error m-022 <div> inside <span>"),
    ("list-item-outside-a-list", chapter(GOOD + "\n<li>orphan item</li>\n"),
     "chapters/01.md:9: error m-022 <li> outside <ol> or <ul>"),
    ("text-loose-in-a-list", chapter(GOOD + "\n<ul>loose<li>item</li></ul>\n"),
     "chapters/01.md:9: error m-022 text directly inside <ul>"),
    ("headers-naming-no-heading-cell", chapter(
        GOOD + '\n<table><tr><th id="h1">A</th></tr><tr><td headers="nope">1</td></tr></table>\n'),
     'chapters/01.md:9: error m-022 headers="nope" names no heading cell'),
    ("id-with-a-space", chapter(GOOD + '\nText <span id="two words">x</span>.\n'),
     "chapters/01.md:9: error m-022 id 'two words' is empty or has a space"),
    ("link-address-with-a-space", chapter(GOOD + "\nSee [the page](<https://example.org/a b>).\n"),
     "chapters/01.md:9: error m-022 link address 'https://example.org/a b' has a space"),
    ("definition-list-term-without-description", chapter(GOOD + "\n<dl><dt>Term</dt></dl>\n"),
     "chapters/01.md:9: error m-022 <dl> whose terms and descriptions do not pair up"),
    ("empty-heading-in-raw-html", chapter(GOOD + "\nText.\n\n<h2></h2>\n"),
     "chapters/01.md:11: error m-014 level-2 heading without words"),
    ("comment-never-closed", chapter(GOOD + "\nCode `<!--` is fine.\n\nA note <!-- to self, never closed\n\nMore.\n"),
     "chapters/01.md:11: error m-020 HTML comment '<!--' is never closed"),
    ("chapter-not-utf8", chapter_bytes(GOOD.encode() + b"caf\xe9\n"), "chapters/01.md:8:4…: error f-002"),
    ("chapter-empty", chapter(""), "chapters/01.md:1…: error m-001"),
    ("chapter-front-matter-only", chapter("---\ntitle: One\n---\n\n  \n"), "chapters/01.md:4…: error m-001"),
    ("front-matter-malformed", chapter("---\ntitle: One: Two\n---\n\nText.\n"), "chapters/01.md:2…: error y-001"),
    ("front-matter-unclosed", chapter("---\ntitle: One\n\nText.\n"), "chapters/01.md:1…: error y-001"),
    ("front-matter-title-list", chapter("---\nsubtitle: x\ntitle: [a, b]\n---\n\nText.\n"),
     "chapters/01.md:3: error y-003 'title' must be text"),
    ("front-matter-bad-lang", chapter("---\ntitle: x\nlang: english please\n---\n\nText.\n"),
     "chapters/01.md:3…: error y-005"),
    ("duplicate-ids", chapter(GOOD + "\n## A {#same}\n\n## B {#same}\n"), "chapters/01.md:11…: error m-004"),
    ("image-unsupported", with_image("![A photo](../images/p.bmp)", "p.bmp", b"BM" + b"\x00" * 60),
     "chapters/01.md:9…: error m-005"),
    ("image-tiff", with_image("![A photo](../images/p.tif)", "p.tif", (lambda o: (
        PILImage.new("RGB", (2, 2)).save(o, "TIFF"), o.getvalue())[1])(io.BytesIO())),
     "chapters/01.md:9: error m-005 image '../images/p.tif' is TIFF"),
    ("image-corrupt", with_image("![A photo](../images/p.png)", "p.png", png()[:40]),
     "chapters/01.md:9: error m-005 image '../images/p.png' is corrupt"),
    ("image-not-an-image", with_image("![A photo](../images/p.png)", "p.png", b"hello"),
     "chapters/01.md:9…: error m-005"),
    ("image-too-many-pixels", with_image("![A photo](../images/p.png)", "p.png", huge_png_header()),
     "chapters/01.md:9: error m-006 image '../images/p.png' is 9000×9000 pixels"),
    ("image-pixel-bomb", with_image("![A photo](../images/p.png)", "p.png", huge_png_header(60000)),
     "chapters/01.md:9: error m-006 image '../images/p.png' has more than 40,000,000 pixels"),
    ("image-too-many-bytes", with_image("![A photo](../images/p.png)", "p.png", os.urandom(11 * 1024 * 1024)),
     "chapters/01.md:9…: error m-006"),
    ("image-path-escapes", chapter(GOOD + "\n![x](../../etc/passwd)\n"),
     "chapters/01.md:9: error f-003 image path '../../etc/passwd' leaves the book folder"),
    ("image-absolute-path", chapter(GOOD + "\n![x](/etc/passwd)\n"), "chapters/01.md:9…: error f-003"),
    ("image-symlink-outside", lambda b: ((b / "images").mkdir(), (b / "images" / "p.png").symlink_to("/etc/hostname"),
                                         chapter(GOOD + "\n![x](../images/p.png)\n")(b)),
     "chapters/01.md:9…: error f-003"),
    ("image-is-folder", lambda b: ((b / "images" / "p.png").mkdir(parents=True),
                                   chapter(GOOD + "\n![x](../images/p.png)\n")(b)),
     "chapters/01.md:9: error f-001 image path '../images/p.png' is a folder"),
    ("image-remote", chapter(GOOD + "\n![x](https://example.com/p.png)\n"),
     "chapters/01.md:9: error m-007 remote or inline image"),
    ("image-protocol-relative", chapter(GOOD + "\n![x](//example.com/p.png)\n"), "chapters/01.md:9…: error m-007"),
    ("image-data-uri", chapter(GOOD + "\n![x](data:image/png;base64,AAAA)\n"), "chapters/01.md:9…: error m-007"),
    ("image-file-url", chapter(GOOD + "\n![x](file:///etc/passwd)\n"), "chapters/01.md:9…: error m-007"),
    ("raw-img-remote", chapter(GOOD + '\n<p><img src="http://example.com/x.png" alt="x"></p>\n'),
     "chapters/01.md:9…: error m-007"),
    ("raw-img-file", chapter(GOOD + '\n<p><img src="file:///etc/passwd" alt="x"></p>\n'),
     "chapters/01.md:9…: error m-007"),
    ("raw-img-javascript", chapter(GOOD + '\n<p><img src="javascript:alert(1)" alt="x"></p>\n'),
     "chapters/01.md:9…: error m-007"),
    ("svg-xxe", with_image("![A chart](../images/c.svg)", "c.svg",
                           b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY e SYSTEM "file:///etc/hostname">]>'
                           b'<svg xmlns="http://www.w3.org/2000/svg"><text>&e;</text></svg>'),
     "chapters/01.md:9: error m-005 image '../images/c.svg' is not a valid SVG file"),
    ("svg-entity-bomb", with_image("![A chart](../images/c.svg)", "c.svg", (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "' + b"a" * 100 + b'">'
        + b"".join(b'<!ENTITY a%d "%s">' % (i, (b"&a%d;" % (i - 1) if i > 1 else b"&a;") * 10) for i in range(1, 9))
        + b']><svg xmlns="http://www.w3.org/2000/svg"><text>&a8;</text></svg>')),
     "chapters/01.md:9…: error m-005"),
    ("svg-not-svg", with_image("![A chart](../images/c.svg)", "c.svg", b"<html/>"), "chapters/01.md:9…: error m-005"),
    ("fenced-div-unclosed", chapter(GOOD + "\n::: pullquote\nNever closed\n\nMore text.\n"),
     "chapters/01.md:9: error m-009 fenced div '::: pullquote' is never closed"),
    ("fenced-div-nested", chapter(GOOD + "\n::: pullquote\nOuter\n\n::: pullquote\nInner\n:::\n:::\n"),
     "chapters/01.md:12: error m-009 fenced div '::: pullquote' inside another fenced div"),
    ("nesting-too-deep", chapter(GOOD + "\n" + ">" * 300 + " deep\n"), "chapters/01.md:4…: error m-011"),
    ("lists-too-deep", chapter(GOOD + "\n" + "".join("    " * i + "- a\n" for i in range(120))),
     "chapters/01.md:4…: error m-011"),
]


@pytest.mark.parametrize(("setup", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_stops_the_build(tmp_path: Path, capsys, setup: Setup, expected: str) -> None:
    code, err, out = run_build(tmp_path, capsys, setup)
    assert_stopped(code, err, out, expected)


def test_every_error_is_reported_in_one_run(tmp_path: Path, capsys) -> None:
    def setup(book: Path) -> None:
        yaml_append("subtitel: x\n")(book)
        chapter(GOOD + "\n[@nobody]\n\n#### Deep\n\n![](../images/none.png)\n")(book)

    code, err, out = run_build(tmp_path, capsys, setup)
    # Unknown citation keys are checked even when other errors stop the build before formatting.
    for expected in ("book.yaml:7…: error y-002", "chapters/01.md:11…: error m-002",
                     "chapters/01.md:13…: error m-003", "chapters/01.md:13…: error f-001",
                     "chapters/01.md:9:1: error c-001 unknown citation key '@nobody'"):
        assert_stopped(code, err, out, expected)


# Odd input that is not an error: the build succeeds, and a finding says what happened where useful.
ACCEPTED: list[tuple[str, Setup, str | None, str]] = [
    ("bom", chapter_bytes(b"\xef\xbb\xbf" + GOOD.encode()), None, "Smith"),
    ("crlf", chapter_bytes(GOOD.replace("\n", "\r\n").encode()), None, "Start"),
    ("crlf-book-yaml", lambda b: (b / "book.yaml").write_bytes((b / "book.yaml").read_bytes().replace(b"\n", b"\r\n")),
     None, "Smith"),
    ("old-mac-cr", chapter_bytes(GOOD.replace("\n", "\r").encode()), None, "Start"),
    ("control-characters", chapter(GOOD + "\nBell\x07 and escape\x1b here.\n"),
     "chapters/01.md:9:5…: warning f-005", "Bell and escape here."),
    ("nul-byte", chapter(GOOD + "\nNul\x00 here.\n"), "chapters/01.md:9:4…: warning f-005", "Nul here."),
    ("bad-character-reference", chapter(GOOD + "\nRef &#1; here.\n"), "chapters/01.md:9…: warning m-008", "Ref"),
    ("empty-citation", chapter(GOOD + "\nSee [@] here.\n"), "chapters/01.md:9:5…: warning c-003", "See [@] here."),
    ("email", chapter(GOOD + "\nWrite to office@smith2020.org today.\n"), None, "office@smith2020.org"),
    ("escaped-at", chapter(GOOD + "\nOur \\@smith2020 handle.\n"), None, "@smith2020 handle"),
    ("huge-cluster", chapter(GOOD + "\nMany [" + "; ".join(["@smith2020", "@jones2019"] * 400) + "].\n"),
     None, "Smith"),
    ("brackets-without-keys", chapter(GOOD + "\n[[[[not a citation]]]] and [see p. 3].\n"), None, "not a citation"),
    ("title-is-a-number", chapter("---\ntitle: 1984\n---\n\nText [@smith2020] and @jones2019.\n"), None, "1984"),
    ("note-without-definition", chapter(GOOD + "\nA claim.[^source]\n"),
     "chapters/01.md:9:9: warning m-012 footnote [^source] has no definition", "A claim.[^source]"),
    ("percent-encoded-image", with_image("![A photo](../images/my%20photo.png)", "my photo.png", png()),
     None, "Smith"),
    ("unknown-citation-locale", yaml_append("citation_locale: xx-YY\n"),
     "warning y-008 no CSL locale for citation_locale 'xx-YY'", "Smith"),
    ("glyph-missing-from-print-font", chapter(GOOD + "\nA symbol \u2230 here.\n"),
     "chapters/01.md: warning p-002 the print font has no glyph for \u2230 (U+2230)", "A symbol \u2230 here."),
    ("glyph-missing-from-large-print-font", chapter(GOOD + "\n\u014ctsuka wrote it.\n"),
     "chapters/01.md: warning p-002 the large-print edition's font has no glyph for \u014c (U+014C)",
     "\u014ctsuka wrote it."),
    ("link-to-heading-as-pandoc-names-it", chapter(GOOD + "\nSee [the start](#start).\n"), None, "See the start."),
    ("reference-date-out-of-calendar", lambda b: (b / "references.json").write_text(
        REFS.replace('"date-parts": [[2020]]', '"date-parts": [[2020, -3, 40]]'), encoding="utf-8"),
     "references.json…: warning b-006", "Smith"),
    ("markdown-javascript-link", chapter(GOOD + "\n[click](javascript:alert(1))\n"),
     "chapters/01.md:9: warning m-008 unsafe attribute href=", "click"),
    ("undated-web-page-without-access-date", both(
        lambda b: (b / "references.json").write_text(REFS.replace(
            '"publisher": "Pub"}\n]', '"publisher": "Pub"},\n  {"id": "web", "type": "webpage", '
            '"title": "A page", "URL": "https://example.org/page"}\n]'), encoding="utf-8"),
        chapter(GOOD + "\nSee [@web].\n")),
     "references.json:6:55: warning b-007 entry 'web'", "Retrieved https://example.org/page"),
    ("title-too-long-for-the-running-head", chapter(
        "---\ntitle: Understanding the Surprisingly Complicated Relationship Between Emotional Tears and Recovery\n"
        "---\n\nText [@smith2020] and @jones2019.\n"),
     "chapters/01.md:2: warning p-003 the running head 'Understanding the Surprisingly", "Text"),
    ("short-running-head-for-a-long-title", chapter(
        "---\ntitle: Understanding the Surprisingly Complicated Relationship Between Emotional Tears and Recovery\n"
        "running_head: Tears and recovery\n---\n\nText [@smith2020] and @jones2019.\n"), None, "Text"),
    ("image-as-a-link-named-by-its-alt-text", with_image("[![The practice's logo](../images/logo.png)]"
                                                         "(https://example.org)", "logo.png", png()), None, "Smith"),
    ("alt-text-is-the-file-name", with_image("![IMG_2041.JPG](../images/p.png)", "p.png", png()),
     "chapters/01.md:9: warning m-019 image '../images/p.png' has the alt text 'IMG_2041.JPG'", "Smith"),
    ("alt-text-is-a-generic-word", with_image("![Photo.](../images/p.png)", "p.png", png()),
     "chapters/01.md:9…: warning m-019", "Smith"),
    ("webp-image", with_image("![A photo](../images/photo.webp)", "photo.webp", webp()),
     "chapters/01.md:9: warning m-016 image '../images/photo.webp' is WebP", "Smith"),
    ("note-called-twice", chapter(GOOD + "\nOne.[^n] Two.[^n]\n\n[^n]: The note.\n"), None, "The note."),
    ("note-defined-twice", chapter(GOOD + "\nOne.[^n]\n\n[^n]: First.\n[^n]: Second.\n"),
     "chapters/01.md:11: warning m-015 footnote [^n] is defined 2 times (lines 11, 12)", "Second."),
    ("note-never-called", chapter(GOOD + "\nNo call here.\n\n[^lost]: Lost note.\n"),
     "chapters/01.md:11: warning m-015 footnote [^lost] is defined but never called", "No call here."),
    ("comment-inline-keeps-the-words-after-it", chapter(GOOD + "\nBefore <!-- hidden --> after.\n"), None,
     "Before after."),
    ("comment-opening-in-code", chapter(GOOD + "\n```html\n<!-- an example\n```\n\nSee `<!--`.\n"), None,
     "<!-- an example"),
    ("raw-html-with-our-citation-mark", chapter(GOOD + '\nText <span data-cluster="7">odd</span> here.\n'), None,
     "Text odd here."),
    ("raw-html-with-our-unclosed-div-mark", chapter(GOOD + '\n<div class="x" data-unclosed="1">Odd.</div>\n'), None,
     "Odd."),
    ("alt-text-holding-our-citation-marker", with_image("![Odd \ue0009\ue001 alt](../images/p.png)", "p.png", png()),
     None, "Smith"),
    ("attribute-values-html-allows", chapter(
        GOOD + '\n[Bonjour]{lang=fr-CA} <span dir="rtl" lang="he">\u05e9\u05dc\u05d5\u05dd</span> on '
        '<time datetime="2024-05-17T14:30">17 May</time>.\n\n<ol start="3" reversed><li>three</li></ol>\n\n'
        '<table><tr><th scope="col" colspan="2">Both</th></tr><tr><td>a</td><td rowspan="1">b</td></tr></table>\n'),
     None, "Bonjour"),
    ("raw-html-html-allows", chapter(
        GOOD + '\n<table><tr><th id="c1">Name</th></tr><tr><td headers="c1">Ada</td></tr></table>\n\n'
        '<dl><dt>Term</dt><dd><p>Definition.</p></dd></dl>\n\n<div><a href="https://example.org"><span>Wide '
        'link</span></a></div>\n\n<ol><li><p>Item</p><ul><li>Inner</li></ul></li></ol>\n'),
     None, "Wide link"),
    ("unclosed-div-and-unknown-key-inside-code", chapter(GOOD + "\n```\n::: pullquote\nsee [@nobody]\n```\n"),
     None, "::: pullquote see [@nobody]"),
]


@pytest.mark.parametrize(("setup", "finding", "text"), [c[1:] for c in ACCEPTED], ids=[c[0] for c in ACCEPTED])
def test_odd_but_acceptable_input_builds(tmp_path: Path, capsys, setup: Setup, finding: str | None,
                                         text: str) -> None:
    chapter_doc, err = built_chapter(tmp_path, capsys, setup)
    assert "Traceback" not in err
    if finding:
        assert any(said(line, finding) for line in err.splitlines()), err
    assert text in " ".join("".join(chapter_doc.itertext()).split())


def test_footnote_back_link_arrow_is_not_a_missing_glyph(tmp_path: Path, capsys) -> None:
    """The EPUB's "↩" back-link is dropped from the PDF, so p-002 must not report it."""
    book = make_book(tmp_path)
    chapter(GOOD + "\nA claim.[^1]\n\n[^1]: The source, with \u2230.\n")(book)
    code = main(["epub", str(book), "-o", str(tmp_path / "book.epub"), "-q"])
    err = capsys.readouterr().err
    assert code == 0, err
    glyphs = [line for line in err.splitlines() if " p-002 " in line]
    assert len(glyphs) == 1 and "U+2230" in glyphs[0] and "U+21A9" not in glyphs[0], err


@pytest.mark.slow  # a subprocess or pdftotext
def test_missing_glyphs_are_one_finding_each_not_a_weasyprint_warning(tmp_path: Path) -> None:
    """p-002 covers the title page too, and WeasyPrint's own ".notdef" warning stays out of the log.

    Run as a command: the warning would come from a layout worker, whose output capsys cannot see.
    """
    import subprocess
    import sys

    book = make_book(tmp_path)
    chapter(GOOD + "\nA smile \U0001F642 here.\n")(book)  # in no installed font either: a .notdef
    config = book / "book.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("title:", "title: \U0001F643", 1), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "publish", "pdf", str(book), "-o", str(tmp_path / "book.pdf"), "-q"],
                          capture_output=True, text=True, encoding="utf-8")
    err = done.stderr
    assert done.returncode == 0, err
    glyphs = sorted(line for line in err.splitlines() if " p-002 " in line)
    assert len(glyphs) == 2, err
    assert "book.yaml" in glyphs[0] and "U+1F643" in glyphs[0] and "chapters/01.md" in glyphs[1], err
    assert "notdef" not in err and "WARNING" not in err, err


@pytest.mark.parametrize("where", ["file-as-folder", "folder-as-file"])
def test_an_output_that_cannot_be_written_stops_the_build_before_it_starts(tmp_path: Path, capsys, where) -> None:
    book = make_book(tmp_path)
    if where == "file-as-folder":  # --out-dir names a file
        target = tmp_path / "dist"
        target.write_text("not a folder")
        argv, expected = ["build", str(book), "--out-dir", str(target)], f"the output folder '{target}' is a file"
    else:  # -o names a folder
        target = tmp_path / "book.pdf"
        target.mkdir()
        argv, expected = ["pdf", str(book), "-o", str(target)], f"the output '{target}' is a folder"
    code = main([*argv, "-q"])
    err = capsys.readouterr().err
    assert code == 1 and "x-001" not in err, err
    assert [line for line in err.splitlines() if " f-006 " in line] == [f"publish: error f-006 {expected}; "
                                                                              + err.split("; ", 1)[1].splitlines()[0]]


def test_a_link_to_a_heading_by_its_pandoc_id_reaches_the_heading(tmp_path: Path, capsys) -> None:
    """``[x](#start)`` for ``## Start``: pandoc's id; the article's own ids carry its prefix."""
    doc, _ = built_chapter(tmp_path, capsys, chapter(GOOD + "\nSee [the start](#start).\n"))
    ns = {"h": "http://www.w3.org/1999/xhtml"}
    (link,) = doc.xpath("//h:a[normalize-space()='the start']", namespaces=ns)
    target = link.get("href")[1:]
    assert doc.xpath(f"//h:h2[@id='{target}']/text()", namespaces=ns) == ["Start"]


@pytest.mark.parametrize("value", ["yesterday", "-5", "99999999999999", "9" * 5000])
def test_a_source_date_epoch_that_is_not_a_unix_time_is_a_warning(tmp_path: Path, capsys, monkeypatch,
                                                                  value: str) -> None:
    """Not a number, before 1970, or past the year 9999 (the last was an internal error, the longest too)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    book = make_book(tmp_path)
    assert main(["epub", str(book), "-o", str(tmp_path / "book.epub"), "-q"]) == 0
    err = capsys.readouterr().err
    assert f"warning y-009 SOURCE_DATE_EPOCH is not a Unix time (whole seconds since 1970, before the year 10000): " \
           f"{value[:40]!r}" in err, err


@pytest.mark.parametrize(("argv", "expected"), [
    (["epub", "{book}", "-o", "{tmp}/handout.pdf"], "the EPUB would be written to '{tmp}/handout.pdf', a name for "
                                                     "the other format; name it '{tmp}/handout.epub'"),
    (["pdf", "{book}", "-o", "{tmp}/book.epub"], "the PDF would be written to '{tmp}/book.epub'"),
    (["build", "{book}", "--out-dir", "/proc/publish-cannot-make-this"],
     "the output folder '/proc/publish-cannot-make-this' cannot be written to"),
    (["check", "{book}", "--out-dir", "/proc/publish-cannot-make-this"],
     "the output folder '/proc/publish-cannot-make-this' cannot be written to"),
])
def test_an_output_named_for_the_other_format_or_in_no_folder_is_f006(tmp_path: Path, capsys, argv, expected):
    book = make_book(tmp_path)
    argv = [a.format(book=book, tmp=tmp_path) for a in argv]
    code = main([*argv, "-q"])
    err = capsys.readouterr().err
    assert code == 1 and "x-001" not in err, err
    assert f"error f-006 {expected.format(tmp=tmp_path)}" in err, err
    assert not (tmp_path / "handout.pdf").exists() and not (tmp_path / "book.epub").exists()


def test_absolute_links_of_any_safe_scheme_and_the_top_of_the_page_pass(tmp_path: Path, capsys) -> None:
    book = make_book(tmp_path)
    chapter(GOOD + "\nCall [us](tel:+441234567890), write [to us](mailto:a@example.com), [top](#).\n")(book)
    assert main(["epub", str(book), "-o", str(tmp_path / "book.epub"), "-q"]) == 0
    assert "m-013" not in capsys.readouterr().err


@pytest.mark.slow  # a subprocess or pdftotext
def test_a_note_called_twice_is_printed_at_each_call(tmp_path: Path, capsys) -> None:
    """As pandoc does: the PDF sets the note at the foot of each page that calls it; the EPUB keeps one note."""
    import subprocess

    from conftest import require_tool

    require_tool("pdftotext")
    book = make_book(tmp_path)
    chapter(GOOD + "\nOne.[^n] Two.[^n]\n\n[^n]: The twice-called note.\n")(book)
    assert main(["build", str(book), "--out-dir", str(tmp_path / "out"), "-q"]) == 0, capsys.readouterr().err
    text = subprocess.run(["pdftotext", str(tmp_path / "out" / "test-book.pdf"), "-"], check=True,
                          capture_output=True, text=True).stdout
    assert text.count("The twice-called note.") == 2
    from publish.epub.package import read_back

    chapter_doc = read_back(tmp_path / "out" / "test-book.epub")["EPUB/ch01.xhtml"]
    assert "".join(chapter_doc.itertext()).count("The twice-called note.") == 1


def test_a_table_with_an_empty_header_row_has_no_header_row(tmp_path: Path, capsys) -> None:
    """As pandoc writes it: no <thead> of empty <th> cells for screen readers to announce (and Ace to flag)."""
    doc, _ = built_chapter(tmp_path, capsys, chapter(GOOD + "\n|   |   |\n|---|---|\n| a | b |\n| c | d |\n"))
    ns = {"h": "http://www.w3.org/1999/xhtml"}
    assert doc.xpath("//h:table//h:th", namespaces=ns) == []
    assert [cell.text for cell in doc.xpath("//h:table//h:td", namespaces=ns)] == ["a", "b", "c", "d"]


X = {"x": "http://www.w3.org/1999/xhtml"}


def test_a_citation_in_a_link_or_alt_text_is_printed_as_words(tmp_path: Path, capsys) -> None:
    """``[the study by @smith2020](url)`` is a link, not a citation bracket; ``![… @key](img)`` keeps its image."""
    setup = with_image("Read [the study by @smith2020](https://example.org) now.\n\n"
                       "![Chart from @smith2020](../images/chart.png)", "chart.png", png())
    doc, err = built_chapter(tmp_path, capsys, setup)
    assert "Traceback" not in err
    link = doc.xpath("//x:a[@href='https://example.org']", namespaces=X)
    assert len(link) == 1 and " ".join("".join(link[0].itertext()).split()) == "the study by Smith (2020)"
    assert not link[0].xpath(".//x:a", namespaces=X)  # no link inside the link
    assert "(https://example.org)" not in "".join(doc.itertext())
    assert [img.get("alt") for img in doc.xpath("//x:img", namespaces=X)] == ["Chart from Smith (2020)"]


def test_contents_name_headings_without_note_calls_and_with_their_citations(tmp_path: Path, capsys) -> None:
    """The EPUB's contents and the PDF's bookmarks: "A heading" (not "A heading1"), "What Smith (2020) found"."""
    import pikepdf

    from publish.epub.package import read_back

    book = make_book(tmp_path)
    chapter(GOOD + "\n## A heading[^1]\n\nText.\n\n## What @smith2020 found\n\nMore.\n\n[^1]: The note.\n")(book)
    out = tmp_path / "dist"
    assert main(["build", str(book), "--out-dir", str(out), "-q"]) == 0, capsys.readouterr().err
    nav = read_back(next(out.glob("*.epub")))["EPUB/nav.xhtml"]
    entries = [" ".join("".join(a.itertext()).split()) for a in nav.xpath("//x:nav[@id='toc']//x:a", namespaces=X)]
    assert "A heading" in entries and "What Smith (2020) found" in entries, entries
    doc = read_back(next(out.glob("*.epub")))["EPUB/ch01.xhtml"]
    assert doc.xpath("//x:h2[@id='ch01-a-heading']", namespaces=X)  # the note's number is not in the id
    with pikepdf.open(next(out.glob("*.pdf"))) as pdf, pdf.open_outline() as outline:
        titles = [str(child.title) for item in outline.root for child in item.children]
    assert "A heading" in titles and "What Smith (2020) found" in titles, titles


@pytest.mark.slow  # a subprocess or pdftotext
def test_inline_markdown_in_an_article_title(tmp_path: Path, capsys) -> None:
    """``*The Body Keeps the Score*`` in a title is italic in the heading and the contents, words elsewhere."""
    import pikepdf

    from publish.epub.package import read_back

    book = make_book(tmp_path)
    chapter('---\ntitle: "Reading *The Body Keeps the Score* <script>x</script>"\n---\n\n## Start\n\n'
            "Text [@smith2020] and @jones2019.\n")(book)
    out = tmp_path / "dist"
    code = main(["build", str(book), "--out-dir", str(out), "-q"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "chapters/01.md:2: warning m-008 raw HTML <script> removed" in err
    files = read_back(next(out.glob("*.epub")))
    h1 = files["EPUB/ch01.xhtml"].xpath("//x:h1", namespaces=X)[0]
    assert " ".join("".join(h1.itertext()).split()) == "Reading The Body Keeps the Score"
    assert [el.text for el in h1.xpath(".//x:em", namespaces=X)] == ["The Body Keeps the Score"]
    nav = files["EPUB/nav.xhtml"]
    assert "Reading The Body Keeps the Score" in [" ".join("".join(a.itertext()).split())
                                                  for a in nav.xpath("//x:nav[@id='toc']//x:a", namespaces=X)]
    with pikepdf.open(next(out.glob("*.pdf"))) as pdf, pdf.open_outline() as outline:
        assert "Reading The Body Keeps the Score" in [str(item.title) for item in outline.root]
    assert "*" not in subprocess_text(next(out.glob("*.pdf")))


def subprocess_text(pdf: Path) -> str:
    import subprocess

    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def _cover_file(name: str, width: int, height: int) -> Setup:
    def setup(book: Path) -> None:
        (book / "images").mkdir(exist_ok=True)
        (book / "images" / name).write_bytes(png(width, height))
    return setup


@pytest.mark.parametrize(("size", "finding"), [
    ((1600, 2400), None),
    ((60, 40), "book.yaml:…: warning m-023"),
    ((800, 1200), "book.yaml:…: warning m-023"),
])
def test_a_cover_image_is_the_epub_cover_and_a_small_or_landscape_one_warns(tmp_path: Path, capsys, size,
                                                                            finding) -> None:
    from publish.epub.package import read_back

    book = make_book(tmp_path)
    both(yaml_append("cover: images/own.png\ncover_alt: The practice's own cover\n"),
         _cover_file("own.png", *size))(book)
    out = tmp_path / "dist"
    code = main(["build", str(book), "--out-dir", str(out), "-q"])
    err = capsys.readouterr().err
    assert code == 0, err
    warned = [line for line in err.splitlines() if " m-023 " in line]
    if finding is None:
        assert not warned, err
    else:
        assert warned and said(warned[0], finding) and f"{size[0]}×{size[1]} pixels" in warned[0], err
    files = read_back(next(out.glob("*.epub")))
    cover = files["EPUB/cover.xhtml"]
    img = cover.xpath("//x:img", namespaces=X)[0]
    assert img.get("alt") == "The practice's own cover" and img.get("src").endswith("cover.png")

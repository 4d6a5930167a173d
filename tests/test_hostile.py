"""Hostile and unlucky input: no lost file, no mixed pair, no hang on a small file, nothing left behind."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from conftest import BOOK, ROOT, write_book

from publish.cli import main

ARTICLE = "---\ntitle: One\n---\n\nA paragraph of words.\n"


def test_an_output_inside_the_book_folder_is_refused_before_the_build(tmp_path, capsys):
    book = write_book(tmp_path / "book", {"01.md": ARTICLE})
    chapter = book / "chapters" / "01.md"
    before = chapter.read_bytes(), (book / "book.yaml").read_bytes()
    assert main(["epub", str(book), "-o", str(chapter), "-q"]) == 1
    assert main(["pdf", str(book), "-o", str(book / "book.yaml"), "-q"]) == 1
    assert main(["build", str(book), "--out-dir", str(book / "dist"), "-q"]) == 1
    err = capsys.readouterr().err
    assert err.count(" f-006 ") == 4 and "inside the book folder" in err  # build: the EPUB and the PDF
    assert (chapter.read_bytes(), (book / "book.yaml").read_bytes()) == before
    assert not (book / "dist").exists()


def test_the_epub_and_the_pdf_may_not_be_one_file(tmp_path, capsys):
    book = write_book(tmp_path / "book", {"01.md": ARTICLE})
    same = tmp_path / "out.bin"
    assert main(["build", str(book), "--epub", str(same), "--pdf", str(same), "-q"]) == 1
    assert "--epub and --pdf name the same file" in capsys.readouterr().err and not same.exists()


@pytest.mark.slow
def test_a_failure_while_writing_the_epub_keeps_the_previous_pair(tmp_path, capsys, monkeypatch):
    """The PDF is finished first; if the EPUB then fails, neither file changes and nothing is left beside them."""
    book = write_book(tmp_path / "book", {"01.md": ARTICLE})
    out = tmp_path / "dist"
    assert main(["build", str(book), "--out-dir", str(out), "-q"]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    (book / "chapters" / "01.md").write_text(ARTICLE + "\nA second paragraph.\n", encoding="utf-8")
    import publish.pipeline

    def broken(*_args, **_kwargs):
        raise OSError("the disk is full")

    monkeypatch.setattr(publish.pipeline, "fork_available", lambda: False)  # the EPUB in this process
    monkeypatch.setattr("publish.epub.package.repack_deterministic", broken)
    assert main(["build", str(book), "--out-dir", str(out), "-q"]) == 1
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no new PDF beside the old EPUB
    assert "x-001" in capsys.readouterr().err


def test_a_date_a_zip_cannot_store_is_a_finding(tmp_path, capsys):
    book = write_book(tmp_path / "book", {"01.md": ARTICLE})
    text = (book / "book.yaml").read_text(encoding="utf-8").replace("date: '2026-01-02'", "date: '9999-12-31'")
    (book / "book.yaml").write_text(text, encoding="utf-8")
    assert main(["epub", str(book), "-o", str(tmp_path / "x.epub"), "-q"]) == 1
    err = capsys.readouterr().err
    assert "book.yaml:4: error y-010" in err and not (tmp_path / "x.epub").exists()


def test_a_yaml_alias_bomb_in_book_yaml_is_refused_at_once(tmp_path, capsys):
    book = write_book(tmp_path / "book", {"01.md": ARTICLE})
    levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    levels += [f"{c}: &{c} [{','.join(['*' + p] * 9)}]" for p, c in zip("abcdefgh", "bcdefghi", strict=True)]
    (book / "book.yaml").write_text("\n".join(levels) + "\n" + (book / "book.yaml").read_text(encoding="utf-8"),
                                    encoding="utf-8")
    start = time.perf_counter()
    assert main(["epub", str(book), "-o", str(tmp_path / "x.epub"), "-q"]) == 1
    assert time.perf_counter() - start < 20  # a refusal, not an expansion of 9^9 values
    assert "book.yaml:2:" in capsys.readouterr().err


def test_front_matter_aliases_are_refused_too(tmp_path, capsys):
    book = write_book(tmp_path / "book", {"01.md": "---\ntitle: &t One\nsubtitle: *t\n---\n\nText.\n"})
    assert main(["epub", str(book), "-o", str(tmp_path / "x.epub"), "-q"]) == 1
    assert "chapters/01.md:3:" in capsys.readouterr().err


def test_ctrl_c_ends_quietly_with_130(tmp_path, capsys, monkeypatch):
    book = write_book(tmp_path / "book", {"01.md": ARTICLE})

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("publish.pipeline.prepare", interrupted)
    assert main(["build", str(book), "--out-dir", str(tmp_path / "out"), "-q"]) == 130
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.startswith("publish: interrupted") and not (tmp_path / "out").exists()


def test_an_internal_error_is_one_line(tmp_path, capsys, monkeypatch):
    book = write_book(tmp_path / "book", {"01.md": ARTICLE})

    def failing(*_args, **_kwargs):
        raise RuntimeError("laying out part 2 of the PDF failed:\nTraceback (most recent call last):\n  File x")

    monkeypatch.setattr("publish.pipeline.prepare", failing)
    assert main(["build", str(book), "--out-dir", str(tmp_path / "out"), "-q"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and " x-001 " in err


@pytest.mark.slow
def test_no_temporary_folder_outlives_a_build(tmp_path):
    """WeasyPrint writes the fonts it embeds to a folder of its own; the build removes it with its processes."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}
    done = subprocess.run([sys.executable, "-m", "publish", "build", str(BOOK), "--out-dir", str(tmp_path / "out"),
                           "-q"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in scratch.iterdir()) == []
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        p.name for p in (tmp_path / "out").iterdir() if not p.name.startswith("."))
    assert tempfile.gettempdir() != str(scratch)  # the test's own process was not redirected


def test_output_folder_problems_are_found_before_the_build(tmp_path, capsys):
    book = write_book(tmp_path / "book", {"01.md": ARTICLE})
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    start = time.perf_counter()
    assert main(["build", str(book), "--out-dir", str(blocker / "dist"), "-q"]) == 1
    assert time.perf_counter() - start < 5 and " f-006 " in capsys.readouterr().err
    assert Path(blocker).read_text(encoding="utf-8") == "x"


def _yaml_edit(book: Path, old: str, new: str) -> None:
    text = (book / "book.yaml").read_text(encoding="utf-8")
    assert old in text
    (book / "book.yaml").write_text(text.replace(old, new), encoding="utf-8")


def test_an_impossible_unquoted_date_is_located(tmp_path, capsys):
    book = write_book(tmp_path / "book", {"01.md": ARTICLE})
    _yaml_edit(book, "date: '2026-01-02'", "date: 2026-02-30")
    assert main(["epub", str(book), "-o", str(tmp_path / "x.epub"), "-q"]) == 1
    err = capsys.readouterr().err
    assert "book.yaml:4: error y-005 'date' is not YYYY-MM-DD: '2026-02-30'" in err and "x-001" not in err


def test_a_source_date_epoch_of_other_digits_is_a_warning(tmp_path, capsys, monkeypatch):
    book = write_book(tmp_path / "book", {"01.md": ARTICLE})
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "\u00b2")  # a superscript two: a digit to str.isdigit, not to int
    assert main(["epub", str(book), "-o", str(tmp_path / "x.epub"), "-q"]) == 0
    assert "warning y-009" in capsys.readouterr().err


def test_a_control_character_from_a_yaml_escape_is_removed_with_a_warning(tmp_path, capsys):
    book = write_book(tmp_path / "book", {"01.md": ARTICLE}, extra_yaml='rights: "Copyright \\a 2026"\n')
    assert main(["epub", str(book), "-o", str(tmp_path / "x.epub"), "-q"]) == 0
    assert "book.yaml:9: warning f-005 control characters removed from 'rights'" in capsys.readouterr().err


REFS = ('[{"id": "web", "type": "webpage", "title": "A search", "author": [{"family": "Smith", "given": "A."}],'
        ' "issued": {"date-parts": [[2020]]}, "URL": "https://example.org/search?q=tears&sort=new&"},'
        ' {"id": "doi", "type": "article-journal", "title": "A paper", "author": [{"family": "Jones", "given": "B."}],'
        ' "issued": {"date-parts": [[2019]]}, "container-title": "J", "DOI": "10.1000/abc>def<g&h"}]')


def test_addresses_ending_in_an_ampersand_or_holding_brackets_are_links(tmp_path):
    import zipfile

    book = write_book(tmp_path / "book", {"01.md": "---\ntitle: One\n---\n\nSee [@web; @doi].\n"}, REFS)
    assert main(["build", str(book), "--out-dir", str(tmp_path / "out"), "-q"]) == 0
    with zipfile.ZipFile(next((tmp_path / "out").glob("*.epub"))) as archive:
        chapter = archive.read("EPUB/ch01.xhtml").decode()
    assert 'href="https://example.org/search?q=tears&amp;sort=new&amp;"' in chapter
    assert 'href="https://doi.org/10.1000/abc&gt;def&lt;g&amp;h"' in chapter


def test_a_chapter_that_links_to_itself_is_a_finding(tmp_path, capsys):
    book = write_book(tmp_path / "book", {"01.md": ARTICLE})
    (book / "chapters" / "02.md").symlink_to("02.md")
    _yaml_edit(book, "  - chapters/01.md", "  - chapters/01.md\n  - chapters/02.md")
    assert main(["epub", str(book), "-o", str(tmp_path / "x.epub"), "-q"]) == 1
    assert "book.yaml:9: error f-008" in capsys.readouterr().err


def test_a_roman_chapter_locator_keeps_its_label_and_attributes_cannot_make_citations(tmp_path):
    import zipfile

    refs = ('[{"id": "k", "type": "book", "title": "A book", "author": [{"family": "Smith", "given": "A."}],'
            ' "issued": {"date-parts": [[2020]]}, "publisher": "Pub"}]')
    text = "---\ntitle: One\n---\n\nSee [@k, chap. iv].\n\n## Heading {data-cluster=0}\n\nWords.\n"
    book = write_book(tmp_path / "book", {"01.md": text}, refs)
    assert main(["epub", str(book), "-o", str(tmp_path / "x.epub"), "-q"]) == 0
    with zipfile.ZipFile(tmp_path / "x.epub") as archive:
        chapter = archive.read("EPUB/ch01.xhtml").decode()
    assert "Smith, 2020, Chapter iv" in chapter
    assert '<h2 id="ch01-heading">Heading</h2>' in chapter


def _images_book(tmp_path: Path, images: dict[str, bytes]) -> Path:
    text = "---\ntitle: One\n---\n\n" + "\n\n".join(f"![Picture {i}](../images/{name})"
                                                   for i, name in enumerate(images)) + "\n"
    book = write_book(tmp_path / "book", {"01.md": text})
    (book / "images").mkdir()
    for name, data in images.items():
        (book / "images" / name).write_bytes(data)
    return book


def _encoded(image, kind: str) -> bytes:
    import io

    out = io.BytesIO()
    image.save(out, format=kind)
    return out.getvalue()


def test_a_truncated_jpeg_is_m005(tmp_path, capsys):
    from PIL import Image

    data = _encoded(Image.new("RGB", (300, 300), "blue"), "JPEG")
    book = _images_book(tmp_path, {"cut.jpg": data[: len(data) // 2]})
    assert main(["epub", str(book), "-o", str(tmp_path / "x.epub"), "-q"]) == 1
    assert "error m-005 image '../images/cut.jpg' is truncated or damaged" in capsys.readouterr().err


def test_a_png_named_jpg_is_published_as_png_and_a_16_bit_grey_png_as_8_bit(tmp_path, capsys):
    import io
    import zipfile

    from PIL import Image

    ramp = Image.new("I;16", (64, 4))
    ramp.putdata([x * 1000 for _ in range(4) for x in range(64)])
    book = _images_book(tmp_path, {"circle.jpg": _encoded(Image.new("RGB", (20, 20), "red"), "PNG"),
                                   "ramp.png": _encoded(ramp, "PNG")})
    assert main(["epub", str(book), "-o", str(tmp_path / "x.epub"), "-q"]) == 0
    assert "warning m-024 image '../images/circle.jpg' is a PNG file with a .jpg extension" in capsys.readouterr().err
    with zipfile.ZipFile(tmp_path / "x.epub") as archive:
        names = archive.namelist()
        assert "EPUB/images/circle.png" in names and "EPUB/images/circle.jpg" not in names
        grey = Image.open(io.BytesIO(archive.read("EPUB/images/ramp.png")))
    assert grey.mode == "L" and grey.getextrema() == (0, 245)  # the ramp, not black: 63000 / 65535 * 255, floored


@pytest.mark.slow
def test_an_image_weasyprint_cannot_draw_is_a_finding_not_a_gap():
    import dataclasses

    from publish.pdf.document import render
    from publish.pipeline import prepare

    book, _ = prepare(ROOT / "tests" / "books" / "figure")
    chapter = next(ch for ch in book.chapters if ch.images)
    chapter.images[0] = dataclasses.replace(chapter.images[0], data=b"not an image any more")
    findings = render(book).findings
    said = [f for f in findings if f.code == "p-004"]
    assert len(said) == 1 and said[0].location.path == chapter.source and chapter.images[0].href in said[0].message


def test_svg_dangers_behind_css_escapes_and_animation_are_removed():
    from publish.source.images import sanitize_svg

    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
           b'<style>@\\69mport url(http://evil.example/x.css);</style>'
           b'<style>rect { fill: u\\72l(http://evil.example/a) }</style>'
           b'<rect width="10" height="10" fill="url(http://evil.example/p)" filter="url(#f)"'
           b' mask="url(\'http://evil.example/m\')" clip-path="url(data:x)"/>'
           b'<a href="#x"><set attributeName="href" to="javascript:alert(1)"/>'
           b'<animate attributeName="href" values="javascript:alert(1)"/><text>hi</text></a></svg>')
    clean = sanitize_svg(svg)[0].decode()
    for gone in ("evil.example", "<style", "<set", "<animate", "javascript", "data:x"):
        assert gone not in clean, gone
    assert 'filter="url(#f)"' in clean and "<text>hi</text>" in clean


STYLE = ROOT / "styles" / "csl" / "apa.csl"
CITED = ('[{"id": "k", "type": "book", "title": "A book", "author": [{"family": "Smith", "given": "A."}],'
         ' "issued": {"date-parts": [[2020]]}, "publisher": "Pub"}]')


@pytest.mark.parametrize(("change", "said"), [
    (('<macro name="label-edition">', '<macro name="label-edition"><text macro="label-issue"/>'),
     "macro 'label-edition' calls itself (label-edition → label-issue → label-edition)"),
    (('<text macro="label-number"/>', '<text macro="no-such-macro"/>'),
     "uses the macro 'no-such-macro', which it never defines"),
    (('et-al-min="21"', 'et-al-min="many"'), 'et-al-min="many" is not a whole number'),
    (("<info>", '<info><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="other.xml"/>'),
     "uses XInclude"),
])
def test_a_style_is_checked_before_it_is_trusted(tmp_path, capsys, change, said):
    style = STYLE.read_text(encoding="utf-8")
    style = style.replace(*change, 1)
    if "calls itself" in said:
        style = style.replace('<macro name="label-issue">',
                              '<macro name="label-issue"><text macro="label-edition"/>', 1)
    book = write_book(tmp_path / "book", {"01.md": "---\ntitle: One\n---\n\nSee [@k].\n"}, CITED,
                      extra_yaml="csl: style.csl\n")
    (book / "style.csl").write_text(style, encoding="utf-8")
    assert main(["epub", str(book), "-o", str(tmp_path / "x.epub"), "-q"]) == 1
    err = capsys.readouterr().err
    assert " s-001 " in err and said in err and "style.csl:" in err and "Traceback" not in err


def test_a_style_that_gives_no_citation_is_an_error_not_an_empty_citation(tmp_path, capsys):
    style = STYLE.read_text(encoding="utf-8")
    layout = style.index("<layout", style.index("<citation"))  # the citation's layout prints nothing we read
    end = style.index("</layout>", layout) + len("</layout>")
    style = style[:layout] + '<layout><text variable="no-such-variable"/></layout>' + style[end:]
    book = write_book(tmp_path / "book", {"01.md": "---\ntitle: One\n---\n\nSee [@k].\n"}, CITED,
                      extra_yaml="csl: style.csl\n")
    (book / "style.csl").write_text(style, encoding="utf-8")
    assert main(["epub", str(book), "-o", str(tmp_path / "x.epub"), "-q"]) == 1
    assert "chapters/01.md:5:5: error s-002" in capsys.readouterr().err


def test_name_parts_of_the_wrong_type_are_b006_and_never_printed_as_python_values(tmp_path):
    import json

    from publish.pipeline import prepare

    refs = [{"id": "a", "type": "book", "title": "A", "author": [{"family": 7, "given": ["x"]}],
             "issued": {"date-parts": [[2020]]}},
            {"id": "b", "type": "book", "title": "B", "issued": {"date-parts": [[2019]]},
             "author": [{"family": "Jones", "given": True, "suffix": {"x": 1}}]}]
    book = write_book(tmp_path / "book", {"01.md": "---\ntitle: One\n---\n\nSee [@a; @b].\n"}, json.dumps(refs))
    loaded, findings = prepare(book)
    assert [f.code for f in findings] == ["b-006", "b-006"]
    printed = " ".join(e.text for e in loaded.chapters[0].bibliography)
    for python in ("[", "]", "{", "True", "‘x’"):
        assert python not in printed, printed


def test_a_bibtex_crossref_is_inherited(tmp_path):
    from publish.pipeline import prepare

    bib = ("@book{base, title = {The Big Book}, publisher = {Pub}, year = {2001}, editor = {Smith, A.}}\n"
           "@incollection{part, author = {Jones, B.}, title = {A chapter}, crossref = {base}, pages = {1--10}}\n"
           "@article{lost, author = {Brown, C.}, title = {Alone}, crossref = {nowhere}, year = {2000}}\n")
    book = write_book(tmp_path / "book", {"01.md": "---\ntitle: One\n---\n\nSee [@part; @lost].\n"}, bib,
                      bib_name="refs.bib")
    loaded, findings = prepare(book)
    assert [(f.code, "nowhere" in f.message) for f in findings] == [("b-006", True)]  # no "base is never cited"
    entry = next(e.text for e in loaded.chapters[0].bibliography if e.key == "part")
    # an English BibTeX title is Title Case by BibLaTeX's convention; APA prints the book's title in sentence case
    assert entry == "Jones, B. (2001). A chapter. In A. Smith (Ed.), The big book (pp. 1–10). Pub."


@pytest.mark.parametrize(("text", "code"), [
    ("[" * 20000 + "x" + "]" * 20000, "m-011"),  # took 90 s in Python-Markdown's link search
    ("[" * 5000 + "never closed", "m-011"),
    ("*_" * 5000 + "x", "m-025"),  # one run of 3,335 characters of emphasis: 95 s of line breaking
    ("A " + "abcdefghij" * 500 + " word.", "m-025"),
])
def test_small_inputs_that_hung_are_refused_at_once(tmp_path, capsys, text, code):
    book = write_book(tmp_path / "book", {"01.md": f"---\ntitle: One\n---\n\n{text}\n"})
    start = time.perf_counter()
    assert main(["epub", str(book), "-o", str(tmp_path / "x.epub"), "-q"]) == 1
    assert time.perf_counter() - start < 10
    assert f"chapters/01.md:5: error {code}" in capsys.readouterr().err


def test_long_code_and_long_addresses_are_not_words(tmp_path, capsys):
    long_code = "x" * 300
    text = (f"Run `{long_code}` and see https://example.org/{'a' * 250}/page for it.\n\n"
            f"```\n{'y' * 400}\n```\n\n[[a] [b]] nested a little: [see [this [one]]].")
    book = write_book(tmp_path / "book", {"01.md": f"---\ntitle: One\n---\n\n{text}\n"})
    assert main(["epub", str(book), "-o", str(tmp_path / "x.epub"), "-q"]) == 0, capsys.readouterr().err


@pytest.mark.slow
def test_a_layout_past_its_time_limit_stops_with_a_finding(tmp_path, capsys, monkeypatch):
    book = write_book(tmp_path / "book", {"01.md": ARTICLE})
    monkeypatch.setenv("PUBLISH_LAYOUT_LIMIT", "0.01")
    start = time.perf_counter()
    assert main(["build", str(book), "--out-dir", str(tmp_path / "out"), "-q"]) == 1
    assert time.perf_counter() - start < 30
    err = capsys.readouterr().err
    assert "publish: error p-005 laying out the PDF took longer than 0 s" in err and "x-001" not in err
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_ten_thousand_footnotes_are_refused_before_markdown_sees_them(tmp_path, capsys):
    n = 10_000
    text = (" ".join(f"Claim {i}.[^{i}]" for i in range(n)) + "\n\n"
            + "\n".join(f"[^{i}]: Note {i}." for i in range(n)))
    book = write_book(tmp_path / "book", {"01.md": f"---\ntitle: One\n---\n\n{text}\n"})
    start = time.perf_counter()
    assert main(["epub", str(book), "-o", str(tmp_path / "x.epub"), "-q"]) == 1
    assert time.perf_counter() - start < 10  # five minutes and a gigabyte before
    assert "error m-026 the article has 10000 footnotes" in capsys.readouterr().err


def test_a_bibliography_alias_inside_its_own_anchor_is_a_located_finding(tmp_path, capsys):
    refs = "- &a\n  id: k\n  type: book\n  title: T\n  note: *a\n"
    book = write_book(tmp_path / "book", {"01.md": "---\ntitle: One\n---\n\nSee [@k].\n"}, refs, bib_name="refs.yaml")
    assert main(["epub", str(book), "-o", str(tmp_path / "x.epub"), "-q"]) == 1
    err = capsys.readouterr().err
    assert "refs.yaml:1:1: error b-001 the YAML refers to itself" in err and "Traceback" not in err


def test_a_paragraph_past_the_limit_is_refused(tmp_path, capsys):
    book = write_book(tmp_path / "book", {"01.md": "---\ntitle: One\n---\n\n" + ("word " * 25_000).strip() + "\n"})
    assert main(["epub", str(book), "-o", str(tmp_path / "x.epub"), "-q"]) == 1
    assert "chapters/01.md:5: error m-027 a paragraph of 124,999 characters" in capsys.readouterr().err

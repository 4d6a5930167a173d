"""A release a practice can trust: findings that open where they point, nothing left out silently, a strict check.

Most of these run at the loader level (the fast tier); the ones that build and validate are marked slow.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile

import pytest
from conftest import BOOK, write_book

from publish.cli import main
from publish.source.book import load_book
from publish.source.schema import parse_config

REF = {"type": "book", "title": "A book", "author": [{"family": "Smith", "given": "A."}],
       "issued": {"date-parts": [[2020]]}, "publisher": "Pub"}
ARTICLE = "---\ntitle: One\n---\n\nAs @smith2020 says, and @jones2019 too.\n"


def _refs(*keys: str) -> str:
    return json.dumps([{**REF, "id": key} for key in keys])


def test_findings_are_named_from_the_working_directory_and_sorted_by_line(tmp_path, capsys, monkeypatch):
    write_book(tmp_path / "book", {"01.md": "---\ntitle: One\n---\n\nText [@smyth2020].\n"},
               _refs("smith2020"), extra_yaml="subtitle: '[[x]]'\nrights: '[[y]]'\n")
    monkeypatch.chdir(tmp_path)
    assert main(["epub", "book", "-q"]) == 1
    lines = capsys.readouterr().err.splitlines()[:-1]
    assert "book/chapters/01.md:5:6: error c-001 unknown citation key '@smyth2020'; did you mean '@smith2020'?" \
        in lines
    yaml_lines = [int(line.split(":")[1]) for line in lines if line.startswith("book/book.yaml:")]
    assert yaml_lines == sorted(yaml_lines) and len(yaml_lines) == 2  # numeric order: 7 before 8 (and 12 after 6)
    assert all(re.match(r"^[\w/.-]+(:\d+)*: (error|warning) [a-z]-\d{3} ", line) for line in lines), lines


def test_a_finding_without_a_place_is_said_by_the_program(tmp_path, capsys):
    book = write_book(tmp_path / "book", {"01.md": ARTICLE}, _refs("smith2020", "jones2019"))
    (tmp_path / "taken").write_text("a file", encoding="utf-8")
    assert main(["build", str(book), "--out-dir", str(tmp_path / "taken"), "-q"]) == 1
    assert capsys.readouterr().err.startswith(f"publish: error f-006 the output folder '{tmp_path / 'taken'}'")


def test_unlisted_chapter_files_are_warnings_and_drafts_are_not(tmp_path):
    book = write_book(tmp_path / "book", {"01.md": ARTICLE}, _refs("smith2020", "jones2019"))
    (book / "chapters" / "99-draft.md").write_text("# Draft\n", encoding="utf-8")
    (book / "chapters" / "_notes.md").write_text("notes\n", encoding="utf-8")
    (book / ".trash").mkdir()
    (book / ".trash" / "old.md").write_text("old\n", encoding="utf-8")
    _, findings = load_book(book)
    said = [(f.code, f.location.path) for f in findings if f.code == "f-007"]
    assert said == [("f-007", "chapters/99-draft.md")]


def test_several_bibliography_files_of_any_format_make_one(tmp_path):
    book = write_book(tmp_path / "book", {"01.md": ARTICLE}, _refs("smith2020"), bib_name="a.json",
                      extra_yaml="")
    (book / "b.bib").write_text("@book{jones2019, author = {Jones, B.}, title = {Another}, year = {2019},\n"
                                "  publisher = {Pub}}\n", encoding="utf-8")
    yaml = (book / "book.yaml").read_text(encoding="utf-8").replace("bibliography: a.json",
                                                                    "bibliography: [a.json, b.bib]")
    (book / "book.yaml").write_text(yaml, encoding="utf-8")
    loaded, findings = load_book(book)
    assert [f for f in findings if f.severity.name == "ERROR"] == []
    assert sorted(r["id"] for r in loaded.references) == ["jones2019", "smith2020"]


def test_a_key_in_two_bibliography_files_names_both(tmp_path):
    book = write_book(tmp_path / "book", {"01.md": ARTICLE}, _refs("smith2020", "jones2019"), bib_name="a.json")
    (book / "b.json").write_text(_refs("smith2020"), encoding="utf-8")
    yaml = (book / "book.yaml").read_text(encoding="utf-8").replace("bibliography: a.json",
                                                                    "bibliography: [a.json, b.json]")
    (book / "book.yaml").write_text(yaml, encoding="utf-8")
    _, findings = load_book(book)
    twice = [f for f in findings if f.code == "b-002"]
    assert len(twice) == 1 and twice[0].location.path == "b.json" and "a.json:1" in twice[0].message


def test_never_cited_is_held_back_when_a_chapter_could_not_be_read(tmp_path, capsys):
    book = write_book(tmp_path / "book", {"01.md": ARTICLE, "02.md": "---\ntitle: Two\n---\n\n"},
                      _refs("smith2020", "jones2019", "brown2018"))
    assert main(["epub", str(book), "-o", str(tmp_path / "x.epub"), "-q"]) == 1
    err = capsys.readouterr().err
    assert " m-001 " in err and "c-002" not in err


@pytest.mark.parametrize(("text", "line", "words"), [
    ("title: T\nchapters:\n  - a.md\n  b.md\n  - c.md\n", 4, "neither 'key: value' nor a list item"),
    ("title: T\nchapters:\n  - a.md\n - b.md\n", 4, "indented differently"),
    ("title: T\n\tlanguage: en\n", 2, "a tab character"),
    ("title: Grief: a guide\n", 1, "a ': ' where YAML does not expect one"),
    ('title: "Grief\nlanguage: en\n', 1, "a quotation mark is opened here and never closed"),
    ("subtitle: [unclosed\nlanguage: en\n", 1, "opened here and never closed"),
])
def test_yaml_mistakes_in_plain_words_at_their_line(text, line, words):
    _, findings = parse_config(text)
    assert findings[0].code == "y-001" and findings[0].location.line == line and words in findings[0].message
    assert "<block" not in findings[0].message and "simple key" not in findings[0].message


def test_a_nested_key_at_the_top_gets_its_place(tmp_path):
    _, findings = parse_config("title: T\npage_size: A4\n")
    assert findings[0].code == "y-002" and "did you mean 'print.page_size'?" in findings[0].hint


def test_an_image_path_written_from_the_book_folder_gets_the_right_one(tmp_path):
    book = write_book(tmp_path / "book", {"01.md": "---\ntitle: One\n---\n\n![A tree](images/tree.png)\n"})
    (book / "images").mkdir()
    shutil.copy(BOOK.parent / "tests" / "books" / "figure" / "images" / "circle.png", book / "images" / "tree.png")
    _, findings = load_book(book)
    missing = [f for f in findings if f.code == "f-001"]
    assert missing and "did you mean '../images/tree.png'?" in missing[0].hint


@pytest.mark.slow
def test_strict_check_fails_while_placeholders_remain(built, capsys):
    code = main(["check", str(BOOK), "--out-dir", str(built["dir"]), "--strict", "-q"])
    err = capsys.readouterr().err
    assert code == 1 and "not ready for a release" in err and " y-004 " in err
    report = next(built["dir"].glob("*-accessibility.html")).read_text(encoding="utf-8")
    assert "Not ready for release" in report and "placeholder" in report


@pytest.mark.slow
def test_check_validates_what_the_sources_make_now(tmp_path, capsys):
    """After an edit, check rebuilds the stale files before validating them (it never checks an old copy)."""
    book = tmp_path / "book"
    shutil.copytree(BOOK, book)
    out = tmp_path / "dist"
    assert main(["build", str(book), "--out-dir", str(out), "-q"]) == 0
    chapter = next((book / "chapters").glob("*.md"))
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nA sentence added after the build.\n",
                       encoding="utf-8")
    main(["check", str(book), "--out-dir", str(out)])
    assert "older than the book's sources" in capsys.readouterr().err
    epub = next(out.glob("*.epub"))
    with zipfile.ZipFile(epub) as archive:
        assert any(b"A sentence added after the build." in archive.read(name) for name in archive.namelist()
                   if name.endswith(".xhtml"))

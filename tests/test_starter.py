"""``publish new``: a book folder that builds at once."""

from __future__ import annotations

import zipfile

import pytest
import yaml
from lxml import etree

from publish.cli import main
from publish.source.book import load_book


def test_new_folder_holds_every_feature_and_loads_without_errors(tmp_path, capsys):
    folder = tmp_path / "series"
    assert main(["new", str(folder), "--language", "de-DE"]) == 0
    steps = capsys.readouterr().out
    assert f"publish build {folder}" in steps and "[[placeholder]]" in steps
    assert (folder / ".gitignore").read_text().strip().endswith("dist/")
    config = yaml.safe_load((folder / "book.yaml").read_text(encoding="utf-8"))
    assert config["language"] == "de-DE" and config["identifier"].startswith("urn:uuid:")
    book, findings = load_book(folder)
    assert book is not None and not [f for f in findings if f.severity.name == "ERROR"]
    assert {f.code for f in findings} == {"y-004"}  # only the placeholders, each said
    (chapter,) = book.chapters
    assert chapter.images and chapter.images[0].alt.startswith("A still lake")
    assert chapter.notes and chapter.pullquotes == 1 and chapter.clusters


def test_two_new_books_get_their_own_identifiers(tmp_path):
    assert main(["new", str(tmp_path / "a")]) == 0
    assert main(["new", str(tmp_path / "b")]) == 0
    ids = {yaml.safe_load((tmp_path / n / "book.yaml").read_text())["identifier"] for n in "ab"}
    assert len(ids) == 2


def test_new_never_writes_into_a_folder_that_holds_something(tmp_path, capsys):
    folder = tmp_path / "taken"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    assert main(["new", str(folder)]) == 1
    assert "error f-009" in capsys.readouterr().err
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]  # no staging folder left behind
    assert main(["new", str(tmp_path / "x"), "--language", "not a tag"]) == 1


@pytest.mark.slow
def test_new_then_build(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["new", "x"]) == 0
    assert main(["build", "x", "-q"]) == 0
    epub = next((tmp_path / "dist").glob("*.epub"))
    with zipfile.ZipFile(epub) as zf:
        article = etree.fromstring(zf.read("EPUB/ch01.xhtml"))
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    assert article.xpath("//x:aside[@aria-label='Pull quote']", namespaces=ns)
    assert article.xpath("//x:a[@role='doc-noteref']", namespaces=ns)
    assert article.xpath("//x:li[@class='csl-entry']", namespaces=ns)
    assert next((tmp_path / "dist").glob("*.pdf")).stat().st_size > 10000

"""The CLI in-process: exit codes, findings on stderr, nothing half-written."""

from __future__ import annotations

from conftest import write_book

from publish.cli import main

REFS = '[{"id": "smith2020", "type": "book", "title": "A book", "author": [{"family": "Smith", "given": "A."}],' \
       ' "issued": {"date-parts": [[2020]]}, "publisher": "Pub"}]'


def test_check_real_book_warns_about_placeholders(checked):
    assert checked["code"] == 0, checked["stderr"]
    err = checked["stderr"]
    assert "book.yaml:8: warning y-004 'publisher' still holds placeholder text" in err


def test_unknown_key_is_located_with_suggestion(tmp_path, capsys):
    book = write_book(tmp_path / "b", {"01.md": "---\ntitle: One\n---\n\nText [@smyth2020].\n"}, REFS)
    out = tmp_path / "out.epub"
    assert main(["epub", str(book), "-o", str(out), "-q"]) == 1
    err = capsys.readouterr().err
    assert "chapters/01.md:5:6: error c-001 unknown citation key '@smyth2020'; did you mean '@smith2020'?" in err
    assert not out.exists()
    assert list(tmp_path.glob("*.part")) == []


def test_build_small_book(tmp_path, capsys):
    book = write_book(tmp_path / "b", {"01.md": "---\ntitle: One\n---\n\nAs @smith2020 says.\n"}, REFS)
    assert main(["build", str(book), "--out-dir", str(tmp_path / "dist"), "-q"]) == 0
    assert sorted(p.name for p in (tmp_path / "dist").iterdir()) == ["test-book.epub", "test-book.pdf"]


def test_usage_error_exit_code():
    assert main(["frobnicate"]) == 2


def test_missing_book_folder(tmp_path, capsys):
    assert main(["check", str(tmp_path / "nope")]) == 1
    assert "book folder not found" in capsys.readouterr().err


def test_the_command_exits_with_its_code_and_every_line_it_printed(tmp_path):
    """``python -m publish`` ends the process at once (cli.leave): output piped to a file is still complete."""
    import os
    import subprocess
    import sys

    buffered = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}

    book = write_book(tmp_path / "b", {"01.md": "---\ntitle: One\n---\n\nAs @smith2020 says.\n"}, REFS)
    dist = tmp_path / "dist"
    done = subprocess.run([sys.executable, "-m", "publish", "build", str(book), "--out-dir", str(dist)],
                          capture_output=True, text=True, env=buffered)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[0] == "… loading the book"
    assert done.stderr.splitlines()[-1].startswith("build: wrote ")
    assert sorted(p.name for p in dist.iterdir()) == ["test-book.epub", "test-book.pdf"]

    broken = write_book(tmp_path / "c", {"01.md": "---\ntitle: One\n---\n\nText [@smyth2020].\n"}, REFS)
    done = subprocess.run([sys.executable, "-m", "publish", "epub", str(broken), "-o", str(tmp_path / "x.epub")],
                          capture_output=True, text=True, env=buffered)
    assert done.returncode == 1
    assert "chapters/01.md:5:6: error c-001 unknown citation key '@smyth2020'" in done.stderr
    assert done.stderr.splitlines()[-1].startswith("epub: failed, 1 error")

    helped = subprocess.run([sys.executable, "-m", "publish", "--help"], capture_output=True, text=True,
                            env=buffered)
    assert helped.returncode == 0
    assert helped.stdout.startswith("usage: publish")  # stdout is block-buffered into a pipe: flushed before leaving


def test_a_long_title_gives_the_same_short_file_name_to_make_and_the_cli(tmp_path):
    """Both cut the slug to 80 characters: a 200-character title no longer makes 200-character file names."""
    import re
    import shutil
    import subprocess

    import pytest
    from conftest import ROOT

    from publish.cli import _slug
    from publish.text import file_slug

    title = ("Über das Weinen: Psychoneuroimmunological Interconnectedness, Emotional Dysregulation and "
             "Intergenerational Transmission in Contemporary Psychotherapeutic Practice")
    book = write_book(tmp_path / "book", {"01.md": "---\ntitle: One\n---\n\nText.\n"})
    yaml = (book / "book.yaml").read_text(encoding="utf-8").replace("title: Test Book", f'title: "{title}"')
    (book / "book.yaml").write_text(yaml, encoding="utf-8")
    slug = file_slug(title)
    assert len(slug) <= 80 and slug.startswith("uber-das-weinen-psychoneuroimmunological") and not slug.endswith("-")
    assert _slug(book) == slug
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    dry = subprocess.run(["make", "-n", "epub", f"BOOK={book}", "DIST=out"], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    assert re.search(rf"-m publish build {re.escape(str(book))} --out-dir out\b", dry)  # the CLI names the files


def test_one_slug_for_any_title(tmp_path):
    """Apostrophes, ampersands, accents and emoji: the CLI's one slug function names every output."""
    from publish.cli import _slug

    for title, slug in (("Let's Talk: Grief & Tears", "lets-talk-grief-tears"), ("Über Tränen 😢", "uber-tranen"),
                        ("'quoted'", "quoted")):
        book = write_book(tmp_path / slug, {"01.md": "---\ntitle: One\n---\n\nText.\n"})
        yaml = (book / "book.yaml").read_text(encoding="utf-8").replace("title: Test Book", f'title: "{title}"')
        (book / "book.yaml").write_text(yaml, encoding="utf-8")
        assert _slug(book) == slug

"""Progress: stage lines while building (none with -q), and one summary line with paths, sizes and findings."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import said, write_book

from publish.cli import main

CHAPTER = "---\ntitle: One\n---\n\nText with an unknown-key-free body.\n\n::: pullquote\nA quote\n:::\n"


def test_stages_and_summary(tmp_path: Path, capsys) -> None:
    book = write_book(tmp_path / "book", {"01.md": CHAPTER}, extra_yaml="rights: '[[todo]]'\n")
    out = tmp_path / "dist"
    assert main(["build", str(book), "--out-dir", str(out)]) == 0
    lines = capsys.readouterr().err.splitlines()
    stages = [line for line in lines if line.startswith("… ")]
    for stage in ("loading the book", "laying out the PDF", "writing the EPUB", "writing the PDF"):
        assert f"… {stage}" in stages
    summary = lines[-1]
    match = re.fullmatch(r"build: wrote (\S+\.epub) \((\d+) KiB\), (\S+\.pdf) \((\d+) KiB\); 0 errors, 1 warning",
                         summary)
    assert match, summary
    for path, size in ((match[1], match[2]), (match[3], match[4])):
        assert Path(path).is_file()
        assert abs(Path(path).stat().st_size / 1024 - int(size)) <= 1


def test_quiet_hides_stages_but_keeps_findings_and_summary(tmp_path: Path, capsys) -> None:
    book = write_book(tmp_path / "book", {"01.md": CHAPTER}, extra_yaml="rights: '[[todo]]'\n")
    assert main(["epub", str(book), "-o", str(tmp_path / "x.epub"), "-q"]) == 0
    lines = capsys.readouterr().err.splitlines()
    assert not [line for line in lines if line.startswith("… ")]
    assert said(lines[0], "book.yaml:…: warning y-004")
    assert lines[-1].startswith(f"epub: wrote {tmp_path / 'x.epub'} (") and lines[-1].endswith("0 errors, 1 warning")


def test_failed_build_summary_says_nothing_was_written(tmp_path: Path, capsys) -> None:
    book = write_book(tmp_path / "book", {"01.md": "---\ntitle: One\n---\n\n#### Deep\n"})
    assert main(["build", str(book), "--out-dir", str(tmp_path / "dist")]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert "… loading the book" in lines
    assert lines[-1] == "build: failed, 1 error, 0 warnings; nothing was written"
    assert not (tmp_path / "dist").exists() or not any((tmp_path / "dist").iterdir())


def test_internal_error_names_the_stage(tmp_path: Path, capsys, monkeypatch) -> None:
    import publish.citations.resolve

    def broken(book):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(publish.citations.resolve, "resolve_citations", broken)
    monkeypatch.setattr("publish.pipeline.resolve_citations", broken)
    book = write_book(tmp_path / "book", {"01.md": CHAPTER})
    assert main(["build", str(book), "--out-dir", str(tmp_path / "dist")]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert ("error x-001 internal error while formatting citations: RuntimeError: simulated bug; "
            "nothing was written") in err
    assert not (tmp_path / "dist").exists()

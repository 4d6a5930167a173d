"""Reproducible builds: the same source gives byte-identical EPUB and PDF.

Two builds of the real book run in different working folders and time
zones; every byte must match.  The one timestamp comes from book.yaml's
date, or from SOURCE_DATE_EPOCH when set — never from the clock.
"""

from __future__ import annotations

import os
import re
import time
import zipfile
from pathlib import Path

import pikepdf
import pytest
from conftest import BOOK, write_book

from publish.cli import main


def _build(out: Path, cwd: Path, tz: str, monkeypatch, book: Path = BOOK) -> tuple[bytes, bytes]:
    monkeypatch.setenv("TZ", tz)
    time.tzset()
    monkeypatch.chdir(cwd)
    try:
        assert main(["build", str(book), "--out-dir", str(out), "-q"]) == 0
    finally:
        monkeypatch.undo()
        time.tzset()
    return next(out.glob("*.epub")).read_bytes(), next(out.glob("*.pdf")).read_bytes()


def _modified(epub: Path) -> str:
    with zipfile.ZipFile(epub) as zf:
        opf = zf.read(next(n for n in zf.namelist() if n.endswith(".opf"))).decode()
    match = re.search(r'<meta property="dcterms:modified">([^<]+)</meta>', opf)
    assert match, opf
    return match.group(1)


def test_two_builds_are_byte_identical(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = _build(tmp_path / "out1", tmp_path / "a", "UTC", monkeypatch)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    second = _build(tmp_path / "out2", tmp_path / "b", "Pacific/Kiritimati", monkeypatch)
    assert first[0] == second[0], "EPUB differs between builds"
    assert first[1] == second[1], "PDF differs between builds"


def test_zip_entries_carry_the_book_date(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    book = write_book(tmp_path / "book", {"01.md": "---\ntitle: One\n---\n\nText.\n"})
    out = tmp_path / "x.epub"
    assert main(["epub", str(book), "-o", str(out), "-q"]) == 0
    with zipfile.ZipFile(out) as zf:
        assert zf.namelist()[0] == "mimetype"
        assert {info.date_time for info in zf.infolist()} == {(2026, 1, 2, 0, 0, 0)}
    assert _modified(out) == "2026-01-02T00:00:00Z"


@pytest.mark.parametrize("epoch", ["1700000000", "1800000000"])
def test_source_date_epoch_sets_the_timestamp(tmp_path: Path, monkeypatch, epoch: str) -> None:
    book = write_book(tmp_path / "book", {"01.md": "---\ntitle: One\n---\n\nText.\n"})
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    out = tmp_path / "dist"
    assert main(["build", str(book), "--out-dir", str(out), "-q"]) == 0
    expected = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(epoch)))
    assert _modified(out / "test-book.epub") == expected
    with pikepdf.open(out / "test-book.pdf") as pdf:
        dates = {str(pdf.docinfo.get("/CreationDate", "")), str(pdf.docinfo.get("/ModDate", ""))}
    stamp = expected.replace("-", "").replace("T", "").replace(":", "").rstrip("Z")
    assert all(d.startswith(f"D:{stamp}") for d in dates), dates


def test_same_epoch_twice_is_identical_and_differs_from_book_date(tmp_path: Path, monkeypatch) -> None:
    book = write_book(tmp_path / "book", {"01.md": "---\ntitle: One\n---\n\nText.\n"})
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1750000000")
    first = _build(tmp_path / "o1", tmp_path, "UTC", monkeypatch, book)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1750000000")
    second = _build(tmp_path / "o2", tmp_path, "Asia/Kolkata", monkeypatch, book)
    assert first == second
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    os.environ.pop("SOURCE_DATE_EPOCH", None)
    third = _build(tmp_path / "o3", tmp_path, "UTC", monkeypatch, book)
    assert third[0] != first[0] and third[1] != first[1]

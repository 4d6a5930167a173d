"""Atomic output: what a killed build leaves beside a file is removed by the next build of it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import BOOK

from publish.cli import main
from publish.output import atomic_output, sweep_stale, temporary_prefix

pytestmark = pytest.mark.skipif(os.name != "posix", reason="stale files are swept on POSIX only")


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_leftovers_of_a_dead_build_are_swept(tmp_path: Path) -> None:
    target = tmp_path / "book.pdf"
    dead = _dead_pid()
    part = tmp_path / f".book.pdf.{dead}.abc123.part"
    part.write_bytes(b"%PDF- half written")
    folder = tmp_path / f".book.pdf.{dead}.xyz"
    folder.mkdir()
    (folder / "part-001.pdf").write_bytes(b"%PDF-")
    mine = tmp_path / f"{temporary_prefix(target)}live.part"  # this process is alive: its file stays
    mine.write_bytes(b"in progress")
    other = tmp_path / f".book.epub.{dead}.abc.part"  # another target's: its own build sweeps it
    other.write_bytes(b"x")
    unrelated = tmp_path / ".book.pdf.notes"
    unrelated.write_text("kept")
    removed = sweep_stale(target)
    assert sorted(p.name for p in removed) == sorted([part.name, folder.name])
    assert not part.exists() and not folder.exists()
    assert mine.exists() and other.exists() and unrelated.exists()


def test_atomic_output_names_carry_the_process_and_sweep_first(tmp_path: Path) -> None:
    target = tmp_path / "out.epub"
    stale = tmp_path / f".out.epub.{_dead_pid()}.q.part"
    stale.write_bytes(b"x")
    with atomic_output(target) as tmp:
        assert tmp.name.startswith(temporary_prefix(target))
        assert not stale.exists()
        tmp.write_bytes(b"done")
    assert target.read_bytes() == b"done"
    assert [p.name for p in tmp_path.iterdir()] == ["out.epub"]


def test_a_build_sweeps_a_killed_builds_parts_folder(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    dist.mkdir()
    dead = _dead_pid()
    parts = dist / f".mental-health-matters.pdf.{dead}.k9x"
    parts.mkdir()
    (parts / "part-000.pdf").write_bytes(b"%PDF-")
    assert main(["build", str(BOOK), "--out-dir", str(dist), "-q"]) == 0
    assert sorted(p.name for p in dist.iterdir()) == ["mental-health-matters.epub", "mental-health-matters.pdf"]


def test_a_killed_builds_workers_do_not_stay_behind(tmp_path: Path) -> None:
    """``kill -9`` on the build: its layout processes see the closed pipes and end, and the next build sweeps."""
    import signal
    import time

    from conftest import write_book

    paragraph = "Tears come when words fail, and they help a person to settle again. " * 40
    book = write_book(tmp_path / "book", {f"0{i}-a.md": f"---\ntitle: Article {i}\n---\n\n{paragraph}\n"
                                          for i in range(1, 7)})
    dist = tmp_path / "dist"
    build = subprocess.Popen([sys.executable, "-m", "publish", "build", str(book), "--out-dir", str(dist), "-q"],
                             start_new_session=True, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not any(p.is_dir() for p in dist.glob(".test-book.pdf.*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert build.poll() is None, "the build ended before its layout could be interrupted"
    os.kill(build.pid, signal.SIGKILL)
    build.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.killpg(build.pid, 0)  # any process left in the build's session?
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        os.killpg(build.pid, signal.SIGKILL)
        pytest.fail("layout processes were still running 30 s after the build was killed")
    assert main(["build", str(book), "--out-dir", str(dist), "-q"]) == 0
    assert sorted(p.name for p in dist.iterdir()) == ["test-book.epub", "test-book.pdf"]

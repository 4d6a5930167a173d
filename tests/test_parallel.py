"""fork_map gives the serial result, in order, and reports a failing slice."""

from __future__ import annotations

import os

import pytest

from publish.parallel import MINIMUM, fork_map


def test_fork_map_equals_the_serial_map_in_order() -> None:
    items = list(range(MINIMUM * 3 + 7))
    assert fork_map(lambda x: (x, x * x), items, workers=3) == [(x, x * x) for x in items]
    assert fork_map(lambda x: x + 1, items[:5], workers=3) == [1, 2, 3, 4, 5]  # too few to fork


def test_fork_map_runs_slices_in_other_processes() -> None:
    pids = set(fork_map(lambda _: os.getpid(), range(MINIMUM * 2), workers=2))
    assert len(pids) == 2 and os.getpid() in pids


def test_fork_map_reports_a_failure_in_a_child() -> None:
    def odd(x: int) -> int:
        if x == MINIMUM * 2 - 1:  # in the last slice, computed by a child
            raise ValueError("bad item")
        return x

    with pytest.raises(RuntimeError, match="bad item"):
        fork_map(odd, range(MINIMUM * 2), workers=2)


def test_a_long_book_reads_the_same_on_one_core_and_several(tmp_path, monkeypatch) -> None:
    """Chapters are converted on every core (FORK_CHAPTERS or more); findings and chapters must not change."""
    from publish.source.book import FORK_CHAPTERS, load_book
    from tests.conftest import write_book

    chapters = {f"{n:02d}.md": f"---\ntitle: Article {n}\n---\n\nText of article {n} [@smith2020].\n"
                for n in range(1, FORK_CHAPTERS + 2)}
    chapters["03.md"] = "---\ntitle: Empty\n---\n\n"
    chapters["05.md"] = "---\ntitle: Deep\n---\n\n" + "> " * 60 + "too deep\n"
    chapters["07.md"] = "---\ntitle: Notes\n---\n\nA claim.[^gone]\n\n![](missing.png)\n"
    book_dir = write_book(tmp_path / "book", chapters)
    (book_dir / "chapters" / "08.md").write_bytes(b"---\ntitle: Bytes\n---\n\nbad \xff byte\n")
    results = {}
    for jobs in ("1", "2"):
        monkeypatch.setenv("PUBLISH_JOBS", jobs)
        book, findings = load_book(book_dir)
        results[jobs] = ([(c.slug, c.body_html, c.clusters) for c in book.chapters],
                         [str(f) for f in findings])
    assert results["1"] == results["2"]
    assert [(line.split(":")[0], line.split(": ", 1)[1].split()[1]) for line in results["2"][1]] == [
        ("chapters/03.md", "m-001"), ("chapters/05.md", "m-011"), ("chapters/07.md", "m-012"),
        ("chapters/07.md", "m-003"), ("chapters/07.md", "f-001"), ("chapters/08.md", "f-002")]


def test_a_forked_call_returns_its_value_or_its_failure() -> None:
    from publish.parallel import Forked

    assert Forked(lambda: (os.getpid(), b"bytes")).result()[1] == b"bytes"
    assert Forked(os.getpid).result() != os.getpid()

    def fails() -> None:
        raise ValueError("no EPUB today")

    with pytest.raises(RuntimeError, match="no EPUB today"):
        Forked(fails).result()


def test_the_epub_written_while_the_pdf_is_joined_is_the_in_process_one(tmp_path, monkeypatch) -> None:
    """A long book's EPUB is made in a forked child during the join: same bytes; a failed join writes neither."""
    from publish.cli import main
    from publish.pdf.parts import merge as pdf_merge
    from tests.conftest import write_book

    text = "A steady paragraph about tears and relief, long enough to fill a page or two. " * 30
    book = write_book(tmp_path / "book", {f"0{n}.md": f"---\ntitle: Article {n}\n---\n\n{text}\n"
                                          for n in range(1, 6)})
    outputs = {}
    for mode in ("forked", "in-process"):
        if mode == "in-process":
            monkeypatch.setattr("publish.pipeline.fork_available", lambda: False)
        out = tmp_path / mode
        assert main(["build", str(book), "--out-dir", str(out), "-q"]) == 0
        outputs[mode] = (out / "test-book.epub").read_bytes()
    assert outputs["forked"] == outputs["in-process"]

    monkeypatch.undo()

    def broken_join(*_args, **_kwargs):
        raise RuntimeError("join failed")

    monkeypatch.setattr(pdf_merge, "join_parts", broken_join)
    failed = tmp_path / "failed"
    assert main(["build", str(book), "--out-dir", str(failed), "-q"]) == 1  # x-001, internal error
    assert sorted(p.name for p in failed.iterdir()) == []

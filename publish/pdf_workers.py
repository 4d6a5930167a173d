"""The worker side of a book laid out in parts (:mod:`publish.pdf_parts`).

:class:`WorkerPool` forks the processes once the parent has loaded the
book and WeasyPrint; each runs :func:`_serve`, laying out and writing the
parts the parent hands it, and answers the parent's one question per part
through :func:`numbered_from`: how many pages come before it.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from .model import Book
from .pagemap import page_places
from .print_html import WHOLE, Part


@contextlib.contextmanager
def numbered_from(ask: Callable[[int], int]) -> Iterator[None]:
    """While laying out, ask ``ask(pages)`` for the number of pages before this part, and count on from it.

    WeasyPrint paginates the whole document, then makes the margin boxes from
    each page's counter values: the hook wraps the margin-box step, calls
    ``ask`` once with the page count and adds the answer to every page's
    ``page`` counter before the first folio is made.
    """
    import weasyprint.layout as layout

    real = layout.make_margin_boxes
    done: list[bool] = []

    def make_margin_boxes(context, page, state):
        if not done:
            done.append(True)
            offset = ask(len(context.page_maker) - 1)
            shifted: set[int] = set()
            for entry in context.page_maker[1:]:
                counters = entry[3][1]
                if id(counters) not in shifted and "page" in counters:
                    shifted.add(id(counters))
                    counters["page"] = [value + offset for value in counters["page"]]
        return real(context, page, state)

    layout.make_margin_boxes = make_margin_boxes
    try:
        yield
    finally:
        layout.make_margin_boxes = real


@dataclass(frozen=True)
class Job:
    """One part for a worker: index 0 is the front matter, 1… the runs of articles in order."""

    index: int  # 0: the front matter; 1…: the article parts in order
    part: Part
    count_only: bool = False  # paginate, report the page count and stop
    linked: bool = False  # one of several parts: links to other parts are described from the parent's tree


class _Counted(Exception):
    """Raised inside WeasyPrint's layout to stop a count-only run once the pages are counted."""


class _Inbox:
    """The worker's end of the pipe: jobs, the offset answer, and the link descriptions (kept when they come)."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.descriptions: dict[str, str] | None = None

    def receive(self) -> tuple | None:
        while (message := self.conn.recv()) is not None and message[0] == "descriptions":
            self.descriptions = message[1]
        return message

    def await_descriptions(self) -> dict[str, str]:
        """The parent sends them once, early; a part that is ready to be written sooner waits for them."""
        while self.descriptions is None:
            message = self.conn.recv()
            if message is None or message[0] != "descriptions":
                raise RuntimeError(f"expected the link descriptions, got {message!r:.80}")
            self.descriptions = message[1]
        return self.descriptions

    def send(self, message: tuple) -> None:
        self.conn.send(message)


def _serve(conn: Connection, book: Book, edition: str, folder: Path | None) -> None:
    """A forked worker: run the jobs the parent sends until it sends ``None``.

    The worker inherits the book and the loaded modules from the parent (the
    pages are shared until written).  One process serves several parts in
    turn, so WeasyPrint's warm-up (fonts, HarfBuzz) is paid once per worker,
    not per part; each part's boxes are freed before the next one is laid out.
    """
    inbox = _Inbox(conn)
    try:
        while (message := inbox.receive()) is not None:
            job = message[1]
            try:
                _run_job(book, edition, job, inbox, folder)
            except _Counted:
                inbox.send(("done", job.index))
            except BaseException:  # reported to the parent, which stops the build
                inbox.send(("failed", job.index, traceback.format_exc()))
                return
    except (EOFError, KeyboardInterrupt, BrokenPipeError):
        pass
    finally:
        conn.close()


def _run_job(book: Book, edition: str, job: Job, inbox: _Inbox, folder: Path | None) -> None:
    """Lay out one part, report its pages and where they begin, write it (see the module docstring)."""
    from .pdf import render, write_part  # loaded by the parent before forking (see WorkerPool)

    def ask(pages: int) -> int:
        inbox.send(("pages", job.index, pages))
        if job.count_only:
            raise _Counted
        answer = inbox.receive()
        if answer is None or answer[0] != "offset":
            raise RuntimeError(f"expected the page offset, got {answer!r:.80}")
        return answer[1]

    with numbered_from(ask):
        rendered = render(book, edition, job.part)
    pages = rendered.document.pages
    anchors = frozenset(name for page in pages for name in page.anchors)
    targets = {chapter.slug for chapter in book.chapters} | {"references"}
    starts: dict[str, int] = {}
    for index, page in enumerate(pages):  # a section's anchor is on every page it spans: keep the first
        for name in page.anchors:
            if name in targets:
                starts.setdefault(name, index)
    inbox.send(("laid-out", job.index, page_places(book, rendered.document), starts, anchors, rendered.findings))
    if folder is not None:
        if job.part != WHOLE:
            _stand_in_anchors(pages, anchors)
        descriptions = inbox.await_descriptions() if job.linked else None
        write_part(rendered, part_path(folder, job.index), release=True, descriptions=descriptions)
    else:
        rendered.document = pages = None
        gc.collect()
    inbox.send(("done", job.index))


def part_path(folder: Path, index: int) -> Path:
    return folder / f"part-{index:03d}.pdf"


def _stand_in_anchors(pages: list, anchors: frozenset[str]) -> None:
    """Give links to other parts' anchors a stand-in target, or WeasyPrint would drop them.

    :func:`publish.pdf_merge.join_parts` points them at the real anchors.
    """
    if not pages:
        return
    wanted = {target for page in pages for kind, target, _, _ in page.links if kind == "internal"}
    for name in sorted(wanted - anchors):
        pages[0].anchors[name] = (0, 0, 0, 0)


def warm_caches(book: Book) -> None:
    """Load, once and before forking, what every worker would otherwise load again.

    WeasyPrint (and the pydyf speed-up) and the hyphenation patterns of the
    book's languages: the workers share these pages with the parent instead
    of each holding a copy.
    """
    import pyphen

    from . import pdf  # noqa: F401 — WeasyPrint, pydyf, pikepdf
    from .speedups import install

    install()  # pydyf's page_references is quadratic in pages; same bytes, linear time
    for lang in {book.metadata.language, *(chapter.language for chapter in book.chapters if chapter.language)}:
        fallback = pyphen.language_fallback(lang.replace("-", "_"))
        if fallback:
            pyphen.Pyphen(lang=fallback)  # cached in pyphen's module-level dictionary cache


class WorkerPool:
    """Worker processes (:func:`_serve`) forked from this one, with the book and WeasyPrint loaded."""

    def __init__(self, workers: int, book: Book, edition: str, folder: Path | None):
        warm_caches(book)
        context = multiprocessing.get_context("fork")
        self.processes: dict[Connection, multiprocessing.process.BaseProcess] = {}
        # Freezing what is loaded keeps each worker's garbage collector from walking (and so
        # copying) the pages it shares with this process.
        gc.freeze()
        try:
            for _ in range(max(1, workers)):
                parent, child = context.Pipe()
                process = context.Process(target=_serve, args=(child, book, edition, folder),
                                          daemon=True)
                process.start()
                child.close()
                self.processes[parent] = process
        finally:
            gc.unfreeze()

    @property
    def connections(self) -> list[Connection]:
        return list(self.processes)

    def close(self) -> None:
        """Ask the workers to stop; end any that is still busy (after an error, mid-part)."""
        for conn, process in self.processes.items():
            if process.is_alive():
                with contextlib.suppress(OSError):
                    conn.send(None)
        for conn, process in self.processes.items():
            process.join(timeout=2)
            if process.is_alive():
                process.kill()
                process.join()
            conn.close()
        self.processes.clear()

    def kill(self) -> None:
        for process in self.processes.values():
            if process.is_alive():
                process.kill()
        self.close()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

"""The worker side of a book laid out in parts (:mod:`publish.pdf.parts.coordinator`).

:class:`WorkerPool` starts a :func:`_zygote` with the build; once the book
is read, the zygote (which has loaded WeasyPrint meanwhile) forks the
workers.  Each runs :func:`_serve`, laying out and writing the parts the
parent hands it, and asks the parent one question per part through
:func:`numbered_from`: how many pages come before it.  That hook relies on
WeasyPrint 70's pagination internals (``LayoutContext.page_maker``); the
version is pinned in ``pyproject.toml``, and the differential tests in
``tests/test_parts.py`` would show a change in them.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import signal
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the CLI forks the zygote before the rest of the package is imported: keep this module light
    from publish.model import Book
    from publish.pdf.print_html import Part


GC_THRESHOLD = 50_000  # container allocations between a worker's youngest-generation collections (Python: 700)


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


def _close_all(connections: list[Connection]) -> None:
    """Close the copies of other processes' pipe ends that a fork handed down.

    A pipe reports end-of-file to its reader only when every copy of the
    writing end is closed: a worker or zygote that kept the parent's ends
    would never notice that the parent was killed, and would stay behind.
    """
    for connection in connections:
        with contextlib.suppress(OSError):
            connection.close()


def _serve(conn: Connection, book: Book, edition: str, folder: Path | None,
           inherited: list[Connection] | None = None) -> None:
    """A forked worker: run the jobs the parent sends until it sends ``None``.

    The worker inherits the book and the loaded modules from the parent (the
    pages are shared until written).  One process serves several parts in
    turn, so WeasyPrint's warm-up (fonts, HarfBuzz) is paid once per worker,
    not per part; each part's boxes are freed before the next one is laid out.
    """
    _close_all(inherited or [])
    # A part's boxes are freed by reference counting; the collector's passes over them found next to
    # nothing and cost 2 % of a part's time (measured: 0.05 s of three parts; same peak memory).
    gc.set_threshold(GC_THRESHOLD, 50, 100)
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
    from publish.pdf.document import render, write_part
    from publish.pdf.engine.boxes import page_places
    from publish.pdf.engine.pagination import numbered_from  # loaded by the zygote before forking (see WorkerPool)
    from publish.pdf.print_html import WHOLE

    def ask(pages: int) -> int:
        inbox.send(("pages", job.index, pages))
        if job.count_only:
            raise _Counted
        answer = inbox.receive()
        if answer is None or answer[0] != "offset":
            raise RuntimeError(f"expected the page offset, got {answer!r:.80}")
        return answer[1]

    with numbered_from(ask) as hooked:
        rendered = render(book, edition, job.part)
    pages = rendered.document.pages
    if not hooked:  # laid out the plain way (a whole book, numbered from 1): the count is reported after
        ask(len(pages))
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

    :func:`publish.pdf.parts.merge.join_parts` points them at the real anchors.
    """
    if not pages:
        return
    wanted = {target for page in pages for kind, target, _, _ in page.links if kind == "internal"}
    for name in sorted(wanted - anchors):
        pages[0].anchors[name] = (0, 0, 0, 0)


def _zygote(control: Connection, ends: list[Connection], edition: str = "standard",
            parent_ends: list[Connection] | None = None) -> None:
    """The process the workers are forked from: it loads WeasyPrint while the build reads the book.

    Started before the book is read, it imports WeasyPrint (half a second
    of a short build) in parallel with the parent's Markdown and citations,
    lays out a sample page if the book is not ready yet (:func:`publish.pdf.document.warm_up`),
    then receives the book, forks one worker per pipe end — the workers
    share its pages — and waits for them.  The parent never loads WeasyPrint.
    """
    workers: list[multiprocessing.process.BaseProcess] = []
    _close_all(parent_ends or [])  # so that a killed parent is seen as end-of-file, here and in the workers
    try:
        from publish.pdf import engine

        engine.load()  # WeasyPrint, and the speed-ups where its version allows
        from publish.pdf.document import warm_up

        if not control.poll():  # the book is still being read: time to warm up (a long book gives seconds)
            warm_up(edition)
        message = control.recv()
        if message is None:
            return
        _, book, edition, folder = message
        warm_caches(book)
        context = multiprocessing.get_context("fork")
        gc.freeze()  # keeps the workers' collectors from walking (and so copying) the shared pages
        for end in ends:
            others = [control, *(other for other in ends if other is not end)]
            process = context.Process(target=_serve, args=(end, book, edition, folder, others), daemon=True)
            process.start()
            workers.append(process)
        for end in ends:
            end.close()
        control.send(("pids", [process.pid for process in workers]))
        for process in workers:
            process.join()
    except (EOFError, KeyboardInterrupt, BrokenPipeError):
        for process in workers:
            if process.is_alive():
                os.kill(process.pid, signal.SIGKILL)
    finally:
        control.close()


def warm_caches(book: Book) -> None:
    """Load the hyphenation patterns of the book's languages once, before the workers are forked."""
    import pyphen

    for lang in {book.metadata.language, *(chapter.language for chapter in book.chapters if chapter.language)}:
        fallback = pyphen.language_fallback(lang.replace("-", "_"))
        if fallback:
            pyphen.Pyphen(lang=fallback)  # cached in pyphen's module-level dictionary cache


@contextlib.contextmanager
def layout_pool(edition: str, workers: int | None = None) -> Iterator[WorkerPool | None]:
    """A :class:`WorkerPool` of ``workers`` (default: one per core), closed on exit; ``None`` where
    processes cannot be forked (the PDF is then laid out in the build's own process)."""
    from publish.parallel import cores, fork_available

    if not fork_available():
        yield None
        return
    with WorkerPool(cores() if workers is None else workers, edition) as pool:
        yield pool


class WorkerPool:
    """Worker processes for the parts, forked by a :func:`_zygote` started early in the build.

    ``WorkerPool(n, edition)`` forks the zygote at once (it starts loading
    WeasyPrint and warms up with the edition's styles);
    :meth:`start` hands it the book and forks the ``n`` workers, whose pipes
    are :attr:`connections`.  :meth:`close` ends them all.
    """

    def __init__(self, workers: int, edition: str = "standard"):
        context = multiprocessing.get_context("fork")
        pairs = [context.Pipe() for _ in range(max(1, workers))]
        self.control, zygote_end = context.Pipe()
        self.connections: list[Connection] = [parent for parent, _ in pairs]
        self.pids: list[int] = []
        self.zygote = context.Process(target=_zygote, args=(zygote_end, [child for _, child in pairs], edition,
                                                                 [self.control, *self.connections]))
        self.zygote.start()
        zygote_end.close()
        for _, child in pairs:
            child.close()
        self.started = False
        self.closed = False

    def start(self, book: Book, edition: str, folder: Path | None) -> None:
        self.control.send(("book", book, edition, folder))
        _, self.pids = self.control.recv()
        self.started = True

    def close(self) -> None:
        """Ask the workers (or the zygote, if it has none yet) to stop; end whatever is still running.

        Called as soon as the parts are written (the workers' memory is freed
        before the parts are joined), and again, harmlessly, when the build ends.
        A zygote that never received the book is killed at once: it may still
        be importing WeasyPrint, and a build that stopped on errors should not wait for it.
        """
        if self.closed:
            return
        self.closed = True
        if self.started:
            for conn in self.connections:
                with contextlib.suppress(OSError, ValueError):  # a worker that failed has closed its end
                    conn.send(None)
            self.zygote.join(timeout=5)
        if not self.started or self.zygote.is_alive():  # never got the book (errors in it): nothing to wait for
            self.kill()
        for conn in [*self.connections, self.control]:
            conn.close()

    def kill(self) -> None:
        """End the workers and the zygote now (after an error, they may be mid-part)."""
        for pid in self.pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if self.zygote.is_alive():
            self.zygote.kill()
        self.zygote.join()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

"""A layout worker: lays out and writes the parts the coordinator hands it, one after another.

Forked by the zygote (:mod:`publish.pdf.parts.pool`), a worker inherits the
book and the loaded WeasyPrint, runs :func:`serve` until the coordinator
sends ``None``, and speaks only in the messages of
:mod:`publish.pdf.parts.protocol`.  For each part it asks one question
(:class:`~publish.pdf.parts.protocol.Pages`): how many pages come before
it.  On a WeasyPrint version the page-numbering hook was written for the
question is asked during layout (:func:`publish.pdf.engine.pagination.numbered_from`);
otherwise the book is one part, asked after.
"""

from __future__ import annotations

import contextlib
import gc
import traceback
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING

from publish.pdf.parts.protocol import Descriptions, Done, Failed, Job, LaidOut, Offset, Pages, part_path

if TYPE_CHECKING:
    from publish.model import Book


GC_THRESHOLD = 50_000  # container allocations between a worker's youngest-generation collections (Python: 700)


class _Counted(Exception):
    """Raised inside WeasyPrint's layout to stop a count-only run once the pages are counted."""


class _Inbox:
    """The worker's end of the pipe: jobs, the offset answer, and the link descriptions (kept when they come)."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.descriptions: dict[str, str] | None = None

    def receive(self) -> Job | Offset | None:
        while isinstance(message := self.conn.recv(), Descriptions):
            self.descriptions = message.targets
        return message

    def await_descriptions(self) -> dict[str, str]:
        """The parent sends them once, early; a part that is ready to be written sooner waits for them."""
        while self.descriptions is None:
            message = self.conn.recv()
            if not isinstance(message, Descriptions):
                raise RuntimeError(f"expected the link descriptions, got {message!r:.80}")
            self.descriptions = message.targets
        return self.descriptions

    def send(self, message: Pages | LaidOut | Done | Failed) -> None:
        self.conn.send(message)



def close_all(connections: list[Connection]) -> None:
    """Close the copies of other processes' pipe ends that a fork handed down.

    A pipe reports end-of-file to its reader only when every copy of the
    writing end is closed: a worker or zygote that kept the parent's ends
    would never notice that the parent was killed, and would stay behind.
    """
    for connection in connections:
        with contextlib.suppress(OSError):
            connection.close()



def serve(conn: Connection, book: Book, edition: str, folder: Path | None,
           inherited: list[Connection] | None = None) -> None:
    """A forked worker: run the jobs the parent sends until it sends ``None``.

    The worker inherits the book and the loaded modules from the parent (the
    pages are shared until written).  One process serves several parts in
    turn, so WeasyPrint's warm-up (fonts, HarfBuzz) is paid once per worker,
    not per part; each part's boxes are freed before the next one is laid out.
    """
    close_all(inherited or [])
    # A part's boxes are freed by reference counting; the collector's passes over them found next to
    # nothing and cost 2 % of a part's time (measured: 0.05 s of three parts; same peak memory).
    gc.set_threshold(GC_THRESHOLD, 50, 100)
    inbox = _Inbox(conn)
    try:
        while (job := inbox.receive()) is not None:
            if not isinstance(job, Job):
                raise RuntimeError(f"expected a job, got {job!r:.80}")
            try:
                _run_job(book, edition, job, inbox, folder)
            except _Counted:
                inbox.send(Done(job.index))
            except BaseException:  # reported to the parent, which stops the build
                inbox.send(Failed(job.index, traceback.format_exc()))
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
        inbox.send(Pages(job.index, pages))
        if job.count_only:
            raise _Counted
        answer = inbox.receive()
        if not isinstance(answer, Offset):
            raise RuntimeError(f"expected the page offset, got {answer!r:.80}")
        return answer.pages

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
    inbox.send(LaidOut(job.index, page_places(book, rendered.document), starts, anchors, rendered.findings))
    if folder is not None:
        if job.part != WHOLE:
            _stand_in_anchors(pages, anchors)
        descriptions = inbox.await_descriptions() if job.linked else None
        write_part(rendered, part_path(folder, job.index), release=True, descriptions=descriptions)
    else:
        rendered.document = pages = None
        gc.collect()
    inbox.send(Done(job.index))



def _stand_in_anchors(pages: list, anchors: frozenset[str]) -> None:
    """Give links to other parts' anchors a stand-in target, or WeasyPrint would drop them.

    :func:`publish.pdf.parts.merge.join_parts` points them at the real anchors.
    """
    if not pages:
        return
    wanted = {target for page in pages for kind, target, _, _ in page.links if kind == "internal"}
    for name in sorted(wanted - anchors):
        pages[0].anchors[name] = (0, 0, 0, 0)



"""Lay a long book out in parts, one per core, and join them into one PDF.

WeasyPrint lays a document out on one core, and layout and painting are
nearly all of a long book's build.  Articles open on a right-hand page, so
the book falls apart cleanly at article boundaries: each part (a run of
articles) is its own WeasyPrint document, laid out and written by a forked
worker, and :mod:`publish.pdf.parts.merge` joins the parts' PDFs.  Each worker
holds only its part's boxes, so memory stays bounded too.

What ties the parts together is page numbers:

* folios: WeasyPrint makes the margin boxes after paginating a document.
  :func:`publish.pdf.engine.pagination.numbered_from` hooks in there: the worker reports how many pages
  its part has and waits for the number of pages before it (known as soon
  as the parts before it have paginated), then its folios count on from
  there.  A part that ends on a right-hand page is followed by a blank
  page, so every part starts on a right-hand page as in the whole book;
* the contents page: the front matter is paginated first with wide
  placeholder numbers (its length is what the first part needs), and laid
  out again with the real numbers once every part has paginated;
* the EPUB page-list: each worker reports where its pages begin
  (:func:`publish.pdf.engine.boxes.page_places`), and the lists are joined in order.

The work runs in a :class:`~publish.pdf.parts.pool.WorkerPool`: one worker per
core, forked from a process that loads WeasyPrint while the build reads the
book (the build itself never loads it).  A short book is laid out whole, as
one document, by one worker.  How a book is cut into parts depends on the
book alone, never on the machine, so the same source gives the same bytes
on one core or eight.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path

from publish.findings import BuildError, Finding, error, has_errors
from publish.model import Book
from publish.output import atomic_output, sweep_stale, temporary_prefix
from publish.parallel import cores, fork_available
from publish.pdf import engine
from publish.pdf.editions import finish_edition
from publish.pdf.parts.pool import WorkerPool
from publish.pdf.parts.protocol import Descriptions, Done, Failed, Job, LaidOut, Offset, Pages, part_path
from publish.pdf.print_html import WHOLE, Part, print_html
from publish.render.cover import cover_image
from publish.render.pagemap import labelled

log = logging.getLogger(__name__)

PART_SIZE = 50_000  # characters of article markup per part (about 6,000 words, 25 A5 pages): bounds a worker's memory
MIN_ARTICLES = 4  # fewer articles: one document (starting workers costs more than it saves)
TAIL = 2  # the last runs hold one article each (with four runs or more), so that the workers end together


@dataclass
class Printed:
    """The outcome of laying out (and maybe writing) the print edition."""

    page_map: dict
    findings: list[Finding] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    parts: int = 1


def plan(book: Book, part_size: int | None = PART_SIZE) -> list[Part]:
    """The front matter and runs of whole articles of about ``part_size`` characters each.

    ``[WHOLE]`` (one document) for a short book or ``part_size=None``.  An
    even number of runs, so that two (or four) workers finish together; with
    four runs or more, the last two hold one article each: the workers take
    the runs in order, and the last run is how long one of them may wait for
    the other at the end.  The cut depends on the book only, so the output
    does not depend on the machine.
    """
    count = len(book.chapters)
    if part_size is None or count < MIN_ARTICLES:
        return [WHOLE]
    sizes = [len(chapter.body_html) + sum(len(entry.html) for entry in chapter.bibliography) + 1
             for chapter in book.chapters]
    parts = max(2, -(-sum(sizes) // part_size))
    parts = min(count, parts + parts % 2)
    tail = TAIL if parts >= 2 + TAIL else 0
    stops = _cut(sizes[:count - tail], parts - tail) + list(range(count - tail + 1, count + 1))
    runs: list[Part] = [Part(front=True, chapters=(0, 0), references=False, toc_pages={})]
    for start, stop in zip([0, *stops[:-1]], stops, strict=True):
        runs.append(Part(front=False, chapters=(start, stop), references=stop == count))
    return runs


def _cut(sizes: list[int], runs: int) -> list[int]:
    """Where ``runs`` runs of consecutive articles of about equal size end (``runs <= len(sizes)``)."""
    total, count = sum(sizes), len(sizes)
    stops: list[int] = []
    start, seen = 0, 0
    for index in range(1, runs + 1):
        goal = total * index / runs
        stop = start + 1
        seen += sizes[start]
        while stop < count - (runs - index) and seen + sizes[stop] / 2 <= goal:
            seen += sizes[stop]
            stop += 1
        if index == runs:
            stop = count
        stops.append(stop)
        start = stop
    return stops


class _Coordinator:
    """Hands the parts to the pool's workers, answers their page-count questions, gathers what they report."""

    def __init__(self, book: Book, edition: str, parts: list[Part], folder: Path | None, pool: WorkerPool,
                 progress: Callable[[str], None] | None = None):
        self.book, self.edition, self.parts, self.folder, self.pool = book, edition, parts, folder, pool
        self.progress = progress
        if parts == [WHOLE]:
            self.queue = [Job(0, WHOLE)]
        else:
            linked = folder is not None
            self.queue = [Job(0, parts[0], count_only=True)] + [Job(i, p, linked=linked)
                                                                  for i, p in enumerate(parts) if i]
        self.idle: list[Connection] = []
        self.jobs: dict[Connection, Job] = {}
        self.counts: dict[int, int] = {}  # part → pages (the front: from the placeholder run)
        self.waiting: dict[int, Connection] = {}
        self.places: dict[int, list] = {}
        self.starts: dict[str, tuple[int, int]] = {}
        self.anchors: dict[int, frozenset[str]] = {}
        self.findings: list[Finding] = []
        self.laid_out_at: float | None = None

    def path(self, index: int) -> Path | None:
        return part_path(self.folder, index) if self.folder is not None else None

    def slot(self, index: int) -> int:
        """Pages a part fills in the book: its own, plus a blank one if the next part would start on a left page."""
        pages = self.counts[index]
        return pages + pages % 2 if index < len(self.parts) - 1 else pages

    def offset(self, index: int) -> int | None:
        if any(i not in self.counts for i in range(index)):
            return None
        return sum(self.slot(i) for i in range(index))

    def run(self) -> None:
        self.pool.start(self.book, self.edition, self.folder)
        self.idle = list(self.pool.connections)
        try:
            self._dispatch()
            self._while_workers_start()
            self._run()
        except BaseException:
            self.pool.kill()  # workers may be mid-part
            raise

    def _dispatch(self) -> None:
        while self.queue and self.idle:
            job = self.queue.pop(0)
            conn = self.idle.pop(0)
            self.jobs[conn] = job
            conn.send(job)

    def _while_workers_start(self) -> None:
        """What this process does while the workers lay out their first parts.

        Links to other parts are described from the whole book's tree (a part
        sees only its own); the join's modules are loaded; the typographic
        cover is drawn for the EPUB.
        """
        if self.folder is not None and len(self.parts) > 1:
            from publish.pdf.parts.fonts import preload
            from publish.pdf.tags import describe_targets  # pikepdf: imported here, not on the way to the workers

            descriptions = describe_targets(print_html(self.book, self.edition))
            for conn in self.pool.connections:
                conn.send(Descriptions(descriptions))
            preload()  # the join's fontTools tables
        cover_image(self.book)

    def _run(self) -> None:
        front_final_queued = False
        deadline = time.monotonic() + layout_limit()
        while self.queue or self.jobs:
            self._dispatch()
            ready = wait(list(self.jobs), timeout=max(0.0, deadline - time.monotonic()))
            if not ready and time.monotonic() >= deadline:
                raise BuildError([error("p-005", f"laying out the PDF took longer than {layout_limit():.0f} s, "
                                        "so it was stopped", None, "look for something enormous in the newest "
                                        "article (a table or list of thousands of rows, thousands of notes); "
                                        f"{LIMIT_VARIABLE}=SECONDS allows more time")])
            for conn in ready:
                job = self.jobs[conn]
                try:
                    message = conn.recv()
                except EOFError:
                    raise RuntimeError(f"the worker laying out part {job.index} of the PDF stopped") from None
                self._handle(conn, job, message)
            if len(self.parts) == 1 and self.places and self.laid_out_at is None:
                self.laid_out_at = time.perf_counter()
                if self.progress is not None:
                    self.progress("writing the PDF")
            if (not front_final_queued and len(self.parts) > 1 and len(self.places) == len(self.parts) - 1
                    and 0 not in self.places):
                self.laid_out_at = time.perf_counter()
                if self.progress is not None:
                    self.progress("writing the PDF")
                pages = {name: self.offset(index) + start + 1 for name, (index, start) in self.starts.items()}
                front = Part(front=True, chapters=(0, 0), references=False, toc_pages=pages)
                self.queue.insert(0, Job(0, front, linked=self.folder is not None))
                front_final_queued = True

    def _handle(self, conn: Connection, job: Job, message: Pages | LaidOut | Done | Failed) -> None:
        if isinstance(message, Failed):
            raise RuntimeError(f"laying out part {job.index} of the PDF failed:\n{message.traceback}")
        if isinstance(message, Pages):
            if job.count_only:
                self.counts[0] = message.count
            elif len(self.parts) == 1:  # the whole book in one document: numbered from page 1
                self.counts[0] = message.count
                conn.send(Offset(0))
            elif job.index == 0:
                if message.count > self.counts[0]:
                    raise RuntimeError("the contents grew when its page numbers were filled in")
                conn.send(Offset(0))
            else:
                self.counts[job.index] = message.count
                self.waiting[job.index] = conn
            for index, waiting in sorted(self.waiting.items()):
                offset = self.offset(index)
                if offset is not None:
                    waiting.send(Offset(offset))
                    del self.waiting[index]
        elif isinstance(message, LaidOut):
            self.places[message.index] = message.places
            self.anchors[message.index] = message.anchors
            self.findings += [f for f in message.findings if f not in self.findings]
            for name, page in message.starts.items():
                self.starts.setdefault(name, (message.index, page))
        elif isinstance(message, Done):
            del self.jobs[conn]
            self.idle.append(conn)
        else:
            raise RuntimeError(f"unexpected message from the worker laying out part {job.index}: {message!r:.80}")

    def page_places(self) -> list:
        joined: list = []
        for index in range(len(self.parts)):
            places = self.places[index]
            joined += places + [None] * (self.slot(index) - len(places))
        return joined


LIMIT_VARIABLE = "PUBLISH_LAYOUT_LIMIT"
DEFAULT_LIMIT = 1800.0  # seconds: a 600-page book lays out in about a minute on two cores


def layout_limit() -> float:
    """How long the layout may take before the build stops with ``p-005`` (``PUBLISH_LAYOUT_LIMIT``)."""
    try:
        value = float(os.environ.get(LIMIT_VARIABLE, "") or DEFAULT_LIMIT)
    except ValueError:
        return DEFAULT_LIMIT
    return value if value > 0 else DEFAULT_LIMIT


def _print_in_process(book: Book, edition: str, pdf: Path | None, progress: Callable[[str], None]) -> Printed:
    """Where processes cannot be forked: the whole book as one document, in this process."""
    engine.load()
    from publish.pdf.document import render, write_pdf
    from publish.pdf.engine.boxes import build_page_map

    start = time.perf_counter()
    progress("laying out the PDF")
    rendered = render(book, edition)
    printed = Printed(build_page_map(book, rendered.document), engine.findings() + list(rendered.findings))
    printed.timings["layout"] = time.perf_counter() - start
    if pdf is not None and not has_errors(printed.findings):
        progress("writing the PDF")
        start = time.perf_counter()
        write_pdf(rendered, pdf, release=True)
        printed.timings["pdf"] = time.perf_counter() - start
    return printed


def print_book(book: Book, edition: str = "standard", pdf: Path | None = None,
               workers: int | None = None, part_size: int | None = PART_SIZE,
               progress: Callable[[str], None] = lambda _: None, pool: WorkerPool | None = None,
               after_layout: Callable[[Printed], None] | None = None) -> Printed:
    """Lay the print edition out (whole or in parts); write it to ``pdf`` atomically if given.

    Returns the page map the EPUB's page-list needs and the findings of the
    layout; when one of them is an error (a resource outside the book),
    nothing is written.  The work is done by ``pool`` (a :class:`WorkerPool` the
    caller started early, see :func:`publish.pipeline.build`) or by a pool of
    ``workers`` processes started here (default: one per core).
    ``after_layout(printed)`` is called once the page map is known and
    before the parts are joined (not after an error).
    """
    if pool is None and not fork_available():
        return _print_in_process(book, edition, pdf, progress)
    parts = plan(book, part_size if engine.fast() else None)  # parts need the page-numbering hook
    start = time.perf_counter()
    progress("laying out the PDF" if len(parts) == 1 else f"laying out the PDF in {len(parts)} parts")
    with contextlib.ExitStack() as stack:
        if pool is None:
            pool = stack.enter_context(WorkerPool(cores() if workers is None else workers, edition))
        folder = None
        if pdf is not None:
            pdf.parent.mkdir(parents=True, exist_ok=True)
            sweep_stale(pdf)  # a killed build's parts
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=temporary_prefix(pdf),
                                                                          dir=pdf.parent)))
        coordinator = _Coordinator(book, edition, parts, folder, pool, progress if pdf is not None else None)
        coordinator.run()
        pool.close()  # the workers' memory goes back before the parts are joined
        # the front matter's second run may be shorter: its slot stays what the parts were numbered from
        printed = Printed(labelled(coordinator.page_places()), engine.findings() + coordinator.findings,
                          parts=len(parts))
        printed.timings["layout"] = (coordinator.laid_out_at or time.perf_counter()) - start
        if after_layout is not None and not has_errors(printed.findings):
            after_layout(printed)  # e.g. the EPUB, written while the parts are joined
        if pdf is not None and not has_errors(printed.findings):
            joined_at = time.perf_counter()
            with atomic_output(pdf) as tmp:
                if len(parts) == 1:
                    os.replace(coordinator.path(0), tmp)
                else:
                    from publish.pdf.parts.merge import PartFile, join_parts

                    files = [PartFile(coordinator.path(i), coordinator.anchors[i], coordinator.slot(i))
                             for i in range(len(parts))]
                    join_parts(files, tmp)
                finish_edition(edition, tmp)
            printed.timings["join"] = time.perf_counter() - joined_at
            printed.timings["pdf"] = time.perf_counter() - (coordinator.laid_out_at or start)
    log.info("print edition laid out in %d part(s)", len(parts))
    return printed


__all__ = ["PART_SIZE", "Printed", "WorkerPool", "plan", "print_book"]

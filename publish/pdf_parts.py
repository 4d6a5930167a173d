"""Lay a long book out in parts, one per core, and join them into one PDF.

WeasyPrint lays a document out on one core, and layout and painting are
nearly all of a long book's build.  Articles open on a right-hand page, so
the book falls apart cleanly at article boundaries: each part (a run of
articles) is its own WeasyPrint document, laid out and written by a forked
worker, and :mod:`publish.pdf_merge` joins the parts' PDFs.  Each worker
holds only its part's boxes, so memory stays bounded too.

What ties the parts together is page numbers:

* folios: WeasyPrint makes the margin boxes after paginating a document.
  :func:`numbered_from` hooks in there: the worker reports how many pages
  its part has and waits for the number of pages before it (known as soon
  as the parts before it have paginated), then its folios count on from
  there.  A part that ends on a right-hand page is followed by a blank
  page, so every part starts on a right-hand page as in the whole book;
* the contents page: the front matter is paginated first with wide
  placeholder numbers (its length is what the first part needs), and laid
  out again with the real numbers once every part has paginated;
* the EPUB page-list: each worker reports where its pages begin
  (:func:`publish.pagemap.page_places`), and the lists are joined in order.

A short book, or a machine with one core, is laid out whole, as one document.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import os
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path

from .cover import cover_image
from .findings import Finding, has_errors
from .model import Book
from .output import atomic_output
from .pagemap import labelled, page_places
from .pdf import EDITIONS, WHOLE, Part, finish_edition, print_html, render, write_part
from .pdf_merge import PartFile, join_parts
from .pdf_tags import describe_targets

log = logging.getLogger(__name__)

PART_SIZE = 70_000  # characters of article markup per part (about 8,000 words, 30 A5 pages)
MIN_ARTICLES = 4  # fewer articles: one document (starting workers costs more than it saves)


@dataclass
class Printed:
    """The outcome of laying out (and maybe writing) the print edition."""

    page_map: dict
    findings: list[Finding] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    parts: int = 1


def workers_available() -> int:
    """Cores this process may use (``PUBLISH_JOBS`` overrides; 1 lays the book out whole)."""
    override = os.environ.get("PUBLISH_JOBS", "").strip()
    if override.isdigit() and int(override) > 0:
        return int(override)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def plan(book: Book, workers: int, part_size: int = PART_SIZE) -> list[Part]:
    """The front matter and runs of whole articles of about ``part_size`` characters, at least one per worker.

    ``[WHOLE]`` when the book is short or only one core is free.
    """
    count = len(book.chapters)
    if workers < 2 or count < MIN_ARTICLES:
        return [WHOLE]
    words = [len(chapter.body_html) + sum(len(entry.html) for entry in chapter.bibliography) + 1
             for chapter in book.chapters]
    total = sum(words)
    # A multiple of the workers, so that they finish together: the parts are laid out in order.
    parts = min(count, workers * max(1, -(-total // (workers * part_size))))
    runs: list[Part] = [Part(front=True, chapters=(0, 0), references=False, toc_pages={})]
    start, seen = 0, 0
    for index in range(1, parts + 1):
        goal = total * index / parts
        stop = start + 1
        seen += words[start]
        while stop < count - (parts - index) and seen + words[stop] / 2 <= goal:
            seen += words[stop]
            stop += 1
        if index == parts:
            stop = count
        runs.append(Part(front=False, chapters=(start, stop), references=index == parts))
        start = stop
    return runs


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
class _Job:
    index: int  # 0: the front matter; 1…: the article parts in order
    part: Part
    count_only: bool = False  # paginate, report the page count and stop


class _Counted(Exception):
    """Raised inside WeasyPrint's layout to stop a count-only run once the pages are counted."""


def _serve(book: Book, edition: str, conn: Connection, folder: Path | None, descriptions: dict[str, str]) -> None:
    """A forked worker: run the jobs the parent sends until it sends ``None``.

    One process serves several parts in turn, so WeasyPrint's warm-up (fonts,
    HarfBuzz, the hyphenation patterns) is paid once per worker, not per part;
    each part's boxes are freed before the next one is laid out.
    """
    try:
        while (job := conn.recv()) is not None:
            try:
                _run_job(book, edition, job, conn, folder, descriptions)
            except _Counted:
                conn.send(("done", job.index))
            except BaseException:  # reported to the parent, which stops the build
                conn.send(("failed", job.index, traceback.format_exc()))
                return
    except (EOFError, KeyboardInterrupt):
        pass
    finally:
        conn.close()


def _run_job(book: Book, edition: str, job: _Job, conn: Connection, folder: Path | None,
             descriptions: dict[str, str]) -> None:
    """Lay out one part, report its pages and where they begin, write it (see the module docstring)."""
    def ask(pages: int) -> int:
        conn.send(("pages", job.index, pages))
        if job.count_only:
            raise _Counted
        return conn.recv()

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
    conn.send(("laid-out", job.index, page_places(book, rendered.document), starts, anchors, rendered.findings))
    if folder is not None:
        _stand_in_anchors(pages, anchors)
        write_part(rendered, _part_path(folder, job.index), release=True, descriptions=descriptions)
    else:
        rendered.document = pages = None
        gc.collect()
    conn.send(("done", job.index))


def _part_path(folder: Path, index: int) -> Path:
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
    """Do once, before forking, what every worker would otherwise do again.

    The typographic cover is drawn once (the EPUB needs it too) and the
    hyphenation dictionary is loaded once; the workers inherit both.
    """
    import pyphen

    cover_image(book)
    for lang in {book.metadata.language, *(chapter.language for chapter in book.chapters if chapter.language)}:
        fallback = pyphen.language_fallback(lang.replace("-", "_"))
        if fallback:
            pyphen.Pyphen(lang=fallback)  # cached in pyphen's module-level dictionary cache


class _Coordinator:
    """Runs the jobs on ``workers`` forked processes and answers their page-count questions."""

    def __init__(self, book: Book, edition: str, parts: list[Part], folder: Path | None, workers: int,
                 progress: Callable[[str], None] | None = None):
        self.book, self.edition, self.parts, self.folder, self.workers = book, edition, parts, folder, workers
        self.progress = progress
        self.context = multiprocessing.get_context("fork")
        self.queue = [_Job(0, parts[0], count_only=True)] + [_Job(i, p) for i, p in enumerate(parts) if i]
        self.processes: dict[Connection, multiprocessing.process.BaseProcess] = {}
        self.idle: list[Connection] = []
        self.jobs: dict[Connection, _Job] = {}
        self.counts: dict[int, int] = {}  # part → pages (the front: from the placeholder run)
        self.waiting: dict[int, Connection] = {}
        self.places: dict[int, list] = {}
        self.starts: dict[str, tuple[int, int]] = {}
        self.anchors: dict[int, frozenset[str]] = {}
        self.findings: list[Finding] = []
        self.laid_out_at: float | None = None
        self.descriptions = describe_targets(print_html(book, edition))
        warm_caches(book)


    def path(self, index: int) -> Path | None:
        return _part_path(self.folder, index) if self.folder is not None else None

    def slot(self, index: int) -> int:
        """Pages a part fills in the book: its own, plus a blank one if the next part would start on a left page."""
        pages = self.counts[index]
        return pages + pages % 2 if index < len(self.parts) - 1 else pages

    def offset(self, index: int) -> int | None:
        if any(i not in self.counts for i in range(index)):
            return None
        return sum(self.slot(i) for i in range(index))

    def run(self) -> None:
        # The model and everything loaded so far stay as they are: freezing them keeps each forked
        # worker's garbage collector from walking (and so copying) the parent's pages.
        gc.freeze()
        try:
            for _ in range(self.workers):
                parent, child = self.context.Pipe()
                process = self.context.Process(target=_serve, args=(self.book, self.edition, child, self.folder,
                                                                     self.descriptions), daemon=True)
                process.start()
                child.close()
                self.processes[parent] = process
                self.idle.append(parent)
            self._run()
            for conn in self.processes:
                conn.send(None)
            for process in self.processes.values():
                process.join()
        finally:
            self.stop()
            gc.unfreeze()

    def _run(self) -> None:
        front_final_queued = False
        while self.queue or self.jobs:
            while self.queue and self.idle:
                job = self.queue.pop(0)
                conn = self.idle.pop(0)
                self.jobs[conn] = job
                conn.send(job)
            for conn in wait(list(self.jobs)):
                job = self.jobs[conn]
                try:
                    message = conn.recv()
                except EOFError:
                    raise RuntimeError(f"the worker laying out part {job.index} of the PDF stopped "
                                       f"(exit code {self.processes[conn].exitcode})") from None
                self._handle(conn, job, message)
            if not front_final_queued and len(self.places) == len(self.parts) - 1 and 0 not in self.places:
                self.laid_out_at = time.perf_counter()
                if self.progress is not None:
                    self.progress("writing the PDF")
                pages = {name: self.offset(index) + start + 1 for name, (index, start) in self.starts.items()}
                front = Part(front=True, chapters=(0, 0), references=False, toc_pages=pages)
                self.queue.insert(0, _Job(0, front))
                front_final_queued = True

    def _handle(self, conn: Connection, job: _Job, message: tuple) -> None:
        kind = message[0]
        if kind == "failed":
            raise RuntimeError(f"laying out part {job.index} of the PDF failed:\n{message[2]}")
        if kind == "pages":
            if job.count_only:
                self.counts[0] = message[2]
            elif job.index == 0:
                if message[2] > self.counts[0]:
                    raise RuntimeError("the contents grew when its page numbers were filled in")
                conn.send(0)
            else:
                self.counts[job.index] = message[2]
                self.waiting[job.index] = conn
            for index, waiting in sorted(self.waiting.items()):
                offset = self.offset(index)
                if offset is not None:
                    waiting.send(offset)
                    del self.waiting[index]
        elif kind == "laid-out":
            _, index, places, starts, anchors, findings = message
            self.places[index] = places
            self.anchors[index] = anchors
            self.findings += [f for f in findings if f not in self.findings]
            for name, page in starts.items():
                self.starts.setdefault(name, (index, page))
        elif kind == "done":
            del self.jobs[conn]
            self.idle.append(conn)

    def stop(self) -> None:
        """End every worker (after an error, they may be in the middle of a part)."""
        for process in self.processes.values():
            if process.is_alive():
                process.kill()
        for conn, process in self.processes.items():
            process.join()
            conn.close()
        self.processes.clear()

    def page_places(self) -> list:
        joined: list = []
        for index in range(len(self.parts)):
            places = self.places[index]
            joined += places + [None] * (self.slot(index) - len(places))
        return joined


def print_book(book: Book, edition: str = "standard", pdf: Path | None = None,
               workers: int | None = None, part_size: int = PART_SIZE,
               progress: Callable[[str], None] = lambda _: None) -> Printed:
    """Lay the print edition out (whole or in parts); write it to ``pdf`` atomically if given.

    Returns the page map the EPUB's page-list needs and the findings of the
    layout; when one of them is an error (a resource outside the book),
    nothing is written.
    """
    workers = workers_available() if workers is None else workers
    parts = plan(book, workers, part_size)
    start = time.perf_counter()
    progress("laying out the PDF" if len(parts) == 1 else f"laying out the PDF in {len(parts)} parts")
    if parts == [WHOLE]:
        from .pagemap import build_page_map
        from .pdf import write_pdf

        rendered = render(book, edition)
        printed = Printed(build_page_map(book, rendered.document), list(rendered.findings))
        printed.timings["layout"] = time.perf_counter() - start
        if pdf is not None and not has_errors(printed.findings):
            progress("writing the PDF")
            start = time.perf_counter()
            write_pdf(rendered, pdf, release=True)
            printed.timings["pdf"] = time.perf_counter() - start
        return printed
    with contextlib.ExitStack() as stack:
        folder = None
        if pdf is not None:
            pdf.parent.mkdir(parents=True, exist_ok=True)
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=f".{pdf.name}.", dir=pdf.parent)))
        coordinator = _Coordinator(book, edition, parts, folder, workers, progress if pdf is not None else None)
        coordinator.run()
        # the front matter's second run recounted its pages: keep the slot the parts were numbered from
        printed = Printed(labelled(coordinator.page_places()), coordinator.findings, parts=len(parts))
        printed.timings["layout"] = (coordinator.laid_out_at or time.perf_counter()) - start
        if pdf is not None and not has_errors(printed.findings):
            joined_at = time.perf_counter()
            files = [PartFile(coordinator.path(i), coordinator.anchors[i], coordinator.slot(i))
                     for i in range(len(parts))]
            with atomic_output(pdf) as tmp:
                join_parts(files, tmp)
                finish_edition(edition, tmp)
            printed.timings["join"] = time.perf_counter() - joined_at
            printed.timings["pdf"] = time.perf_counter() - (coordinator.laid_out_at or start)
    log.info("print edition laid out in %d parts on %d workers", len(parts), workers)
    return printed


__all__ = ["EDITIONS", "PART_SIZE", "Printed", "numbered_from", "plan", "print_book", "workers_available"]

"""The build, stage by stage: load → citations → checks → layout → EPUB / PDF.

1. :func:`publish.source.book.load_book` reads the book folder into the model;
2. :func:`publish.citations.resolve.resolve_citations` formats every citation once;
3. :func:`publish.checks.book.check_book` adds the book-level findings;
4. errors stop here — nothing is written;
5. the PDF is laid out once (when a PDF or a page-list is wanted), a long
   book in parts on several cores (:mod:`publish.pdf.parts.coordinator`), and written;
6. the EPUB is written, with the page-list from that layout.

Every file is written atomically.

``progress`` receives one line per stage so the CLI can show where a long
build is; library code itself only logs.
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from publish.checks.book import check_book
from publish.citations.resolve import check_citation_keys, resolve_citations
from publish.findings import BuildError, Finding, Severity, has_errors
from publish.model import Book
from publish.output import atomic_output, output_set, outside_set, staged
from publish.parallel import Forked, fork_available
from publish.render.accessibility import conformance_problems
from publish.source.book import load_book

log = logging.getLogger(__name__)
Progress = Callable[[str], None]


@dataclass
class BuildResult:
    book: Book | None
    findings: list[Finding]
    outputs: list[Path] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


def _quiet(_: str) -> None:
    pass


def prepare(book_dir: Path, progress: Progress = _quiet, timings: dict[str, float] | None = None
            ) -> tuple[Book | None, list[Finding]]:
    """Stages 1–3: the model with citations resolved, and every finding."""
    timings = {} if timings is None else timings
    start = time.perf_counter()
    progress("loading the book")
    book, findings = load_book(book_dir)
    timings["load"] = time.perf_counter() - start
    if book is None:
        return None, findings
    return book, resolve(book, findings, progress, timings)


def resolve(book: Book, findings: list[Finding], progress: Progress = _quiet,
            timings: dict[str, float] | None = None) -> list[Finding]:
    """Stages 2–3 on a loaded book (the preview calls it after loading again): ``findings`` and the new ones."""
    timings = {} if timings is None else timings
    if not has_errors(findings):
        start = time.perf_counter()
        progress("formatting citations")
        findings += resolve_citations(book)
        timings["citations"] = time.perf_counter() - start
    elif not any(f.code.startswith("b-") and f.severity is Severity.ERROR for f in findings):
        # Unknown keys are reported in the same run as the other errors; "never cited" is held back: with a
        # chapter that could not be read (or a broken chapters list) it would only echo that error.
        findings += [f for f in check_citation_keys(book) if f.code != "c-002"]
    return findings + check_book(book)


def build(book_dir: Path, epub: Path | None = None, pdf: Path | None = None,
          progress: Progress = _quiet, edition: str = "standard", pool=None) -> BuildResult:
    """Build the requested outputs; raise :class:`BuildError` (writing nothing) on any error.

    ``edition`` names the PDF's print edition (``publish.pdf.document.EDITIONS``).
    ``pool``: a :class:`publish.pdf.parts.pool.WorkerPool` the caller started
    earlier still (the CLI does, before importing this module); the caller
    closes it.
    """
    timings: dict[str, float] = {}
    with contextlib.ExitStack() as stack:
        if pool is None and (pdf is not None or epub is not None):
            from publish.pdf.parts.pool import layout_pool  # loads WeasyPrint beside the Markdown

            pool = stack.enter_context(layout_pool(edition))
        book, findings = prepare(book_dir, progress, timings)
        if book is None or has_errors(findings):
            raise BuildError(findings)
        return render_outputs(book, findings, epub, pdf, progress, edition, timings, pool)


def _epub_bytes(book: Book, name: str, page_map: dict) -> bytes:
    """The EPUB as bytes, built in a private temporary folder (run in a forked child, see :class:`Forked`).

    The parent writes the bytes into place atomically once the PDF is done,
    so a build that fails while joining the PDF still writes nothing.
    """
    from publish.epub.package import build_epub

    with tempfile.TemporaryDirectory(prefix="publish-epub-") as folder, outside_set():
        return build_epub(book, Path(folder) / name, page_map).read_bytes()


def _claim_checked(book: Book, findings: list[Finding], pdf: Path | None, epub_data: bytes, name: str,
                   page_map: dict | None) -> bytes:
    """The EPUB's bytes, made again without its conformance claim when what a listener meets fails.

    The claim is written only when the EPUB's names pass (no page number in
    a heading's or link's name, no link cut in two) and, when the tagged PDF
    was written with it (``pdf``), the PDF's structure checks pass too (one
    element per paragraph, list and table, no layout hyphen in the text,
    notes tagged, the same words as the EPUB).  A failure is our bug, said as
    the warning ``v-023`` (a release fails on it) with what was found.
    """
    from publish.findings import warning
    from publish.validation.epub_names import check_names
    from publish.validation.pdf_checks import claim_blockers, structure_findings

    with tempfile.TemporaryDirectory(prefix="publish-claim-") as folder:
        made = Path(folder) / name
        made.write_bytes(epub_data)
        problems = [f.message for f in check_names(made)]
        if pdf is not None:
            problems += claim_blockers(structure_findings(pdf, made))
    if not problems:
        return epub_data
    book.print_problems = tuple(problems)
    from publish.pdf.engine import TESTED, tested

    hint = ("please report this with the book folder; `publish check` lists every problem" if tested() else
            "the tagged PDF's structure is rebuilt for a listener only on " +
            ", ".join(f"{name} {' or '.join(TESTED[name])}" for name in TESTED) + " (see x-010)")
    findings.append(warning("v-023", f"what a listener meets has {len(problems)} problem(s), so the EPUB makes no "
                            f"conformance claim: {problems[0]}", None, hint))
    return _epub_bytes(book, name, page_map)


def render_outputs(book: Book, findings: list[Finding], epub: Path | None = None, pdf: Path | None = None,
                   progress: Progress = _quiet, edition: str = "standard",
                   timings: dict[str, float] | None = None, pool=None) -> BuildResult:
    """Stages 5–6 for a book :func:`prepare` has already loaded and resolved (no second parse).

    The EPUB and the PDF are renamed into place together once both are complete, or neither is.
    """
    with output_set():
        return _render_outputs(book, findings, epub, pdf, progress, edition, timings, pool)


def _render_outputs(book: Book, findings: list[Finding], epub: Path | None, pdf: Path | None,
                    progress: Progress, edition: str, timings: dict[str, float] | None, pool) -> BuildResult:
    timings = {} if timings is None else timings
    result = BuildResult(book, findings, timings=timings)
    page_map = None
    pending: list = []  # the EPUB being made in a forked child while the PDF's parts are joined
    if pdf is not None or epub is not None:  # the EPUB's page-list comes from the print edition's layout
        from publish.pdf.parts.coordinator import print_book

        def while_joining(printed) -> None:
            if epub is not None and pdf is not None and fork_available():
                pending.append((time.perf_counter(), Forked(partial(_epub_bytes, book, epub.name, printed.page_map))))

        try:
            printed = print_book(book, edition, pdf, progress=progress, pool=pool,  # writes nothing on an error
                                 after_layout=while_joining)
        except BaseException:
            for _, job in pending:
                job.cancel()
            raise
        timings.update(printed.timings)
        if has_errors(printed.findings):
            raise BuildError(findings + printed.findings)
        findings += printed.findings
        page_map = printed.page_map
    if epub is not None:
        start = pending[0][0] if pending else time.perf_counter()
        progress("writing the EPUB")
        data = pending[0][1].result() if pending else _epub_bytes(book, epub.name, page_map)
        if not conformance_problems(book):  # a claim to check against what was made
            tagged = staged(pdf) if pdf is not None and edition == "standard" else None
            data = _claim_checked(book, findings, tagged, data, epub.name, page_map)
        with atomic_output(epub) as tmp:
            tmp.write_bytes(data)
        result.outputs.append(epub)
        timings["epub"] = time.perf_counter() - start
    if pdf is not None:
        result.outputs.append(pdf)
    return result


def offered_downloads(book: Book, folder: Path) -> tuple[dict[str, Path], list[Finding]]:
    """The EPUB and PDF in ``folder`` the web edition links to, and a ``w-001`` for each one not built yet."""
    from publish.findings import warning

    found: dict[str, Path] = {}
    findings = []
    for kind in ("epub", "pdf"):
        path = folder / f"{book.slug}.{kind}"
        if path.is_file():
            found[kind] = path
        else:
            findings.append(warning("w-001", f"the {kind.upper()} '{path}' is not built, so the web edition offers "
                                    "no download of it", None, "build it first (make epub pdf; make html does)"))
    return found, findings


def build_web(book_dir: Path, out_dir: Path, downloads: Path, progress: Progress = _quiet) -> BuildResult:
    """The web edition into ``out_dir`` (whole or not at all), with the EPUB and PDF from ``downloads``.

    Raise :class:`BuildError` (writing nothing) on any error.
    """
    from publish.output import write_folder
    from publish.web.site import Download, Options, render_site

    timings: dict[str, float] = {}
    book, findings = prepare(book_dir, progress, timings)
    if book is None or has_errors(findings):
        raise BuildError(findings)
    editions, missing = offered_downloads(book, downloads)
    findings += missing
    start = time.perf_counter()
    progress("writing the web edition")
    offered = tuple(Download(kind, path.name, path.stat().st_size) for kind, path in editions.items())
    files = render_site(book, Options(downloads=offered))
    files.update({path.name: path.read_bytes() for path in editions.values()})
    write_folder(out_dir, files)
    timings["web"] = time.perf_counter() - start
    return BuildResult(book, findings, [out_dir], timings)

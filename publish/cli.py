"""Command line: ``publish epub|pdf|build|check|html|serve [BOOK_DIR] [-o FILE]`` and ``publish new [DIR]``.

``main(argv)`` returns an exit code and never calls ``sys.exit`` itself, so
tests run it in-process; the command itself is :func:`run`.  Exit codes: 0
success, 1 the book has errors (or a validator failed), 2 wrong usage,
130 interrupted (Ctrl-C or SIGTERM; no file is changed).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
import tempfile
from pathlib import Path
from typing import NoReturn

from publish.findings import BuildError, Finding, Severity, error

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def _parser() -> argparse.ArgumentParser:
    from publish import __version__

    parser = argparse.ArgumentParser(prog="publish", description="Build the book as EPUB 3 and print PDF.")
    parser.add_argument("--version", action="version", version=f"publish (accessible-publish) {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (("epub", "build the EPUB"), ("pdf", "build the print PDF"),
                       ("build", "build EPUB and PDF from one layout"), ("check", "report findings only"),
                       ("html", "build the web edition"), ("serve", "preview the web edition while you write")):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("book_dir", nargs="?", default="book", type=Path, help="book folder (default: book)")
        cmd.add_argument("-q", "--quiet", action="store_true", help="print only findings and errors")
        if name in ("epub", "pdf"):
            cmd.add_argument("-o", "--output", type=Path, help="output file (default: OUT_DIR/<slug>.<ext>)")
            cmd.add_argument("--out-dir", type=Path, default=Path("dist"), help="output folder (default: dist)")
        if name == "pdf":
            cmd.add_argument("--edition", choices=("standard", "press", "large-print", "booklet"),
                             default="standard", help="print edition (default: standard; others are "
                             "written to dist/<slug>-<edition>.pdf)")
        if name == "check":
            cmd.add_argument("--out-dir", type=Path, default=Path("dist"),
                             help="validate the EPUB and PDF here, built first when absent or older than a "
                             "source (default: dist)")
            cmd.add_argument("--strict", action="store_true",
                             help="for a release: fail on any warning, placeholders included")
        if name == "html":
            cmd.add_argument("--out-dir", type=Path, default=Path("dist/web"),
                             help="the web edition's folder, replaced whole (default: dist/web)")
        if name in ("html", "serve"):
            cmd.add_argument("--downloads", type=Path, default=Path("dist"),
                             help="where the EPUB and PDF to offer are (default: dist)")
        if name == "serve":
            cmd.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0 takes a free one)")
            cmd.add_argument("--host", default="127.0.0.1",
                             help="address to answer on (default: 127.0.0.1, this computer only)")
        if name == "build":
            cmd.add_argument("--out-dir", type=Path, default=Path("dist"), help="output folder (default: dist)")
            cmd.add_argument("--epub", type=Path, help="EPUB file (default: OUT_DIR/<slug>.epub)")
            cmd.add_argument("--pdf", type=Path, help="PDF file (default: OUT_DIR/<slug>.pdf)")
    new = sub.add_parser("new", help="start a new book folder with a sample article")
    new.add_argument("folder", nargs="?", default=Path("book"), type=Path, help="the new folder (default: book)")
    new.add_argument("--language", default="en-GB", help="the articles' language, a BCP 47 tag (default: en-GB)")
    return parser


def _print_findings(findings: list[Finding], stream, book_dir: Path | None = None) -> None:
    """Each finding as ``path:line:col: severity code message; hint``, sorted by file, then line and column.

    Paths are given from the working directory (where the terminal or editor opens them); a finding
    without a place is said by the program, as compilers do.
    """
    def order(item: tuple[tuple[str, str], Finding]) -> tuple:
        (path, _), finding = item
        where = finding.location
        return path, (where.line or 0) if where else 0, (where.column or 0) if where else 0, -finding.severity

    for (_, text), finding in sorted(((_where(f.location, book_dir), f) for f in findings), key=order):
        print(finding.render(text or "publish"), file=stream)


def _where(location, book_dir: Path | None) -> tuple[str, str]:
    """(the path alone, the whole place) of a location, from the working directory when it is below it."""
    if location is None:
        return "", ""
    root = Path(location.root) if location.root is not None else book_dir
    path = location.path
    if root is not None:
        full = Path(os.path.abspath(root / location.path))
        cwd = Path.cwd()
        path = str(full.relative_to(cwd)) if full.is_relative_to(cwd) else str(full)
    text = path + "".join(f":{n}" for n in (location.line, location.column) if n is not None) \
        if location.line is not None else path
    return path, text


def _summary(findings: list[Finding]) -> str:
    errors = sum(f.severity is Severity.ERROR for f in findings)
    warnings = sum(f.severity is Severity.WARNING for f in findings)
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"


def _slug(book_dir: Path) -> str:
    """The output file name: the book title as an ASCII slug (problems surface in the build)."""
    from publish.source.schema import read_config
    from publish.text import file_slug

    config, _ = read_config(book_dir.resolve())
    title = config.get("title") if config else None
    return file_slug(title) if isinstance(title, str) else "book"


def _older_than_sources(outputs: tuple[Path, ...], root: Path) -> bool:
    """Whether a source file (anything in the book folder, or the tool's own styles) changed after an output."""
    from publish.paths import STYLES

    built = min(path.stat().st_mtime for path in outputs)
    for folder in (root, STYLES):
        for path in folder.rglob("*"):
            if path.is_file() and not path.name.startswith(".") and path.stat().st_mtime > built:
                return True
    return False


def _validate(book, findings: list[Finding], out_dir: Path, progress) -> list[Finding]:
    """Validate dist's EPUB and PDF (built first when absent) and write the accessibility report."""
    from publish.pipeline import render_outputs
    from publish.validation.report import check_files

    epub, pdf = out_dir / f"{book.slug}.epub", out_dir / f"{book.slug}.pdf"
    stale = epub.exists() and pdf.exists() and _older_than_sources((epub, pdf), book.root)
    if stale or not (epub.exists() and pdf.exists()):
        progress("building the EPUB and PDF to check" if not stale
                 else "the EPUB or PDF is older than the book's sources: building them again to check")
        try:
            render_outputs(book, findings, epub=epub, pdf=pdf, progress=progress)
        except BuildError as exc:
            return [f for f in exc.findings if f not in findings]
    progress("running EPUBCheck, Ace and the PDF checks")
    findings, report = check_files(book, epub, pdf, out_dir, findings)
    progress(f"accessibility report: {report}")
    return findings


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; an unexpected exception becomes one ``x-001`` line naming the stage, exit 1.

    The author sees what failed and where, never a traceback (it goes to the
    debug log); the bug is ours, so the message asks for a report.
    """
    stage = ["starting"]
    try:
        return _main(argv, stage)
    except KeyboardInterrupt:  # Ctrl-C, or SIGTERM (see run): the outputs are renamed together or not at all
        print(f"publish: interrupted while {stage[-1]}; no file was changed", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # a bug or an input we did not foresee: report it, do not crash
        logging.getLogger(__name__).debug("internal error", exc_info=True)
        first = (str(exc).strip().splitlines() or [""])[0]  # a worker's traceback stays in the debug log
        print(f"publish: error x-001 internal error while {stage[-1]}: {type(exc).__name__}: {first}; "
              "nothing was written — please report this with the book folder", file=sys.stderr)
        return EXIT_FINDINGS


def run() -> NoReturn:
    """The ``publish`` command (and ``python -m publish``): :func:`main`, then :func:`leave`.

    SIGTERM is taken as Ctrl-C, so a stopped build cleans up the same way and exits 130.
    """
    signal.signal(signal.SIGTERM, _terminated)
    leave(main())


def _terminated(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def leave(code: int) -> NoReturn:
    """End the process once everything is written, without tearing the interpreter down.

    By then every output is written and renamed into place, the layout
    workers have been joined and the temporary folders removed; what is left
    is Python freeing each object and module of a process that holds the
    whole book, which took 60–80 ms after the summary line of a ten-article
    build (measured; 5 ms without).  The streams and log handlers are flushed
    first, so nothing printed is lost.
    """
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


def _main(argv: list[str] | None, stage: list[str]) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return EXIT_OK if exc.code == 0 else EXIT_USAGE
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    out = sys.stderr

    def progress(text: str) -> None:
        stage.append(text)
        if not args.quiet:
            print(f"… {text}", file=out)

    if args.command == "new":
        return _new(args, out)
    if not args.book_dir.is_dir():
        print(f"{args.book_dir}: error f-001 book folder not found; pass the folder that holds book.yaml",
              file=out)
        return EXIT_FINDINGS
    if args.command == "html":
        return _html(args, progress, out)
    if args.command == "serve":
        from publish.preview.server import serve

        return serve(args.book_dir, args.host, args.port, args.downloads, out,
                     lambda findings: _print_findings(findings, out, args.book_dir))
    if args.command == "check":
        from publish.pipeline import prepare

        blocked = _inside_book(args.out_dir, args.book_dir) or _folder_problem(args.out_dir)
        if blocked is not None:
            _print_findings([blocked], out)
            print(f"check: failed, {_summary([blocked])}", file=out)
            return EXIT_FINDINGS
        book, findings = prepare(args.book_dir, progress)
        if book is not None and not any(f.severity is Severity.ERROR for f in findings):
            findings += _validate(book, list(findings), args.out_dir, progress)
        _print_findings(findings, out, args.book_dir)
        failed = any(f.severity is Severity.ERROR or (args.strict and f.severity is Severity.WARNING)
                     for f in findings)
        verdict = ("not ready for a release: every warning must go" if args.strict and failed
                   else "ready for a release" if args.strict else "")
        print(f"check: {_summary(findings)}" + (f"; {verdict}" if verdict else ""), file=out)
        return EXIT_FINDINGS if failed else EXIT_OK
    from publish.pdf.parts.pool import layout_pool  # light: the pipeline is imported after the fork

    edition = getattr(args, "edition", "standard")
    with layout_pool(edition) as pool:  # the zygote loads WeasyPrint while the pipeline is imported and run
        return _build(args, edition, pool, progress, out)


def _new(args: argparse.Namespace, out) -> int:
    from publish.source.schema import LANGUAGE_TAG
    from publish.starter import create, next_steps

    if not LANGUAGE_TAG.match(args.language):
        print(f"publish: error y-005 '--language' is not a BCP 47 tag: {args.language!r}; use a tag such as "
              "en-GB, de-DE or fr-FR", file=out)
        return EXIT_FINDINGS
    problems = create(args.folder, args.language)
    if problems:
        _print_findings(problems, out)
        print(f"new: failed, {_summary(problems)}; nothing was written", file=out)
        return EXIT_FINDINGS
    print("\n".join(next_steps(args.folder)), file=sys.stdout)
    return EXIT_OK


OTHER_FORMAT = {"EPUB": ".pdf", "PDF": ".epub"}  # an output named for the other format would overwrite it


def _unwritable(path: Path, kind: str) -> Finding | None:
    """f-006 when ``path`` cannot become the ``kind`` ("EPUB" or "PDF") output file.

    A folder where the file should go, a file where a folder should be, a
    folder that cannot be made, or an EPUB named ``.pdf`` (or a PDF named
    ``.epub``): each stops the build before it starts, with nothing written.
    """
    extension = f".{kind.lower()}"
    if path.is_dir():
        return error("f-006", f"the output '{path}' is a folder", None,
                     f"name the output file, e.g. dist/book{extension}")
    if path.suffix.lower() == OTHER_FORMAT[kind]:
        return error("f-006", f"the {kind} would be written to '{path}', a name for the other format", None,
                     f"name it '{path.with_suffix(extension)}'")
    return _folder_problem(path.parent)


def _inside_book(path: Path, book_dir: Path) -> Finding | None:
    """f-006 when an output would be written inside the book folder: over a source, or among them."""
    book = Path(os.path.realpath(book_dir))
    where = Path(os.path.realpath(path))
    if where == book or book in where.parents:
        return error("f-006", f"the output '{path}' is inside the book folder '{book_dir}': a build never writes "
                     "among its sources", None, "write to a folder beside the book, such as dist/ (the default)")
    return None


def _folder_problem(folder: Path) -> Finding | None:
    """f-006 when the output folder is a file (or lies under one), or cannot be made.

    Making it is tried, and what was made is removed again: a build that
    then stops on the book's errors leaves no new folder behind.
    """
    chain = [folder, *folder.parents]
    existing = next((i for i, p in enumerate(chain) if p.exists()), len(chain))
    if existing < len(chain) and not chain[existing].is_dir():
        return error("f-006", f"the output folder '{chain[existing]}' is a file", None,
                     "choose another folder with --out-dir or -o, or move that file away")
    missing = chain[:existing]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):  # a folder that exists but takes no file: found now, not at the end
            pass
    except OSError as exc:
        return error("f-006", f"the output folder '{folder}' cannot be written to: {exc.strerror or exc}", None,
                     "choose a folder you can write to with --out-dir or -o")
    for made in missing:  # the deepest first
        with contextlib.suppress(OSError):
            made.rmdir()
    return None


def _build(args: argparse.Namespace, edition: str, pool: object | None, progress, out) -> int:
    from publish.pipeline import build

    epub = pdf = None
    if args.command in ("epub", "pdf", "build"):
        slug = _slug(args.book_dir)
        if args.command == "build":
            epub = args.epub or args.out_dir / f"{slug}.epub"
            pdf = args.pdf or args.out_dir / f"{slug}.pdf"
        elif args.command == "epub":
            epub = args.output or args.out_dir / f"{slug}.epub"
        else:
            suffix = "" if args.edition == "standard" else f"-{args.edition}"
            pdf = args.output or args.out_dir / f"{slug}{suffix}.pdf"
    blocked: list[Finding] = []
    for path, kind in ((epub, "EPUB"), (pdf, "PDF")):
        finding = (_inside_book(path, args.book_dir) or _unwritable(path, kind)) if path is not None else None
        if finding is not None and finding not in blocked:  # both outputs in the same wrong folder: said once
            blocked.append(finding)
    if epub is not None and pdf is not None and os.path.abspath(epub) == os.path.abspath(pdf):
        blocked.append(error("f-006", f"--epub and --pdf name the same file '{epub}'", None,
                             "give each its own name, or leave them out to get dist/<title>.epub and .pdf"))
    if blocked:
        _print_findings(blocked, out)
        print(f"{args.command}: failed, {_summary(blocked)}; nothing was written", file=out)
        return EXIT_FINDINGS
    try:
        result = build(args.book_dir, epub=epub, pdf=pdf, progress=progress, edition=edition, pool=pool)
    except BuildError as exc:
        _print_findings(exc.findings, out, args.book_dir)
        print(f"{args.command}: failed, {_summary(exc.findings)}; nothing was written", file=out)
        return EXIT_FINDINGS
    _print_findings(result.findings, out, args.book_dir)
    sizes = ", ".join(f"{p} ({p.stat().st_size / 1024:.0f} KiB)" for p in result.outputs)
    print(f"{args.command}: wrote {sizes}; {_summary(result.findings)}", file=out)
    return EXIT_OK


def _html(args: argparse.Namespace, progress, out) -> int:
    """``publish html``: the web edition, into a folder of its own (never one holding anything else)."""
    from publish.output import replaceable_site
    from publish.pipeline import build_web

    blocked = _inside_book(args.out_dir, args.book_dir) or _folder_problem(args.out_dir.parent)
    if blocked is None and not replaceable_site(args.out_dir):
        blocked = error("f-006", f"the output folder '{args.out_dir}' holds other files, and the web edition "
                        "replaces its folder whole", None,
                        "choose a folder of its own with --out-dir, such as dist/web")
    if blocked is not None:
        _print_findings([blocked], out)
        print(f"html: failed, {_summary([blocked])}; nothing was written", file=out)
        return EXIT_FINDINGS
    try:
        result = build_web(args.book_dir, args.out_dir, args.downloads, progress)
    except BuildError as exc:
        _print_findings(exc.findings, out, args.book_dir)
        print(f"html: failed, {_summary(exc.findings)}; nothing was written", file=out)
        return EXIT_FINDINGS
    _print_findings(result.findings, out, args.book_dir)
    pages = sum(1 for path in args.out_dir.rglob("*.html"))
    print(f"html: wrote {args.out_dir}/ ({pages} pages); {_summary(result.findings)}", file=out)
    return EXIT_OK

"""The book as the preview holds it: the web edition in memory, brought up to date edit by edit.

An edit to one article is the common case while writing, and loading the
whole book again costs seconds on a long series (formatting every citation
of 50 articles took 6 s, measured), so :meth:`Preview.update` does only what
the edit touched:

1. only listed articles changed, and the last full load had no errors: each
   is loaded again on its own (:func:`publish.source.chapter.load_chapter`);
2. its citations: when the article cites the same works as before, and every
   citation it now holds was formatted somewhere in the book already, those
   are reused (the formatted text of a citation depends only on the works the
   whole book cites, which did not change); an unknown key is a ``c-001`` at
   once; anything else formats the book's citations again;
3. the article-level checks, then its page (and the index and the pages beside
   it when its title or summary changed) is rendered again.

Anything else (``book.yaml``, the bibliography, an image, a file added or
removed) loads the whole book again.  Errors never replace the pages: the
last good version stays, and the findings are shown over it.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from pathlib import Path

from publish.checks.book import check_book, check_duplicate_titles
from publish.citations.resolve import check_citation_keys, fill_chapter, resolve_citations
from publish.findings import Finding, error, has_errors
from publish.model import Book, Chapter, FormattedCluster
from publish.pipeline import offered_downloads, resolve
from publish.source.book import load_book
from publish.source.chapter import load_chapter
from publish.web.site import INDEX, Download, Options, article_page, index_page, page_name, render_site

log = logging.getLogger(__name__)
SCRIPT = "/__publish/preview.js"


def _raw_copy(chapter: Chapter) -> Chapter:
    """A chapter as loaded, kept apart from the one the citation stage fills in (it changes headings in place)."""
    return dataclasses.replace(chapter, headings=[dataclasses.replace(h) for h in chapter.headings])


def _signature(chapter: Chapter) -> list[tuple]:
    return [(cluster.items, cluster.narrative) for cluster in chapter.clusters]


def _keys(chapter: Chapter) -> set[str]:
    return {item.key for cluster in chapter.clusters for item in cluster.items}


class Preview:
    """The web edition of ``book_dir`` in memory, its findings, and a version that changes with every update."""

    def __init__(self, book_dir: Path, downloads: Path) -> None:
        self.root = book_dir.resolve()
        self.downloads = downloads
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        self.book: Book | None = None  # the last book that built without errors
        self.raw: list[Chapter] = []  # its chapters before the citation stage
        self.files: dict[str, bytes] = {}
        self.findings: list[Finding] = []  # what is shown: the three below, or the errors of the last update
        self.loaded: list[Finding] = []  # the loader's findings
        self.cited: list[Finding] = []  # the citation stage's
        self.checked: list[Finding] = []  # the book-level checks'
        self.version = 0
        self.offered: dict[str, Path] = {}
        self._texts: dict[Path, bytes] = {}  # each article as last loaded: a save that changed nothing is no edit
        self._known: set[Path] = set()  # the book folder's files at the last full load

    # ---- what the server reads ----

    def snapshot(self) -> tuple[int, dict[str, bytes], list[Finding]]:
        with self.lock:
            return self.version, self.files, list(self.findings)

    def wait(self, version: int, timeout: float) -> int:
        """Block until the version differs from ``version`` (or ``timeout`` passes); return the current one."""
        with self.changed:
            self.changed.wait_for(lambda: self.version != version, timeout)
            return self.version

    def _publish(self, files: dict[str, bytes] | None, findings: list[Finding]) -> None:
        with self.changed:
            if files is not None:
                self.files = files
            self.findings = findings
            self.version += 1
            self.changed.notify_all()

    def _options(self) -> Options:
        return Options(tuple(Download(kind, path.name, path.stat().st_size) for kind, path in self.offered.items()),
                       (SCRIPT,))

    # ---- loading ----

    def load(self) -> str:
        """Load and render the whole book; keep the last good pages when it has errors."""
        book, loaded = load_book(self.root)
        if book is None:
            self._publish(None, loaded)
            return "the book could not be loaded"
        raw = [_raw_copy(chapter) for chapter in book.chapters]
        if has_errors(loaded):  # with the unknown keys, as a build reports them
            self._publish(None, resolve(book, list(loaded)))
            return "the book has errors"
        cited = resolve_citations(book)
        if has_errors(cited):
            self._publish(None, loaded + cited)
            return "the book has errors"
        self.loaded, self.cited, self.checked = loaded, cited, check_book(book)
        self.offered, _ = offered_downloads(book, self.downloads)
        self.book, self.raw = book, raw
        self._texts = {self.root / ch.source: (self.root / ch.source).read_bytes() for ch in raw}
        self._known = {path for path in self.root.rglob("*") if path.is_file()}
        self._publish(render_site(book, self._options()), self.loaded + self.cited + self.checked)
        return "loaded the whole book"

    def update(self, paths: set[Path]) -> str:
        """Bring the pages up to date after ``paths`` changed; say what was done (for the terminal)."""
        paths = {p for p in paths if p.exists() or p in self._known}  # an editor's temporary file came and went
        if not paths:
            return ""
        chapters = {self.root / ch.source: n for n, ch in enumerate(self.raw)}
        touched = {p for p in paths if p in chapters}
        if self.book is None or touched != paths or any(not p.is_file() for p in touched):
            return self.load()
        fresh = {p for p in touched if p.read_bytes() != self._texts.get(p)}
        for path in sorted(fresh):
            self._texts[path] = path.read_bytes()
        if not fresh:
            return ""
        done = []
        for path in sorted(fresh):
            done.append(self._update_chapter(chapters[path], path))
        return ", ".join(part for part in done if part)

    def _update_chapter(self, position: int, path: Path) -> str:
        assert self.book is not None
        book, old = self.book, self.book.chapters[position]
        index = int(old.slug[2:]) - 1
        used = {image.href: image.source for n, ch in enumerate(self.raw) if n != position for image in ch.images}
        chapter, found = load_chapter(self.root, path, index, used, language=book.metadata.language)
        source = old.source
        self.loaded = [f for f in self.loaded if not _about(f, source)] + found
        if chapter is None or has_errors(found):
            self._publish(None, self.loaded + self.cited + self.checked)
            return f"{source} has errors"
        raw = _raw_copy(chapter)
        unknown = [f for f in check_citation_keys(dataclasses.replace(book, chapters=[chapter], nocite=()))
                   if f.code == "c-001"]
        if unknown:
            self._publish(None, self.loaded + self.cited + unknown + self.checked)
            return f"{source} has errors"
        formatted = self._reused_citations(old, chapter)
        if formatted is None:
            return self._recite(position, raw)
        fill_chapter(chapter, formatted)
        chapter.bibliography = old.bibliography
        book.chapters[position], self.raw[position] = chapter, raw
        alone = dataclasses.replace(book, chapters=[chapter], bibliography=[])
        self.checked = [f for f in self.checked if not _about(f, source) and f.code != "m-010"] + [
            f for f in check_book(alone) if _about(f, source) and f.code != "m-010"] + check_duplicate_titles(book)
        files = dict(self.files)
        files[page_name(chapter)] = article_page(book, position, self._options())
        files.update({image.href: image.data for image in chapter.images})  # an image it shows for the first time
        if (old.title, old.title_html, old.subtitle, old.summary, old.language) != (
                chapter.title, chapter.title_html, chapter.subtitle, chapter.summary, chapter.language):
            files[INDEX] = index_page(book, self._options())
            for other in (position - 1, position + 1):
                if 0 <= other < len(book.chapters):
                    files[page_name(book.chapters[other])] = article_page(book, other, self._options())
        self._publish(files, self.loaded + self.cited + self.checked)
        return f"updated {page_name(chapter)}"

    def _reused_citations(self, old: Chapter, new: Chapter) -> list[FormattedCluster] | None:
        """The new article's formatted citations taken from the book's, or None when they must be formatted."""
        if _keys(old) != _keys(new) or old.nocite != new.nocite:
            return None
        if _signature(new) == _signature(old):
            return list(old.formatted)
        known: dict[tuple, FormattedCluster] = {}
        for chapter in self.book.chapters if self.book else []:
            for cluster, formatted in zip(chapter.clusters, chapter.formatted, strict=False):
                known.setdefault((cluster.items, cluster.narrative), formatted)
        wanted = _signature(new)
        if all(sig in known for sig in wanted):
            return [known[sig] for sig in wanted]
        return None

    def _recite(self, position: int, raw: Chapter) -> str:
        """Format the whole book's citations again with the new article (the works it cites changed).

        That takes seconds in a long series (2.2 s for 50 articles), so the
        article is first served formatted on its own (0.1 s: its citations
        and reference list as they stand alone), then the book's pass puts
        each citation as the build would (a letter after a shared year,
        initials that tell two authors apart) and the page reloads again.
        """
        assert self.book is not None
        self._article_alone(position, raw)
        chapters = [_raw_copy(ch) for ch in self.raw]
        chapters[position] = _raw_copy(raw)
        book = dataclasses.replace(self.book, chapters=chapters, bibliography=[])
        cited = resolve_citations(book)
        if has_errors(cited):
            self._publish(None, self.loaded + cited + self.checked)
            return f"{raw.source} has errors"
        self.book, self.cited, self.checked = book, cited, check_book(book)
        self.raw[position] = raw
        self._publish(render_site(book, self._options()), self.loaded + self.cited + self.checked)
        return f"updated {page_name(raw)}, and the book's citations"

    def _article_alone(self, position: int, raw: Chapter) -> None:
        """Serve the edited article with its citations formatted for it alone (the first of :meth:`_recite`)."""
        assert self.book is not None
        chapter = _raw_copy(raw)
        alone = dataclasses.replace(self.book, chapters=[chapter], bibliography=[])
        if has_errors(resolve_citations(alone)):
            return  # the book's pass says what is wrong
        book = dataclasses.replace(self.book, chapters=list(self.book.chapters), bibliography=alone.bibliography
                                   or self.book.bibliography)
        book.chapters[position] = chapter
        files = dict(self.files)
        files[page_name(chapter)] = article_page(book, position, self._options())
        files.update({image.href: image.data for image in chapter.images})
        self._publish(files, self.loaded + self.cited + self.checked)


def _about(finding: Finding, source: str) -> bool:
    return finding.location is not None and finding.location.path == source


def timed(action, *args) -> tuple[str, float]:
    start = time.perf_counter()
    what = action(*args)
    return what, time.perf_counter() - start


def internal_error(exc: Exception) -> Finding:
    """A bug met while updating: shown like a finding, and the server goes on."""
    return error("x-001", f"internal error while updating the preview: {type(exc).__name__}: {exc}", None,
                 "the last good pages are shown; please report this with the book folder")

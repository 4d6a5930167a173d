"""Load a book folder into the model: ``book.yaml``, chapters, bibliography, images.

The loader reads; it never writes.  It gathers every problem it can find
before giving up (an author fixes five mistakes in one go, not one per run),
and returns ``(book, findings)``; ``book`` is None only when nothing sensible
can be built.

Stages for each chapter, in order:

1. read UTF-8 text and split the YAML front matter;
2. convert Markdown with the book's extensions (citations become placeholders);
3. parse the HTML once into an lxml tree, sanitise it, move it into XHTML;
4. add semantics (notes, pull quotes, heading ids) and check the structure;
5. resolve and vet images.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
from bisect import bisect_right
from pathlib import Path
from typing import NamedTuple

from lxml import etree

from publish.bibliography import load_bibliography
from publish.conventions import local_name, parse_fragment, q, serialize
from publish.findings import Finding, Location, error, warning
from publish.model import Accessibility, Book, Chapter, Cluster, Heading, Image, Metadata
from publish.parallel import fork_map
from publish.paths import STYLES
from publish.source.attributes import check_attribute_values
from publish.source.comments import unclosed_comments
from publish.source.content_model import check_content_model
from publish.source.extensions import ParsedCitations, inline_title, make_markdown
from publish.source.files import inside, read_text, split_front_matter
from publish.source.images import chapter_images, load_image
from publish.source.notes import drop_uncalled, twice_defined
from publish.source.schema import Config, read_config, suggest
from publish.source.tables import check_header_rows
from publish.source.urls import mark_addresses
from publish.source.vetting import check_csl, check_front_matter, fence_lines, max_depth
from publish.source.xhtml import add_semantics, check_links, heading_ids_and_checks, mark_pullquotes, sanitize, to_xhtml

log = logging.getLogger(__name__)

DEFAULT_CSL = STYLES / "csl" / "apa.csl"
MARKDOWN_SUFFIXES = (".md", ".markdown")
# Deeper nesting than this is never prose; it would exhaust the renderers' recursion (WeasyPrint, lxml).
MAX_DEPTH = 40
FORK_CHAPTERS = 20  # chapters: fewer are converted here, one by one (a fork pays off on longer books)
EMPTY_CITATION = re.compile(r"\[\s*-?@\s*\]")
NOTE_CALL = re.compile(r"\[\^[^\]\s]+\]")


def load_book(book_dir: Path) -> tuple[Book | None, list[Finding]]:
    """Read the book folder into a :class:`Book`, with every finding on the way."""
    root = book_dir.resolve()
    config, findings = read_config(root)
    if config is None:
        return None, findings
    metadata = _metadata(config)
    seconds, epoch = source_date_epoch()
    if epoch and seconds is None:
        findings.append(warning("y-009", f"SOURCE_DATE_EPOCH is not a Unix time (whole seconds since 1970, "
                                         f"before the year 10000): {epoch[:40]!r}", None,
                                "the book's date stamps the build instead; unset it, or set it to a Unix time "
                                "such as $(git log -1 --format=%ct)"))
    references: list[dict] = []
    locations: dict[str, Location] = {}
    bib = config.get("bibliography")
    if bib:
        path = inside(root, bib)
        if path is not None and path.is_dir():
            findings.append(error("f-001", f"bibliography '{bib}' is a folder, not a file",
                                  config.where("bibliography"), "name the bibliography file itself"))
        elif path is None or not path.is_file():
            findings.append(error("f-003" if path is None else "f-001",
                                  f"bibliography '{bib}' {'leaves the book folder' if path is None else 'not found'}",
                                  config.where("bibliography"), "give the path relative to the book folder"))
        else:
            references, locations, more = load_bibliography(path, bib)
            findings.extend(more)
    csl = DEFAULT_CSL
    if config.get("csl"):
        found = inside(root, config.get("csl"))
        if found is None or not found.is_file():
            findings.append(error("f-003" if found is None else "f-001",
                                  f"CSL style '{config.get('csl')}' "
                                  f"{'leaves the book folder' if found is None else 'not found'}", config.where("csl"),
                                  "give a path relative to the book folder, or remove 'csl' to use APA 7"))
        else:
            problem = check_csl(found, config.get("csl"))
            if problem:
                findings.append(problem)
            else:
                csl = found
    chapters: list[Chapter] = []
    used_hrefs: dict[str, Path] = {}
    listed: dict[Path, str] = {}
    sources = _read_all(root, config.get("chapters") or [])
    for index, name in enumerate(config.get("chapters") or []):
        if not isinstance(name, str):  # reported by the config (y-003); the index keeps the others' lines
            continue
        where = Location("book.yaml", config.item_line("chapters", index))
        path = inside(root, name)
        if path is None:
            findings.append(error("f-003", f"chapter path '{name}' leaves the book folder", where,
                                  "list chapters relative to the book folder"))
            continue
        if path in listed:
            also = f" (also as '{listed[path]}')" if listed[path] != name else ""
            findings.append(error("f-004", f"chapter '{name}' is listed twice{also}", where,
                                  "list each article once under 'chapters'"))
            continue
        listed[path] = name
        if path.suffix.lower() not in MARKDOWN_SUFFIXES:
            findings.append(error("y-005", f"chapter '{name}' is not a Markdown file", where,
                                  "chapters are .md files; list the article's Markdown file"))
            continue
        if path.is_dir():
            findings.append(error("f-001", f"chapter '{name}' is a folder, not a file", where,
                                  "list the Markdown files inside it one by one"))
            continue
        if not path.is_file():
            near = suggest(name, [str(p.relative_to(root)) for p in root.rglob("*.md")])
            findings.append(error("f-001", f"chapter '{name}' not found", where,
                                  near or "check the path under 'chapters' in book.yaml"))
            continue
        chapter, more = load_chapter(root, path, index, used_hrefs, *sources.get(path, (None, None)))
        findings.extend(more)
        if chapter is not None:
            chapters.append(chapter)
    cover, more = _cover(root, config, metadata)
    findings.extend(more)
    access = config.get("accessibility") or {}
    book = Book(
        root=root,
        metadata=metadata,
        chapters=chapters,
        references=references,
        csl=csl,
        accessibility=Accessibility(
            summary=access.get("summary", ""),
            certified_by=access.get("certified_by", ""),
            hazards=tuple(access.get("hazards") or ()),
        ),
        cover=cover,
        placeholders=config.placeholders,
        nocite=tuple(str(k).lstrip("@") for k in config.get("nocite") or ()),
        reference_locations=locations,
        page_size=(config.get("print") or {}).get("page_size", "A5"),
    )
    return book, findings


def _metadata(config: Config) -> Metadata:
    date = config.get("date")
    if isinstance(date, dt.date):
        date = date.isoformat()
    return Metadata(
        title=str(config.get("title", "")),
        subtitle=config.get("subtitle", ""),
        language=config.get("language", "en"),
        identifier=str(config.get("identifier", "")).strip(),
        authors=tuple(config.get("authors") or ()),
        publisher=config.get("publisher", ""),
        date=date or "",
        rights=config.get("rights", ""),
        description=config.get("description", ""),
        citation_locale=config.get("citation_locale", "en-US"),
        bibliography_placement=config.get("bibliography_placement", "chapter"),
        notice=config.get("notice", ""),
        modified=build_timestamp(date or ""),
    )


LAST_EPOCH = 253402300799  # 9999-12-31T23:59:59Z: the last second a four-digit date can stamp


def source_date_epoch() -> tuple[int | None, str]:
    """``SOURCE_DATE_EPOCH`` as seconds (``None`` when unset, not a whole number, or past year 9999), and as
    written."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return (int(epoch) if epoch.isdigit() and len(epoch) <= 12 and int(epoch) <= LAST_EPOCH else None), epoch


def build_timestamp(date: str) -> str:
    """The build's one timestamp: ``SOURCE_DATE_EPOCH`` if set, else the book's date; never the clock."""
    seconds, _ = source_date_epoch()
    if seconds is not None:
        moment = dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
    else:
        try:
            day = dt.date.fromisoformat(date)
        except ValueError:
            day = dt.date(2000, 1, 1)
        moment = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class _Source(NamedTuple):
    """A chapter file read and split once: its text, front matter, body, and the findings on the way."""

    text: str | None
    meta: dict
    body: str
    offset: int  # lines before the body
    findings: list[Finding]


def _read_source(root: Path, path: Path) -> _Source:
    display = str(path.relative_to(root))
    text, findings = read_text(path, display)
    if text is None:
        return _Source(None, {}, "", 0, findings)
    meta, body, offset, more = split_front_matter(text, display)
    return _Source(text, meta, body, offset, findings + more)


def _convert(body: str) -> tuple[str, ParsedCitations] | None:
    """A chapter body as HTML and its citations, or ``None`` (then :func:`load_chapter` reports why)."""
    if not body.strip():
        return None
    store = ParsedCitations()
    try:
        return make_markdown(store).convert(body), store
    except RecursionError:
        return None


def _read_all(root: Path, names: list) -> dict[Path, tuple[_Source, tuple[str, ParsedCitations] | None]]:
    """Every listed chapter read once, and for a long book its Markdown converted on every core.

    Converting is the slow part of reading a long book and each file's is its
    own (:func:`publish.parallel.fork_map`; the children inherit the texts);
    everything that needs the book as a whole (checks, image names) stays in
    :func:`load_chapter`, in order.
    """
    sources: dict[Path, _Source] = {}
    for name in names:
        path = inside(root, str(name)) if isinstance(name, str) else None
        if path is not None and path.suffix.lower() in MARKDOWN_SUFFIXES and path.is_file() and path not in sources:
            sources[path] = _read_source(root, path)
    bodies = [source.body for source in sources.values()]
    if len(bodies) < FORK_CHAPTERS:  # converting in load_chapter costs less than forking (see parallel.MINIMUM)
        return {path: (source, None) for path, source in sources.items()}
    converted = fork_map(_convert, bodies, minimum=FORK_CHAPTERS)
    return {path: (source, html) for (path, source), html in zip(sources.items(), converted, strict=True)}


def load_chapter(root: Path, path: Path, index: int, used_hrefs: dict[str, Path],
                 source: _Source | None = None, converted: tuple[str, ParsedCitations] | None = None
                 ) -> tuple[Chapter | None, list[Finding]]:
    display = str(path.relative_to(root))
    text, meta, body, offset, findings = source or _read_source(root, path)
    findings = list(findings)
    if text is None:
        return None, findings
    meta, more = check_front_matter(meta, text, display)
    findings.extend(more)
    title = str(meta.get("title") or "").strip()
    if not title:
        title = path.stem.split("-", 1)[-1].replace("-", " ").capitalize()
        findings.append(warning("y-007", "chapter has no title in its front matter", Location(display, 1),
                                "add front matter: ---, title: \"…\", ---"))
    title, title_html = _title_markup(title, text, display, findings)
    if not body.strip():
        findings.append(error("m-001", "chapter is empty", Location(display, offset + 1),
                              "write the article below the front matter, or remove it from book.yaml"))
        return None, findings
    slug = f"ch{index + 1:02d}"
    try:
        if converted is not None:
            html, store = converted
        else:
            store = ParsedCitations()
            html = make_markdown(store).convert(body)
        tree = parse_fragment(html)
        depth = max_depth(tree)
    except RecursionError:
        depth = MAX_DEPTH + 1
    if depth > MAX_DEPTH:
        findings.append(error("m-011", f"the text is nested more than {MAX_DEPTH} levels deep "
                              "(block quotes, lists or HTML inside each other)", Location(display, offset + 1),
                              "flatten the nesting; no reader can follow it"))
        return None, findings
    findings.extend(sanitize(tree, body, display, offset))
    section = to_xhtml(tree)
    findings.extend(unclosed_comments(section, body, display, offset))
    findings.extend(check_attribute_values(section, body, display, offset))
    findings.extend(check_content_model(section, body, display, offset))
    findings.extend(twice_defined(body, display, offset) + drop_uncalled(section, body, display, offset))
    findings.extend(check_header_rows(section, body, display, offset))
    if not "".join(section.itertext()).strip() and next(section.iter(q("img")), None) is None:
        findings.append(error("m-001", "chapter has no text: only rules, comments or notes that are never called",
                              Location(display, offset + 1),
                              "write the article below the front matter, or remove it from book.yaml"))
        return None, findings
    add_semantics(section, slug)
    mark_pullquotes(section)
    unclosed, nested = fence_lines(body)
    for div in section.iter(q("aside"), q("div")):
        if div.attrib.pop("data-unclosed", None):
            if not unclosed and nested:  # every fence is closed, but one opened inside another
                findings.append(error("m-009", f"fenced div '::: {div.get('class')}' inside another fenced div",
                                      Location(display, nested.pop(0) + offset),
                                      "fenced divs do not nest: close the first with ::: before opening the next"))
                continue
            line = unclosed.pop(0) + offset if unclosed else None
            findings.append(error("m-009", f"fenced div '::: {div.get('class')}' is never closed",
                                  Location(display, line), "end it with a line holding only :::"))
    for match in EMPTY_CITATION.finditer(body):
        findings.append(warning("c-003", f"'{match.group()}' has no citation key; it is printed as text",
                                _position(body, match.start(), display, offset),
                                "write the key after the @, e.g. [@porges2011], or \\@ for a literal @"))
    findings.extend(_undefined_notes(section, body, display, offset))
    heads, more = heading_ids_and_checks(section, body, display, offset, slug)
    findings.extend(more)
    findings.extend(check_links(section, body, display, offset, slug))
    images, more = chapter_images(root, path, section, body, display, offset, used_hrefs)
    findings.extend(more)
    mark_addresses(section)
    nocite = meta.get("nocite") or ()
    if isinstance(nocite, str):
        nocite = nocite.replace(",", " ").split()
    chapter = Chapter(
        slug=slug,
        source=display,
        title=title,
        subtitle=str(meta.get("subtitle") or ""),
        author=str(meta.get("author") or ""),
        date=str(meta.get("date") or ""),
        summary=str(meta.get("summary") or ""),
        language=str(meta.get("lang") or ""),
        running_head=" ".join(str(meta.get("running_head") or "").split()),
        title_html=title_html,
        body_html=serialize(section),
        headings=[Heading(level, text, ident) for level, text, ident in heads],
        clusters=_locate_clusters(store, body, display, offset),
        nocite=tuple(str(k).lstrip("@") for k in nocite),
        images=images,
    )
    return chapter, findings


TITLE_ELEMENTS = ("em", "strong", "i", "b", "code", "sup", "sub", "span", "abbr", "cite", "q", "small")


def _title_markup(title: str, text: str, display: str, findings: list[Finding]) -> tuple[str, str]:
    """The title's words, and its inline Markdown as an XHTML ``<span>`` ("" for a plain title).

    ``*Em*`` in a title was printed with its asterisks; pandoc reads titles as
    Markdown too.  Only inline markup is kept (a link or a block in a title is
    its words); the words are what contents, bookmarks and metadata show.
    """
    markup = inline_title(title)
    if not markup:
        return title, ""
    tree = parse_fragment(markup)
    findings.extend(sanitize(tree, text, display, 0))
    span = to_xhtml(tree)
    span.tag = q("span")
    for element in list(span.iter()):
        if element is not span and isinstance(element.tag, str) and local_name(element.tag) not in TITLE_ELEMENTS:
            etree.strip_tags(span, element.tag)
    words = " ".join("".join(span.itertext()).split())
    if not words or len(span) == 0:
        return words or title, ""
    return words, serialize(span)


def _undefined_notes(section, body: str, display: str, offset: int) -> list[Finding]:
    """``[^2]`` left as text means the note has no definition (Python-Markdown prints it as typed)."""
    findings = []
    for element in section.iter():
        if not isinstance(element.tag, str):
            continue
        literal = element.tag in (q("code"), q("pre"))
        for text in (None if literal else element.text, element.tail if element.getparent() is not None else None):
            for match in NOTE_CALL.finditer(text or ""):
                where = body.find(match.group())
                findings.append(warning("m-012", f"footnote {match.group()} has no definition",
                                        _position(body, where, display, offset) if where >= 0 else Location(display),
                                        f"add a line '{match.group()}: the note text' below the paragraph"))
    return findings


def _locate_clusters(store: ParsedCitations, body: str, display: str, offset: int) -> list[Cluster]:
    """Give each cluster the line and column of its source text (n-th occurrence of the same text).

    One forward search per cluster and a binary search over line starts keep
    this linear in the chapter's length however many citations it holds.
    """
    starts = _line_starts(body)
    last: dict[str, int] = {}
    located = []
    for cluster, raw in zip(store.clusters, store.raw, strict=True):
        start = body.find(raw, last.get(raw, -1) + 1)
        if start >= 0:
            last[raw] = start
            location = _position(body, start, display, offset, starts)
        else:
            location = Location(display)
        located.append(Cluster(cluster.items, cluster.narrative, location))
    return located


def _line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in re.finditer("\n", text)]


def _position(body: str, index: int, display: str, offset: int, starts: list[int] | None = None) -> Location:
    """Line and column (1-based, in the original file) of ``body[index]``."""
    starts = starts if starts is not None else _line_starts(body)
    line = bisect_right(starts, index)
    return Location(display, line + offset, index - starts[line - 1] + 1)


COVER_SHORT_SIDE = 1400  # Apple Books' minimum for the shorter side of a cover


def _cover(root: Path, config: Config, metadata: Metadata) -> tuple[Image | None, list[Finding]]:
    name = config.get("cover")
    if not name:
        return None, []
    loaded, findings = load_image(root, name, root, config.where("cover"))
    if loaded is None:
        return None, findings
    source, media_type, data, width, height = loaded
    if width and height and (min(width, height) < COVER_SHORT_SIDE or width > height):
        shape = "landscape" if width > height else f"{min(width, height)} pixels on its short side"
        findings.append(warning("m-023", f"the cover image '{name}' is {width}×{height} pixels ({shape})",
                                config.where("cover"), f"e-reader libraries and bookshops show covers upright: "
                                f"use a portrait image at least {COVER_SHORT_SIDE} pixels wide (1600×2400 suits "
                                "every store)"))
    alt = config.get("cover_alt") or f"Cover of {metadata.title}"
    return Image(href=f"images/cover{source.suffix.lower()}", source=source, media_type=media_type, alt=alt,
                 data=data, width=width, height=height), findings

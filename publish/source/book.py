"""Load a book folder into the model: ``book.yaml``, chapters, bibliography, images.

The loader reads; it never writes.  It gathers every problem it can find
before giving up (an author fixes five mistakes in one go, not one per run),
and returns ``(book, findings)``; ``book`` is None only when nothing sensible
can be built.

Stages for each chapter, in order (:mod:`publish.source.chapter`):

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
from pathlib import Path

from publish.bibliography import load_bibliography
from publish.findings import Finding, Location, error, warning
from publish.i18n import languages, strings
from publish.model import Accessibility, Book, Chapter, Image, Metadata
from publish.parallel import fork_map
from publish.paths import STYLES
from publish.source.branding import load_branding
from publish.source.chapter import Source, convert, load_chapter, read_source
from publish.source.extensions import ParsedCitations
from publish.source.files import inside
from publish.source.images import load_image, unique_href
from publish.source.schema import Config, metadata_values, read_config, suggest
from publish.source.vetting import check_csl

log = logging.getLogger(__name__)

DEFAULT_CSL = STYLES / "csl" / "apa.csl"
MARKDOWN_SUFFIXES = (".md", ".markdown")
FORK_CHAPTERS = 20  # chapters: fewer are converted here, one by one (a fork pays off on longer books)


def load_book(book_dir: Path) -> tuple[Book | None, list[Finding]]:
    """Read the book folder into a :class:`Book`, with every finding on the way."""
    root = book_dir.resolve()
    config, findings = read_config(root)
    if config is None:
        return None, findings
    metadata = _metadata(config)
    if metadata.modified[:4] > LAST_ZIP_YEAR:
        findings.append(error("y-010", f"the build's date {metadata.modified[:10]} is after {LAST_ZIP_YEAR}, the last "
                              "year a zip file (the EPUB) can store", config.where("date")
                              if not os.environ.get("SOURCE_DATE_EPOCH") else None,
                              "use the publication date (book.yaml 'date'), or a SOURCE_DATE_EPOCH before 2108"))
    if not strings(metadata.language).complete and config.get("language"):
        findings.append(warning("y-011", f"no translation for the language {metadata.language!r}: the words the tool "
                                "writes (contents, notes, landmarks, the colophon, the accessibility summary) will be "
                                "in English", config.where("language"),
                                f"use one of {', '.join(languages())}, or add a translation file to publish/i18n/"))
    seconds, epoch = source_date_epoch()
    if epoch and seconds is None:
        findings.append(warning("y-009", f"SOURCE_DATE_EPOCH is not a Unix time (whole seconds since 1970, "
                                         f"before the year 10000): {epoch[:40]!r}", None,
                                "the book's date stamps the build instead; unset it, or set it to a Unix time "
                                "such as $(git log -1 --format=%ct)"))
    references, locations, more = _bibliographies(root, config)
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
    sources = _read_all(root, config.get("chapters") or [], metadata.language)
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
        if path.is_symlink() and not path.exists():
            findings.append(error("f-008", f"chapter '{name}' is a symbolic link that leads nowhere (to itself, in a "
                                  "loop, or to a file that is gone)", where, "point the link at the article's "
                                  "Markdown file, or list the file itself"))
            continue
        if not path.is_file():
            near = suggest(name, [str(p.relative_to(root)) for p in root.rglob("*.md")])
            findings.append(error("f-001", f"chapter '{name}' not found", where,
                                  near or "check the path under 'chapters' in book.yaml"))
            continue
        chapter, more = load_chapter(root, path, index, used_hrefs, *sources.get(path, (None, None)),
                                     language=metadata.language)
        findings.extend(more)
        if chapter is not None:
            chapters.append(chapter)
    findings.extend(_unlisted(root, set(listed)))
    cover, more = _cover(root, config, metadata)
    findings.extend(more)
    branding, more = load_branding(root, config, used_hrefs)
    findings.extend(more)
    book = Book(
        root=root,
        metadata=metadata,
        chapters=chapters,
        references=references,
        csl=csl,
        accessibility=Accessibility(
            summary=config.value("accessibility.summary"),
            certified_by=config.value("accessibility.certified_by"),
            hazards=tuple(config.value("accessibility.hazards") or ()),
        ),
        cover=cover,
        placeholders=config.placeholders,
        nocite=tuple(str(k).lstrip("@") for k in config.get("nocite") or ()),
        reference_locations=locations,
        page_size=config.value("print.page_size"),
        branding=branding,
    )
    return book, findings


def _unlisted(root: Path, listed: set[Path]) -> list[Finding]:
    """A Markdown file in the book folder that no ``chapters:`` entry names is left out: say so (MkDocs does).

    Files and folders whose names begin with ``.`` or ``_`` are drafts and notes kept on purpose.
    """
    found = []
    for path in sorted(root.rglob("*")):
        parts = path.relative_to(root).parts
        if (path.suffix.lower() in MARKDOWN_SUFFIXES and path.is_file() and path.resolve() not in listed
                and not any(part.startswith((".", "_")) for part in parts)):
            found.append(warning("f-007", f"'{path.relative_to(root)}' is not listed under 'chapters', so it is "
                                 "left out of the book", Location(str(path.relative_to(root))),
                                 "add it to 'chapters' in book.yaml, or start its name with _ to keep it as a draft"))
    return found


def _bibliographies(root: Path, config: Config) -> tuple[list[dict], dict[str, Location], list[Finding]]:
    """Every bibliography file ``book.yaml`` names (one path or a list, any mix of formats), as one.

    A key two files define is ``b-002`` naming both places; the first file's entry is used (pandoc and
    Quarto take the same list form).
    """
    names = config.value("bibliography")
    names = [names] if isinstance(names, str) else list(names or [])
    references: list[dict] = []
    locations: dict[str, Location] = {}
    findings: list[Finding] = []
    for index, bib in enumerate(names):
        where = Location("book.yaml", config.item_line("bibliography", index)) if isinstance(
            config.get("bibliography"), list) else config.where("bibliography")
        path = inside(root, bib)
        if path is not None and path.is_dir():
            findings.append(error("f-001", f"bibliography '{bib}' is a folder, not a file", where,
                                  "name the bibliography file itself"))
            continue
        if path is None or not path.is_file():
            near = suggest(bib, [str(p.relative_to(root)) for p in root.rglob("*") if p.suffix.lower() in
                                 (".json", ".yaml", ".yml", ".bib", ".bibtex", ".biblatex") and p.is_file()])
            findings.append(error("f-003" if path is None else "f-001",
                                  f"bibliography '{bib}' {'leaves the book folder' if path is None else 'not found'}",
                                  where, near or "give the path relative to the book folder"))
            continue
        found, places, more = load_bibliography(path, bib)
        findings.extend(more)
        for item in found:
            key = item["id"]
            if key in locations:
                first = locations[key]
                findings.append(error("b-002", f"key '{key}' is defined in {first.path}:{first.line} and again "
                                      f"here; the first is used", places.get(key),
                                      "give one of them a different id, or delete the duplicate"))
                continue
            references.append(item)
            locations[key] = places[key]
    return references, locations, findings


def _metadata(config: Config) -> Metadata:
    values = metadata_values(config)
    if not config.get("citation_locale") and not str(values["language"]).lower().startswith("en"):
        # A German book's citations say "S." and "o. J." unless book.yaml asks otherwise; English keeps
        # APA's en-US terms (the Publication Manual's), whatever the spelling of the text.
        values["citation_locale"] = values["language"]
    return Metadata(**values, modified=build_timestamp(values["date"]))


LAST_ZIP_YEAR = "2107"  # a zip entry stores its year as 1980 + 7 bits
LAST_EPOCH = 253402300799  # 9999-12-31T23:59:59Z: the last second a four-digit date can stamp


def source_date_epoch() -> tuple[int | None, str]:
    """``SOURCE_DATE_EPOCH`` as seconds (``None`` when unset, not a whole number, or past year 9999), and as
    written."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    whole = epoch.isascii() and epoch.isdigit()  # "²" is a digit to Python, not to int()
    return (int(epoch) if whole and len(epoch) <= 12 and int(epoch) <= LAST_EPOCH else None), epoch


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


def _read_all(root: Path, names: list, language: str) -> dict[Path, tuple[Source, tuple[str, ParsedCitations] | None]]:
    """Every listed chapter read once, and for a long book its Markdown converted on every core.

    Converting is the slow part of reading a long book and each file's is its
    own (:func:`publish.parallel.fork_map`; the children inherit the texts);
    everything that needs the book as a whole (checks, image names) stays in
    :func:`load_chapter`, in order.
    """
    sources: dict[Path, Source] = {}
    for name in names:
        path = inside(root, str(name)) if isinstance(name, str) else None
        if path is not None and path.suffix.lower() in MARKDOWN_SUFFIXES and path.is_file() and path not in sources:
            sources[path] = read_source(root, path)
    bodies = [(source.body, str((source.meta or {}).get("lang") or language)) for source in sources.values()]
    if len(bodies) < FORK_CHAPTERS:  # converting in load_chapter costs less than forking (see parallel.MINIMUM)
        return {path: (source, None) for path, source in sources.items()}
    converted = fork_map(convert, bodies, minimum=FORK_CHAPTERS)
    return {path: (source, html) for (path, source), html in zip(sources.items(), converted, strict=True)}


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
    alt = config.get("cover_alt") or strings(metadata.language)("cover.of", title=metadata.title)
    href = unique_href(Path("cover" + source.suffix), {}, media_type)  # the extension says what the file is
    return Image(href=href, source=source, media_type=media_type, alt=alt,
                 data=data, width=width, height=height), findings

"""One chapter file into the model: front matter, Markdown, XHTML, then the passes, in order.

After Python-Markdown has converted the text and the HTML has been parsed
once, sanitised and moved into XHTML, the chapter's section goes through
:data:`PASSES`: each pass checks or marks up the same tree and returns its
findings.  They are registered by name with a priority, highest first, as
Python-Markdown registers its processors, so adding one is one
registration and the order is written down in one place (the table at the
end of this module).  A pass may stop the chapter (``draft.stop``), as the
"no text at all" check does: the passes after it then do not run.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from lxml import etree

from publish.conventions import local_name, parse_fragment, q, serialize
from publish.findings import Finding, Location, error, warning
from publish.i18n import FALLBACK, Strings, strings
from publish.model import Chapter, Cluster, Heading, Image
from publish.source.attributes import check_attribute_values
from publish.source.comments import unclosed_comments
from publish.source.content_model import check_content_model
from publish.source.extensions import ParsedCitations, inline_title, make_markdown
from publish.source.files import read_text, split_front_matter
from publish.source.images import chapter_images
from publish.source.limits import deep_brackets, long_words, too_many_notes, too_many_notes_in
from publish.source.notes import drop_uncalled, twice_defined
from publish.source.tables import check_header_rows, table_captions
from publish.source.urls import mark_addresses
from publish.source.vetting import check_front_matter, fence_lines, max_depth
from publish.source.xhtml import (
    add_semantics,
    check_links,
    heading_ids_and_checks,
    mark_pullquotes,
    sanitize,
    to_xhtml,
)

# Deeper nesting than this is never prose; it would exhaust the renderers' recursion (WeasyPrint, lxml).
MAX_DEPTH = 40
EMPTY_CITATION = re.compile(r"\[\s*-?@\s*\]")
NOTE_CALL = re.compile(r"\[\^[^\]\s]+\]")





class Source(NamedTuple):
    """A chapter file read and split once: its text, front matter, body, and the findings on the way."""

    text: str | None
    meta: dict
    body: str
    offset: int  # lines before the body
    findings: list[Finding]


def read_source(root: Path, path: Path) -> Source:
    display = str(path.relative_to(root))
    text, findings = read_text(path, display)
    if text is None:
        return Source(None, {}, "", 0, findings)
    meta, body, offset, more = split_front_matter(text, display)
    return Source(text, meta, body, offset, findings + more)


def convert(text: tuple[str, str]) -> tuple[str, ParsedCitations] | None:
    """A chapter body (and its language) as HTML and its citations, or ``None`` (:func:`load_chapter` says why)."""
    body, language = text
    if not body.strip() or deep_brackets(body, "", 0) or too_many_notes_in(body, "", 0):
        return None
    store = ParsedCitations()
    try:
        return make_markdown(store, strings(language).quotes).convert(body), store
    except RecursionError:
        return None


@dataclass
class Draft:
    """A chapter between Markdown and the model: the XHTML section every pass works on, and where it came from."""

    section: etree._Element
    body: str  # the Markdown text, for locating findings
    display: str  # the file as findings name it
    offset: int  # lines before the body (front matter)
    slug: str
    root: Path  # the book folder
    path: Path  # the chapter file
    used_hrefs: dict[str, Path]  # image names already taken in the book
    words: Strings  # the words the tool adds, in the article's language
    headings: list[Heading] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    notes: int = 0
    pullquotes: int = 0
    stop: bool = False  # set by a pass when the chapter cannot be built


Pass = Callable[[Draft], list[Finding]]


class Passes:
    """Passes by name and priority, run highest first (Python-Markdown's ``Registry``, for chapter trees)."""

    def __init__(self) -> None:
        self._passes: dict[str, tuple[float, Pass]] = {}

    def register(self, function: Pass, name: str, priority: float) -> None:
        self._passes[name] = (priority, function)

    def deregister(self, name: str) -> None:
        del self._passes[name]

    def names(self) -> list[str]:
        return [name for name, _ in sorted(self._passes.items(), key=lambda item: -item[1][0])]

    def run(self, draft: Draft) -> list[Finding]:
        findings: list[Finding] = []
        for name in self.names():
            findings.extend(self._passes[name][1](draft))
            if draft.stop:
                break
        return findings


def load_chapter(root: Path, path: Path, index: int, used_hrefs: dict[str, Path],
                 source: Source | None = None, converted: tuple[str, ParsedCitations] | None = None,
                 language: str = FALLBACK) -> tuple[Chapter | None, list[Finding]]:
    """Read, convert and check one chapter; ``None`` for the chapter when it cannot be built.

    ``language`` is the book's: the words the tool adds (the notes' heading,
    labels) are in the article's own ``lang`` when it has one, else in it.
    """
    display = str(path.relative_to(root))
    text, meta, body, offset, findings = source or read_source(root, path)
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
    too_deep = deep_brackets(body, display, offset) or too_many_notes_in(body, display, offset)
    if too_deep is not None:  # Python-Markdown's link search is quadratic in them: refused, not hung on
        findings.append(too_deep)
        return None, findings
    try:
        if converted is not None:
            html, store = converted
        else:
            store = ParsedCitations()
            html = make_markdown(store, strings(str(meta.get("lang") or language)).quotes).convert(body)
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
    draft = Draft(to_xhtml(tree), body, display, offset, f"ch{index + 1:02d}", root, path, used_hrefs,
                  strings(str(meta.get("lang") or language)))
    findings.extend(PASSES.run(draft))
    if draft.stop:
        return None, findings
    nocite = meta.get("nocite") or ()
    if isinstance(nocite, str):
        nocite = nocite.replace(",", " ").split()
    chapter = Chapter(
        slug=draft.slug,
        source=display,
        title=title,
        subtitle=str(meta.get("subtitle") or ""),
        author=str(meta.get("author") or ""),
        date=str(meta.get("date") or ""),
        summary=str(meta.get("summary") or ""),
        language=str(meta.get("lang") or ""),
        running_head=" ".join(str(meta.get("running_head") or "").split()),
        title_html=title_html,
        body_html=serialize(draft.section),
        headings=draft.headings,
        clusters=_locate_clusters(store, body, display, offset),
        nocite=tuple(str(k).lstrip("@") for k in nocite),
        images=draft.images,
        notes=draft.notes,
        pullquotes=draft.pullquotes,
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


# ---- the passes, in the order they run -------------------------------------------------------------------


def _checks_on(function) -> Pass:
    """A check with the common signature ``(section, body, display, offset) -> findings`` as a pass."""
    def run(draft: Draft) -> list[Finding]:
        return function(draft.section, draft.body, draft.display, draft.offset)
    return run


def _twice_defined(draft: Draft) -> list[Finding]:
    return twice_defined(draft.body, draft.display, draft.offset) + drop_uncalled(
        draft.section, draft.body, draft.display, draft.offset)


def _has_text(draft: Draft) -> list[Finding]:
    if "".join(draft.section.itertext()).strip() or next(draft.section.iter(q("img")), None) is not None:
        return []
    draft.stop = True
    return [error("m-001", "chapter has no text: only rules, comments or notes that are never called",
                  Location(draft.display, draft.offset + 1),
                  "write the article below the front matter, or remove it from book.yaml")]


def _semantics(draft: Draft) -> list[Finding]:
    add_semantics(draft.section, draft.slug, draft.words)
    mark_pullquotes(draft.section, draft.words)
    draft.notes = sum(len(section.findall(f"{q('ol')}/{q('li')}")) for section in draft.section.iter(q("section"))
                      if section.get("role") == "doc-endnotes")
    draft.pullquotes = sum(1 for aside in draft.section.iter(q("aside"))
                           if "pullquote" in (aside.get("class") or "").split())
    return []


def _fences(draft: Draft) -> list[Finding]:
    findings = []
    unclosed, nested = fence_lines(draft.body)
    for div in draft.section.iter(q("aside"), q("div")):
        if div.attrib.pop("data-unclosed", None):
            if not unclosed and nested:  # every fence is closed, but one opened inside another
                findings.append(error("m-009", f"fenced div '::: {div.get('class')}' inside another fenced div",
                                      Location(draft.display, nested.pop(0) + draft.offset),
                                      "fenced divs do not nest: close the first with ::: before opening the next"))
                continue
            line = unclosed.pop(0) + draft.offset if unclosed else None
            findings.append(error("m-009", f"fenced div '::: {div.get('class')}' is never closed",
                                  Location(draft.display, line), "end it with a line holding only :::"))
    return findings


def _empty_citations(draft: Draft) -> list[Finding]:
    return [warning("c-003", f"'{match.group()}' has no citation key; it is printed as text",
                    _position(draft.body, match.start(), draft.display, draft.offset),
                    "write the key after the @, e.g. [@porges2011], or \\@ for a literal @")
            for match in EMPTY_CITATION.finditer(draft.body)]


def _headings(draft: Draft) -> list[Finding]:
    heads, findings = heading_ids_and_checks(draft.section, draft.body, draft.display, draft.offset, draft.slug)
    draft.headings = [Heading(level, text, ident) for level, text, ident in heads]
    return findings


def _links(draft: Draft) -> list[Finding]:
    return check_links(draft.section, draft.body, draft.display, draft.offset, draft.slug)


def _images(draft: Draft) -> list[Finding]:
    draft.images, findings = chapter_images(draft.root, draft.path, draft.section, draft.body, draft.display,
                                            draft.offset, draft.used_hrefs)
    return findings


def _addresses(draft: Draft) -> list[Finding]:
    mark_addresses(draft.section)
    return []


PASSES = Passes()
for _priority, (_name, _pass) in zip(range(170, 0, -10), [
    ("unclosed-comments", _checks_on(unclosed_comments)),  # m-: an opened <!-- printed as text
    ("attribute-values", _checks_on(check_attribute_values)),  # values HTML does not allow
    ("content-model", _checks_on(check_content_model)),  # raw HTML where HTML does not allow it
    ("notes-defined-once", _twice_defined),  # notes never called or defined twice
    ("table-headers", _checks_on(check_header_rows)),  # empty header rows
    ("table-captions", lambda d: table_captions(d.section) or []),  # pandoc's "Table: …" line, as <caption>
    ("has-text", _has_text),  # nothing to read: stops the chapter
    ("semantics", _semantics),  # notes as DPUB-ARIA, pull quotes, xml:lang (publish.conventions)
    ("fenced-divs", _fences),  # ::: fences never closed or nested
    ("empty-citations", _empty_citations),  # [@] with no key
    ("undefined-notes", lambda d: _undefined_notes(d.section, d.body, d.display, d.offset)),
    ("headings", _headings),  # ids, levels, the contents entries
    ("links", _links),  # links that go nowhere or have no name
    ("images", _images),  # resolve, vet and name the images
    ("web-addresses", _addresses),  # addresses as text: never hyphenated
    ("long-words", lambda d: long_words(d.section, d.body, d.display, d.offset)),  # a "word" no line can hold
    ("note-count", lambda d: too_many_notes(d.notes, d.display, d.offset)),  # footnotes the layout can bear
], strict=True):
    PASSES.register(_pass, _name, _priority)

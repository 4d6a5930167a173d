"""Resolve citations once for the whole book, on the model.

As pandoc's citeproc step does, this runs after loading and before any
renderer: every cluster of every chapter goes to the CSL processor in one
call (so year suffixes and added names are computed over the whole book),
then each chapter's placeholders are filled and its reference list set.
EPUB and PDF share the result; neither renderer formats a citation.
"""

from __future__ import annotations

import difflib
import logging
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from publish.citations.engine import CitationProcessor
from publish.citations.render import FAILED
from publish.citations.richtext import to_text
from publish.conventions import ALT_CITATION, XHTML, heading_text, q, serialize
from publish.findings import Finding, Location, error, warning
from publish.model import CROSSREF_PARENT, Book, Chapter, CiteItem, Cluster, FormattedCluster
from publish.paths import CSL

log = logging.getLogger(__name__)


@dataclass
class _Gathered:
    """Every cluster of the book with unknown keys removed, and what the key check found."""

    findings: list[Finding] = field(default_factory=list)
    batch: list[Cluster] = field(default_factory=list)
    owners: list[tuple[int, int]] = field(default_factory=list)
    cited: set[str] = field(default_factory=set)
    uncited: list[str] = field(default_factory=list)


def _gather(book: Book) -> _Gathered:
    gathered = _Gathered()
    known = {ref["id"] for ref in book.references if isinstance(ref, dict) and "id" in ref}
    for c_index, chapter in enumerate(book.chapters):
        for k_index, cluster in enumerate(chapter.clusters):
            items = []
            for item in cluster.items:
                if item.key in known:
                    items.append(item)
                    gathered.cited.add(item.key)
                else:
                    gathered.findings.append(_unknown_key(item, cluster.location, known))
            if items:
                gathered.batch.append(Cluster(tuple(items), cluster.narrative, cluster.location))
                gathered.owners.append((c_index, k_index))
    gathered.uncited = _nocite(book, known, gathered.findings)
    listed = known if "*" in gathered.uncited else set(gathered.uncited)
    parents = {str(ref.get(CROSSREF_PARENT)) for ref in book.references if ref.get(CROSSREF_PARENT)}
    for key in sorted(known - gathered.cited - listed - parents):
        gathered.findings.append(warning("c-002", f"reference '{key}' is never cited",
                                         book.reference_locations.get(key),
                                         f"cite it with [@{key}], list it under nocite, or remove it"))
    return gathered


def check_locale(book: Book) -> list[Finding]:
    """Warn when no CSL locale file exists for ``citation_locale`` (citeproc-py would fall back to en-US)."""
    from citeproc import LOCALES_PATH, PRIMARY_DIALECTS

    locale = book.metadata.citation_locale
    names = [locale, PRIMARY_DIALECTS.get(locale.split("-")[0], "")]
    folders = [book.csl.parent, CSL, Path(LOCALES_PATH)]
    if any(name and (folder / f"locales-{name}.xml").is_file() for name in names for folder in folders):
        return []
    return [warning("y-008", f"no CSL locale for citation_locale '{locale}'; citations use en-US terms",
                    None, "use a locale CSL ships (en-US, en-GB, de-DE, fr-FR, …) or put "
                          f"locales-{locale}.xml beside the style")]


def check_citation_keys(book: Book) -> list[Finding]:
    """Unknown and uncited keys only, without formatting: reported even when other errors stop the build."""
    return _gather(book).findings


def resolve_citations(book: Book) -> list[Finding]:
    """Fill every chapter's citations and reference list; return the findings."""
    gathered = _gather(book)
    findings, batch, owners = gathered.findings + check_locale(book), gathered.batch, gathered.owners
    cited, uncited = gathered.cited, gathered.uncited
    if not batch and not uncited:
        return findings
    processor = CitationProcessor(book.references, book.csl, book.metadata.citation_locale)
    result = processor.process(batch, uncited)
    failures = _failures(book, result, owners)
    if failures:
        return findings + failures
    findings += _unlisted(book, result, owners)
    formatted: list[list[FormattedCluster | None]] = [[None] * len(ch.clusters) for ch in book.chapters]
    for (c_index, k_index), fc in zip(owners, result.clusters, strict=True):
        formatted[c_index][k_index] = fc
    entries = {entry.key: entry for entry in result.bibliography}
    order = [entry.key for entry in result.bibliography]
    for chapter, chapter_formatted in zip(book.chapters, formatted, strict=True):
        fill_chapter(chapter, [fc or FormattedCluster("", "") for fc in chapter_formatted])
        if book.metadata.bibliography_placement == "chapter":
            keys = {i.key for c in chapter.clusters for i in c.items if i.key in entries}
            keys |= set(entries) if "*" in chapter.nocite else {k for k in chapter.nocite if k in entries}
            if "*" not in uncited:
                keys |= {k for k in uncited if k in entries and k not in cited and not _chapter_local(book, k)}
            chapter.bibliography = [entries[k] for k in order if k in keys]
    if book.metadata.bibliography_placement == "book":
        book.bibliography = list(result.bibliography)
    return findings


MAX_FAILURES = 10  # a broken style fails everywhere: the first few places say enough


def _failures(book: Book, result, owners: list[tuple[int, int]]) -> list[Finding]:
    """s-002 where the style could not be rendered (citeproc-py raised): a finding, not an empty citation."""
    hint = "the CSL style does something citeproc-py cannot do; try it in another CSL tool, or remove 'csl' for APA 7"
    found = []
    for (c_index, k_index), cluster in zip(owners, result.clusters, strict=True):
        where = book.chapters[c_index].clusters[k_index].location
        if FAILED in cluster.html:
            found.append(error("s-002", "the CSL style could not format this citation", where, hint))
        elif not cluster.text.strip():  # a style whose citation layout our APA layer cannot read gives nothing
            found.append(error("s-002", "the CSL style gives no text for this citation", where,
                               "check the style's <citation> layout, or remove 'csl' to use APA 7"))
    for entry in result.bibliography:
        if FAILED in entry.html:
            found.append(error("s-002", f"the CSL style could not format the reference-list entry of '{entry.key}'",
                               book.reference_locations.get(entry.key), hint))
    if len(found) > MAX_FAILURES:
        rest = len(found) - MAX_FAILURES
        style = book.csl.relative_to(book.root) if book.csl.is_relative_to(book.root) else Path(book.csl.name)
        found = [*found[:MAX_FAILURES], error("s-002", f"… and {rest} more places the style could not format",
                                              Location(str(style)), hint)]
    return found


_TEXT_ONLY = ("personal_communication", "interview")  # the APA style's in-text-only kinds (when not retrievable)


def _unlisted(book: Book, result, owners: list[tuple[int, int]]) -> list[Finding]:
    """c-004 for a cited work the reference list leaves out: its citation is not linked (a link would
    lead nowhere).  A personal communication is left out by design (APA 8.9: cited in the text only)."""
    listed = {entry.key for entry in result.bibliography}
    kinds = {str(ref.get("id")): ref.get("type") for ref in book.references if isinstance(ref, dict)}
    found, said = [], set()
    for (c_index, k_index), cluster in zip(owners, result.clusters, strict=True):
        for key in cluster.keys:
            if key in listed or key in said or kinds.get(key) in _TEXT_ONLY:
                continue
            said.add(key)
            found.append(warning("c-004", f"'@{key}' has no entry in the reference list (the style prints "
                                 "none for it), so its citation links to nothing and is left unlinked",
                                 book.chapters[c_index].clusters[k_index].location,
                                 "check the reference's type and fields, or the CSL style's bibliography"))
    return found


def _chapter_local(book: Book, key: str) -> bool:
    return any(key in ch.nocite for ch in book.chapters)


def _nocite(book: Book, known: set[str], findings: list[Finding]) -> list[str]:
    keys: list[str] = []
    listed = [(key, Location("book.yaml")) for key in book.nocite]
    for chapter in book.chapters:
        listed.extend((key, Location(chapter.source)) for key in chapter.nocite)
    for key, where in listed:
        key = key.lstrip("@")
        if key == "*":
            return ["*"]
        if key not in known:
            findings.append(error("c-001", f"unknown citation key '@{key}' in nocite", where,
                                  _did_you_mean(key, known)))
        else:
            keys.append(key)
    return keys


def _unknown_key(item: CiteItem, location: Location | None, known: set[str]) -> Finding:
    return error("c-001", f"unknown citation key '@{item.key}'", location, _did_you_mean(item.key, known))


def _did_you_mean(key: str, known: set[str]) -> str:
    close = difflib.get_close_matches(key, sorted(known), n=3, cutoff=0.6)
    if close:
        return "did you mean " + " or ".join(f"'@{k}'" for k in close) + "?"
    return "add the reference to the bibliography file, or check the key's spelling"


def _alt_words(formatted: list[FormattedCluster], index: int) -> str:
    """A citation's words for alt text (nothing for a marker no citation made: the author typed it)."""
    return to_text(formatted[index].html) if index < len(formatted) else ""


def fill_chapter(chapter: Chapter, formatted: list[FormattedCluster]) -> None:
    """Put one article's formatted citations into its text and headings (the preview does this for one edit).

    The contents name a heading that holds a citation as the text prints it.
    """
    chapter.formatted = formatted
    chapter.body_html, cited_headings = _fill(chapter.body_html, formatted)
    for heading in chapter.headings:
        heading.text = cited_headings.get(heading.id, heading.text)


def _fill(body_html: str, formatted: list[FormattedCluster]) -> tuple[str, dict[str, str]]:
    """Replace each placeholder span's content with its formatted citation, and each citation marker in an
    image's alt text with the citation's words; also return the words of headings that hold a citation."""
    root = etree.fromstring(body_html)
    for span in root.iter(q("span")):
        index = span.get("data-cluster")
        if index is None:
            continue
        fc = formatted[int(index)]
        del span.attrib["data-cluster"]
        fragment = etree.fromstring(f'<span xmlns="{XHTML}">{fc.html}</span>')
        if any(up.tag == q("a") or up.get("aria-hidden") == "true" for up in span.iterancestors()):
            etree.strip_tags(fragment, q("a"))  # no link in a link, nor in what assistive technology skips
        span.text = fragment.text
        for child in fragment:
            span.append(child)
    for img in root.iter(q("img")):
        alt = img.get("alt")
        if alt and ALT_CITATION.search(alt):
            img.set("alt", ALT_CITATION.sub(lambda m: _alt_words(formatted, int(m.group(1))), alt))
    headings = {h.get("id", ""): heading_text(h) for h in root.iter(*(q(f"h{n}") for n in range(1, 7)))
                if any("citation" in (span.get("class") or "").split() for span in h.iter(q("span")))}
    return serialize(root), headings


"""The citation engine: APA 7 in-text citations and reference lists via citeproc-py.

citeproc-py interprets the CSL style (see :mod:`.cslxml` for the element
rules we correct), but it has no cluster-level processing: no narrative
(author-in-text) form, no disambiguation, no cite grouping, no locale
collation, and it costs ~10 ms per citation.  This module does that work the
way citeproc-js does (the reference processor, which pandoc's output
matches): every reference is rendered once in parts (author, date, locator)
after disambiguation over the whole document, and each cluster is assembled
from those parts, so a book's clusters cost a dictionary look-up each.

Keys keep their case: citeproc-py lower-cases ids, so we hand it our own
internal ids (``r0``, ``r1``...) and map back.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from citeproc.source import Reference

from publish.citations import apa, richtext
from publish.citations.disambiguate import disambiguate
from publish.citations.render import LOCK, Renderer, build_reference, cached_style, copy_reference
from publish.citations.sort import sort_items
from publish.model import BibEntry, CiteItem, Cluster, FormattedCluster
from publish.parallel import fork_map
from publish.text import ref_id

log = logging.getLogger(__name__)


@dataclass
class CitationResult:
    """Formatted clusters (input order) and the reference list (style order)."""

    clusters: list[FormattedCluster] = field(default_factory=list)
    bibliography: list[BibEntry] = field(default_factory=list)


@dataclass
class _Cite:
    """One cite of a cluster, resolved to an internal id."""

    rid: str
    key: str
    item: CiteItem
    author: str = ""
    body: str = ""  # date and locator, joined as the layout's group does


class CitationProcessor:
    """Formats all citation clusters of one document and its reference list."""

    def __init__(self, references: list[dict], style: Path, locale: str = "en-US") -> None:
        self.locale = locale
        self.style = cached_style(Path(style), locale)
        self._ids: dict[str, str] = {}  # our key -> internal id
        self._keys: dict[str, str] = {}  # internal id -> our key
        self._short: dict[str, tuple[str, str]] = {}  # internal id -> (group name, its abbreviation)
        self._data: dict[str, dict] = {}  # internal id -> the CSL-JSON item, for the manual's rules
        refs: dict[str, Reference] = {}
        for data in references:
            key = str(data.get("id", "")) if isinstance(data, dict) else ""
            if not key:
                log.warning("reference without an id skipped: %r", data)
                continue
            if key in self._ids:
                log.warning("duplicate reference id %s: the first one is used", key)
                continue
            rid = f"r{len(self._ids)}"
            try:
                manual = data
                for rule in apa.DATA_RULES:
                    manual = rule(manual)
                refs[rid] = build_reference(rid, manual)
                self._data[rid] = data
                short = apa.short_author(data)
                if short:
                    self._short[rid] = short
            except Exception:
                log.exception("reference %s could not be read; skipped", key)
                continue
            self._ids[key], self._keys[rid] = rid, key
        self._refs = refs

    def process(self, clusters: Sequence[Cluster], uncited: Sequence[str] = ()) -> CitationResult:
        """Format ``clusters`` and the reference list of every cited or ``uncited`` key."""
        with LOCK:
            return self._process(clusters, uncited)

    def _process(self, clusters: Sequence[Cluster], uncited: Sequence[str]) -> CitationResult:
        refs = {rid: copy_reference(ref) for rid, ref in self._refs.items()}  # year suffixes are per call
        renderer = Renderer(self.style, refs)
        wanted: dict[str, None] = {}
        for cluster in clusters:
            for item in cluster.items:
                self._want(item.key, wanted)
        for key in uncited:
            if key == "*":
                wanted.update(dict.fromkeys(self._keys))
            else:
                self._want(key, wanted)
        renderer.use_plain()
        try:
            bib_sort = _sort_element(self.style.bibliography)
            order = list(wanted)
            if bib_sort is not None:
                keys = dict(zip(order, fork_map(lambda r: renderer.sort_keys(bib_sort, r), order), strict=True))
                order = sort_items(order, keys.__getitem__, renderer.descending(bib_sort))
        finally:
            renderer.use_html()
        overrides, suffixes = disambiguate(renderer, order)
        cite_sort = _sort_element(self.style.citation)
        renderer.use_plain()
        try:  # cites sort by the names they print once disambiguated, as in citeproc-js
            cite_keys = dict(zip(order, fork_map(
                lambda r: renderer.sort_keys(cite_sort, r, overrides.get(r, {}).get("use_first")), order),
                strict=True)) if cite_sort is not None else {}
        finally:
            renderer.use_html()
        for rid, suffix in suffixes.items():
            refs[rid]["year_suffix"] = suffix
        bibliography = []
        if self.style.bibliography is not None:
            for rid, html in zip(order, fork_map(renderer.entry, order), strict=True):
                if not html:
                    log.info("no reference-list entry for %s (the style prints none)", self._keys[rid])
                    continue
                html = richtext.link_urls(apa.episode_number(html, self._data[rid]))
                bibliography.append(BibEntry(self._keys[rid], html, richtext.to_text(html)))
        # a cite links to its entry only when the list has one (a personal communication has none: APA 8.9)
        listed = {self._ids[e.key] for e in bibliography} if self.style.bibliography is not None else set(order)
        # ties (one author, one date) keep reference-list order, so year letters come in order (APA 8.12)
        rank = {rid: n for n, rid in enumerate(order)}
        cite_keys = {rid: (*keys, rank[rid]) for rid, keys in cite_keys.items()}
        parts = _Parts(renderer, overrides, self._short, _first_citations(clusters, self._ids, self._short))
        descending = [*renderer.descending(cite_sort), False] if cite_sort is not None else []
        formatted = fork_map(lambda n: self._cluster(n, clusters[n], parts, cite_keys, descending, listed),
                             range(len(clusters)))
        return CitationResult(formatted, bibliography)

    def _want(self, key: str, wanted: dict[str, None]) -> None:
        rid = self._ids.get(key)
        if rid is None:
            log.warning("citation key %s has no reference; skipped", key)
        else:
            wanted[rid] = None

    def _cluster(self, index: int, cluster: Cluster, parts: _Parts, sort_keys: dict,
                 descending: list[bool], listed: set[str]) -> FormattedCluster:
        cites = [_Cite(self._ids[i.key], i.key, i) for i in cluster.items if i.key in self._ids]
        keys = tuple(c.key for c in cites)
        if not cites:
            return FormattedCluster("", "", keys)
        for cite in cites:
            cite.author = parts.author(cite.rid, index)
            cite.body = parts.body(cite.rid, cite.item)
        r = parts.renderer
        anchor = cites[0] if cluster.narrative else None
        lead: list[_Cite] = []
        author = ""  # the narrative author, as the sentence names it
        if any(c.item.prefix for c in cites[1:]):
            # a prefix belongs to its own work ("see also Beck"): sorting would hand it to another,
            # so the typed order is kept, as pandoc does (APA 8.11: a prefix introduces its own citation)
            ordered = list(cites)
        else:
            order = sort_items([str(n) for n in range(len(cites))],
                               lambda n: sort_keys.get(cites[int(n)].rid, ()), descending)
            ordered = [cites[int(n)] for n in order]
        if anchor is not None:
            lead = [c for c in ordered if c is anchor or (c.author == anchor.author and not c.item.prefix)]
            ordered = lead + [c for c in ordered if c not in lead]
            author, words = parts.split_communication(parts.narrative_author(anchor.rid, index))
            # "National Sleep Wellness Agency (NSWA, 2021)": APA 8.21; "(personal communication, …)": 8.9
            words = words or parts.narrative_abbreviation(anchor.rid, index)
            if words:
                anchor.body = r.group_delimiter.join(p for p in (words, anchor.body) if p)
        groups: list[list[_Cite]] = []
        for cite in ordered:
            last = groups[-1][-1] if groups else None
            if (last is not None and cite.author and cite.author == last.author and not cite.item.prefix
                    and not cite.item.suppress_author and not last.item.suffix
                    and not (anchor is not None and (cite in lead) != (last in lead))):
                groups[-1].append(cite)
            else:
                groups.append([cite])
        pieces = []
        for group in groups:
            rendered = []
            for n, cite in enumerate(group):
                hide_author = n > 0 or cite.item.suppress_author or (anchor is not None and cite in lead)
                content = [p for p in ([] if hide_author else [cite.author]) + [cite.body] if p]
                inner = r.group_delimiter.join(content)
                if inner and cite.rid in listed:
                    named = ""  # a year alone ([-@key]) is a link named by whose work it is, the year included
                    if cite.item.suppress_author and cite.author:
                        label = richtext.to_text(r.group_delimiter.join([cite.author, cite.body]))
                        named = f' aria-label="{escape(label)}"'
                    inner = f'<a href="#{escape(ref_id(cite.key))}" role="doc-biblioref"{named}>{inner}</a>'
                rendered.append(_affix(escape(cite.item.prefix), inner, escape(cite.item.suffix)))
            pieces.append(", ".join(p for p in rendered if p))
        inside = r.cite_delimiter.join(p for p in pieces if p)
        html = f"{r.prefix}{inside}{r.suffix}" if inside else ""
        if anchor is not None:
            if len(cites) == 1 and inside and not (anchor.item.prefix or anchor.item.suffix):
                # "Porges (2011)": one link for one work, named by its author and year (not two, "Porges", "2011")
                plain = f"{r.prefix}{anchor.body}{r.suffix}" if anchor.body else ""
                html = _link(anchor, f"{author} {plain}" if plain else author, listed)
            else:
                link = _link(anchor, author, listed)
                html = f"{link} {html}" if html else link
        html = r.finish(html)
        return FormattedCluster(html, richtext.to_text(html), keys)


def _link(cite: _Cite, words: str, listed: set[str]) -> str:
    if cite.rid not in listed:
        return words
    return f'<a href="#{escape(ref_id(cite.key))}" role="doc-biblioref">{words}</a>'


def _first_citations(clusters: Sequence[Cluster], ids: dict[str, str],
                     short: dict[str, tuple[str, str]]) -> set[tuple[int, str]]:
    """(cluster index, internal id) of the clusters where each abbreviated group author is first cited, in
    the document's order: APA 8.21 introduces a group's abbreviation once, whichever of its works comes first."""
    first_cluster: dict[str, int] = {}  # group name -> index of the cluster that first cites it
    firsts = set()
    for index, cluster in enumerate(clusters):
        for item in cluster.items:
            rid = ids.get(item.key)
            if rid is not None and rid in short and first_cluster.setdefault(short[rid][0], index) == index:
                firsts.add((index, rid))
    return firsts


def _sort_element(parent: Any) -> Any:
    """The ``cs:sort`` child of ``cs:citation``/``cs:bibliography`` (``.sort`` is a method there)."""
    if parent is None:
        return None
    return parent.find("cs:sort", parent.nsmap)


def _affix(prefix: str, text: str, suffix: str) -> str:
    if not text:
        return (prefix + suffix).strip()
    if prefix and not prefix.endswith(" ") and prefix[-1].isalnum():
        prefix += " "
    return prefix + text + suffix


class _Parts:
    """Per-reference cite parts, rendered once per process() call."""

    def __init__(self, renderer: Renderer, overrides: dict, short: dict[str, tuple[str, str]],
                 firsts: set[tuple[int, str]]) -> None:
        self.renderer = renderer
        self.overrides = overrides
        self.short = short
        self.firsts = firsts
        self._authors: dict[str, str] = {}
        self._narrative: dict[str, str] = {}
        self._dates: dict[str, str] = {}
        self._locators: dict[tuple[str, str, str], str] = {}

    def author(self, rid: str, cluster: int) -> str:
        """The author as a parenthetical citation prints it; a group author with an abbreviation is
        "Name [ABBR]" at its first citation and "ABBR" after (APA 8.21)."""
        if rid in self.short:
            name, abbreviation = (escape(part, quote=False) for part in self.short[rid])
            return f"{name} [{abbreviation}]" if (cluster, rid) in self.firsts else abbreviation
        if rid not in self._authors:
            self._authors[rid] = self.renderer.author(rid, self.overrides.get(rid))
        return self._authors[rid]

    def narrative_author(self, rid: str, cluster: int) -> str:
        """The author in running text: "and", not "&", between the last two names (APA 8.17)."""
        if rid in self.short:
            name, abbreviation = (escape(part, quote=False) for part in self.short[rid])
            return name if (cluster, rid) in self.firsts else abbreviation
        if rid not in self._narrative:
            self._narrative[rid] = self.renderer.author(rid, self.overrides.get(rid), {"and": "text"})
        return self._narrative[rid]

    def split_communication(self, author: str) -> tuple[str, str]:
        """"T. Nguyen, personal communication" -> ("T. Nguyen", "personal communication"): in running
        text the words go inside the parentheses, "T. Nguyen (personal communication, March 3, 2020)"
        (APA 8.9); ("…", "") for any other author."""
        term = escape(self.renderer.term("personal-communication"), quote=False)
        tail = self.renderer.group_delimiter + term
        if term and author.endswith(tail):
            return author[: -len(tail)], term
        return author, ""

    def narrative_abbreviation(self, rid: str, cluster: int) -> str:
        """The abbreviation a narrative first citation introduces in its parentheses."""
        if rid in self.short and (cluster, rid) in self.firsts:
            return escape(self.short[rid][1], quote=False)
        return ""

    def body(self, rid: str, item: CiteItem) -> str:
        if rid not in self._dates:
            self._dates[rid] = self.renderer.date(rid)
        parts = [self._dates[rid]]
        if item.locator:
            label = item.label or "page"
            key = (rid, label, item.locator)
            if key not in self._locators:
                self._locators[key] = self.renderer.locator(rid, label, escape(item.locator, quote=False))
            parts.append(self._locators[key])
        return self.renderer.group_delimiter.join(p for p in parts if p)

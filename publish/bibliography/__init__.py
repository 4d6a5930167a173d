"""Load an author's bibliography file into CSL-JSON items with source positions.

Authors keep references in Zotero and export CSL-JSON, or BibTeX/BibLaTeX
through Better BibTeX, or write CSL-YAML by hand.  Whatever the format, the
citation stage gets the same thing: CSL-JSON dicts (normalised by
:mod:`.csl`), the place each key is defined (so an unused or broken entry can
be pointed at), and findings instead of exceptions — a bibliography is user
input, and any bytes must give either references or findings.

Finding codes: ``b-001`` malformed file or entry, ``b-002`` duplicate key,
``b-003`` unsupported file type, ``b-004`` DOI written as a link or with a
``doi:`` prefix, ``b-005`` not UTF-8, ``b-006`` unknown type or a field of the
wrong shape (the entry is still used).
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import Any

from publish.bibliography.bibcsl import to_csl
from publish.bibliography.bibtex import BibtexEntry, parse_bibtex
from publish.bibliography.csl import check_type, normalise_item
from publish.bibliography.fields import citation_key
from publish.bibliography.reader import RawEntry, decode, read_json, read_yaml
from publish.findings import Finding, Location, error, warning
from publish.model import CROSSREF_PARENT

__all__ = ["load_bibliography"]

log = logging.getLogger(__name__)

_FORMATS = {".json": "json", ".yaml": "yaml", ".yml": "yaml", ".bib": "bibtex", ".bibtex": "bibtex",
            ".biblatex": "bibtex"}


def load_bibliography(path: Path, display: str) -> tuple[list[dict], dict[str, Location], list[Finding]]:
    """Return (references as CSL-JSON dicts, key -> Location of the entry, findings)."""
    try:
        return _load(path, display)
    except Exception as exc:  # a last line of defence: bad input must never crash a build
        log.exception("reading %s failed", display)
        return [], {}, [error("b-001", f"the bibliography could not be read ({type(exc).__name__}: {exc})",
                              Location(display), "check that the file is a valid CSL-JSON, CSL-YAML or "
                              "BibTeX file; please report this message too")]


def _load(path: Path, display: str) -> tuple[list[dict], dict[str, Location], list[Finding]]:
    kind = _FORMATS.get(path.suffix.lower())
    if kind is None:
        return [], {}, [error("b-003", f"'{path.suffix or path.name}' is not a bibliography format we read",
                              Location(display), "use a .json (CSL-JSON), .yaml/.yml (CSL-YAML) or "
                              ".bib/.bibtex (BibTeX/BibLaTeX) file — Zotero exports all of them")]
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [], {}, [error("b-001", f"cannot read the bibliography: {exc.strerror or exc}",
                              Location(display), "check the 'bibliography' path in the book configuration")]
    text, findings = decode(data, display)
    if text is None:
        return [], {}, findings
    if kind == "json":
        entries, more = read_json(text, display)
    elif kind == "yaml":
        entries, more = read_yaml(text, display)
    else:
        entries, more = _read_bibtex(text, display)
    findings += more
    references, locations, more = _check(entries, display, strict_dates=kind == "json")
    findings += more
    findings.sort(key=lambda f: (f.location.line or 0, f.location.column or 0) if f.location else (0, 0))
    log.debug("%s: %d references, %d findings", display, len(references), len(findings))
    return references, locations, findings


def _read_bibtex(text: str, display: str) -> tuple[list[RawEntry], list[Finding]]:
    entries, findings = parse_bibtex(text, display)
    findings += _resolve_crossrefs(entries)
    raw = []
    for entry in entries:
        item, fields, more = to_csl(entry)
        findings += more
        if "crossref" in entry.fields:  # the parent is used through this entry: not "never cited"
            item[CROSSREF_PARENT] = _crossref_key(entry)
        raw.append(RawEntry(item, entry.location, fields))
    return raw, findings


# BibLaTeX's inheritance (its manual, appendix B): a book's title is the booktitle of what is in it.
_IN_BOOK = {"incollection", "inproceedings", "inbook", "inreference", "suppbook", "suppcollection"}
_AS_CONTAINER = {"title": "booktitle", "subtitle": "booksubtitle", "author": "bookauthor"}


def _crossref_key(entry: BibtexEntry) -> str:
    """The key an entry's ``crossref`` field names, without its braces or quotes."""
    return entry.fields["crossref"].raw.strip().strip('{}"').strip()


def _resolve_crossrefs(entries: list[BibtexEntry]) -> list[Finding]:
    """Fill each entry's missing fields from the entry its ``crossref`` names, as BibTeX and BibLaTeX do.

    A chapter (``@incollection``) takes the book's title as its ``booktitle``; every other field the
    child lacks (editor, publisher, year, …) is taken as it is.  An unknown parent is a ``b-006`` warning.
    """
    by_key = {entry.key.lower(): entry for entry in entries}
    findings = []
    for entry in entries:
        link = entry.fields.get("crossref")
        if link is None:
            continue
        wanted = _crossref_key(entry)
        parent = by_key.get(wanted.lower())
        if parent is None or parent is entry:
            findings.append(warning("b-006", f"entry '{entry.key}': crossref '{wanted}' names no entry in "
                                    "this file; its fields are not inherited", link.location,
                                    "add the entry it names, or remove the crossref"))
            continue
        for name, value in parent.fields.items():
            if name in ("crossref", "ids", "entryset"):
                continue
            target = _AS_CONTAINER.get(name, name) if entry.kind.lower() in _IN_BOOK else name
            if target not in entry.fields:
                entry.fields[target] = dataclasses.replace(value, name=target)
    return findings


def _describe(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "text"
    if value is None:
        return "empty"
    return "a number" if isinstance(value, int | float) and not isinstance(value, bool) else repr(value)


def _check(entries: list[RawEntry], display: str,
           strict_dates: bool) -> tuple[list[dict], dict[str, Location], list[Finding]]:
    """Per-entry checks shared by all formats: mapping, id, type, duplicates, normalisation."""
    references: list[dict] = []
    locations: dict[str, Location] = {}
    findings: list[Finding] = []
    for number, raw in enumerate(entries, start=1):
        where = raw.location
        item = raw.data
        if not isinstance(item, dict):
            findings.append(error("b-001", f"entry {number} (line {where.line}) is {_describe(item)}, not a "
                                  "mapping of fields", where,
                                  'write each entry as {"id": "key", "type": "book", …} (YAML: "- id: key")'))
            continue
        key = citation_key(item) or item.get("id")
        if isinstance(key, int | float) and not isinstance(key, bool):
            key = str(key)
        if not isinstance(key, str) or not key.strip():
            problem = "has no 'id'" if key in (None, "") else f"has an 'id' that is {_describe(key)}"
            findings.append(error("b-001", f"entry {number} (line {where.line}) {problem}", where,
                                  "add an id such as \"id\": \"porges2011\" — it is the key you cite as "
                                  "@porges2011"))
            continue
        if key in locations:
            first = locations[key]
            findings.append(error("b-002", f"duplicate key '{key}' on lines {first.line} and {where.line}; "
                                  f"the entry on line {first.line} is used", where,
                                  "give one of them a different id, or delete the duplicate"))
            continue
        item = {**item, "id": key}
        if "type" not in item or item["type"] in (None, ""):
            findings.append(error("b-001", f"entry '{key}' (line {where.line}) has no 'type'", where,
                                  "add a CSL type such as \"type\": \"article-journal\" (or book, chapter, "
                                  "report, thesis, webpage)"))
            item["type"] = "document"
        else:
            item["type"], more = check_type(item["type"], key, raw.field_location("type"))
            findings += more
        normalised, more = normalise_item(item, raw.field_location, key, strict_dates)
        findings += more
        references.append(normalised)
        locations[key] = where
    return references, locations, findings

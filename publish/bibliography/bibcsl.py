"""BibTeX/BibLaTeX entries → CSL-JSON items.

The mapping follows what Better BibTeX and biblatex-csl converters do, so a
library exported from Zotero as .bib cites the same as its CSL-JSON export:
``journaltitle``/``journal`` → ``container-title``, ``number`` → ``issue`` on
articles, ``date``/``year``+``month`` → ``issued`` and so on.  The result is
then normalised like any CSL item (dates parsed, DOI cleaned).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from publish.bibliography.bibtex import BibtexEntry
from publish.bibliography.casing import is_english
from publish.bibliography.csl import month_number
from publish.bibliography.fields import language_code, status_words
from publish.bibliography.latex import convert, latex_to_text, verbatim
from publish.bibliography.names import parse_names
from publish.findings import Finding, Location, warning
from publish.model import SHORT_AUTHOR

log = logging.getLogger(__name__)

_TYPES = {
    "article": "article-journal", "book": "book", "mvbook": "book", "booklet": "pamphlet",
    "inbook": "chapter", "bookinbook": "chapter", "suppbook": "chapter", "incollection": "chapter",
    "suppcollection": "chapter", "collection": "book", "mvcollection": "book", "proceedings": "book",
    "mvproceedings": "book", "inproceedings": "paper-conference", "conference": "paper-conference",
    "phdthesis": "thesis", "mastersthesis": "thesis", "thesis": "thesis", "techreport": "report",
    "report": "report", "manual": "book", "unpublished": "manuscript", "online": "webpage",
    "electronic": "webpage", "www": "webpage", "misc": "document", "patent": "patent",
    "periodical": "periodical", "suppperiodical": "article-journal", "dataset": "dataset",
    "software": "software", "standard": "standard", "reference": "book", "mvreference": "book",
    "inreference": "entry-encyclopedia", "video": "motion_picture", "movie": "motion_picture",
    "audio": "song", "music": "song", "artwork": "graphic", "image": "graphic", "letter":
    "personal_communication", "review": "review", "jurisdiction": "legal_case", "legislation":
    "legislation", "legal": "legislation", "performance": "performance", "map": "map",
    "interview": "interview", "speech": "speech",
}
_THESIS_GENRE = {"phdthesis": "Doctoral dissertation", "mastersthesis": "Master's thesis"}
# BibLaTeX's localisation keys for the ``type`` field (its manual, 4.9.2.13) -> the words APA prints
_TYPE_KEYS = {"phdthesis": "Doctoral dissertation", "mathesis": "Master's thesis",
              "mastersthesis": "Master's thesis", "candthesis": "Candidate thesis", "techreport": "Technical report",
              "resreport": "Research report", "software": "Computer software", "datacd": "Data CD",
              "audiocd": "Audio CD"}

# BibTeX field → CSL variable, for plain text fields (first one present wins).
_TEXT = {
    "title": "title", "shorttitle": "title-short", "booktitle": "container-title",
    "journaltitle": "container-title", "journal": "container-title", "shortjournal": "container-title-short",
    "journalabbr": "container-title-short", "volume": "volume", "edition": "edition",
    "publisher": "publisher", "location": "publisher-place", "address": "publisher-place",
    "school": "publisher", "institution": "publisher", "isbn": "ISBN", "issn": "ISSN", "note": "note",
    "abstract": "abstract", "series": "collection-title", "chapter": "chapter-number",
    "pagetotal": "number-of-pages", "volumes": "number-of-volumes", "type": "genre",
    "eventtitle": "event-title", "venue": "event-place", "version": "version", "keywords": "keyword",
    "language": "language", "pmid": "PMID", "pmcid": "PMCID", "pages": "page", "eid": "number",
    "article-number": "number", "articleno": "number", "origtitle": "original-title",
    "origpublisher": "original-publisher", "origlocation": "original-publisher-place",
    "organization": "publisher", "howpublished": "publisher", "archive": "archive",
    "archive_location": "archive_location", "medium": "medium", "status": "status",
    "pubstate": "status", "callnumber": "call-number", "annote": "annote",
}
_VERBATIM = {"doi": "DOI", "url": "URL"}
_NAMES = {"author": "author", "editor": "editor", "translator": "translator",
          "bookauthor": "container-author", "director": "director"}
_DATES = {"urldate": "accessed", "origdate": "original-date", "eventdate": "event-date"}
# Fields whose text keeps its italics, super- and subscripts; titles are also sentence-cased when English.
_SENTENCE = {"title", "subtitle", "titleaddon", "shorttitle", "booktitle", "booksubtitle", "maintitle",
             "mainsubtitle", "issuetitle", "origtitle"}
_RICH = {"journaltitle", "journal", "series", "eventtitle", "shortjournal", "note", "howpublished"}
_IGNORED = {"file", "langid", "month", "year", "date", "day", "number", "issue", "entrysubtype",
            "eprint", "eprinttype", "archiveprefix", "primaryclass", "timestamp", "owner", "ids",
            "key", "crossref", "subtitle", "titleaddon", "urlaccessdate", "mendeley-tags", "shortauthor",
            "booksubtitle", "mainsubtitle"}


def _issued(entry: BibtexEntry) -> tuple[Any, str | None]:
    """``issued`` from ``date`` (BibLaTeX, may be a range) or ``year``/``month``/``day``."""
    fields = entry.fields
    if "date" in fields:
        return {"raw": latex_to_text(fields["date"].raw)}, "date"
    if "year" not in fields:
        return None, None
    year = latex_to_text(fields["year"].raw)
    match = re.fullmatch(r"(-?\d{1,4})[a-z]?", year)
    if not match:
        return ({"raw": year} if re.fullmatch(r"\d{4}[-/].*", year) else {"literal": year}), "year"
    parts = [int(match.group(1))]
    if "month" in fields:
        month = month_number(latex_to_text(fields["month"].raw))
        if month:
            parts.append(month)
            if "day" in fields and latex_to_text(fields["day"].raw).isdigit():
                parts.append(int(latex_to_text(fields["day"].raw)))
    return {"date-parts": [parts]}, "year"


def to_csl(entry: BibtexEntry) -> tuple[dict[str, Any], dict[str, Location], list[Finding]]:
    """Return (CSL item, CSL variable → source location, warnings) for one entry."""
    fields = entry.fields
    findings: list[Finding] = []
    item: dict[str, Any] = {"id": entry.key}
    where: dict[str, Location] = {"id": entry.location, "type": entry.location}

    def put(variable: str, value: Any, bib_name: str) -> None:
        if value not in ("", [], None) and variable not in item:
            item[variable] = value
            where[variable] = fields[bib_name].location

    english = is_english(latex_to_text(fields["langid"].raw) if "langid" in fields else
                         latex_to_text(fields["language"].raw) if "language" in fields else None)
    unknown: dict[str, list[str]] = {}

    def text(name: str) -> str:
        """A field's text: titles keep their markup and become sentence case if English; containers
        keep their markup; other fields are plain."""
        if name not in fields:
            return ""
        value, commands = convert(fields[name].raw, rich=name in _RICH or name in _SENTENCE,
                                  english=english and name in _SENTENCE)
        for command in commands:
            unknown.setdefault(command, []).append(name)
        return value

    kind = entry.kind
    csl_type = _TYPES.get(kind)
    if csl_type is None:
        csl_type = "document"
        findings.append(warning("b-006", f"entry '{entry.key}': @{kind} is not a BibTeX/BibLaTeX type we "
                                "know; treating it as a generic document", entry.location,
                                "use a type such as @article, @book, @incollection, @report or @online"))
    subtype = text("entrysubtype").lower()
    if kind == "article" and subtype in ("magazine", "newspaper"):
        csl_type = f"article-{subtype}"
    howpublished_url = bool(re.search(r"\\url|^\s*https?://", fields["howpublished"].raw)) \
        if "howpublished" in fields else False
    if kind == "misc" and ("url" in fields or howpublished_url):
        csl_type = "webpage"
    if kind in ("unpublished", "misc") and "eventtitle" in fields:
        csl_type = "speech"  # a talk or poster (Zotero's "presentation", which its CSL JSON calls speech)
    item["type"] = csl_type

    title = text("title")
    for extra, joiner in (("subtitle", ": "), ("titleaddon", ". ")):
        if title and text(extra):
            title += joiner + text(extra)
    if title:
        put("title", title, "title")
    for bib_name, variable in _NAMES.items():
        if bib_name in fields:
            groups: list[str] = []
            put(variable, parse_names(fields[bib_name].raw, groups), bib_name)
            findings.extend(warning(
                "b-009", f"entry '{entry.key}': {bib_name} '{group}' is written like a person's name; it is "
                "read as a group author", fields[bib_name].location,
                f"put the group in double braces so BibTeX tools agree: {bib_name} = {{{{{group}}}}}")
                for group in groups)
    if "shortauthor" in fields and "author" in item:  # a group's abbreviation, for APA 8.21
        item[SHORT_AUTHOR] = text("shortauthor")
    for bib_name, variable in _VERBATIM.items():
        if bib_name in fields:
            put(variable, verbatim(fields[bib_name].raw), bib_name)
    if howpublished_url:
        put("URL", verbatim(fields["howpublished"].raw), "howpublished")
    eprint_type = (text("eprinttype") or text("archiveprefix")).lower()
    if "eprint" in fields and eprint_type == "arxiv":
        put("URL", f"https://arxiv.org/abs/{verbatim(fields['eprint'].raw)}", "eprint")

    number = "number" if "number" in fields else "issue" if "issue" in fields else ""
    if number:
        if csl_type.startswith("article") or csl_type == "periodical":
            put("issue", text(number), number)
        elif "series" in fields and csl_type in ("book", "chapter", "paper-conference"):
            put("collection-number", text(number), number)
        else:
            put("number", text(number), number)
    if kind in _THESIS_GENRE and "type" not in fields:
        item["genre"] = _THESIS_GENRE[kind]
    for bib_name, variable in _TEXT.items():
        skip = bib_name == "title" or (bib_name == "howpublished" and howpublished_url)
        if bib_name in fields and not skip:
            value = text(bib_name)
            if bib_name == "booktitle" and value and text("booksubtitle"):
                value += ": " + text("booksubtitle")
            put(variable, value, bib_name)
    if "language" not in item and "langid" in fields:
        put("language", language_code(text("langid")), "langid")

    if isinstance(item.get("genre"), str):
        item["genre"] = _TYPE_KEYS.get(item["genre"].strip().lower(), item["genre"])
    if "status" in item:
        item["status"] = status_words(item["status"])
    issued, source = _issued(entry)
    if issued and source:
        put("issued", issued, source)
    for bib_name, variable in _DATES.items():
        if bib_name in fields:
            put(variable, {"raw": text(bib_name)}, bib_name)
    for command, names in unknown.items():
        first = fields[names[0]]
        findings.append(warning("b-008", f"entry '{entry.key}': the LaTeX command \\{command} in '{first.name}' "
                                "is not one we know; only its argument's text is kept", first.location,
                                f"replace \\{command} with the character or words it stands for"))
    unused = sorted(set(fields) - set(_TEXT) - set(_VERBATIM) - set(_NAMES) - set(_DATES) - _IGNORED)
    if unused:
        log.debug("%s: entry '%s': fields not mapped to CSL: %s", entry.location, entry.key,
                  ", ".join(unused))
    return item, where, findings


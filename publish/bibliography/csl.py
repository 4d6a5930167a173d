"""Normalise one CSL item, whatever file format it came from.

The citation stage should see one shape: names as lists of name objects,
dates as ``date-parts`` (the only date form citeproc-py reads), a bare DOI.
Authors' files are messier — pandoc-style ``issued: 2014-06``, DOIs pasted as
links, a single author written as a string — so everything that can be
understood is converted, with a warning when the author should fix the file,
and an entry is never dropped for a field's shape alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from publish.bibliography.fields import (
    UNDATED_STATUS,
    article_number,
    edition_number,
    group_abbreviation,
    language_code,
    looks_like_group,
    status_of_date,
    status_words,
)
from publish.bibliography.names import parse_names
from publish.findings import Finding, Location, warning

TYPES = frozenset("""
article article-journal article-magazine article-newspaper bill book broadcast chapter classic
collection dataset document entry entry-dictionary entry-encyclopedia event figure graphic hearing
interview legal_case legislation manuscript map motion_picture musical_score pamphlet
paper-conference patent performance periodical personal_communication post post-weblog regulation
report review review-book software song speech standard thesis treaty webpage
""".split())

# Type names people bring from Zotero, Crossref or BibTeX into a CSL file.
TYPE_ALIASES = {
    "journal-article": "article-journal", "journalarticle": "article-journal",
    "journal": "article-journal", "magazinearticle": "article-magazine",
    "newspaperarticle": "article-newspaper", "booksection": "chapter", "book-chapter": "chapter",
    "incollection": "chapter", "inbook": "chapter", "conferencepaper": "paper-conference",
    "proceedings-article": "paper-conference", "inproceedings": "paper-conference",
    "phdthesis": "thesis", "mastersthesis": "thesis", "dissertation": "thesis",
    "techreport": "report", "web-page": "webpage", "online": "webpage", "web": "webpage",
    "blogpost": "post-weblog", "misc": "document", "unpublished": "manuscript",
    "encyclopediaarticle": "entry-encyclopedia", "dictionaryentry": "entry-dictionary",
    "computerprogram": "software", "film": "motion_picture", "videorecording": "motion_picture",
}

NAME_VARIABLES = frozenset("""
author chair collection-editor compiler composer container-author contributor curator director
editor editorial-director executive-producer guest host illustrator interviewer narrator organizer
original-author performer producer recipient reviewed-author script-writer series-creator translator
""".split())
DATE_VARIABLES = frozenset("accessed available-date event-date issued original-date submitted".split())
NUMBER_VARIABLES = frozenset("""
chapter-number citation-number collection-number edition first-reference-note-number issue locator
number number-of-pages number-of-volumes page page-first part-number printing-number section
supplement-number version volume
""".split())
STRING_VARIABLES = frozenset("""
abstract annote archive archive-collection archive_collection archive-location archive_location
archive-place authority call-number citation-key citation-label collection-title
collection-title-short container-title container-title-short dimensions division DOI event
event-title event-place genre ISBN ISSN jurisdiction keyword language license medium note
original-publisher original-publisher-place original-title part-title PMCID PMID publisher
publisher-place references reviewed-genre reviewed-title scale source status title title-short
URL year-suffix
""".split())
_UPPER_VARIABLES = {name.lower(): name for name in ("DOI", "URL", "ISBN", "ISSN", "PMID", "PMCID")}

_DOI_PREFIX = re.compile(r"^(?:https?://(?:www\.|dx\.)?doi\.org/|doi\.org/|doi:\s*|doi\s+)", re.I)
_MONTHS = {name: number for number, names in enumerate((
    ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
    ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
    ("oct", "october"), ("nov", "november"), ("dec", "december")), start=1) for name in names}
_EDTF_DATE = re.compile(
    r"(?P<y>-?\d{1,4})(?:-(?P<m>\d{1,2})(?:-(?P<d>\d{1,2}))?)?"
    r"(?:T[\d:.]+(?:Z|[+-]\d\d:?\d\d)?)?(?P<q>[~?%]?)")

Locate = Callable[[str], Location]


def month_number(text: str) -> int | None:
    """``6``, ``06``, ``jun``, ``June`` → 6; anything else → None."""
    text = text.strip().rstrip(".").lower()
    if text.isdigit() and 1 <= int(text) <= 12:
        return int(text)
    return _MONTHS.get(text)


def _edtf_single(text: str) -> tuple[list[int], dict[str, Any]] | None:
    match = _EDTF_DATE.fullmatch(text.strip())
    if not match:
        return None
    parts = [int(match["y"])]
    extra: dict[str, Any] = {}
    if match["m"]:
        month = int(match["m"])
        if 21 <= month <= 24:  # EDTF seasons: 21 spring … 24 winter
            extra["season"] = month - 20
        elif 1 <= month <= 12:
            parts.append(month)
        else:
            return None
    if match["d"]:
        day = int(match["d"])
        if len(parts) < 2 or not 1 <= day <= 31:
            return None
        parts.append(day)
    if match["q"]:
        extra["circa"] = True
    return parts, extra


def _natural(text: str) -> list[int] | None:
    """``June 2014``, ``15 June 2014``, ``June 15, 2014`` — how people type dates by hand."""
    words = re.findall(r"[A-Za-z]+|\d+", text)
    months = [month_number(w) for w in words if w.isalpha()]
    numbers = [int(w) for w in words if w.isdigit()]
    if len(months) != 1 or months[0] is None or not 1 <= len(numbers) <= 2 or len(words) != len(numbers) + 1:
        return None
    years = [n for n in numbers if n > 31]
    days = [n for n in numbers if n <= 31]
    if len(years) != 1 or len(days) > 1:
        return None
    return [years[0], months[0], *days]


def parse_date_text(text: str) -> dict[str, Any] | None:
    """EDTF-style text (``2022``, ``2022-06-15``, ``2022-06-15/2022-06-17``, ``2014~``) → CSL date."""
    text = text.strip()
    if not text:
        return None
    pieces = text.split("/")
    if len(pieces) == 2:
        start = _edtf_single(pieces[0])
        end = _edtf_single(pieces[1]) if pieces[1].strip() not in ("", "..") else None
        if start is None or (end is None and pieces[1].strip() not in ("", "..")):
            return None
        date: dict[str, Any] = {"date-parts": [start[0]] + ([end[0]] if end else [])}
        date.update(start[1])
        return date
    if len(pieces) == 1:
        single = _edtf_single(text)
        if single:
            return {"date-parts": [single[0]], **single[1]}
        natural = _natural(text)
        if natural:
            return {"date-parts": [natural]}
    return None


def _date_parts(value: Any) -> list[list[int]] | None:
    """Validate ``date-parts``: one or two lists of 1–3 integers (digit strings accepted)."""
    if not isinstance(value, list) or not 1 <= len(value) <= 2:
        return None
    result = []
    for part in value:
        if not isinstance(part, list) or not 1 <= len(part) <= 3:
            return None
        numbers = []
        for item in part:
            if isinstance(item, bool):
                return None
            if isinstance(item, int):
                numbers.append(item)
            elif isinstance(item, float) and item.is_integer():
                numbers.append(int(item))
            elif isinstance(item, str) and re.fullmatch(r"-?\d{1,5}", item.strip()):
                numbers.append(int(item))
            elif item in ("", None) and numbers:
                break
            else:
                return None
        if not numbers or not _in_range(numbers):
            return None
        result.append(numbers)
    return result


MONTHS = frozenset(range(1, 13)) | frozenset(range(13, 17)) | frozenset(range(21, 25))  # 13–16, 21–24: seasons


def _in_range(numbers: list[int]) -> bool:
    """A year of at most five digits, a month (or season) and a day that a calendar has."""
    year, month, day = [*numbers, None, None][:3]
    return (abs(year) <= 99999 and (month is None or month in MONTHS)
            and (day is None or (1 <= day <= 31 and month is not None and month <= 12)))


def normalise_date(value: Any) -> tuple[dict[str, Any] | None, str]:
    """Return (CSL date, problem).  ``problem`` is empty when the value was understood as it is."""
    if isinstance(value, bool):
        return None, "is true/false, not a date"
    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
        return {"date-parts": [[int(value)]]}, ""
    if isinstance(value, str):
        parsed = parse_date_text(value)
        if parsed:
            return parsed, ""
        return {"literal": value}, f"{value!r} is not a date we can read; it is printed as written"
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        # pandoc-citeproc's old YAML form: [{year: 2014, month: 6}, {year: 2015}]
        value = {"date-parts": [[v.get(k) for k in ("year", "month", "day") if v.get(k) is not None]
                                for v in value]}
    if not isinstance(value, dict):
        return None, "must be an object with date-parts, raw or literal"
    date = dict(value)
    if "year" in date and "date-parts" not in date:
        date["date-parts"] = [[date.pop(k) for k in ("year", "month", "day") if date.get(k) is not None]]
    if "date-parts" in date:
        parts = _date_parts(date["date-parts"])
        if parts is None:
            del date["date-parts"]
            if not any(k in date for k in ("raw", "literal")):
                return None, "has date-parts that are not [[year, month, day]] numbers of a calendar"
        else:
            date["date-parts"] = parts
            return date, ""
    if "raw" in date:
        raw = str(date.pop("raw"))
        parsed = parse_date_text(raw)
        if parsed:
            date.update(parsed)
            return date, ""
        date.setdefault("literal", raw)
        return date, f"raw date {raw!r} is not a date we can read; it is printed as written"
    if "literal" in date:
        date["literal"] = str(date["literal"])
        return date, ""
    return None, "has none of date-parts, raw or literal"


def normalise_doi(value: str) -> tuple[str, bool]:
    """Bare ``10.xxxx/…`` form; the flag says a link or ``doi:`` prefix was removed."""
    stripped = value.strip()
    bare = _DOI_PREFIX.sub("", stripped, count=1).strip()
    return bare, bare != stripped


# Name fields that are flags, not words (CSL-JSON allows true/false or 0/1 for them).
_NAME_FLAGS = {"parse-names", "comma-suffix", "static-ordering", "isInstitution"}


def _names(value: Any) -> tuple[list[dict[str, Any]] | None, str]:
    if isinstance(value, str):
        return parse_names(value), "is text; it was read as 'Last, First and Last, First'"
    if isinstance(value, dict):
        value, problem = [value], "is a single name, not a list of names"
    elif isinstance(value, list):
        problem = ""
    else:
        return None, "must be a list of names"
    names = []
    for item in value:
        if isinstance(item, str):
            names.extend(parse_names(item))
            problem = problem or "has a name written as text instead of {family, given}"
        elif isinstance(item, dict) and item:
            parts = {}
            for part, text in item.items():
                if isinstance(text, str) or (str(part) in _NAME_FLAGS and isinstance(text, bool | int)):
                    parts[str(part)] = text
                elif isinstance(text, int | float) and not isinstance(text, bool):
                    parts[str(part)] = str(text)  # a number as a name part: kept as written, and said
                    problem = problem or f"has a name part '{part}' written as a number, not text"
                else:  # a list, a mapping, true/false: never printed as a Python value
                    problem = problem or f"has a name part '{part}' that is not text; it was left out"
            if set(parts) == {"family", "given"} and looks_like_group(f"{parts['given']} {parts['family']}".split()):
                parts = {"literal": f"{parts['given']} {parts['family']}"}
                problem = problem or (f"has the group '{parts['literal']}' split as a person's name; it was "
                                      "read as one group name")
            if parts:
                names.append(parts)
        else:
            problem = problem or "has an entry that is not a name object"
    return names, problem


def normalise_item(item: dict[str, Any], locate: Locate, key: str,
                   strict_dates: bool = False) -> tuple[dict[str, Any], list[Finding]]:
    """Return the normalised copy of ``item`` and the warnings (``b-004``, ``b-006``) about it.

    ``strict_dates`` (CSL-JSON) warns about a date written as bare text; CSL-YAML allows that
    (pandoc documents ``issued: 2014-06``), so there it is read silently.
    """
    findings: list[Finding] = []
    result: dict[str, Any] = {}
    for name, value in item.items():
        written = name = str(name)
        upper = _UPPER_VARIABLES.get(name.lower())
        if upper and upper != name and upper not in item:
            name = upper  # pandoc and hand-written YAML use doi:, url: …
        if value is None:
            continue
        where = locate(written)

        def shape(problem: str, hint: str, field: str = name, at: Location = where) -> None:
            findings.append(warning("b-006", f"entry '{key}': field '{field}' {problem}", at, hint))

        if name in NAME_VARIABLES:
            names, problem = _names(value)
            if problem:
                shape(problem, 'write a group as {"literal": "World Health Organization"}' if "group" in problem
                      else 'write it as a list: [{"family": "Porges", "given": "S. W."}]')
            if names:
                result[name] = names
        elif name in DATE_VARIABLES:
            status = status_of_date(value) if name == "issued" else None
            if status:  # "in press" in the date field: APA prints it in the date's place, from the status
                result.setdefault("status", status)
                continue
            date, problem = normalise_date(value)
            if not problem and strict_dates and not isinstance(value, dict):
                problem = f"is {value!r}, not an object; it was read as {date}"
            if problem:
                shape(problem, 'write {"date-parts": [[2014, 6, 15]]} or {"raw": "2014-06-15"}')
            if date:
                result[name] = date
        elif name == "DOI":
            if not isinstance(value, str | int | float) or isinstance(value, bool):
                shape("must be text such as 10.1000/xyz", "write the DOI as text: 10.1000/xyz")
                continue
            doi, changed = normalise_doi(str(value))
            if changed:
                findings.append(warning(
                    "b-004", f"entry '{key}': DOI {str(value).strip()!r} is written as a link or with "
                    f"a prefix; using {doi!r}", where, f"write only the DOI itself: {doi}"))
            elif not doi.startswith("10."):
                shape(f"{doi!r} does not look like a DOI (10.xxxx/…)", "check the DOI; it starts with 10.")
            if doi:
                result[name] = doi
        elif name in NUMBER_VARIABLES or name in STRING_VARIABLES:
            if isinstance(value, str) or (isinstance(value, int | float) and not isinstance(value, bool)
                                          and name in NUMBER_VARIABLES):
                result[name] = value
            elif isinstance(value, int | float | bool):
                result[name] = str(value)
            elif isinstance(value, list) and value and all(isinstance(v, str | int | float) for v in value):
                shape("is a list; its items were joined with ', '", f"write {name} as a single text value")
                result[name] = ", ".join(str(v) for v in value)
            else:
                shape("must be text or a number; it was left out", f"write {name} as a single text value")
        else:
            result[name] = value
    result.update(group_abbreviation(result))
    result.pop("shortauthor", None)
    if isinstance(result.get("language"), str):
        result["language"] = language_code(result["language"])
    if "edition" in result:
        result["edition"] = edition_number(result["edition"])
    if isinstance(result.get("status"), str):
        result["status"] = status_words(result["status"])
        if result["status"] in UNDATED_STATUS:  # APA 9.14: "(in press)" stands where the year would
            result.pop("issued", None)
    result = article_number(result)
    if "URL" in result and not any(name in result for name in ("DOI", "issued", "status", "accessed")):
        written = next((str(k) for k in item if str(k).lower() == "url"), "URL")
        findings.append(warning(
            "b-007", f"entry '{key}': a web address with neither a date nor the day it was read; APA prints it "
            "as 'Retrieved' and the address, with no date", locate(written),
            'add "accessed": {"date-parts": [[2024, 5, 17]]} (the day you read it), or the date it was '
            'published as "issued"'))
    return result, findings


def check_type(value: Any, key: str, where: Location) -> tuple[str, list[Finding]]:
    """A known CSL type, or a stand-in (with a ``b-006`` warning) so the entry still prints."""
    if isinstance(value, str) and value in TYPES:
        return value, []
    text = str(value)
    guess = TYPE_ALIASES.get(text.lower().replace("_", "-").replace(" ", ""), "")
    if not guess and isinstance(value, str) and value.lower() in TYPES:
        guess = value.lower()
    used = guess or "document"
    hint = (f"use the CSL type '{guess}'" if guess else
            "use a CSL type such as article-journal, book, chapter, report, thesis or webpage")
    return used, [warning("b-006", f"entry '{key}': {text!r} is not a CSL type; treating it as '{used}'",
                          where, hint)]

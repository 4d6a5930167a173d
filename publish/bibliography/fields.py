"""Field values as reference managers write them, read the way APA needs them.

Zotero and BibTeX libraries hold values a CSL processor prints as they are,
wrongly for APA: ``language: "English"`` (CSL wants a code, and only English
titles are title-cased in citations), ``edition: "Third"`` ("(Third)" instead
of "(3rd ed.)"), an e-number in ``page`` ("e0229789" instead of "Article
e0229789"), BibLaTeX's ``pubstate = {inpress}`` ("inpress"), and a group
author typed like a person ("Organization, W. H.").  The same rules apply to
every format, so a library gives the same references whether it comes as
``.bib`` or as Zotero's CSL JSON.
"""

from __future__ import annotations

import re
from typing import Any

from publish.model import SHORT_AUTHOR

# language names (BibLaTeX langid/babel names, English and native names, ISO 639-2) -> code
LANGUAGES = {
    "english": "en", "american": "en-US", "usenglish": "en-US", "british": "en-GB", "ukenglish": "en-GB",
    "australian": "en-AU", "canadian": "en-CA", "newzealand": "en-NZ", "eng": "en",
    "german": "de", "ngerman": "de", "deutsch": "de", "ger": "de", "deu": "de", "austrian": "de-AT",
    "naustrian": "de-AT", "swissgerman": "de-CH", "nswissgerman": "de-CH", "french": "fr", "français": "fr",
    "francais": "fr", "fre": "fr", "fra": "fr", "spanish": "es", "español": "es", "espanol": "es",
    "spa": "es", "italian": "it", "italiano": "it", "ita": "it", "dutch": "nl", "nederlands": "nl",
    "portuguese": "pt", "português": "pt", "portugues": "pt", "por": "pt", "brazilian": "pt-BR",
    "swedish": "sv", "svenska": "sv", "danish": "da", "dansk": "da", "norsk": "nb", "norwegian": "nb",
    "nynorsk": "nn", "finnish": "fi", "suomi": "fi", "polish": "pl", "polski": "pl", "czech": "cs",
    "slovak": "sk", "slovene": "sl", "croatian": "hr", "serbian": "sr", "russian": "ru", "ukrainian": "uk",
    "greek": "el", "turkish": "tr", "türkçe": "tr", "hungarian": "hu", "romanian": "ro", "catalan": "ca",
    "japanese": "ja", "chinese": "zh", "korean": "ko", "hebrew": "he", "arabic": "ar", "vietnamese": "vi",
}
_CODE = re.compile(r"^[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")

_ORDINALS = {word: n for n, word in enumerate(
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
    "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth".split(), start=1)}
_EDITION = re.compile(r"^\s*(?:(\d+)\s*(?:st|nd|rd|th)?|([A-Za-z]+))\.?\s*(?:ed\.?|edn\.?|edition)?\s*$", re.I)
_E_NUMBER = re.compile(r"^\s*e\d{3,}\s*$", re.I)
_JOURNAL_TYPES = {"article-journal", "article"}

# words that name a body, not a person: "World Health Organization", "Department of Health"
_GROUP_WORDS = frozenset("""
organization organisation association institute institutes agency department council society committee
commission foundation university centre center centers ministry administration bureau board service
services office network federation alliance consortium coalition authority academy corporation
collaboration taskforce inc. inc ltd ltd. llc gmbh nhs unesco unicef
""".split())


def language_code(value: str) -> str:
    """"English" -> "en", "en_US" -> "en-US"; an unknown value is kept as written."""
    text = value.strip()
    code = LANGUAGES.get(text.lower()) or LANGUAGES.get(re.sub(r"\s*\(.*\)$", "", text).lower())
    if code:
        return code
    return text.replace("_", "-") if _CODE.match(text) else text


def edition_number(value: Any) -> Any:
    """"Third", "3rd", "3rd ed." -> "3" (the style writes "3rd ed."); "5th ed., text rev." is kept."""
    if not isinstance(value, str):
        return value
    match = _EDITION.match(value)
    if not match:
        return value
    if match.group(1):
        return match.group(1)
    number = _ORDINALS.get(match.group(2).lower())
    return str(number) if number else value


def article_number(item: dict[str, Any]) -> dict[str, Any]:
    """An e-number in a journal article's ``page`` is its article number (APA 9.27: "Article e0229789")."""
    page = item.get("page")
    if item.get("type") in _JOURNAL_TYPES and isinstance(page, str) and _E_NUMBER.match(page) \
            and not item.get("number"):
        item = {k: v for k, v in item.items() if k != "page"}
        item["number"] = page.strip()
    return item


def looks_like_group(words: list[str]) -> bool:
    """Whether a name typed like a person's ("World Health Organization") names a body instead."""
    return len(words) >= 2 and any(w.strip(".,()").lower() in _GROUP_WORDS for w in words)


# BibLaTeX's pubstate keys (its manual, 4.9.2.11) -> the words APA prints in the date's place
PUBSTATES = {"inpress": "in press", "forthcoming": "forthcoming", "submitted": "submitted",
             "inpreparation": "in preparation", "prepublished": "prepublished", "accepted": "accepted"}


# statuses that take the date's place in APA ("(in press)"), so a year given with them is not printed
UNDATED_STATUS = frozenset({"in press", "forthcoming"})


def status_words(value: str) -> str:
    key = re.sub(r"[\s_-]", "", value).lower()
    return PUBSTATES.get(key, value)


def status_of_date(value: Any) -> str | None:
    """"in press" written in the date (Zotero exports it as ``{"literal": "in press"}``) -> the status words."""
    if isinstance(value, dict):
        value = value.get("literal") or value.get("raw")
    if not isinstance(value, str):
        return None
    words = status_words(value.strip())
    return words if words in PUBSTATES.values() else None


_NOTE_LINE = re.compile(r"^\s*([A-Za-z][\w. -]*?)\s*:\s*(.+?)\s*$", re.M)


def citation_key(item: dict[str, Any]) -> str | None:
    """The key an author cites: Zotero's ``citation-key`` (its CSL JSON's ``id`` is the item's URI), or a
    "Citation Key: …" line in the note (Zotero's Extra field, where Better BibTeX pins keys)."""
    for name in ("citation-key", "citationKey"):
        value = item.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return _note_fields(item).get("citation key")


_WITH_ABBREVIATION = re.compile(r"^(?P<name>.*\S)\s*[\[(](?P<short>[A-Z][A-Za-z0-9&.\-]*[A-Z][A-Za-z0-9&.\-]*)[\])]$")


def group_abbreviation(item: dict[str, Any]) -> dict[str, Any]:
    """A group author's abbreviation, for APA 8.21, from wherever a library keeps it: a ``shortauthor``
    field (as BibLaTeX names it), ``tex.shortauthor: WHO`` in Zotero's Extra field (the CSL ``note``), or
    the name itself written "World Health Organization [WHO]" (the reference list then shows the name
    alone).  Returns the fields to add or replace."""
    if SHORT_AUTHOR in item:
        return {}
    notes = _note_fields(item)
    short = item.get("shortauthor") or notes.get("tex.shortauthor") or notes.get("shortauthor")
    if isinstance(short, str) and short.strip():
        return {SHORT_AUTHOR: short.strip()}
    authors = item.get("author")
    if isinstance(authors, list) and len(authors) == 1 and isinstance(authors[0], dict):
        match = _WITH_ABBREVIATION.match(str(authors[0].get("literal", "")))
        if match:
            return {"author": [{**authors[0], "literal": match["name"]}], SHORT_AUTHOR: match["short"]}
    return {}


def _note_fields(item: dict[str, Any]) -> dict[str, str]:
    note = item.get("note")
    if not isinstance(note, str):
        return {}
    return {m.group(1).lower(): m.group(2) for m in _NOTE_LINE.finditer(note)}

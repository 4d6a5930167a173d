"""Rules of the APA *Publication Manual* (7th ed.) that the CSL style cannot express.

Where citeproc-js and the manual differ, a practice's readers and editors go by
the manual, so these rules override what the style (and citeproc-js) would print.
Each function names its section.  They work on CSL-JSON data before citeproc-py
reads it, or on the parts the engine assembles a cluster from.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from publish.model import SHORT_AUTHOR

# Words a publisher's name adds to its author's own name when it is the same body's publishing arm
# (the manual's DSM example prints no publisher: "American Psychiatric Association Publishing").
_PUBLISHING_ARM = ("publishing", "press", "publications")
_ARTICLE = re.compile(r"^(?:the|a|an)\s+(?=\S)", re.I)
_NOT_WORD = re.compile(r"[^\w\s]")


def _plain(text: str) -> str:
    """A name as compared: accents kept, case, punctuation, spacing and a leading "The" ignored."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("&", " and ")
    text = _NOT_WORD.sub(" ", text)
    return _ARTICLE.sub("", " ".join(text.split()))


def _initials(name: str) -> str:
    """"Substance Abuse and Mental Health Services Administration" -> "SAMHSA" (capitalised words only)."""
    return "".join(word[0] for word in re.findall(r"[^\W\d_][\w'’-]*", name) if word[0].isupper())


def _author_names(data: dict[str, Any]) -> list[str]:
    """The group names (a ``literal``, or a ``family`` with no given name) of the first creators the
    reference list prints."""
    for variable in ("author", "editor"):
        names = data.get(variable)
        if isinstance(names, list) and names:
            return [str(n.get("literal") or n.get("family")) for n in names if isinstance(n, dict)
                    and (n.get("literal") or (n.get("family") and not n.get("given")))]
    return []


def publisher_is_author(publisher: str, data: dict[str, Any]) -> bool:
    """Whether ``publisher`` names the work's (group) author, in full, as its initials or as its
    publishing arm ("… Publishing", "… Press")."""
    wanted = _plain(publisher)
    if not wanted:
        return False
    short = data.get(SHORT_AUTHOR)
    for author in _author_names(data):
        plain = _plain(author)
        if wanted == plain or (short and wanted == _plain(str(short))):
            return True
        if any(wanted == f"{plain} {arm}" for arm in _PUBLISHING_ARM):
            return True
        initials = _initials(author)
        if len(initials) >= 2 and publisher.strip().replace(".", "") == initials:
            return True
    return False


def drop_publisher_as_author(data: dict[str, Any]) -> dict[str, Any]:
    """APA 9.29 and 10.2: when the author is also the publisher, the publisher is left out
    ("American Psychological Association. (2020). *Publication manual …* (7th ed.)."), not
    printed a second time.  Returns ``data`` itself when nothing changes."""
    publisher = data.get("publisher")
    if not isinstance(publisher, str) or not publisher_is_author(publisher, data):
        return data
    return {k: v for k, v in data.items() if k != "publisher"}


_FOUND_AT = ("archive", "URL", "DOI", "number")


def unpublished_thesis(data: dict[str, Any]) -> dict[str, Any]:
    """APA 10.6: a dissertation or thesis found in no database, archive or web address is described as
    unpublished, "[Unpublished doctoral dissertation]. University of Virginia."; the style prints the
    genre as given.  Returns ``data`` itself when nothing changes."""
    genre = data.get("genre")
    if data.get("type") != "thesis" or not isinstance(genre, str) or not genre.strip() \
            or "unpublished" in genre.lower() or any(data.get(name) for name in _FOUND_AT):
        return data
    return {**data, "genre": "Unpublished " + genre.strip()[:1].lower() + genre.strip()[1:]}


def short_author(data: dict[str, Any]) -> tuple[str, str] | None:
    """(full name, abbreviation) of a group author that has one (BibLaTeX ``shortauthor``), for 8.21."""
    short = data.get(SHORT_AUTHOR)
    names = _author_names(data)
    if not isinstance(short, str) or not short.strip() or len(names) != 1 or len(data.get("author") or []) != 1:
        return None
    if _plain(short) == _plain(names[0]):
        return None
    return names[0], short.strip()


def without_article(text: str) -> str:
    """APA 9.44 and 9.47: titles (and group names) sort by their first significant word, so a
    leading "A", "An" or "The" is passed over; year letters follow that order too."""
    return _ARTICLE.sub("", text.lstrip(" \u201c\u2018\"'"))


def is_english(language: Any) -> bool:
    """No language, or English: the only titles whose leading article the manual names."""
    return not language or str(language).lower().startswith("en")


def episode_number(html: str, data: dict[str, Any]) -> str:
    """APA 10.12: an episode's number in parentheses and its kind in brackets, "(No. 57) [Audio podcast
    episode]"; the style prints both in the parentheses, "(Audio Podcast Episode No. 57)"."""
    genre, number = data.get("genre"), data.get("number")
    if data.get("type") != "broadcast" or not isinstance(genre, str) or not genre or number in (None, ""):
        return html
    pattern = re.compile(r"\((" + re.escape(genre) + r") (No\. " + re.escape(str(number)) + r")\)", re.I)
    words = genre[:1].upper() + genre[1:]
    return pattern.sub(lambda m: f"({m.group(2)}) [{words}]", html, count=1)


# ": " (or "? ", "! ") then optional markup or an opening quote, then an all-lower-case word
_SUBTITLE = re.compile(r"([:?!]\s+(?:<[^>]+>|[\u201c\u2018\"'(])*)([^\W\d_][^\s<]*)")
_TITLES = ("title", "container-title", "title-short")
_PERIODICALS = {"article-journal", "article-magazine", "article-newspaper", "periodical", "post-weblog"}


def capitalize_subtitles(data: dict[str, Any]) -> dict[str, Any]:
    """APA 6.17: in sentence case the first word of a subtitle is capitalised too ("Male alexithymia: A
    critical review"); Zotero's own sentence-casing leaves it lower case.  Only English titles, and only a
    word written all in lower case ("iPhone" stays).  Returns ``data`` itself when nothing changes."""
    if not is_english(data.get("language")):
        return data
    changed = {}
    for name in _TITLES:
        value = data.get(name)
        if not isinstance(value, str) or (name == "container-title" and data.get("type") in _PERIODICALS):
            continue
        fixed = _SUBTITLE.sub(lambda m: m.group(1) + _capitalize(m.group(2)), value)
        if fixed != value:
            changed[name] = fixed
    return {**data, **changed} if changed else data


def _capitalize(word: str) -> str:
    plain = word.islower() and "." not in word and not any(c.isdigit() for c in word)  # "p53", "vs." stay
    return word[0].upper() + word[1:] if plain else word


# Hosts of academic research databases (their addresses need a subscription or a session, and lead
# to a copy, not to the work's own home)
_DATABASES = re.compile(r"^https?://(?:[\w-]+\.)*(?:ebscohost\.com|proquest\.com|jstor\.org|psycnet\.apa\.org|"
                        r"ovid\.com|ovidsp\.\w+|gale\.com|galegroup\.com|webofscience\.com|webofknowledge\.com|"
                        r"scopus\.com|ebookcentral\.proquest\.com)(?:[/:?#]|$)", re.I)


def without_database_url(data: dict[str, Any]) -> dict[str, Any]:
    """APA 9.30: a work read in an academic research database is cited without the database's address
    (Zotero stores it in URL, and the style would print it); a DOI, or the work's own web address, stays."""
    url = data.get("URL")
    if not isinstance(url, str) or not _DATABASES.match(url.strip()):
        return data
    return {k: v for k, v in data.items() if k not in ("URL", "accessed")}


# The rules applied to each reference's data before the style reads it, in order.
DATA_RULES = (drop_publisher_as_author, unpublished_thesis, capitalize_subtitles, without_database_url)

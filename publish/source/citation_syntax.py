"""Pandoc's citation syntax, parsed into :class:`~publish.model.Cluster` objects.

Authors move between pandoc, Zettlr, Obsidian and this pipeline, so the
syntax is pandoc's own: ``[@a]``, ``[@a; @b]``, ``[see @a, p. 33, for a
review]``, ``[-@a]`` (suppress author), ``@a`` and ``@a [p. 33; @b]``
(author in text).  A locator is the start of a cite's suffix when it begins
with a locator term the CSL locale knows (``p.``, ``chap.``, ``sec.`` …).
"""

from __future__ import annotations

import re

from publish.model import CiteItem, Cluster

# Key: starts with a letter, digit or "_"; may hold internal punctuation, never trailing.
KEY = r"[\w](?:[\w]|[:.#$%&+?<>~/-](?=[\w]))*"
KEY_RE = re.compile(r"(-?)@(?:\{([^{}]+)\}|(" + KEY + "))")

# Locator terms (singular and plural, abbreviated and full) -> CSL label.
_TERMS: dict[str, str] = {}
for _label, _forms in {
    "book": "bk. bks. book books",
    "chapter": "chap. chaps. chapter chapters ch. chs.",
    "column": "col. cols. column columns",
    "figure": "fig. figs. figure figures",
    "folio": "fol. fols. folio folios",
    "number": "no. nos. number numbers",
    "line": "l. ll. line lines",
    "note": "n. nn. note notes",
    "opus": "op. opp. opus opera",
    "page": "p. pp. page pages",
    "paragraph": "para. paras. paragraph paragraphs ¶ ¶¶",
    "part": "pt. pts. part parts",
    "section": "sec. secs. section sections § §§",
    "sub-verbo": "s.v. s.vv. sub verbo",
    "verse": "v. vv. verse verses",
    "volume": "vol. vols. volume volumes",
    "table": "tbl. tbls. table tables",
    "timestamp": "timestamp",
    "algorithm": "algorithm",
}.items():
    for _form in _forms.split():
        _TERMS[_form] = _label
TERM_RE = re.compile(
    r"(" + "|".join(sorted((re.escape(t) for t in _TERMS), key=len, reverse=True)) + r")(?=[\s\d{])\s*",
    re.I,
)
# A locator value: numbers, dotted numbers, roman numerals, ranges and lists
# ("33", "3.2", "10-12", "iv", "3, 5", "{A-3}").
_NUMBER = r"[\w]*\d[\w]*(?:[.:]\d[\w]*)*"
VALUE_RE = re.compile(
    r"\{[^{}]*\}|" + _NUMBER + r"(?:\s*[-–—&,]\s*" + _NUMBER + r")*"
    r"|[ivxlcdm]+(?:\s*[-–,]\s*[ivxlcdm]+)*(?=\W|$)",
    re.I,
)


def parse_locator(text: str) -> tuple[str | None, str | None, str]:
    """Split ``", p. 33, for a review"`` into (label, locator, remaining suffix)."""
    rest = text.lstrip()
    if rest.startswith(","):
        rest = rest[1:].lstrip()
    term = TERM_RE.match(rest)
    if not term:
        return None, None, text
    value = VALUE_RE.match(rest, term.end())
    if not value or not value.group(0):
        return None, None, text
    locator = value.group(0)
    if locator.startswith("{"):
        locator = locator[1:-1]
    label = _TERMS.get(term.group(1).lower()) or _TERMS[term.group(1)]
    return label, locator.strip(), rest[value.end():]


def _item(prefix: str, suppress: bool, key: str, after: str) -> CiteItem:
    label, locator, suffix = parse_locator(after)
    suffix = suffix.rstrip()
    if suffix and not suffix.startswith((",", ";", " ")):
        suffix = " " + suffix
    return CiteItem(key=key, prefix=prefix, suffix=suffix.rstrip(), locator=locator, label=label,
                    suppress_author=suppress)


def parse_bracketed(content: str) -> tuple[CiteItem, ...] | None:
    """Parse the inside of ``[...]``; None when it is not a citation (no cite in every part)."""
    items: list[CiteItem] = []
    for part in _split_semicolons(content):
        match = _find_key(part)
        if match is None:
            if not part.strip() and items:
                continue
            return None
        prefix = part[:match.start()]
        if prefix.strip():
            prefix = prefix.lstrip()
            if not prefix.endswith(" "):
                prefix += " "
        else:
            prefix = ""
        key = match.group(2) or match.group(3)
        items.append(_item(prefix, bool(match.group(1)), key, part[match.end():]))
    return tuple(items) or None


def parse_narrative_tail(content: str) -> tuple[str, tuple[CiteItem, ...]]:
    """Parse ``[p. 33; see also @b]`` after a narrative cite: (first cite's suffix text, more cites)."""
    parts = _split_semicolons(content)
    first = parts[0] if parts and _find_key(parts[0]) is None else ""
    rest = parts[1:] if parts and _find_key(parts[0]) is None else parts
    more = parse_bracketed(";".join(rest)) if any(p.strip() for p in rest) else ()
    return first, more or ()


def narrative_cluster(key: str, tail: str | None) -> Cluster:
    if tail is None:
        return Cluster(items=(CiteItem(key=key),), narrative=True)
    first_suffix, more = parse_narrative_tail(tail)
    head = _item("", False, key, first_suffix) if first_suffix.strip() else CiteItem(key=key)
    return Cluster(items=(head, *more), narrative=True)


def _find_key(part: str) -> re.Match[str] | None:
    """The first ``@key`` in ``part`` that stands at a word boundary (not an e-mail address)."""
    for match in KEY_RE.finditer(part):
        start = match.start()
        if start > 0 and (part[start - 1].isalnum() or part[start - 1] in "\\@"):
            continue
        return match
    return None


def _split_semicolons(text: str) -> list[str]:
    """Split on ';' outside braces."""
    parts, depth, current = [], 0, []
    for char in text:
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(0, depth - 1)
        if char == ";" and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts

"""Attribute values the author wrote that EPUBCheck or Ace would refuse.

The sanitiser keeps a short list of attributes (``lang``, ``dir``, table
spans …); their values still come from the author, in raw HTML or in a
bracketed span (``[bonjour]{lang=French}``).  A value outside what HTML
allows built fine and then failed ``make check``: EPUBCheck's RSC-005 for
``dir="sideways"`` or ``colspan="two"``, Ace's valid-lang (serious) for
``lang="French"``.  Each is an error here, at the line that holds it.
"""

from __future__ import annotations

import re

from lxml import etree

from publish.conventions import XML_LANG, local_name
from publish.findings import Finding, Location, error
from publish.source.schema import LANGUAGE_TAG
from publish.source.xhtml import line_of

_INTEGER = re.compile(r"^-?\d+$")
_POSITIVE = re.compile(r"^0*[1-9]\d{0,3}$")  # 1 … 9999 (HTML caps colspan at 1000, rowspan at 65534)
_DATE = r"\d{4}(?:-\d{2}(?:-\d{2})?)?"
_TIME = r"\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?"
_ZONE = r"(?:Z|[+-]\d{2}:?\d{2})"
_DURATION = r"P(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?"
_DATETIME = re.compile(rf"^(?:{_DATE}(?:[T ]{_TIME}{_ZONE}?)?|{_TIME}|--\d{{2}}-\d{{2}}|\d{{4}}-W\d{{2}}|{_DURATION})$")

# attribute -> (is the value allowed, what to write instead)
RULES = {
    "lang": (lambda v: v == "" or bool(LANGUAGE_TAG.match(v)), "a BCP 47 language tag such as fr, de or en-GB"),
    "dir": (lambda v: v in ("ltr", "rtl", "auto"), "ltr, rtl or auto"),
    "colspan": (lambda v: bool(_POSITIVE.match(v.strip())), "a whole number from 1"),
    "rowspan": (lambda v: v.strip() == "0" or bool(_POSITIVE.match(v.strip())), "a whole number"),
    "start": (lambda v: bool(_INTEGER.match(v.strip())), "a whole number"),
    "reversed": (lambda v: v.lower() in ("", "reversed"), "nothing: <ol reversed>"),
    "scope": (lambda v: v in ("row", "col", "rowgroup", "colgroup"), "row, col, rowgroup or colgroup"),
    "datetime": (lambda v: bool(_DATETIME.match(v.strip())), "a date such as 2024-05-17 or 2024-05-17T14:30"),
}


def _line(source: str, name: str, value: str) -> int | None:
    return next(filter(None, (line_of(source, f"{name}={quote}{value}{quote}") for quote in ('"', "'", ""))), None)


def check_attribute_values(section: etree._Element, source: str, display: str, offset: int) -> list[Finding]:
    """An error for each attribute value HTML does not allow (the element keeps it: the build stops)."""
    findings: list[Finding] = []
    for element in section.iter():
        if not isinstance(element.tag, str):
            continue
        for name, (allowed, instead) in RULES.items():
            value = element.get(XML_LANG if name == "lang" and element.get("lang") is None else name)
            if value is None or allowed(value):
                continue
            line = _line(source, name, value)
            findings.append(error("m-021", f"{name}=\"{value}\" on <{local_name(element.tag)}> is not a value "
                                  "e-books allow", Location(display, line + offset if line else None),
                                  f"write {name}= with {instead}"))
    return findings

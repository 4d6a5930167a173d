"""Sort keys and locale collation for citations and the reference list.

citeproc-py compares sort keys as lower-cased code points, so "Østby" sorted
after "Z" and HTML markup leaked into keys.  citeproc-js uses the locale's
collator: letters with diacritics sort with their base letter, case and
punctuation such as quotation marks are ignored at the first level.  This
module builds such keys from the style's ``cs:sort`` element, rendering macro
keys as plain text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from functools import cmp_to_key
from typing import Any

from publish.citations.cslxml import strip_accents
from publish.citations.richtext import strip_markers, to_text

# letters that NFKD does not decompose to a base letter
_FOLD = str.maketrans({"Ø": "O", "ø": "o", "Æ": "AE", "æ": "ae", "Œ": "OE", "œ": "oe",
                       "ß": "ss", "Đ": "D", "đ": "d", "Ł": "L", "ł": "l", "Þ": "Th",
                       "þ": "th", "ı": "i", "Ð": "D", "ð": "d"})
_IGNORED = re.compile(r"[\u201c\u201d\u2018\u2019\"'\u00ab\u00bb\[\]()¿¡]")
_DIGITS = re.compile(r"^\d+$")

SortValue = tuple[str, str] | int | None


def collation_key(text: str) -> tuple[str, str] | None:
    """Primary key (base letters, case-folded) and a secondary one (accents kept)."""
    plain = _IGNORED.sub("", html.unescape(strip_markers(to_text(text)))).strip()
    if not plain:
        return None
    secondary = plain.casefold()
    primary = strip_accents(plain.translate(_FOLD)).casefold()
    return primary, secondary


def sort_value(value: Any) -> SortValue:
    """Turn a rendered key or variable value into something comparable."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    if _DIGITS.match(text):
        return int(text)
    return collation_key(text)


def _compare(left: Sequence[SortValue], right: Sequence[SortValue],
             descending: Sequence[bool]) -> int:
    for a, b, desc in zip(left, right, descending, strict=False):
        if a is None and b is None:
            continue
        if a is None:  # empty keys sort last, whatever the direction (CSL 1.0.2)
            return 1
        if b is None:
            return -1
        if isinstance(a, int) != isinstance(b, int):
            # "2019" (a bare year) against "2021-10-18" (a full date): compare as text
            a, b = (str(a) if isinstance(a, int) else a[0]), (str(b) if isinstance(b, int) else b[0])
        if a != b:
            result = -1 if a < b else 1  # type: ignore[operator]
            return -result if desc else result
    return 0


def sort_items(ids: Sequence[str], keys: Callable[[str], Sequence[SortValue]],
               descending: Sequence[bool]) -> list[str]:
    """Stable sort of ``ids`` by their key tuples (ties keep the given order)."""
    cache = {i: keys(i) for i in dict.fromkeys(ids)}
    return sorted(ids, key=cmp_to_key(lambda a, b: _compare(cache[a], cache[b], descending)))

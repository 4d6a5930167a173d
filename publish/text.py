"""Small text helpers shared by the loader and the renderers."""

from __future__ import annotations

import re
import unicodedata

_NON_SLUG = re.compile(r"[^a-z0-9]+")
_NON_ID = re.compile(r"[^A-Za-z0-9_.-]")


def slugify(text: str) -> str:
    """ASCII slug for file names: 'The Healing Power of Tears' -> 'the-healing-power-of-tears'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NON_SLUG.sub("-", ascii_text.lower()).strip("-")


def ref_id(key: str) -> str:
    """The XHTML id of a reference-list entry for citation key ``key``.

    Keys keep their case; characters not allowed in an XML id become ``_``.
    """
    return "ref-" + _NON_ID.sub("_", key)

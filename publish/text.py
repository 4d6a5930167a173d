"""Small text helpers shared by the loader and the renderers."""

from __future__ import annotations

import re
import unicodedata

PLACEHOLDER = re.compile(r"\[\[.*?\]\]", re.S)  # book.yaml's shipped [[placeholder]] values
_NON_SLUG = re.compile(r"[^a-z0-9]+")
_NON_ID = re.compile(r"[^A-Za-z0-9_.-]")


def slugify(text: str) -> str:
    """ASCII slug for file names: 'The Healing Power of Tears' -> 'the-healing-power-of-tears'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NON_SLUG.sub("-", ascii_text.lower()).strip("-")


FILE_SLUG_LENGTH = 80  # the Makefile cuts its slug the same way


def file_slug(title: str) -> str:
    """The output files' name from the book title: its slug, cut to 80 characters ("book" if nothing is left).

    A long title made names of 200 characters and more; 255 bytes is the
    file-system limit, past which the build could not write at all.
    """
    words = re.sub("['\u2019]", "", title)  # "Let's" is one word in a file name: lets, not let-s
    return slugify(words)[:FILE_SLUG_LENGTH].rstrip("-") or "book"


def ref_id(key: str) -> str:
    """The XHTML id of a reference-list entry for citation key ``key``.

    Keys keep their case; characters not allowed in an XML id become ``_``.
    """
    return "ref-" + _NON_ID.sub("_", key)

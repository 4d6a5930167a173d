"""Stated limits on what a chapter may hold, where going past them would cost time that grows with the square.

Each limit is far beyond prose, and each is a located finding instead of a build that seems to hang:

* :data:`MAX_BRACKETS`: ``[`` nested (or left open) deeper than this.  Python-Markdown looks for the
  end of every ``[`` by scanning on (100 KB of them took minutes);
* :data:`MAX_BLOCK`: characters in one paragraph (or list item, cell …).  Laying out and writing
  a 5 MB paragraph takes minutes, and no reader follows forty pages without a break;
* :data:`MAX_NOTES`: footnotes in one article; each costs the print layout about 20 ms, so ten
  thousand took five minutes (and a gigabyte);
* :data:`MAX_WORD`: characters in a row without a space, outside code and web addresses.  No line can
  hold such a "word", and WeasyPrint's line breaking grows with the square of its length (a
  5,000-character word took 90 s; 5,000 ``*_`` pairs, which Markdown makes into one long run of
  emphasis, as long).
"""

from __future__ import annotations

import re

from lxml import etree

from publish.conventions import q
from publish.findings import Finding, Location, error

MAX_BRACKETS = 32
MAX_WORD = 200
MAX_BLOCK = 100_000  # characters in one paragraph (about 15,000 words, forty pages without a break)
MAX_NOTES = 1000  # per article: WeasyPrint lays out each footnote at about 20 ms (10,000 took five minutes)
BLOCKS = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dt", "dd", "figcaption", "caption")
CODE = frozenset(q(name) for name in ("code", "pre", "kbd", "samp"))


def bracket_depth(text: str) -> tuple[int, int]:
    """The deepest nesting of unescaped ``[`` in ``text`` (left open counts), and where it is reached (linear)."""
    depth = deepest = where = 0
    escaped = False
    for index, char in enumerate(text):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[":
            depth += 1
            if depth > deepest:
                deepest, where = depth, index
        elif char == "]" and depth:
            depth -= 1
    return deepest, where


def deep_brackets(body: str, display: str, offset: int) -> Finding | None:
    """``m-011`` when brackets nest deeper than :data:`MAX_BRACKETS`, at the line where they do."""
    depth, at = bracket_depth(body)
    if depth <= MAX_BRACKETS:
        return None
    return error("m-011", f"square brackets are nested more than {MAX_BRACKETS} deep (or opened and never closed)",
                 Location(display, body.count("\n", 0, at) + 1 + offset),
                 "close each [ with its ]; write \\[ for a bracket that is only text")


def _running_text(block: etree._Element) -> str:
    """A block's words as a reader meets them; code and web addresses count as a space (they break apart)."""
    pieces: list[str] = []
    stack: list[tuple[etree._Element, bool]] = [(block, False)]
    while stack:
        element, tail = stack.pop()
        if tail:
            pieces.append(element.tail or "")
            continue
        if element.tag in CODE or "url" in (element.get("class") or "").split():
            pieces.append(" ")
            continue
        pieces.append(element.text or "")
        for child in reversed([c for c in element if isinstance(c.tag, str)]):
            stack.append((child, True))
            stack.append((child, False))
    return "".join(pieces)


def long_words(section: etree._Element, body: str, display: str, offset: int) -> list[Finding]:
    """``m-027`` for a paragraph longer than :data:`MAX_BLOCK` characters, ``m-025`` for the first "word"
    longer than :data:`MAX_WORD` characters in the chapter."""
    for block in section.iter(*(q(name) for name in BLOCKS)):
        text = _running_text(block)
        if len(text) > MAX_BLOCK:
            where = body.find(text.strip()[:30])
            line = body.count("\n", 0, where) + 1 + offset if where >= 0 else offset + 1
            return [error("m-027", f"a paragraph of {len(text):,} characters, more than the {MAX_BLOCK:,} one "
                          "paragraph may hold", Location(display, line),
                          "break it into paragraphs with blank lines between them")]
        longest = max(text.split(), key=len, default="")
        if len(longest) > MAX_WORD:
            where = body.find(longest[:20])
            line = body.count("\n", 0, where) + 1 + offset if where >= 0 else offset + 1
            return [error("m-025", f"a word of {len(longest)} characters without a space ('{longest[:30]}…')",
                          Location(display, line), "no line can hold it: break it with spaces, or mark code "
                          "with backticks; web addresses are broken at their slashes on their own")]
    return []


NOTE_DEFINITION = re.compile(r"^ {0,3}\[\^[^\]\n]+\]:", re.M)


def too_many_notes_in(body: str, display: str, offset: int) -> Finding | None:
    """``m-026`` from the Markdown itself, before Python-Markdown's footnotes (slow on thousands) see it."""
    found = too_many_notes(len(NOTE_DEFINITION.findall(body)), display, offset)
    return found[0] if found else None


def too_many_notes(count: int, display: str, offset: int) -> list[Finding]:
    """``m-026`` for an article with more than :data:`MAX_NOTES` footnotes."""
    if count <= MAX_NOTES:
        return []
    return [error("m-026", f"the article has {count} footnotes, more than the {MAX_NOTES} one article may hold",
                  Location(display, offset + 1), "split it into several articles, or move notes into the text")]

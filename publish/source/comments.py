"""HTML comments the author opened and never closed.

Python-Markdown hides a closed ``<!-- … -->``; an opening ``<!--`` without
its ``-->`` is text to it, so the author's note to self (and everything after
it in the paragraph) would be printed in the handout and the e-book.  A
``<!--`` in code is code, and is left alone.
"""

from __future__ import annotations

import re

from lxml import etree

from publish.conventions import local_name
from publish.findings import Finding, Location, error
from publish.source.xhtml import CODE, line_at

PRINTED_OPENING = re.compile("<!(?:--|\u2013|\u2014)")  # smart punctuation turns "--" into a dash
OPENING = re.compile(r"<!--")
CODE_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
CODE_SPAN = re.compile(r"(`+).*?(?<!`)\1(?!`)")


def _prose(root: etree._Element):
    """The text of ``root`` outside code elements."""
    def walk(element):
        if local_name(element.tag) in CODE:
            return
        if element.text:
            yield element.text
        for child in element:
            yield from walk(child)
            if child.tail:
                yield child.tail
    yield from walk(root)


def _openings(source: str):
    """Offsets in ``source`` of each ``<!--`` outside fenced code blocks and code spans."""
    fence = None
    start = 0
    for line in source.split("\n"):
        opened = CODE_FENCE.match(line)
        if fence is None and opened:
            fence = opened.group(1)
        elif fence is not None:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = None
        else:
            spans = [match.span() for match in CODE_SPAN.finditer(line)]
            for match in OPENING.finditer(line):
                if not any(begin <= match.start() < end for begin, end in spans):
                    yield start + match.start()
        start += len(line) + 1


def unclosed_comments(section: etree._Element, source: str, display: str, offset: int) -> list[Finding]:
    """An error for an opening ``<!--`` the text shows: at the first one in the source that is never closed."""
    if not any(PRINTED_OPENING.search(text) for text in _prose(section)):
        return []
    line = None
    for index in _openings(source):
        if "-->" not in source[index + 4:]:
            line = line_at(source, index) + offset
            break
    return [error("m-020", "HTML comment '<!--' is never closed, so it would be printed with the text after it",
                  Location(display, line), "end the comment with -->, or delete the <!-- if it is not a comment")]

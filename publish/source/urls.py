"""Web addresses written as text in an article: never hyphenated.

A bare ``https://…`` in a paragraph is text to Markdown, so the handout
hyphenated it like a word ("path-seg-ment") and a reader typing it from paper
would type the added hyphen; e-readers that hyphenate do the same.  Each
address outside code is wrapped in ``<span class="url">``, which the
stylesheets set without hyphenation; it still breaks after a slash.  Links
(``<https://…>``) get the same span inside them.
"""

from __future__ import annotations

import re

from lxml import etree

from publish.conventions import local_name, q
from publish.source.xhtml import CODE

ADDRESS = re.compile(r"\b(?:https?://|www\.)[^\s<>\"]+[^\s<>\".,;:!?)\]}'\u2019\u201d]")


def _pieces(text: str) -> tuple[str, list[etree._Element]]:
    """``text`` up to its first address, and a span for each address (its tail: the text up to the next)."""
    spans: list[etree._Element] = []
    head, end = None, 0
    for match in ADDRESS.finditer(text):
        if head is None:
            head = text[:match.start()]
        else:
            spans[-1].tail = text[end:match.start()]
        span = etree.Element(q("span"), {"class": "url"})
        span.text = match.group()
        spans.append(span)
        end = match.end()
    if not spans:
        return text, []
    spans[-1].tail = text[end:]
    return head or "", spans


def _in_code(element: etree._Element) -> bool:
    return any(local_name(e.tag) in CODE for e in (element, *element.iterancestors()))


def mark_addresses(root: etree._Element) -> None:
    """Wrap each web address in text (not in code, not already marked) in ``<span class="url">``."""
    for element in list(root.iter()):
        if not isinstance(element.tag, str) or _in_code(element) or "url" in (element.get("class") or "").split():
            continue
        if element.text and ADDRESS.search(element.text):
            element.text, spans = _pieces(element.text)
            for index, span in enumerate(spans):
                element.insert(index, span)
        for child in list(element):
            if child.tail and ADDRESS.search(child.tail):
                child.tail, spans = _pieces(child.tail)
                position = element.index(child)
                for offset, span in enumerate(spans, start=1):
                    element.insert(position + offset, span)

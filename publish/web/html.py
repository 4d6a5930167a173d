"""Turn the shared XHTML builders' trees into HTML5 pages a web server can serve as they are.

The builders make XHTML with ``epub:type`` (EPUB semantics); on the web the
ARIA roles they carry already say the same thing, so the EPUB attributes and
the XML namespace are dropped and the page is written with HTML's own
serialiser (``<meta charset>``, void elements, a ``<!DOCTYPE html>``).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from lxml import etree
from lxml.builder import ElementMaker

from publish.conventions import EPUB_TYPE, XHTML, XML_LANG

H = ElementMaker()  # plain HTML elements (no namespace)


def plain(element: etree._Element) -> etree._Element:
    """A copy of an XHTML tree as plain HTML: no namespace, no ``epub:type``, ``lang`` for ``xml:lang``."""
    tree = copy.deepcopy(element)
    prefix = f"{{{XHTML}}}"
    for node in tree.iter():
        if not isinstance(node.tag, str):
            continue
        if node.tag.startswith(prefix):
            node.tag = node.tag[len(prefix):]
        node.attrib.pop(EPUB_TYPE, None)
        language = node.attrib.pop(XML_LANG, None)
        if language and not node.get("lang"):
            node.set("lang", language)
    etree.cleanup_namespaces(tree)
    return tree


@dataclass
class Head:
    """What a page's ``<head>`` says about it: title, description, and (with a site address) where it lives."""

    title: str
    description: str = ""
    url: str = ""  # the page's canonical address; empty when book.yaml gives none
    site_name: str = ""
    og_type: str = "website"
    locale: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)  # (rel, href): prev, next
    scripts: tuple[str, ...] = ()  # only the preview adds one


def head(info: Head, stylesheet: str) -> etree._Element:
    parts = [H.meta(charset="utf-8"), H.meta(name="viewport", content="width=device-width, initial-scale=1"),
             H.title(info.title)]
    if info.description:
        parts.append(H.meta(name="description", content=info.description))
    if stylesheet:
        parts.append(H.link(rel="stylesheet", href=stylesheet))
    if info.url:
        parts.append(H.link(rel="canonical", href=info.url))
        og = {"og:type": info.og_type, "og:title": info.title, "og:url": info.url, "og:site_name": info.site_name,
              "og:locale": info.locale.replace("-", "_"), "og:description": info.description}
        parts += [H.meta(property=name, content=value) for name, value in og.items() if value]
    parts += [H.link(rel=rel, href=href) for rel, href in info.links]
    parts += [H.script(src=src, defer="defer") for src in info.scripts]
    return H.head(*parts)


def document(language: str, info: Head, body: list[etree._Element], stylesheet: str) -> bytes:
    """A whole page as UTF-8 bytes; ``body`` holds plain HTML elements."""
    page = H.html(head(info, stylesheet), H.body(*body), lang=language)
    return etree.tostring(page, method="html", encoding="utf-8", doctype="<!DOCTYPE html>") + b"\n"

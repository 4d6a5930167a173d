"""The markup the stages agree on, written down once: namespaces, and what the model's XHTML carries.

A chapter's body travels from the source stage to the renderers as XHTML
(``Chapter.body_html``, a ``<section>`` in the XHTML namespace, serialised
so that it crosses into the layout processes unchanged).  The stages rely
on these conventions in it, and on nothing else:

=============================================  ===========================================================
markup                                         meaning, who writes it, who reads it
=============================================  ===========================================================
``<span class="citation" data-cluster="N"/>``  citation N of ``Chapter.clusters``; written by the source
                                               stage (:mod:`publish.source.extensions`), replaced by the
                                               formatted citation in :mod:`publish.citations.resolve`.
                                               Authors can never write the attribute (the sanitiser drops
                                               it from raw HTML).
``alt`` holding U+E000 N U+E001                a citation inside an image's alt text (:data:`ALT_CITATION`);
                                               replaced by the citation's words.
``<sup><a class="footnote-ref"                 a note call, ``epub:type="noteref"``; its label is
role="doc-noteref">``                          "Note N" (:func:`publish.source.xhtml.add_semantics`).
``<section class="footnotes"                   the article's notes: an ``h2`` "Notes" with id
role="doc-endnotes">``                         ``<slug>-notes``, items ``epub:type="endnote"`` (no role:
                                               DPUB-ARIA 1.1 deprecates doc-endnote), back-links
                                               ``role="doc-backlink"``.
``<aside class="pullquote duplicate"           a pull quote repeating the text: hidden from assistive
role="doc-pullquote" aria-hidden="true">``     technology, an artifact in the PDF, no links inside.
``<aside class="pullquote" role="note"         a pull quote with words of its own: content, announced as
aria-label="Pull quote">``                     a pull quote.
``<span class="url">``                         a web address written as text: never hyphenated.
``<span role="doc-pagebreak" id="page-N">``    where print page N begins (EPUB only; inserted by
                                               :mod:`publish.render.pagemap` from the PDF's layout).
ids                                            ``<slug>`` an article (``ch01``…), ``<slug>-notes`` its notes,
                                               ``ref-<key>`` a reference-list entry (:func:`publish.text.ref_id`),
                                               ``references`` the book-level list.
=============================================  ===========================================================

The helpers below are the names every stage uses for this markup.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

XHTML = "http://www.w3.org/1999/xhtml"
EPUB = "http://www.idpf.org/2007/ops"
NSMAP = {None: XHTML, "epub": EPUB}
EPUB_TYPE = f"{{{EPUB}}}type"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

NOT_XML_CHAR = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")  # XML cannot hold these
CLUSTER = "data-cluster"  # on a citation placeholder: the index of its cluster in Chapter.clusters
ALT_CITATION = re.compile("\ue000(\\d+)\ue001")  # a citation inside alt text: U+E000, the cluster's index, U+E001


def local_name(tag: object) -> str:
    """An element's tag without its namespace (``""`` for comments and processing instructions)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def q(tag: str) -> str:
    """An XHTML element name in Clark notation, for lxml: ``q("p")`` is ``{http://www.w3.org/1999/xhtml}p``."""
    return f"{{{XHTML}}}{tag}"


def is_note_call(element: etree._Element) -> bool:
    """A footnote call (Python-Markdown's ``<sup id="fnref-1"><a class="footnote-ref">``) or its link."""
    return ("footnote-ref" in (element.get("class") or "").split()
            or (local_name(element.tag) == "sup" and (element.get("id") or "").startswith("fnref")))


def heading_text(heading: etree._Element) -> str:
    """A heading's words for tables of contents and ids: its text without footnote calls (as pandoc)."""
    def words(element: etree._Element):
        if element.text:
            yield element.text
        for child in element:
            if isinstance(child.tag, str) and not is_note_call(child):
                yield from words(child)
            if child.tail:
                yield child.tail
    return " ".join("".join(words(heading)).split())


def parse_fragment(html: str) -> etree._Element:
    """Parse Python-Markdown output (which may hold raw HTML) leniently into a ``section``."""
    return lxml.html.fragment_fromstring(html or "<p></p>", create_parent="section")


def parse_body(body_html: str) -> etree._Element:
    """A model body (``Chapter.body_html``, namespaced XHTML) as a tree: the one way stages read it."""
    return etree.fromstring(body_html)


def serialize(element: etree._Element) -> str:
    return etree.tostring(element, encoding="unicode")

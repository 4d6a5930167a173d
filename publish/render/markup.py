"""Builder functions for the XHTML both renderers share.

The EPUB and the PDF present the same book, so an article's markup (header,
body, notes, reference list) is built here once, from the model, with lxml's
element factory — no string concatenation.  Renderers choose what to wrap
around it: the EPUB one XHTML document per article, the PDF one HTML
document for the whole book.
"""

from __future__ import annotations

from lxml import etree
from lxml.builder import ElementMaker

from publish.conventions import EPUB, EPUB_TYPE, NSMAP, XHTML
from publish.i18n import Strings, strings
from publish.model import BibEntry, Book, Chapter

E = ElementMaker(namespace=XHTML, nsmap=NSMAP)


def _typed(element: etree._Element, epub_type: str, role: str | None = None) -> etree._Element:
    element.set(EPUB_TYPE, epub_type)
    if role:
        element.set("role", role)
    return element


def fragment(html: str) -> etree._Element:
    """Parse an inline XHTML fragment (citation or reference HTML) into a ``span``."""
    return etree.fromstring(f'<span xmlns="{XHTML}">{html}</span>')


def _inline_children(target: etree._Element, html: str) -> etree._Element:
    parsed = fragment(html)
    target.text = (target.text or "") + (parsed.text or "")
    for child in parsed:
        target.append(child)
    return target


def bibliography_section(entries: list[BibEntry], ident: str, words: Strings, level: int = 2) -> etree._Element:
    """``<section role="doc-bibliography">`` with a heading (in the language of ``words``) and the entries."""
    heading = etree.Element(f"{{{XHTML}}}h{level}", id=f"{ident}-title")
    heading.text = words("book.references")
    items = [
        _inline_children(E.li({"id": _entry_id(entry, ident), "class": "csl-entry"}), entry.html)
        for entry in entries
    ]
    section = E.section({"id": ident, "class": "references", "aria-labelledby": f"{ident}-title"},
                        heading, E.ul({"class": "references"}, *items))
    return _typed(section, "bibliography", "doc-bibliography")


def _entry_id(entry: BibEntry, ident: str) -> str:
    from publish.text import ref_id

    return ref_id(entry.key)


def chapter_header(chapter: Chapter) -> etree._Element:
    title = E.h1({"id": f"{chapter.slug}-title", "class": "chapter-title"}, *title_content(chapter))
    header = E.header(title)
    if chapter.subtitle:
        header.append(_typed(E.p({"class": "subtitle"}, chapter.subtitle), "subtitle", "doc-subtitle"))
    if chapter.author:
        header.append(E.p({"class": "byline"}, chapter.author))
    return header


def chapter_section(chapter: Chapter, book_language: str) -> etree._Element:
    """The whole article: header, body, notes and (per-article placement) references.

    The words the tool adds are in the article's ``lang`` when it has one, else in the book's language.
    """
    body = etree.fromstring(chapter.body_html)
    section = E.section({"id": chapter.slug, "class": "chapter", "aria-labelledby": f"{chapter.slug}-title"})
    _typed(section, "chapter", "doc-chapter")
    if chapter.language:
        section.set("lang", chapter.language)
        section.set("{http://www.w3.org/XML/1998/namespace}lang", chapter.language)
    section.append(chapter_header(chapter))
    notes = [c for c in body if c.get(EPUB_TYPE) == "endnotes"]
    section.text = None
    for child in list(body):
        if child not in notes:
            section.append(child)
    if chapter.bibliography:
        section.append(bibliography_section(chapter.bibliography, f"{chapter.slug}-references",
                                            strings(chapter.language or book_language)))
    for note in notes:
        section.append(note)
    return section


def retarget_links(section: etree._Element, document: str) -> None:
    """Point in-page links whose target is not in this article at ``document`` (the book's reference list).

    With ``bibliography_placement: book`` an article's citations lead to a page of their own in the EPUB
    and on the web alike.
    """
    local = {element.get("id") for element in section.iter() if element.get("id")}
    for element in section.iter():
        href = element.get("href")
        if href and href.startswith("#") and href[1:] not in local:
            element.set("href", document + href)


def title_content(chapter: Chapter) -> list:
    """What an article's title holds: its words, or its inline markup (``<em>``…) when it has some."""
    if not chapter.title_html:
        return [chapter.title]
    span = etree.fromstring(chapter.title_html)
    return ([span.text] if span.text else []) + list(span)


def title_page(book: Book) -> etree._Element:
    meta = book.metadata
    parts = [E.h1({"class": "title", "id": "title-page-title"}, meta.title)]
    if meta.subtitle:
        parts.append(_typed(E.p({"class": "subtitle"}, meta.subtitle), "subtitle", "doc-subtitle"))
    if meta.authors:
        parts.append(E.p({"class": "authors"}, ", ".join(meta.authors)))
    logo = book.branding.logo
    if logo is not None:  # the practice's mark above its name, never in place of the title
        parts.append(E.p({"class": "logo"}, E.img({"src": logo.href, "alt": logo.alt, "class": "logo"})))
    if meta.publisher:
        parts.append(E.p({"class": "publisher"}, meta.publisher))
    section = E.section({"class": "titlepage", "id": "titlepage", "aria-labelledby": "title-page-title"}, *parts)
    return _typed(section, "titlepage")


def colophon(book: Book, statement: str, extra: tuple[str, ...] = ()) -> etree._Element:
    """Rights, edition, identifier, the practice's notice and an accessibility statement.

    Only facts from ``book.yaml`` and the build: no legal wording is made up
    here, the practice writes its own in ``rights`` and ``notice``.  Both
    editions use it (the EPUB's own copyright page, the PDF's verso), so the
    print page that holds it has a counterpart in the EPUB's page-list.
    """
    meta = book.metadata
    words = strings(meta.language)
    lines = []
    if meta.rights:
        lines.append(E.p({"class": "rights"}, meta.rights))
    if meta.date:
        lines.append(E.p({"class": "edition"}, words("book.edition", date=words.date(meta.date))))
    lines.append(E.p({"class": "identifier"}, words("book.identifier", identifier=meta.identifier)))
    if meta.notice:
        lines.append(E.p({"class": "notice"}, meta.notice))
    lines.append(E.p({"class": "accessibility"}, statement))
    lines.extend(E.p({"class": "typeface"}, text) for text in extra)
    section = E.section({"class": "colophon", "id": "colophon", "aria-label": words("book.colophon")}, *lines)
    return _typed(section, "colophon", "doc-colophon")


def book_bibliography(book: Book) -> etree._Element | None:
    if not book.bibliography:
        return None
    return bibliography_section(book.bibliography, "references", strings(book.metadata.language), level=1)


def xhtml_document(title: str, language: str, content: list[etree._Element], stylesheets: list[str],
                   body_type: str | None = None) -> bytes:
    """A complete XHTML5 document (EPUB content document) as UTF-8 bytes."""
    head = E.head(E.title(title), E.meta(charset="utf-8"))
    for href in stylesheets:
        head.append(E.link(rel="stylesheet", type="text/css", href=href))
    body = E.body(*content)
    if body_type:
        body.set(EPUB_TYPE, body_type)
    html = E.html(head, body)
    html.set("lang", language)
    html.set("{http://www.w3.org/XML/1998/namespace}lang", language)
    return etree.tostring(html, encoding="utf-8", xml_declaration=True, doctype="<!DOCTYPE html>")


__all__ = ["EPUB", "bibliography_section", "chapter_section", "title_page", "xhtml_document"]

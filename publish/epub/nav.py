"""The EPUB navigation document: contents, landmarks and (when there is a print edition) a page-list.

Built here rather than by ebooklib so it can carry what reading systems and
screen readers use: a "Contents" heading, nested section entries, a
``bodymatter`` landmark (where "start reading" goes) and the page-list that
ties the EPUB to the print PDF's pages.
"""

from __future__ import annotations

from lxml import etree

from publish.conventions import EPUB_TYPE
from publish.i18n import strings
from publish.model import Book
from publish.render.markup import E, xhtml_document


def _nav(kind: str, title: str, items: list[etree._Element], hidden: bool = False) -> etree._Element:
    heading = E.h2({"id": f"nav-{kind}"}, title)
    nav = E.nav({"id": kind, "aria-labelledby": f"nav-{kind}"}, heading, E.ol(*items))
    nav.set(EPUB_TYPE, kind)
    if kind == "toc":
        nav.set("role", "doc-toc")
    elif kind == "page-list":
        nav.set("role", "doc-pagelist")
    if hidden:
        nav.set("hidden", "hidden")
    return nav


def _link(href: str, text: str, epub_type: str | None = None) -> etree._Element:
    a = E.a({"href": href}, text)
    if epub_type:
        a.set(EPUB_TYPE, epub_type)
    return a


def toc_items(book: Book) -> list[etree._Element]:
    words = strings(book.metadata.language)
    items = []
    for chapter in book.chapters:
        href = f"{chapter.slug}.xhtml"
        li = E.li(_link(href, chapter.title))
        sections = [h for h in chapter.headings if h.level == 2]
        if sections or chapter.bibliography:
            sub = E.ol(*[E.li(_link(f"{href}#{h.id}", h.text)) for h in sections])
            if chapter.bibliography:
                sub.append(E.li(_link(f"{href}#{chapter.slug}-references",
                                      strings(chapter.language or book.metadata.language)("nav.references"))))
            li.append(sub)
        items.append(li)
    if book.bibliography:
        items.append(E.li(_link("references.xhtml", words("nav.references"))))
    return items


def nav_document(book: Book, page_map: dict | None = None) -> bytes:
    first = book.chapters[0].slug if book.chapters else "titlepage"
    words = strings(book.metadata.language)
    landmarks = [
        E.li(_link("cover.xhtml", words("nav.cover"), "cover")),
        E.li(_link("titlepage.xhtml", words("nav.title_page"), "titlepage")),
        E.li(_link("nav.xhtml#toc", words("nav.contents"), "toc")),
        E.li(_link(f"{first}.xhtml", words("nav.start"), "bodymatter")),
    ]
    if book.bibliography:
        landmarks.append(E.li(_link("references.xhtml", words("nav.references"), "bibliography")))
    elif any(ch.bibliography for ch in book.chapters):
        chapter = next(ch for ch in book.chapters if ch.bibliography)
        landmarks.append(E.li(_link(f"{chapter.slug}.xhtml#{chapter.slug}-references", words("nav.references"),
                                    "bibliography")))
    parts = [_nav("toc", words("nav.contents"), toc_items(book)),
             _nav("landmarks", words("nav.landmarks"), landmarks, hidden=True)]
    if page_map:
        from publish.render.pagemap import insert_page_breaks, page_list

        pages = [E.li(_link(f"{brk.doc}.xhtml#page-{brk.label}", brk.label)) for brk in page_list(page_map)]
        if pages:
            parts.append(_nav("page-list", words("nav.pages"), pages, hidden=True))
        # The print edition's contents page: its marker sits before the contents list.
        holder = E.div({"class": "pagebreaks"})
        insert_page_breaks(holder, page_map.get("nav", []))
        parts[:0] = list(holder)
    return xhtml_document(words("nav.contents"), book.metadata.language, parts, ["css/book.css"])

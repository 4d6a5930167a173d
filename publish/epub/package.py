"""EPUB 3 renderer: maps the model onto ebooklib, then packages deterministically.

The steps read like the package they make (as Sphinx's EPUB builder does):

1. metadata (Dublin Core, dcterms:modified from the book, accessibility);
2. stylesheet, fonts and images;
3. cover, title page and one XHTML document per article;
4. navigation: our own nav document (toc, landmarks, page-list) and the NCX;
5. write with ebooklib to a temporary file, then re-pack the zip with fixed
   timestamps so the same source gives byte-identical output.

ebooklib is extended, not replaced: :class:`BookWriter` overrides its nav
(ebooklib titles the toc with the book title, gives it ``id="id"`` and knows
no bodymatter landmark) and adds ``xml:lang`` to the package element.
"""

from __future__ import annotations

import datetime as dt
import logging
import zipfile
from pathlib import Path

from ebooklib import epub
from lxml import etree

from publish.conventions import XML_LANG
from publish.epub.nav import nav_document
from publish.model import Book
from publish.output import atomic_output
from publish.paths import STYLES
from publish.render.accessibility import epub_accessibility_metadata, summary
from publish.render.cover import cover_image
from publish.render.markup import (
    E,
    bibliography_section,
    book_bibliography,
    chapter_section,
    colophon,
    title_page,
    xhtml_document,
)
from publish.render.pagemap import with_page_breaks

log = logging.getLogger(__name__)



class BookWriter(epub.EpubWriter):
    """ebooklib's writer with our nav document and a language on the package."""

    def __init__(self, name: str, book: epub.EpubBook, nav: bytes, language: str, options: dict):
        super().__init__(name, book, options)
        self._nav = nav
        self._language = language

    def _get_nav(self, item) -> bytes:
        return self._nav

    def _write_opf_file(self, root) -> None:
        root.set(XML_LANG, self._language)
        super()._write_opf_file(root)


def _document(uid: str, file_name: str, content: bytes) -> epub.EpubItem:
    item = epub.EpubItem(uid=uid, file_name=file_name, media_type="application/xhtml+xml", content=content)
    item.properties = []
    return item


def build_epub(book: Book, output: Path, page_map: dict | None = None) -> Path:
    """Write ``book`` as EPUB 3 to ``output`` (atomically); return the path."""
    meta = book.metadata
    lang = meta.language
    pub = epub.EpubBook()
    pub.set_identifier(meta.identifier)
    pub.set_title(meta.title)
    pub.set_language(lang)
    for index, author in enumerate(meta.authors):
        pub.add_author(author, uid=f"creator{index}")
    if meta.publisher:
        pub.add_metadata("DC", "publisher", meta.publisher)
    if meta.date:
        pub.add_metadata("DC", "date", meta.date)
    if meta.rights:
        pub.add_metadata("DC", "rights", meta.rights)
    if meta.description:
        pub.add_metadata("DC", "description", meta.description)
    if meta.subtitle:
        pub.add_metadata("DC", "title", meta.subtitle, {"id": "subtitle"})
        pub.add_metadata(None, "meta", "subtitle", {"refines": "#subtitle", "property": "title-type"})
    for prop, value, extra in epub_accessibility_metadata(book, page_map):
        if prop.startswith("dc:"):
            pub.add_metadata("DC", prop[3:], value, extra)
            continue
        attrs = {"property": prop, **extra}
        pub.add_metadata(None, "meta", value, attrs)

    css = epub.EpubItem(uid="css", file_name="css/book.css", media_type="text/css",
                        content=(STYLES / "epub.css").read_bytes())
    pub.add_item(css)
    stylesheets = ["css/book.css"]
    seen: set[str] = set()
    for chapter in book.chapters:
        for image in chapter.images:
            if image.href not in seen:
                seen.add(image.href)
                pub.add_item(epub.EpubItem(uid=f"img{len(seen)}", file_name=image.href,
                                           media_type=image.media_type, content=image.data))

    cover = cover_image(book)
    pub.add_item(epub.EpubCover(file_name=cover.href))
    pub.get_item_with_id("cover-img").content = cover.data
    pub.get_item_with_id("cover-img").media_type = cover.media_type
    pub.add_metadata(None, "meta", "", {"name": "cover", "content": "cover-img"})
    cover_doc = _document("cover", "cover.xhtml", xhtml_document(
        meta.title, lang,
        [with_page_breaks(E.section({"class": "cover", "id": "cover"},
                                    E.img({"src": cover.href, "alt": cover.alt, "class": "cover-image"})),
                          page_map, "cover")],
        stylesheets, body_type="cover"))
    titlepage = _document("titlepage", "titlepage.xhtml",
                          xhtml_document(meta.title, lang, [with_page_breaks(title_page(book), page_map, "titlepage")],
                                         stylesheets, body_type="frontmatter"))
    imprint_section = with_page_breaks(colophon(book, summary(book, page_map)), page_map, "colophon")
    imprint = _document("colophon", "colophon.xhtml",
                        xhtml_document("Colophon", lang, [imprint_section], stylesheets, body_type="frontmatter"))
    pub.add_item(cover_doc)
    pub.add_item(titlepage)
    pub.add_item(imprint)
    spine: list = [(cover_doc, "yes"), titlepage, imprint]
    chapters = []
    for chapter in book.chapters:
        body = chapter_section(chapter)
        if book.bibliography:
            _retarget_links(body, "references.xhtml")
        with_page_breaks(body, page_map, chapter.slug)
        doc = _document(chapter.slug, f"{chapter.slug}.xhtml",
                        xhtml_document(chapter.title, lang, [body], stylesheets, body_type="bodymatter"))
        pub.add_item(doc)
        spine.append(doc)
        chapters.append((chapter, doc))
    if book.bibliography:
        section = book_bibliography(book)
        if section is None:
            section = bibliography_section([], "references")
        with_page_breaks(section, page_map, "references")
        refs = _document("references", "references.xhtml",
                         xhtml_document("References", lang, [section], stylesheets, body_type="backmatter"))
        pub.add_item(refs)
        spine.append(refs)

    nav_item = epub.EpubNav(uid="nav", file_name="nav.xhtml")
    pub.add_item(nav_item)
    pub.add_item(epub.EpubNcx())
    pub.toc = [epub.Link(f"{ch.slug}.xhtml", ch.title, ch.slug) for ch, _ in chapters]
    if book.bibliography:
        pub.toc.append(epub.Link("references.xhtml", "References", "references"))
    spine.insert(3, nav_item)  # after the colophon, where the print edition has its contents
    pub.spine = spine
    nav = nav_document(book, page_map)
    modified = dt.datetime.strptime(meta.modified, "%Y-%m-%dT%H:%M:%SZ")
    with atomic_output(output) as tmp:
        raw = tmp.with_suffix(".raw.epub")
        BookWriter(str(raw), pub, nav, lang, {"mtime": modified, "epub3_pages": False}).write()
        repack_deterministic(raw, tmp, modified)
        raw.unlink()
    return output


def _retarget_links(section: etree._Element, document: str) -> None:
    """Point in-page links whose target is not in this article at ``document`` (the book's reference list)."""
    local = {element.get("id") for element in section.iter() if element.get("id")}
    for element in section.iter():
        href = element.get("href")
        if href and href.startswith("#") and href[1:] not in local:
            element.set("href", document + href)


def repack_deterministic(source: Path, target: Path, moment: dt.datetime) -> None:
    """Copy a zip with every entry stamped ``moment``; ``mimetype`` first and stored (OCF rule)."""
    stamp = (max(moment.year, 1980), moment.month, moment.day, moment.hour, moment.minute, moment.second)
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as dst:
        names = src.namelist()
        ordered = ["mimetype"] + [n for n in names if n != "mimetype"]
        for name in ordered:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.external_attr = 0o644 << 16
            info.create_system = 3
            if name == "mimetype":
                info.compress_type = zipfile.ZIP_STORED
            else:
                info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, src.read(name), compresslevel=9 if name != "mimetype" else None)


def read_back(path: Path) -> dict[str, etree._Element]:
    """Parse every XML file in an EPUB (tests and checks use it)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    out = {}
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.endswith((".xhtml", ".opf", ".ncx", ".xml")):
                out[name] = etree.fromstring(zf.read(name), parser)
    return out

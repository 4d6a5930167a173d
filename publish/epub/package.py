"""EPUB 3 renderer: maps the model onto ebooklib, then packages deterministically.

The steps read like the package they make (as Sphinx's EPUB builder does):

1. metadata (Dublin Core, dcterms:modified from the book, accessibility);
2. stylesheet, fonts and images;
3. the documents' sections: cover, title page, colophon, one per article,
   the book's reference list, from the shared builders (:mod:`publish.render.markup`);
4. the print edition's page breaks, into every document in one pass;
5. the package: cover image, documents, spine, navigation (our own nav
   document with toc, landmarks and page-list, and the NCX);
6. write with ebooklib to a temporary file, then re-pack the zip with fixed
   timestamps so the same source gives byte-identical output.

ebooklib is extended, not replaced: :class:`BookWriter` overrides its nav
(ebooklib titles the toc with the book title, gives it ``id="id"`` and knows
no bodymatter landmark) and adds ``xml:lang`` to the package element.
"""

from __future__ import annotations

import datetime as dt
import logging
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ebooklib import epub
from lxml import etree

from publish.conventions import XML_LANG
from publish.epub.nav import nav_document
from publish.i18n import strings
from publish.model import Book
from publish.output import atomic_output
from publish.paths import STYLES
from publish.render.accessibility import epub_accessibility_metadata, summary
from publish.render.branding import branding_css
from publish.render.cover import cover_image
from publish.render.markup import (
    E,
    bibliography_section,
    book_bibliography,
    chapter_section,
    colophon,
    retarget_links,
    title_page,
    xhtml_document,
)
from publish.render.pagemap import insert_all_page_breaks

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


@dataclass
class _Document:
    """One XHTML document of the package: its top section (built from the model), before it is serialised."""

    uid: str  # also the page map's name for it
    title: str
    section: etree._Element
    body_type: str

    @property
    def file_name(self) -> str:
        return f"{self.uid}.xhtml"


def build_epub(book: Book, output: Path, page_map: dict | None = None) -> Path:
    """Write ``book`` as EPUB 3 to ``output`` (atomically); return the path.

    The documents are built first, from the model; the print edition's page
    breaks go into all of them in one pass; then everything is packaged.
    """
    pub = _metadata(book, page_map)
    stylesheets = _resources(pub, book)
    cover = cover_image(book)
    documents = _documents(book, cover, page_map)
    insert_all_page_breaks([(doc.uid, doc.section) for doc in documents], page_map)
    chapters = _package(pub, book, documents, stylesheets, cover)
    nav = nav_document(book, page_map)
    modified = dt.datetime.strptime(book.metadata.modified, "%Y-%m-%dT%H:%M:%SZ")
    with atomic_output(output) as tmp:
        raw = tmp.with_suffix(".raw.epub")
        BookWriter(str(raw), pub, nav, book.metadata.language, {"mtime": modified, "epub3_pages": False}).write()
        repack_deterministic(raw, tmp, modified)
        raw.unlink()
    log.debug("EPUB with %d articles written", len(chapters))
    return output


def _metadata(book: Book, page_map: dict | None) -> epub.EpubBook:
    """Step 1: Dublin Core, the subtitle, and the accessibility metadata the content supports."""
    meta = book.metadata
    pub = epub.EpubBook()
    pub.set_identifier(meta.identifier)
    pub.set_title(meta.title)
    pub.set_language(meta.language)
    for index, author in enumerate(meta.authors):
        pub.add_author(author, uid=f"creator{index}")
    for name in ("publisher", "date", "rights", "description"):
        if getattr(meta, name):
            pub.add_metadata("DC", name, getattr(meta, name))
    if meta.subtitle:
        pub.add_metadata("DC", "title", meta.subtitle, {"id": "subtitle"})
        pub.add_metadata(None, "meta", "subtitle", {"refines": "#subtitle", "property": "title-type"})
    for prop, value, extra in epub_accessibility_metadata(book, page_map):
        if prop.startswith("dc:"):
            pub.add_metadata("DC", prop[3:], value, extra)
            continue
        pub.add_metadata(None, "meta", value, {"property": prop, **extra})
    return pub


def _resources(pub: epub.EpubBook, book: Book) -> list[str]:
    """Step 2: the stylesheet and each image once; returns the documents' stylesheets."""
    css = (STYLES / "epub.css").read_bytes()
    extra = branding_css(book, "epub")
    if extra:  # the book's accent and its own stylesheet, after the design's
        css += b"\n/* book.yaml: accent_color, stylesheet */\n" + extra.encode("utf-8") + b"\n"
    pub.add_item(epub.EpubItem(uid="css", file_name="css/book.css", media_type="text/css", content=css))
    logo = book.branding.logo
    if logo is not None:
        pub.add_item(epub.EpubItem(uid="logo", file_name=logo.href, media_type=logo.media_type, content=logo.data))
    seen: set[str] = set()
    for chapter in book.chapters:
        for image in chapter.images:
            if image.href not in seen:
                seen.add(image.href)
                pub.add_item(epub.EpubItem(uid=f"img{len(seen)}", file_name=image.href,
                                           media_type=image.media_type, content=image.data))
    return ["css/book.css"]


def _documents(book: Book, cover, page_map: dict | None) -> list[_Document]:
    """Step 3: every document's section, from the shared markup builders, in reading order."""
    words = strings(book.metadata.language)
    documents = [
        _Document("cover", book.metadata.title, E.section({"class": "cover", "id": "cover"}, E.img(
            {"src": cover.href, "alt": cover.alt, "class": "cover-image"})), "cover"),
        _Document("titlepage", book.metadata.title, title_page(book), "frontmatter"),
        _Document("colophon", words("book.colophon"), colophon(book, summary(book, page_map)), "frontmatter"),
    ]
    for chapter in book.chapters:
        body = chapter_section(chapter, book.metadata.language)
        if book.bibliography:
            retarget_links(body, "references.xhtml")
        documents.append(_Document(chapter.slug, chapter.title, body, "bodymatter"))
    if book.bibliography:
        section = book_bibliography(book)
        if section is None:
            section = bibliography_section([], "references", words)
        documents.append(_Document("references", words("book.references"), section, "backmatter"))
    return documents


def _package(pub: epub.EpubBook, book: Book, documents: list[_Document], stylesheets: list[str], cover) -> list:
    """Step 5: the cover image, the documents in the spine, the navigation after the colophon."""
    lang = book.metadata.language
    pub.add_item(epub.EpubCover(file_name=cover.href))
    pub.get_item_with_id("cover-img").content = cover.data
    pub.get_item_with_id("cover-img").media_type = cover.media_type
    pub.add_metadata(None, "meta", "", {"name": "cover", "content": "cover-img"})
    spine: list = []
    chapters = []
    slugs = {chapter.slug for chapter in book.chapters}
    for doc in documents:
        item = _document(doc.uid, doc.file_name, xhtml_document(doc.title, lang, [doc.section], stylesheets,
                                                                body_type=doc.body_type))
        pub.add_item(item)
        spine.append((item, "yes") if doc.uid == "cover" else item)
        if doc.uid in slugs:
            chapters.append(doc)
    pub.add_item(epub.EpubNav(uid="nav", file_name="nav.xhtml"))
    pub.add_item(epub.EpubNcx())
    pub.toc = [epub.Link(doc.file_name, doc.title, doc.uid) for doc in chapters]
    if book.bibliography:
        pub.toc.append(epub.Link("references.xhtml", strings(book.metadata.language)("nav.references"), "references"))
    spine.insert(3, pub.get_item_with_id("nav"))  # after the colophon, where the print edition has its contents
    pub.spine = spine
    return chapters


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

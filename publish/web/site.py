"""The web edition's files, from the model: an index, one page per article, the stylesheet, images, a sitemap.

The steps, as :func:`render_site` takes them:

1. every article page, from :func:`publish.render.markup.chapter_section` (the
   EPUB's markup: citations, reference list, notes, figures, pull quotes),
   with a skip link, the book's name leading home, and previous/next links;
2. the book's reference list on a page of its own when ``bibliography_placement`` is ``book``;
3. the index: the title page's words, the description, each article with its
   summary, and the download links to the EPUB and the PDF;
4. the stylesheet (``styles/web.css``), the images, and ``sitemap.xml`` when
   ``book.yaml`` gives the site's ``url`` (a sitemap holds absolute addresses only).

Everything is a ``{relative path: bytes}`` mapping: the command writes it to a
folder, the preview serves it from memory.  The same model gives the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from lxml import etree

from publish.i18n import Strings, strings
from publish.model import Book, Chapter
from publish.paths import STYLES
from publish.render.branding import branding_css
from publish.render.markup import (
    book_bibliography,
    chapter_section,
    colophon,
    retarget_links,
    title_content,
    title_page,
)
from publish.web.html import H, Head, document, plain

STYLESHEET = "css/web.css"
INDEX = "index.html"
REFERENCES = "references.html"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"


@dataclass(frozen=True)
class Download:
    """An edition to offer on the index: its file name in the site folder and its size in bytes."""

    kind: str  # "epub" or "pdf"
    name: str
    size: int


@dataclass(frozen=True)
class Options:
    """How the pages are made: the downloads to offer, and (in the preview only) a script to add."""

    downloads: tuple[Download, ...] = ()
    scripts: tuple[str, ...] = ()


def page_name(chapter: Chapter) -> str:
    return f"{chapter.slug}.html"


def _address(book: Book, name: str) -> str:
    base = book.metadata.url.rstrip("/")
    if not base:
        return ""
    return f"{base}/" if name == INDEX else f"{base}/{name}"


def _head(book: Book, title: str, description: str, name: str, options: Options, og_type: str = "website",
          links: list[tuple[str, str]] | None = None) -> Head:
    meta = book.metadata
    return Head(title=title, description=" ".join(description.split()), url=_address(book, name),
                site_name=meta.title, og_type=og_type, locale=meta.language, links=links or [],
                scripts=options.scripts)


def _frame(book: Book, words: Strings, main: list[etree._Element], home: bool = False) -> list[etree._Element]:
    """What every page has around its text: a skip link, the banner (the book, leading home), ``<main>``."""
    skip = H.a(words("web.skip"), {"class": "skip-link"}, href="#main")
    name = book.metadata.title
    banner = H.header({"class": "site"}, H.p({"class": "site-title"}, name if home else H.a(
        name, href=INDEX, title=words("web.home", title=name))))
    logo = book.branding.logo
    if logo is not None:  # the practice's mark before the book's name; its words are its alt text
        banner.insert(0, H.img({"class": "site-logo", "src": logo.href, "alt": logo.alt}))
    return [skip, banner, H.main({"id": "main", "tabindex": "-1"}, *main)]


def _pager(book: Book, words: Strings, index: int) -> tuple[etree._Element | None, list[tuple[str, str]]]:
    """The previous and next articles, as a navigation block and as ``<link rel>`` for the head."""
    items, links = [], []
    for offset, rel, key in ((-1, "prev", "web.previous"), (1, "next", "web.next")):
        other = index + offset
        if 0 <= other < len(book.chapters):
            neighbour = book.chapters[other]
            href = page_name(neighbour)
            items.append(H.li({"class": rel}, H.a(words(key, title=neighbour.title), href=href, rel=rel)))
            links.append((rel, href))
    if not items:
        return None, links
    return H.nav({"class": "pager", "aria-label": words("web.pager")}, H.ul(*items)), links


def article_page(book: Book, index: int, options: Options = Options()) -> bytes:
    """One article's page: the EPUB's section for it, in the site's frame."""
    chapter = book.chapters[index]
    words = strings(book.metadata.language)
    section = chapter_section(chapter, book.metadata.language)
    if book.bibliography:
        retarget_links(section, REFERENCES)
    pager, links = _pager(book, words, index)
    body = _frame(book, words, [plain(section)])
    if pager is not None:
        body.append(pager)
    title = f"{chapter.title} – {book.metadata.title}"
    info = _head(book, title, chapter.summary or book.metadata.description, page_name(chapter), options,
                 "article", links)
    return document(chapter.language or book.metadata.language, info, body, STYLESHEET)


def references_page(book: Book, options: Options = Options()) -> bytes | None:
    section = book_bibliography(book)
    if section is None:
        return None
    words = strings(book.metadata.language)
    info = _head(book, f"{words('nav.references')} – {book.metadata.title}", book.metadata.description,
                 REFERENCES, options)
    return document(book.metadata.language, info, _frame(book, words, [plain(section)]), STYLESHEET)


def _size(size: int) -> str:
    return f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"


def index_page(book: Book, options: Options = Options()) -> bytes:
    """The home page: who the book is by, what it is, its articles with their summaries, the downloads."""
    meta = book.metadata
    words = strings(meta.language)
    main = [plain(title_page(book))]
    if meta.description:
        main.append(H.p({"class": "description"}, meta.description))
    entries = []
    for chapter in book.chapters:
        link = H.a(href=page_name(chapter))
        for part in title_content(chapter):
            if isinstance(part, str):
                link.text = (link.text or "") + part
            else:
                link.append(plain(part))
        item = H.li(H.h3(link))
        if chapter.language:
            item.set("lang", chapter.language)
        if chapter.subtitle:
            item.append(H.p({"class": "subtitle"}, chapter.subtitle))
        if chapter.summary:
            item.append(H.p({"class": "summary"}, chapter.summary))
        entries.append(item)
    main.append(H.section({"class": "articles", "aria-labelledby": "articles-title"},
                          H.h2(words("web.articles"), id="articles-title"), H.ol({"class": "articles"}, *entries)))
    if options.downloads:
        types = {"epub": "application/epub+zip", "pdf": "application/pdf"}
        links = [H.li(H.a(words(f"web.{d.kind}", size=_size(d.size)), href=d.name, type=types[d.kind]))
                 for d in options.downloads]
        main.append(H.section({"class": "downloads", "aria-labelledby": "downloads-title"},
                              H.h2(words("web.downloads"), id="downloads-title"), H.ul(*links)))
    main.append(plain(colophon(book, words("web.statement"))))
    info = _head(book, meta.title + (f": {meta.subtitle}" if meta.subtitle else ""), meta.description, INDEX,
                 options)
    return document(meta.language, info, _frame(book, words, main, home=True), STYLESHEET)


def sitemap(book: Book) -> bytes | None:
    """``sitemap.xml`` (absolute addresses, the book's date as the last change), or None without a ``url``."""
    if not book.metadata.url:
        return None
    root = etree.Element(f"{{{SITEMAP}}}urlset", nsmap={None: SITEMAP})
    names = [INDEX, *(page_name(ch) for ch in book.chapters)] + ([REFERENCES] if book.bibliography else [])
    for name in names:
        entry = etree.SubElement(root, f"{{{SITEMAP}}}url")
        etree.SubElement(entry, f"{{{SITEMAP}}}loc").text = _address(book, name)
        if book.metadata.date:
            etree.SubElement(entry, f"{{{SITEMAP}}}lastmod").text = book.metadata.date
    return etree.tostring(root, encoding="utf-8", xml_declaration=True, pretty_print=True)


def stylesheet(book: Book) -> bytes:
    """``styles/web.css``, then what the book's branding adds (its accent, its own web stylesheet)."""
    extra = branding_css(book, "web")
    css = (STYLES / "web.css").read_bytes()
    return css + b"\n/* book.yaml: accent_color, stylesheet */\n" + extra.encode("utf-8") + b"\n" if extra else css


def render_site(book: Book, options: Options = Options()) -> dict[str, bytes]:
    """Every file of the web edition, by its path in the site folder (see the module's steps)."""
    files = {page_name(ch): article_page(book, n, options) for n, ch in enumerate(book.chapters)}
    references = references_page(book, options)
    if references is not None:
        files[REFERENCES] = references
    files[INDEX] = index_page(book, options)
    files[STYLESHEET] = stylesheet(book)
    if book.branding.logo is not None:
        files[book.branding.logo.href] = book.branding.logo.data
    for chapter in book.chapters:
        for image in chapter.images:
            files.setdefault(str(PurePosixPath(image.href)), image.data)
    map_file = sitemap(book)
    if map_file is not None:
        files["sitemap.xml"] = map_file
    return dict(sorted(files.items()))

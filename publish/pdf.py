"""PDF renderer: the model as one print HTML document, laid out once by WeasyPrint.

Stages:

1. build the print HTML (cover, title page, colophon, contents, articles)
   from the same builder functions as the EPUB;
2. lay it out once (``HTML.render``) with a URL fetcher that serves only the
   book's images and the ``styles/`` folder — a build never touches the
   network or files outside the book;
3. the laid-out document gives the page map (for the EPUB page-list) and is
   written as tagged PDF/UA-1 to a temporary file, then renamed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .accessibility import summary
from .cover import cover_image
from .findings import Finding, error
from .markup import E, book_bibliography, chapter_section, title_page
from .model import Book
from .output import atomic_output
from .pdf_tags import finish_tags
from .xhtml import XHTML

log = logging.getLogger(__name__)

STYLES = Path(__file__).resolve().parent.parent / "styles"
VIRTUAL_ROOT = "/__book__/"
PAGE_SIZES = {"A5": "A5", "A4": "A4", "Letter": "letter", "6x9in": "6in 9in"}


class BookFetcher(URLFetcher):
    """Serves the book's images from the model and files under ``styles/``; refuses the rest."""

    def __init__(self, resources: dict[str, tuple[bytes, str]]):
        super().__init__(allowed_protocols=["file"])
        self.resources = resources
        self.refused: list[str] = []

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        parts = urlsplit(url)
        path = unquote(parts.path)
        if parts.scheme == "file" and path.startswith(VIRTUAL_ROOT):
            key = path[len(VIRTUAL_ROOT):]
            if key in self.resources:
                data, media_type = self.resources[key]
                return URLFetcherResponse(url, data, {"Content-Type": media_type})
        if parts.scheme == "file":
            local = Path(path).resolve()
            if local.is_relative_to(STYLES.resolve()) and local.is_file():
                return URLFetcherResponse(url, local.read_bytes(), {})
        self.refused.append(url)
        raise ValueError(f"resource outside the book refused: {url}")


@dataclass
class Rendered:
    """A laid-out PDF: WeasyPrint's document plus what we learned while laying it out."""

    document: object
    findings: list[Finding] = field(default_factory=list)


def print_html(book: Book) -> etree._Element:
    """The whole book as one XHTML tree for WeasyPrint."""
    meta = book.metadata
    head = E.head(E.title(meta.title))
    for name, value in (("author", ", ".join(meta.authors)), ("description", meta.description),
                        ("dcterms.created", meta.modified), ("dcterms.modified", meta.modified),
                        ("generator", "publish")):
        if value:
            head.append(E.meta(name=name, content=value))
    body = E.body()
    body.append(_cover_page(book))
    body.append(title_page(book))
    body.append(_colophon(book))
    body.append(_contents(book))
    for chapter in book.chapters:
        section = chapter_section(chapter)
        _prefix_ids(section, f"{chapter.slug}-")
        body.append(section)
    refs = book_bibliography(book)
    if refs is not None:
        body.append(refs)
    html = E.html(head, body)
    html.set("lang", meta.language)
    return html


def _cover_page(book: Book) -> etree._Element:
    cover = cover_image(book)
    if book.cover is not None:
        return E.section({"class": "cover-page"}, E.img({"src": cover.href, "alt": cover.alt}))
    meta = book.metadata
    parts = [E.p({"class": "cover-title"}, meta.title)]
    if meta.subtitle:
        parts.append(E.p({"class": "cover-subtitle"}, meta.subtitle))
    if meta.publisher:
        parts.append(E.p({"class": "cover-publisher"}, meta.publisher))
    return E.section({"class": "cover-page", "aria-label": "Cover"}, *parts)


def _colophon(book: Book) -> etree._Element:
    meta = book.metadata
    lines = []
    if meta.rights:
        lines.append(E.p(meta.rights))
    if meta.date:
        lines.append(E.p(f"This edition: {meta.date}"))
    lines.append(E.p(f"Identifier: {meta.identifier}"))
    if meta.notice:
        lines.append(E.p({"class": "notice"}, meta.notice))
    lines.append(E.p({"class": "accessibility"}, summary(book, None)))
    return E.section({"class": "colophon", "aria-label": "Colophon"}, *lines)


def _contents(book: Book) -> etree._Element:
    items = []
    for chapter in book.chapters:
        items.append(E.li(E.a({"href": f"#{chapter.slug}"}, chapter.title)))
    if book.bibliography:
        items.append(E.li(E.a({"href": "#references"}, "References")))
    return E.nav({"class": "toc", "aria-labelledby": "toc-title"},
                 E.h1({"id": "toc-title", "class": "toc-title"}, "Contents"), E.ol(*items))


def _prefix_ids(section: etree._Element, prefix: str) -> None:
    """Make an article's ids unique within the one-document PDF (each EPUB article is its own file)."""
    own = section.get("id")
    local = {e.get("id") for e in section.iter() if e.get("id")}
    for element in section.iter():
        ident = element.get("id")
        if ident and element is not section:
            element.set("id", prefix + ident)
        for attr in ("aria-labelledby", "aria-describedby"):
            if element.get(attr):
                element.set(attr, " ".join(prefix + v for v in element.get(attr).split()))
        href = element.get("href")
        if href and href.startswith("#") and href[1:] in local:
            element.set("href", "#" + prefix + href[1:])
    if own:
        section.set("id", own)


def render(book: Book) -> Rendered:
    """Lay the book out once; the result serves the PDF and the EPUB page-list."""
    resources = {img.href: (img.data, img.media_type) for ch in book.chapters for img in ch.images}
    cover = cover_image(book)
    resources[cover.href] = (cover.data, cover.media_type)
    fetcher = BookFetcher(resources)
    tree = print_html(book)
    source = etree.tostring(tree, encoding="unicode", method="html")
    size = PAGE_SIZES.get(book.page_size, "A5")
    css = [CSS(filename=str(STYLES / "print.css"), url_fetcher=fetcher),
           CSS(string=f"@page {{ size: {size}; }}", url_fetcher=fetcher)]
    html = HTML(string=source, base_url=f"file://{VIRTUAL_ROOT}", url_fetcher=fetcher)
    document = html.render(stylesheets=css)
    findings = [error("p-001", f"the PDF refers to a resource outside the book: {url}", None,
                      "use images inside the book folder") for url in fetcher.refused]
    return Rendered(document, findings)


def write_pdf(rendered: Rendered, output: Path) -> Path:
    with atomic_output(output) as tmp:
        rendered.document.write_pdf(tmp, pdf_variant="pdf/ua-1")  # type: ignore[attr-defined]
        finish_tags(tmp, rendered.document)  # artifacts, hidden content, link text (publish.pdf_tags)
    return output


__all__ = ["XHTML", "render", "write_pdf"]

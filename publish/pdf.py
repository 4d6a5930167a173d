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

import gc
import logging
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .accessibility import print_statement
from .cover import cover_image
from .findings import Finding, error
from .markup import E, book_bibliography, chapter_section, colophon, title_page
from .model import Book
from .output import atomic_output
from .pdf_tags import TagNotes, finish_tags, tag_notes
from .press import finish_press
from .xhtml import EPUB_TYPE, XHTML, q

log = logging.getLogger(__name__)

STYLES = Path(__file__).resolve().parent.parent / "styles"
VIRTUAL_ROOT = "/__book__/"
PAGE_SIZES = {"A5": "A5", "A4": "A4", "Letter": "letter", "6x9in": "6in 9in"}


@dataclass(frozen=True)
class Edition:
    """One printed form of the book: stylesheets on top of print.css, page size, PDF variant."""

    stylesheets: tuple[str, ...] = ("print.css",)
    page_size: str | None = None  # None: the book's print.page_size
    variant: str | None = "pdf/ua-1"
    output_intent: str | None = None
    impose: bool = False


EDITIONS = {
    # The accessible handout: tagged PDF/UA-1 at the configured size.
    "standard": Edition(),
    # For a print shop: PDF/X-3 (fonts embedded, trim and bleed boxes), 3 mm bleed and crop marks.
    # X-3 rather than X-4: WeasyPrint writes a random XMP DocumentID for X-4, which breaks
    # byte-identical builds; the book has no transparency, so X-4 would add nothing.
    # Untagged: PDF/X and PDF/UA are separate files with separate readers.
    "press": Edition(("print.css", "press.css"), variant="pdf/x-3"),
    # The same book at 18 pt on A4 in Atkinson Hyperlegible, still tagged.
    "large-print": Edition(("print.css", "large-print.css"), page_size="A4"),
    # The A5 pages imposed two-up on A4 for an office printer: imposition drops the tags.
    "booklet": Edition(page_size="A5", variant=None, impose=True),
}
TYPEFACES = {
    "standard": "Set in Source Serif 4 (SIL Open Font License).",
    "large-print": "Set in Atkinson Hyperlegible (SIL Open Font License) for large print.",
}


@dataclass(frozen=True)
class Part:
    """A stretch of the book laid out as its own WeasyPrint document.

    The default is the whole book in one document.  A long book is laid out
    in parts on several cores (:mod:`publish.pdf_parts`): the front matter
    (``front=True`` with ``chapters=(0, 0)``) and runs of articles.  A part
    without the articles cannot use ``target-counter`` for its contents, so
    ``toc_pages`` gives the page numbers (an empty mapping prints wide
    placeholders, to measure the front matter before the numbers are known).
    """

    front: bool = True
    chapters: tuple[int, int] | None = None  # [start, stop) into book.chapters; None: every article
    references: bool = True  # the whole-book reference list, when the book has one
    toc_pages: dict[str, int] | None = None  # None: WeasyPrint's target-counter

    def articles(self, book: Book) -> list:
        start, stop = self.chapters if self.chapters is not None else (0, len(book.chapters))
        return book.chapters[start:stop]


WHOLE = Part()
TOC_PLACEHOLDER = 8888  # four tabular figures: at least as wide as any real page number


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
    edition: str = "standard"
    decorative: frozenset[str] = frozenset()  # hrefs of images marked decorative (empty alt on purpose)


class DecorativeAltFilter(logging.Filter):
    """Drop WeasyPrint's "no required alt description" error for images marked decorative.

    WeasyPrint's PDF/UA tagging wants alt text on every image; a decorative
    image has none on purpose and :func:`publish.pdf_tags.finish_tags` turns
    it into an artifact, so the error would be a false alarm in the build log.
    Every other record passes, including the same error for any other image.
    """

    def __init__(self, hrefs: frozenset[str]):
        super().__init__()
        self.hrefs = hrefs

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.msg == 'Image "%s" has no required alt description'
                    and record.args and record.args[0] in self.hrefs)


def print_html(book: Book, edition: str = "standard", part: Part = WHOLE) -> etree._Element:
    """The book (or one :class:`Part` of it) as one XHTML tree for WeasyPrint."""
    meta = book.metadata
    head = E.head(E.title(meta.title))
    for name, value in (("author", ", ".join(meta.authors)), ("description", meta.description),
                        ("dcterms.created", meta.modified), ("dcterms.modified", meta.modified),
                        ("generator", "publish")):
        if value:
            head.append(E.meta(name=name, content=value))
    body = E.body()
    if part.front:
        body.append(_cover_page(book))
        body.append(title_page(book))
        body.append(_colophon(book, edition))
        body.append(_contents(book, part.toc_pages))
    else:  # the left-hand running head names the series; without the title page, the body sets it
        body.set("data-series", " ".join(meta.title.split()))
    for chapter in part.articles(book):
        section = chapter_section(chapter)
        _notes_to_footnotes(section)
        _prefix_ids(section, f"{chapter.slug}-")
        body.append(section)
    refs = book_bibliography(book) if part.references else None
    if refs is not None:
        body.append(refs)
    html = E.html(head, body)
    html.set("lang", meta.language)
    return html


def _cover_page(book: Book) -> etree._Element:
    """The PDF's first page: the book's cover image, or the typographic cover as real text."""
    cover = cover_image(book)
    if book.cover is not None:
        return E.section({"class": "cover-page"}, E.img({"src": cover.href, "alt": cover.alt}))
    meta = book.metadata
    text = E.div({"class": "cover-text"}, E.p({"class": "cover-title"}, meta.title))
    if meta.subtitle:
        text.append(E.p({"class": "cover-subtitle"}, meta.subtitle))
    text.append(E.div({"class": "cover-rule", "aria-hidden": "true"}))
    parts = [E.div({"class": "cover-band", "aria-hidden": "true"}), text]
    if meta.publisher:
        parts.append(E.p({"class": "cover-publisher"}, meta.publisher))
    return E.section({"class": "cover-page", "aria-label": "Cover"}, *parts)


def _colophon(book: Book, edition: str = "standard") -> etree._Element:
    """The shared colophon with the tagged PDF's accessibility statement and the edition's typeface."""
    return colophon(book, print_statement(book), (TYPEFACES.get(edition, TYPEFACES["standard"]),))


def _contents(book: Book, pages: dict[str, int] | None = None) -> etree._Element:
    """Article titles (with subtitles) and their page numbers.

    In the whole-book document WeasyPrint fills the numbers in with
    ``target-counter``; a front-matter part gets them in ``pages`` (see
    :class:`Part`) and prints them from ``data-page``.
    """
    items = []
    for chapter in book.chapters:
        link = E.a({"href": f"#{chapter.slug}"}, chapter.title)
        if pages is not None:
            link.set("data-page", str(pages.get(chapter.slug, TOC_PLACEHOLDER)))
        item = E.li(link)
        if chapter.subtitle:
            item.append(E.span({"class": "toc-sub"}, chapter.subtitle))
        items.append(item)
    if book.bibliography:
        link = E.a({"href": "#references"}, "References")
        if pages is not None:
            link.set("data-page", str(pages.get("references", TOC_PLACEHOLDER)))
        items.append(E.li(link))
    return E.nav({"class": "toc", "aria-labelledby": "toc-title"},
                 E.h1({"id": "toc-title", "class": "toc-title"}, "Contents"), E.ol(*items))


def _notes_to_footnotes(section: etree._Element) -> None:
    """Move each note's text to its call, where CSS ``float: footnote`` sets it at the foot of the page.

    The model keeps Markdown footnotes as endnotes (right for the EPUB); on
    paper a reader wants the note on the page that calls it.  Notes never
    called stay in the endnote list.
    """
    lists = [el for el in section.iter(q("section")) if el.get(EPUB_TYPE) == "endnotes"]
    notes = {li.get("id"): li for block in lists for li in block.iter(q("li")) if li.get("id")}
    for link in list(section.iter(q("a"))):
        if link.get("role") != "doc-noteref":
            continue
        li = notes.get((link.get("href") or "").lstrip("#"))
        sup = link.getparent()
        if li is None or sup is None or sup.tag != q("sup"):
            continue
        note = E.span({"class": "footnote", "role": "doc-footnote", "id": li.get("id")})
        for para in [p for p in li if p.tag == q("p")] or [li]:
            for back in [a for a in para.iter(q("a")) if a.get("role") == "doc-backlink"]:
                _drop(back)
            holder = E.span({"class": "footnote-para"})
            holder.text = para.text
            for child in list(para):
                holder.append(child)
            note.append(holder)
        note.tail = sup.tail
        sup.getparent().replace(sup, note)
        li.getparent().remove(li)
    for block in lists:
        if not any(True for _ in block.iter(q("li"))) and block.getparent() is not None:
            block.getparent().remove(block)


def _drop(element: etree._Element) -> None:
    """Remove an element, keeping its tail text in place."""
    parent = element.getparent()
    tail = (element.tail or "").rstrip()
    previous = element.getprevious()
    if previous is not None:
        previous.tail = ((previous.tail or "") + tail).rstrip() or None
    else:
        parent.text = ((parent.text or "") + tail).rstrip() or None
    parent.remove(element)


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


PART_CSS = """
nav.toc a[data-page]::after { content: leader(" ") attr(data-page); }
body[data-series] { string-set: series attr(data-series); }
"""


def render(book: Book, edition: str = "standard", part: Part = WHOLE) -> Rendered:
    """Lay the book (or one part of it) out once; the result serves the PDF and the EPUB page-list.

    ``edition`` picks extra stylesheets, the page size and the PDF variant
    (see :data:`EDITIONS`); the standard edition is the accessible handout.
    """
    spec = EDITIONS[edition]
    resources = {img.href: (img.data, img.media_type) for ch in part.articles(book) for img in ch.images}
    if part.front:
        cover = cover_image(book)
        resources[cover.href] = (cover.data, cover.media_type)
    fetcher = BookFetcher(resources)
    tree = print_html(book, edition, part)
    decorative = frozenset(img.get("src") for img in tree.iter(f"{{{XHTML}}}img") if img.get("role") == "presentation")
    source = etree.tostring(tree, encoding="unicode", method="html")
    size = PAGE_SIZES.get(spec.page_size or book.page_size, "A5")
    fonts = FontConfiguration()  # @font-face needs it; the fonts come from styles/fonts/ only
    css = [CSS(filename=str(STYLES / name), url_fetcher=fetcher, font_config=fonts)
           for name in spec.stylesheets]
    css.append(CSS(string=f"@page {{ size: {size}; }}", url_fetcher=fetcher, font_config=fonts))
    if part != WHOLE:
        css.append(CSS(string=PART_CSS, url_fetcher=fetcher, font_config=fonts))
    html = HTML(string=source, base_url=f"file://{VIRTUAL_ROOT}", url_fetcher=fetcher)
    options = {"output_intent": spec.output_intent} if spec.output_intent else {}
    document = html.render(stylesheets=css, font_config=fonts, **options)
    findings = [error("p-001", f"the PDF refers to a resource outside the book: {url}", None,
                      "use images inside the book folder") for url in fetcher.refused]
    return Rendered(document, findings, edition, decorative)


def write_pdf(rendered: Rendered, output: Path, release: bool = False) -> Path:
    """Write the laid-out PDF atomically.

    ``release=True`` (the pipeline's last use of the layout) drops
    ``rendered.document`` once WeasyPrint has written it, so its boxes are
    freed before pikepdf loads the PDF to finish the tags: the build's peak
    memory is then the layout's, not the layout's plus the PDF's.
    """
    with atomic_output(output) as tmp:
        write_part(rendered, tmp, release)
        finish_edition(rendered.edition, tmp)
    return output


def write_part(rendered: Rendered, path: Path, release: bool = False,
               descriptions: dict[str, str] | None = None) -> None:
    """Write one laid-out document as tagged PDF (for the tagged editions) and finish its tags.

    ``descriptions`` describes link targets (see :func:`publish.pdf_tags.link_descriptions`)
    when the document is one part of the book and links to anchors in other parts.
    """
    spec = EDITIONS[rendered.edition]
    document = rendered.document
    quiet = DecorativeAltFilter(rendered.decorative)
    logging.getLogger("weasyprint").addFilter(quiet)
    try:
        document.write_pdf(path, pdf_variant=spec.variant)  # type: ignore[attr-defined]
    finally:
        logging.getLogger("weasyprint").removeFilter(quiet)
    notes = tag_notes(document) if spec.variant == "pdf/ua-1" else None
    if notes is not None and descriptions is not None:
        notes = TagNotes(notes.regions, {**descriptions, **notes.descriptions})
    if release:
        rendered.document = document = None
        gc.collect()  # WeasyPrint's boxes hold reference cycles
    if notes is not None:  # only the tagged editions carry a structure tree to finish
        finish_tags(path, notes)  # artifacts, hidden content, link text (publish.pdf_tags)


def finish_edition(edition: str, path: Path) -> None:
    """What an edition does to the whole written PDF: press marks and output intent, or imposition."""
    spec = EDITIONS[edition]
    if spec.variant and spec.variant.startswith("pdf/x"):
        finish_press(path)  # output intent, DefaultRGB, slug and crop marks (publish.press)
    if spec.impose:
        from .impose import impose_booklet

        impose_booklet(path)


__all__ = ["EDITIONS", "WHOLE", "XHTML", "Part", "finish_edition", "render", "write_part", "write_pdf"]

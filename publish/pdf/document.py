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
import io
import logging
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from publish.checks.book import print_font_lacks
from publish.conventions import XHTML
from publish.findings import Finding, Location, error
from publish.model import PAGE_SIZES, Book
from publish.output import atomic_output
from publish.paths import STYLES
from publish.pdf.editions import EDITIONS, TYPEFACES, Edition, finish_edition
from publish.pdf.print_html import TOC_PLACEHOLDER, WHOLE, Part, print_html
from publish.pdf.tags import finish_tags, tag_notes
from publish.render.branding import BOOK_FONTS, Swap, branding_css, face_swaps, swap_faces

log = logging.getLogger(__name__)

VIRTUAL_ROOT = "/__book__/"
# The book's branding: the font files it chose for the design's families, its CSS (read last), its own
# font files by name.
Brand = tuple[tuple[Swap, ...], str, tuple[tuple[str, bytes], ...]]
NO_BRAND: Brand = ((), "", ())


def book_brand(book: Book, edition: str) -> Brand:
    """What :func:`stylesheets` needs of the book's branding (hashable, so parsed styles are shared)."""
    swaps = face_swaps(book, edition, f"file://{VIRTUAL_ROOT}{BOOK_FONTS}")
    files = tuple((face.name, face.data) for face in book.branding.faces) if swaps else ()
    return swaps, branding_css(book, edition), files


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


class _FailedImages(logging.Handler):
    """WeasyPrint's "Failed to load image" and "Failed to render SVG image" errors, as (href, reason)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.images: list[tuple[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg in ("Failed to load image at %r: %s", "Failed to render SVG image %s") and record.args:
            href = str(record.args[0]).removeprefix(f"file://{VIRTUAL_ROOT}").lstrip("/")
            detail = str(record.args[1]).strip().splitlines() if len(record.args) > 1 else []
            why = detail[0] if detail else "it is not an image WeasyPrint can read"
            if (href, why) not in self.images:
                self.images.append((href, why))


class KnownProblemsFilter(logging.Filter):
    """Keep WeasyPrint warnings that the build already reports, or that are no problem, out of the log.

    * "no required alt description" for an image marked decorative: WeasyPrint's
      PDF/UA tagging wants alt text on every image; a decorative image has none
      on purpose, and :func:`publish.pdf.tags.finish_tags` makes it an artifact.
    * ".notdef glyph rendered" for a character the print fonts lack: finding
      p-002 (:func:`publish.checks.book.check_glyphs`) names it and the file it is in.

    Every other record passes, including the same messages for other images or characters.
    """

    def __init__(self, hrefs: frozenset[str]):
        super().__init__()
        self.hrefs = hrefs

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg == 'Image "%s" has no required alt description':
            return not (record.args and record.args[0] in self.hrefs)
        if isinstance(record.msg, str) and record.msg.startswith(".notdef glyph rendered") and record.args:
            return not (isinstance(record.args[-1], int) and print_font_lacks(record.args[-1]))
        return True


PART_CSS = """
nav.toc a[data-page]::after { content: leader(" ") attr(data-page); }
body[data-series] { string-set: series attr(data-series); }
"""


@lru_cache(maxsize=8)
def stylesheets(edition: str, size: str, brand: Brand = NO_BRAND) -> tuple[FontConfiguration, tuple[CSS, ...]]:
    """The edition's parsed stylesheets and the font configuration their ``@font-face`` rules filled.

    Parsed once per process: a long book is laid out in parts, several per
    worker, and parsing ``print.css`` and loading every face again cost about
    50 ms a part.  Only files under ``styles/`` are fetched here (the book's
    images go through each document's own :class:`BookFetcher`), and the
    styles are read-only once parsed, so sharing them changes no byte.
    :data:`PART_CSS` is always there: its rules match only a part's markup.
    ``brand`` is the book's branding CSS (written last) and its own font files.
    """
    swaps, css_text, font_files = brand
    fetcher = BookFetcher({f"{BOOK_FONTS}{name}": (data, "font/sfnt") for name, data in font_files})
    fonts = FontConfiguration()  # @font-face needs it; the fonts come from styles/fonts/ (and the book's own)
    css = [CSS(string=swap_faces((STYLES / name).read_text(encoding="utf-8"), swaps), base_url=f"{STYLES}/",
               url_fetcher=fetcher, font_config=fonts) if swaps else
           CSS(filename=str(STYLES / name), url_fetcher=fetcher, font_config=fonts)
           for name in EDITIONS[edition].stylesheets]
    css.append(CSS(string=f"@page {{ size: {size}; }}", url_fetcher=fetcher, font_config=fonts))
    css.append(CSS(string=PART_CSS, url_fetcher=fetcher, font_config=fonts))
    if css_text:
        css.append(CSS(string=css_text, base_url=f"{STYLES}/", url_fetcher=fetcher, font_config=fonts))
    if fetcher.refused:
        raise RuntimeError(f"the {edition} stylesheets refer to files outside styles/: {fetcher.refused}")
    return fonts, tuple(css)


WARM_UP_HTML = """<html lang="en"><body data-series="Sample">
<section class="chapter" id="sample"><header><h1 class="chapter-title">A sample article</h1></header>
<p>A paragraph long enough to be justified and hyphenated over several lines of an A5 page, with
<em>emphasis</em>, <strong>strong words</strong>, oldstyle figures 1234567890, a citation (Author, 2020)
and <a href="#sample">a link</a>.</p></section></body></html>"""


def warm_up(edition: str = "standard") -> None:
    """Lay out and write a sample page with the edition's styles, so that processes forked afterwards start warm.

    Pango's fonts, HarfBuzz's shaping plans and cffi's parsed C types live in
    the process and the font configuration of :func:`stylesheets`; a worker
    forked after this inherits them instead of building them during its first
    part (0.41 G instructions under callgrind, 8 % of a two-article part).
    Nothing of the sample reaches a book's PDF.
    """
    sample = _lay_out(WARM_UP_HTML, edition, "A5", BookFetcher({}))  # A5: a book's page size unless it says
    sample.write_pdf(io.BytesIO(), pdf_variant=EDITIONS[edition].variant)


def _lay_out(source: str, edition: str, book_size: str, fetcher: BookFetcher, brand: Brand = NO_BRAND):
    """WeasyPrint's layout of an HTML string with the edition's styles, at its page size or the book's."""
    spec = EDITIONS[edition]
    fonts, css = stylesheets(edition, PAGE_SIZES.get(spec.page_size or book_size, "A5"), brand)
    html = HTML(string=source, base_url=f"file://{VIRTUAL_ROOT}", url_fetcher=fetcher)
    options = {"output_intent": spec.output_intent} if spec.output_intent else {}
    return html.render(stylesheets=list(css), font_config=fonts, **options)


def render(book: Book, edition: str = "standard", part: Part = WHOLE) -> Rendered:
    """Lay the book (or one part of it) out once; the result serves the PDF and the EPUB page-list.

    ``edition`` picks extra stylesheets, the page size and the PDF variant
    (see :data:`EDITIONS`); the standard edition is the accessible handout.
    """
    resources = {img.href: (img.data, img.media_type) for ch in part.articles(book) for img in ch.images}
    if part.front and book.cover is not None:  # the typographic cover is text on the PDF's first page
        resources[book.cover.href] = (book.cover.data, book.cover.media_type)
    logo = book.branding.logo
    if part.front and logo is not None:  # on the typographic cover and the title page
        resources[logo.href] = (logo.data, logo.media_type)
    fetcher = BookFetcher(resources)
    tree = print_html(book, edition, part)
    decorative = frozenset(img.get("src") for img in tree.iter(f"{{{XHTML}}}img") if img.get("role") == "presentation")
    failed = _FailedImages()
    logging.getLogger("weasyprint").addHandler(failed)
    try:
        document = _lay_out(etree.tostring(tree, encoding="unicode", method="html"), edition, book.page_size,
                            fetcher, book_brand(book, edition))
    finally:
        logging.getLogger("weasyprint").removeHandler(failed)
    findings = [error("p-001", f"the PDF refers to a resource outside the book: {url}", None,
                      "use images inside the book folder") for url in fetcher.refused]
    sources = {img.href: f"{ch.source}" for ch in part.articles(book) for img in ch.images}
    findings += [error("p-004", f"the image '{href}' cannot be drawn in the PDF ({why}); it would be a blank gap",
                       Location(sources[href]) if href in sources else None,
                       "open the image in an editor and save it again as PNG or JPEG")
                 for href, why in failed.images]
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

    ``descriptions`` describes link targets (see :func:`publish.pdf.tags.describe_targets`)
    when the document is one part of the book and links to anchors in other parts.
    """
    spec = EDITIONS[rendered.edition]
    document = rendered.document
    quiet = KnownProblemsFilter(rendered.decorative)
    logging.getLogger("weasyprint").addFilter(quiet)
    try:
        document.write_pdf(path, pdf_variant=spec.variant)  # type: ignore[attr-defined]
    finally:
        logging.getLogger("weasyprint").removeFilter(quiet)
    notes = tag_notes(document) if spec.variant == "pdf/ua-1" else None
    if notes is not None and descriptions is not None:
        notes = replace(notes, descriptions={**descriptions, **notes.descriptions})
    if release:
        rendered.document = document = None
        gc.collect()  # WeasyPrint's boxes hold reference cycles
    if notes is not None:  # only the tagged editions carry a structure tree to finish
        finish_tags(path, notes)  # artifacts, hidden content, link text (publish.pdf.tags)


__all__ = ["EDITIONS", "TOC_PLACEHOLDER", "TYPEFACES", "WHOLE", "XHTML", "Edition", "Part", "finish_edition",
           "print_html", "render", "warm_up", "write_part", "write_pdf"]

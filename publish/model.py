"""The document model: one description of the book that every renderer maps.

The loader builds it; the citation stage fills in formatted citations and
reference lists; the EPUB and PDF renderers only read it.  Nothing here does
I/O.  Chapter bodies are kept as XHTML strings (a ``<body>``-less fragment in
the XHTML namespace-free form) so renderers can parse them with lxml and
never see Markdown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from publish.findings import Location

# In a reference (a CSL-JSON dict): the key of the entry it took fields from through BibTeX's crossref.
CROSSREF_PARENT = "publish:crossref"
# In a reference: the abbreviation of its group author (BibLaTeX's ``shortauthor``), which APA 8.21 introduces
# at the first citation ("National Sleep Wellness Agency [NSWA], 2021") and uses after it ("NSWA, 2021").
SHORT_AUTHOR = "publish:short-author"

# The print page sizes book.yaml may name, and each one's CSS @page size.
PAGE_SIZES = {"A5": "A5", "A4": "A4", "Letter": "letter", "6x9in": "6in 9in"}


@dataclass(frozen=True)
class CiteItem:
    """One cite inside a citation cluster, as pandoc's syntax gives it.

    ``label`` is a CSL locator label (``page``, ``chapter``, ``paragraph``,
    ``section``, ``figure``, ...) and is set whenever ``locator`` is.
    ``prefix`` keeps its trailing space and ``suffix`` its leading ", ".
    """

    key: str
    prefix: str = ""
    suffix: str = ""
    locator: str | None = None
    label: str | None = None
    suppress_author: bool = False


@dataclass(frozen=True)
class Cluster:
    """A citation cluster: ``[@a; @b]`` or a narrative ``@a [p. 3]``.

    ``narrative`` means author-in-text: the first item's author goes in the
    running text, the rest in parentheses (``Porges (2011)``).
    """

    items: tuple[CiteItem, ...]
    narrative: bool = False
    location: Location | None = None


@dataclass(frozen=True)
class FormattedCluster:
    """A cluster after CSL processing: inline HTML (``<i>`` only) and plain text."""

    html: str
    text: str
    keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class BibEntry:
    """One reference-list entry; ``html`` uses ``<i>``/``<span>`` and plain links are text."""

    key: str
    html: str
    text: str


@dataclass(frozen=True)
class Image:
    """An image the book uses; ``source`` is the file on disk."""

    href: str  # path inside the publication, e.g. ``images/tears.png``
    source: Path
    media_type: str
    alt: str
    data: bytes = b""  # the bytes to publish (SVG already sanitised); renderers never reopen ``source``
    decorative: bool = False
    width: int = 0
    height: int = 0


@dataclass
class Heading:
    level: int
    text: str
    id: str


@dataclass
class Chapter:
    """One article.  ``body_html`` is semantic XHTML without the title heading.

    Citations in ``body_html`` are placeholders ``<span data-cluster="N"
    class="citation"/>`` where N indexes ``clusters``; the citation stage fills
    them and sets ``bibliography``.
    """

    slug: str
    source: str  # path relative to the book folder
    title: str
    body_html: str
    subtitle: str = ""
    author: str = ""
    date: str = ""
    summary: str = ""
    language: str = ""
    running_head: str = ""  # the print edition's running head, when the title is too long for one line
    title_html: str = ""  # the title's inline markup as an XHTML fragment (<em>…</em>), when it has any
    headings: list[Heading] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)
    formatted: list[FormattedCluster] = field(default_factory=list)
    bibliography: list[BibEntry] = field(default_factory=list)
    nocite: tuple[str, ...] = ()
    images: list[Image] = field(default_factory=list)
    notes: int = 0  # endnotes in body_html (its role="doc-endnotes" section): counted once, by the source stage
    pullquotes: int = 0  # pull quotes in body_html, shown or hidden (class="pullquote")

    @property
    def printed_head(self) -> str:
        """The words of the handout's running head: the front matter's ``running_head``, or the title."""
        return self.running_head or " ".join(self.title.split())


@dataclass(frozen=True)
class Accessibility:
    """Settings from ``book.yaml``'s ``accessibility`` mapping (all optional)."""

    summary: str = ""
    certified_by: str = ""
    hazards: tuple[str, ...] = ()


@dataclass(frozen=True)
class Metadata:
    title: str
    language: str
    identifier: str
    subtitle: str = ""
    authors: tuple[str, ...] = ()
    publisher: str = ""
    date: str = ""
    rights: str = ""
    description: str = ""
    citation_locale: str = "en-US"
    bibliography_placement: str = "chapter"
    notice: str = ""
    url: str = ""  # where the web edition is published (book.yaml 'url'), for canonical links and the sitemap
    modified: str = ""  # ISO 8601 UTC, for dcterms:modified; derived, never the clock


@dataclass(frozen=True)
class FontFace:
    """One font file a book brings for a role of the design (``text`` or ``display``), OFL-licensed."""

    role: str
    family: str  # the family's own name (the font's name table), which the PDF embeds it under
    name: str  # the file's name
    data: bytes
    weight: int
    italic: bool


@dataclass(frozen=True)
class Branding:
    """The practice's own look, from ``book.yaml``: logo, accent colour, fonts, extra stylesheets.

    Empty by default, when the design's own colours and faces are used.
    ``families`` maps a role (``text``, ``display``) to a shipped family;
    ``faces`` are the book's own font files; ``stylesheets`` maps an edition
    (``epub``, ``pdf``, ``large-print``, ``press``, ``booklet``, ``web``) to
    the CSS the book adds last.
    """

    logo: Image | None = None
    logo_png: bytes = b""  # the logo as a PNG, for drawing on the cover image (empty: cannot be drawn)
    accent: str = ""
    families: tuple[tuple[str, str], ...] = ()
    faces: tuple[FontFace, ...] = ()
    stylesheets: tuple[tuple[str, str], ...] = ()

    def stylesheet(self, edition: str) -> str:
        return next((css for name, css in self.stylesheets if name == edition), "")


@dataclass
class Book:
    """The whole book as the renderers see it."""

    root: Path
    metadata: Metadata
    chapters: list[Chapter]
    references: list[dict]
    csl: Path
    accessibility: Accessibility = field(default_factory=Accessibility)
    cover: Image | None = None
    placeholders: tuple[str, ...] = ()  # book.yaml keys still holding placeholder text
    bibliography: list[BibEntry] = field(default_factory=list)  # book-level list
    page_size: str = "A5"
    nocite: tuple[str, ...] = ()  # book.yaml's nocite keys ("*" lists every reference)
    reference_locations: dict[str, Location] = field(default_factory=dict)
    branding: Branding = field(default_factory=Branding)
    # What the checks of the written PDF's structure found (the build fills it in): no conformance claim then.
    print_problems: tuple[str, ...] = ()

    @property
    def slug(self) -> str:
        from publish.text import file_slug

        return file_slug(self.metadata.title)

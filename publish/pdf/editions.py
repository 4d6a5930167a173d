"""The printed forms of the book and what each does to its finished PDF.

Kept apart from :mod:`publish.pdf.document` (which needs WeasyPrint) so the process
that joins a book laid out in parts (:mod:`publish.pdf.parts.coordinator`) can finish
the edition without loading WeasyPrint itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


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
# The colophon's typeface line per edition: its key in the translation files' [typeface] table.
TYPEFACES = {"standard": "standard", "large-print": "large_print"}


def finish_edition(edition: str, path: Path) -> None:
    """What an edition does to the whole written PDF: press marks and output intent, or imposition."""
    spec = EDITIONS[edition]
    if spec.variant and spec.variant.startswith("pdf/x"):
        from publish.pdf.press import finish_press

        finish_press(path)  # output intent, DefaultRGB, slug and crop marks (publish.pdf.press)
    if spec.impose:
        from publish.pdf.impose import impose_booklet

        impose_booklet(path)

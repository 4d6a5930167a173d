"""Book-level checks that need the whole model (per-file problems are found while loading).

Each check returns findings; ``check_book`` runs them all so ``publish
check`` reports everything in one pass.
"""

from __future__ import annotations

import io
from functools import lru_cache

from lxml import etree

from publish.findings import Finding, Location, warning
from publish.model import Book
from publish.paths import FONTS, SHIPPED_FAMILIES

TEXT_FACE = "SourceSerif4SmText-*.ttf"  # the design's text face (styles/print.css, "Book Text")
LARGE_PRINT_FAMILY = "Atkinson Hyperlegible"  # styles/large-print.css sets every text in it


def check_duplicate_titles(book: Book) -> list[Finding]:
    seen: dict[str, str] = {}
    findings = []
    for chapter in book.chapters:
        if chapter.title in seen:
            findings.append(warning("m-010", f"two articles are titled '{chapter.title}'",
                                    Location(chapter.source, 2),
                                    f"also used by {seen[chapter.title]}; readers navigate by title"))
        seen[chapter.title] = chapter.source
    return findings


@lru_cache(maxsize=4)
def _covered(faces: tuple[str | bytes, ...] = ()) -> frozenset[int]:
    """Code points every style of the print text face can draw (the intersection of their cmaps).

    ``faces``: the text face the book chose (shipped file names, or its own fonts' bytes); the design's
    Source Serif 4 when empty.
    """
    from fontTools.ttLib import TTFont

    sources = [FONTS / face if isinstance(face, str) else io.BytesIO(face) for face in faces] or \
        sorted(FONTS.glob(TEXT_FACE))
    sets = []
    for source in sources:
        with TTFont(source, lazy=True) as font:
            sets.append(frozenset(font.getBestCmap()))
    return frozenset.intersection(*sets) if sets else frozenset()


def _text_faces(book: Book) -> tuple[str | bytes, ...]:
    """The files of the text face the book's print editions use (book.yaml's ``fonts``; empty: the design's)."""
    family = dict(book.branding.families).get("text")
    if family:
        return tuple(name for name, _, _ in SHIPPED_FAMILIES[family]["text"])
    return tuple(face.data for face in book.branding.faces if face.role == "text")


def _printed_text(body: etree._Element) -> str:
    """The body's text as the PDF prints it: footnote back-links (the EPUB's "↩") are dropped on paper."""
    for link in [el for el in body.iter() if el.get("role") == "doc-backlink"]:
        link.text = None
        for child in list(link):
            link.remove(child)
    return "".join(body.itertext())


def check_glyphs(book: Book) -> list[Finding]:
    """Characters the print fonts lack print as empty boxes in the PDF, or in whatever system font has them.

    The handout is set in the book's own fonts; a character outside them is
    either a .notdef box or taken by Pango from a font installed on the
    machine (which then differs between machines).  It is reported here, per
    article (and once for the title page, colophon and a book-wide reference
    list), with the first few offenders.  Every text the PDF prints from the
    book is looked at, so :class:`publish.pdf.document.KnownProblemsFilter` can keep
    WeasyPrint's own warning about those characters out of the build log.
    The large-print edition is set in Atkinson Hyperlegible, which covers
    fewer scripts: what only it lacks is said for that edition.
    """
    covered = _covered(_text_faces(book))
    if not covered:
        return []
    large = _covered(tuple(name for name, _, _ in SHIPPED_FAMILIES[LARGE_PRINT_FAMILY]["text"]))
    texts = [(chapter.source, chapter.title + chapter.subtitle + _printed_text(etree.fromstring(chapter.body_html))
              + "".join(entry.text for entry in chapter.bibliography)) for chapter in book.chapters]
    meta = book.metadata
    texts.append(("book.yaml", "".join((meta.title, meta.subtitle, *meta.authors, meta.publisher, meta.rights,
                                        meta.description, meta.notice))
                  + "".join(entry.text for entry in book.bibliography)))
    findings = []
    for source, text in texts:
        drawn = {c for c in set(text) if not c.isspace() and ord(c) >= 0x20}
        missing = sorted(c for c in drawn if ord(c) not in covered)
        only_large = sorted(c for c in drawn if ord(c) in covered and ord(c) not in large)
        for lacking, font in ((missing, "the print font"), (only_large, "the large-print edition's font")):
            if lacking:
                shown = ", ".join(f"{c} (U+{ord(c):04X})" for c in lacking[:5])
                more = f" and {len(lacking) - 5} more" if len(lacking) > 5 else ""
                findings.append(warning("p-002", f"{font} has no glyph for {shown}{more}", Location(source),
                                        "the PDF would show an empty box there, or borrow the glyph from another "
                                        "font; the EPUB uses the reader's fonts and is fine — rephrase, or ask for "
                                        "a font that covers this script"))
    return findings


def print_font_lacks(codepoint: int) -> bool:
    """Whether :func:`check_glyphs` reports this character (the design's or the large-print text face lacks it)."""
    covered = _covered()
    large = _covered(tuple(name for name, _, _ in SHIPPED_FAMILIES[LARGE_PRINT_FAMILY]["text"]))
    return bool(covered) and (codepoint not in covered or codepoint not in large)


# The handout's running head (styles/print.css): Source Serif 4 Small Text italic at 8 pt, as wide as the text,
# which is the page less 34 mm of margins.
RUNNING_HEAD_FACE, RUNNING_HEAD_PT, SIDE_MARGINS_MM = "SourceSerif4SmText-It.ttf", 8, 34
PAGE_WIDTHS_MM = {"A5": 148, "A4": 210, "Letter": 215.9, "6x9in": 152.4}


@lru_cache(maxsize=1)
def _running_head_font():
    from PIL import ImageFont

    return ImageFont.truetype(str(FONTS / RUNNING_HEAD_FACE), 100)  # measured at 100 px, scaled to points


def check_running_heads(book: Book) -> list[Finding]:
    """An article title too long for one line of running head: the PDF sets it on two lines above the text."""
    measure = (PAGE_WIDTHS_MM.get(book.page_size, 148) - SIDE_MARGINS_MM) * 72 / 25.4
    findings = []
    for chapter in book.chapters:
        head = chapter.printed_head
        width = _running_head_font().getlength(head) * RUNNING_HEAD_PT / 100
        if width > measure:
            findings.append(warning(
                "p-003", f"the running head '{head}' is too long for one line of the {book.page_size} handout "
                f"({width / measure:.0%} of the line); it is set on two lines", Location(chapter.source, 2),
                "add a shorter running_head: \"…\" to the article's front matter (the title itself is unchanged)"))
    return findings


def check_book(book: Book) -> list[Finding]:
    findings: list[Finding] = []
    for check in (check_duplicate_titles, check_glyphs, check_running_heads):
        findings.extend(check(book))
    return findings

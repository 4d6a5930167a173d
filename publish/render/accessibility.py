"""EPUB Accessibility 1.1 metadata, computed from the content — never claimed blindly.

Each feature is asserted only when the model shows it: ``alternativeText``
only when the book has images and every one has alt text (or is marked
decorative), ``pageNavigation``/``printPageNumbers`` only with a page-list,
and the WCAG 2.2 AA conformance claim only when the book's own checks found
no accessibility error.  The summary is written for a person deciding
whether the book will work for them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from publish.colour import GRAPHIC_CONTRAST, HEX, TEXT_CONTRAST, contrast, luminance
from publish.i18n import strings
from publish.model import Book
from publish.paths import STYLES
from publish.render.branding import branding_css
from publish.text import PLACEHOLDER

CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"
_DECLARATION = re.compile(r"([a-z-]+)\s*:\s*([^;{}]*)")
_COLOUR = HEX


def css_contrast_problems(css: str, name: str, paper: str = "#ffffff") -> list[str]:
    """Colours in a stylesheet without enough contrast against their background.

    Text colours (``color``) need 4.5:1; borders, rules and backgrounds that
    carry no text need 3:1.  The background is the rule's own
    ``background``/``background-color`` when it sets one, else the paper (a
    background the colour of the paper is no background).  Rules inside
    ``@media (prefers-color-scheme: dark)`` are measured against that scheme's
    paper, the background its ``html``, ``body`` or ``:root`` rule sets.
    """
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    light, dark = _split_dark(css)
    problems = _rule_problems(light, name, paper)
    for block in dark:
        page = re.search(r"(?:^|})\s*(?::root|html|body)\s*\{[^}]*background(?:-color)?\s*:\s*(#[0-9a-fA-F]{3,6})",
                         block)
        problems += _rule_problems(block, f"{name} (dark)", page.group(1) if page else "#000000")
    return problems


_DARK_SCHEME = re.compile(r"@media\s*\(\s*prefers-color-scheme\s*:\s*dark\s*\)\s*\{")


def _split_dark(css: str) -> tuple[str, list[str]]:
    """The stylesheet without its dark-scheme blocks, and the inside of each of them."""
    blocks = []
    while (match := _DARK_SCHEME.search(css)) is not None:
        depth, end = 1, match.end()
        while depth and end < len(css):
            depth += {"{": 1, "}": -1}.get(css[end], 0)
            end += 1
        blocks.append(css[match.end():end - 1])
        css = css[:match.start()] + css[end:]
    return css, blocks


def _rule_problems(css: str, name: str, paper: str) -> list[str]:
    problems = []
    for match in re.finditer(r"([^{}]*)\{([^{}]*)\}", css):
        selector, body = match.group(1).strip(), match.group(2)
        declarations = _DECLARATION.findall(body)
        background = paper
        for prop, value in declarations:
            if prop in ("background", "background-color") and _COLOUR.search(value):
                background = _COLOUR.search(value).group(0)  # type: ignore[union-attr]
        for prop, value in declarations:
            for colour in _COLOUR.findall(value):
                text = prop == "color"
                if not text and prop.startswith("background") and luminance(colour) == luminance(paper):
                    continue
                against = background if text or not prop.startswith("background") else paper
                need = TEXT_CONTRAST if text else GRAPHIC_CONTRAST
                ratio = contrast(colour, against)
                if ratio < need:
                    problems.append(f"{name}: {selector} {prop} {colour} on {against} is {ratio:.2f}:1, "
                                    f"needs {need}:1")
    return problems


def certifier(book: Book) -> str:
    """Who stands behind the conformance claim: ``accessibility.certified_by``, else the publisher ("": no one)."""
    return book.accessibility.certified_by or book.metadata.publisher


def conformance_problems(book: Book, print_problems: Iterable[str] = ()) -> list[str]:
    """Why the book may not claim WCAG 2.2 AA, in the book's language; empty when our own checks found nothing.

    The build stops on most accessibility errors (missing alt text, skipped
    heading levels); these are what could still slip through to the EPUB.
    ``print_problems`` are what the checks of the tagged PDF's structure
    found (:func:`publish.validation.pdf_checks.claim_blockers`): a listener
    of the PDF would meet cut paragraphs, layout hyphens or untagged notes,
    so the claim is not made while there are any.  The book's own stylesheet
    and accent are checked for contrast with the design's.
    """
    words = strings(book.metadata.language)
    problems = [words("claim_problems.pdf", problem=p) for p in (*print_problems, *book.print_problems)]
    for chapter in book.chapters:
        for image in chapter.images:
            if not image.decorative and not image.alt.strip():
                problems.append(words("claim_problems.image_alt", file=chapter.source, image=image.href))
        if not chapter.title.strip():
            problems.append(words("claim_problems.no_title", file=chapter.source))
        previous = 1
        for heading in chapter.headings:
            if heading.level > previous + 1:
                problems.append(words("claim_problems.heading_skips", file=chapter.source, heading=heading.text))
            previous = heading.level
    if book.cover is not None and not book.cover.alt.strip():
        problems.append(words("claim_problems.cover_alt"))
    if not certifier(book).strip() or PLACEHOLDER.search(certifier(book)):
        problems.append(words("claim_problems.no_certifier"))
    css = STYLES / "epub.css"
    found = css_contrast_problems(css.read_text(encoding="utf-8"), css.name)
    found += css_contrast_problems(branding_css(book, "epub"), "book.yaml (accent_color, stylesheet)")
    problems += [words("claim_problems.contrast", problem=problem) for problem in found]
    return problems


def content_facts(book: Book) -> dict[str, bool]:
    images = [img for ch in book.chapters for img in ch.images]
    informative = [img for img in images if not img.decorative]
    return {
        "images": bool(images),
        "informative_images": bool(informative),
        "all_alt": all(img.alt.strip() for img in informative),
        "notes": any(ch.notes for ch in book.chapters),
        "references": any(ch.bibliography for ch in book.chapters) or bool(book.bibliography),
    }


def features(book: Book, page_map: dict | None) -> list[str]:
    facts = content_facts(book)
    found = ["tableOfContents", "readingOrder", "structuralNavigation", "displayTransformability"]
    if facts["images"] and facts["all_alt"]:
        found.append("alternativeText")
    if page_map:
        found += ["pageBreakMarkers", "pageNavigation", "printPageNumbers"]
    return sorted(found)


def summary(book: Book, page_map: dict | None) -> str:
    if book.accessibility.summary:
        return book.accessibility.summary
    facts = content_facts(book)
    keys = ["claim_met" if not conformance_problems(book) else "claim_not_confirmed", "reflow", "structure",
            "images_described" if facts["informative_images"] else "no_informative_images"]
    keys += ["citations_linked"] * facts["references"] + ["notes_linked"] * facts["notes"] + ["pull_quotes"]
    keys += ["print_pages"] * bool(page_map)
    words = strings(book.metadata.language)
    return " ".join(words(f"accessibility.{key}") for key in keys)


def print_statement(book: Book) -> str:
    """The colophon's accessibility statement for a tagged PDF edition.

    The EPUB summary speaks of reflowing text and the reader's own fonts,
    which a PDF does not offer; this one says what the PDF does offer and
    points to the EPUB for reflow.
    """
    keys = ["pdf_tagged", "pdf_furniture"] + ["images_described"] * content_facts(book)["informative_images"]
    words = strings(book.metadata.language)
    return " ".join(words(f"accessibility.{key}") for key in [*keys, "pdf_reflow"])


def untagged_print_statement(book: Book) -> str:
    """The colophon's statement for an edition made for paper only (press, booklet): it carries no tags."""
    return strings(book.metadata.language)("accessibility.untagged")


def epub_accessibility_metadata(book: Book, page_map: dict | None) -> list[tuple[str, str, dict]]:
    """(property, value, extra attributes) for the OPF metadata, in a stable order."""
    facts = content_facts(book)
    rows: list[tuple[str, str, dict]] = [("schema:accessMode", "textual", {})]
    if facts["informative_images"]:
        rows.append(("schema:accessMode", "visual", {}))
    if facts["all_alt"]:
        rows.append(("schema:accessModeSufficient", "textual", {}))
    if facts["informative_images"]:
        rows.append(("schema:accessModeSufficient", "textual,visual", {}))
    rows += [("schema:accessibilityFeature", f, {}) for f in features(book, page_map)]
    hazards = book.accessibility.hazards or ("none",)
    rows += [("schema:accessibilityHazard", h, {}) for h in hazards]
    rows.append(("schema:accessibilitySummary", summary(book, page_map), {}))
    if page_map:
        # EPUB 3.3 / EPUB Accessibility 1.1 techniques: dc:source refined by source-of "pagination"
        # (EPUBCheck 5.3 does not know the proposed a11y:pageBreakSource; Ace accepts either).
        rows.append(("dc:source", strings(book.metadata.language)("accessibility.print_source",
                                                                  title=book.metadata.title), {"id": "print-edition"}))
        rows.append(("source-of", "pagination", {"refines": "#print-edition"}))
    if not conformance_problems(book):
        rows.append(("dcterms:conformsTo", CONFORMANCE, {"id": "conformance"}))
        rows.append(("a11y:certifiedBy", certifier(book), {"refines": "#conformance"}))
    return rows

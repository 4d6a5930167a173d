"""EPUB Accessibility 1.1 metadata, computed from the content — never claimed blindly.

Each feature is asserted only when the model shows it: ``alternativeText``
only when the book has images and every one has alt text (or is marked
decorative), ``pageNavigation``/``printPageNumbers`` only with a page-list,
and the WCAG 2.2 AA conformance claim only when the book's own checks found
no accessibility error.  The summary is written for a person deciding
whether the book will work for them.
"""

from __future__ import annotations

from .model import Book

CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"


def content_facts(book: Book) -> dict[str, bool]:
    images = [img for ch in book.chapters for img in ch.images]
    informative = [img for img in images if not img.decorative]
    return {
        "images": bool(images),
        "informative_images": bool(informative),
        "all_alt": all(img.alt.strip() for img in informative),
        "notes": any('role="doc-endnotes"' in ch.body_html for ch in book.chapters),
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
    parts = [
        "This publication meets WCAG 2.2 Level AA and EPUB Accessibility 1.1.",
        "The text reflows and can be resized, and the reader's own fonts and colours apply.",
        "It has a table of contents, headings for every section, and a logical reading order.",
    ]
    if facts["informative_images"]:
        parts.append("Every image has a text description.")
    else:
        parts.append("It contains no images that carry information.")
    if facts["references"]:
        parts.append("Citations link to their entries in the reference lists.")
    if facts["notes"]:
        parts.append("Notes link to their text and back.")
    parts.append("Pull quotes are marked so screen readers announce them, or skip those that repeat the text.")
    if page_map:
        parts.append("Page numbers of the print edition are included for navigation.")
    return " ".join(parts)


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
        rows.append(("pageBreakSource", f"{book.metadata.title} (print edition, PDF)", {}))
    rows.append(("dcterms:conformsTo", CONFORMANCE, {"id": "conformance"}))
    certifier = book.accessibility.certified_by or book.metadata.publisher or "the publisher"
    rows.append(("a11y:certifiedBy", certifier, {"refines": "#conformance"}))
    return rows

"""The report's metadata in plain words: no property names, no raw values, in the book's language."""

from __future__ import annotations

import pytest

from publish.i18n import strings
from publish.validation.plain import metadata_sentences

ROWS = [("schema:accessMode", "textual"), ("schema:accessMode", "visual"),
        ("schema:accessModeSufficient", "textual,visual"), ("schema:accessModeSufficient", "textual"),
        ("schema:accessibilityFeature", "tableOfContents"), ("schema:accessibilityFeature", "alternativeText"),
        ("schema:accessibilityHazard", "none"), ("dcterms:conformsTo", "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"),
        ("a11y:certifiedBy", "Riverside Therapy")]


@pytest.mark.parametrize("language", ["en", "de", "fr", "es", "it", "nl", "pt"])
def test_metadata_in_sentences(language):
    sentences = metadata_sentences(ROWS, strings(language))
    said = " ".join(sentences)
    for raw in ("schema:", "a11y:", "textual", "visual", "tableOfContents", "alternativeText", "accessMode"):
        assert raw not in said, (language, raw, said)
    assert "Riverside Therapy" in said and len(sentences) == 8


def test_the_english_sentences():
    sentences = metadata_sentences(ROWS, strings("en"))
    assert "Enough to get everything in it: text and images." in sentences
    assert "It offers: a table of contents, text descriptions of images." in sentences
    assert sentences[-1] == "It states that it meets WCAG 2.2 Level AA and EPUB Accessibility 1.1."

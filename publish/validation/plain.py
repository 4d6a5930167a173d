"""The accessibility report's plain words: what blocks a release, the pull quotes, the metadata.

A practice manager reads the report, not a validator's log.  So a finding
is shown by what it says and how to fix it, a pull quote by its own words
with whether a listener hears it, and the EPUB's accessibility metadata as
sentences ("It offers: a table of contents, …") instead of property names.
The raw names stay available under "Technical details" for whoever needs
them.  Every word comes from the translation files, in the book's language.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from publish.findings import Finding, Location, Severity
from publish.i18n import Strings
from publish.model import Book

# The consequence the report already explains through the reasons behind it (Ace notices the missing claim).
EXPLAINED = {"v-006"}


@dataclass(frozen=True)
class Blocker:
    """One thing that stops a release, in plain words: what, where and how to fix it."""

    what: str
    where: str = ""
    fix: str = ""


def blockers(book: Book, findings: list[Finding], words: Strings) -> list[Blocker]:
    """Every error and warning, then each reason the EPUB states no conformance (placeholders among them)."""
    from publish.render.accessibility import conformance_problems

    problems = conformance_problems(book)
    out = []
    for finding in findings:
        if finding.severity not in (Severity.ERROR, Severity.WARNING):
            continue
        if problems and finding.code in EXPLAINED:
            continue
        place = _place(finding.location, words)
        out.append(Blocker(_sentence(finding.message), place, finding.hint or ""))
    out.extend(Blocker(words("report.no_claim", reason=problem)) for problem in problems)
    return out


def _place(location: Location | None, words: Strings) -> str:
    """``book.yaml, line 6`` rather than ``book.yaml:6``."""
    if location is None:
        return ""
    if location.line is None:
        return location.path
    return words("report.file_line", file=location.path, line=location.line)


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:]) if text else text


@dataclass(frozen=True)
class PullQuote:
    article: str
    text: str
    announced: bool


def pull_quotes(book: Book) -> list[PullQuote]:
    """Each pull quote of the book by its words, and whether assistive technology announces it."""
    found = []
    for chapter in book.chapters:
        body = etree.fromstring(chapter.body_html)
        for aside in body.iter("{*}aside"):
            if "pullquote" not in (aside.get("class") or "").split():
                continue
            text = " ".join(" ".join(aside.itertext()).split())
            found.append(PullQuote(chapter.title, text, aside.get("aria-hidden") != "true"))
    return found


def metadata_sentences(rows: list[tuple[str, str]], words: Strings) -> list[str]:
    """The package's accessibility metadata as sentences, in a stable order (features gathered into one)."""
    sentences = []
    features = []
    claimed = False
    for prop, value in rows:
        name = prop.split(":", 1)[-1]
        if name == "accessibilityFeature":
            features.append(_feature(value, words))
        elif name == "accessMode" and value in ("textual", "visual"):
            sentences.append(words(f"report_metadata.mode_{value}"))
        elif name == "accessModeSufficient":
            sentences.append(words("report_metadata.sufficient_textual") if value == "textual"
                             else words("report_metadata.sufficient_other", value=_modes(value, words)))
        elif name == "accessibilityHazard":
            sentences.append(words("report_metadata.hazard_none") if value == "none"
                             else words("report_metadata.hazard_other", value=value))
        elif name == "accessibilitySummary":
            sentences.append(words("report_metadata.summary", value=value))
        elif prop == "dcterms:conformsTo":
            claimed = True
        elif name == "certifiedBy":
            sentences.append(words("report_metadata.certified_by", value=value))
        elif prop.startswith("schema:") or prop.startswith("a11y:"):
            sentences.append(words("report_metadata.other", property=name, value=value))
    if features:
        sentences.append(words("report_metadata.features", features=words("report_metadata.separator").join(
            features)))
    sentences.append(words("report_metadata.conforms" if claimed else "report_metadata.no_claim"))
    return sentences


def _modes(value: str, words: Strings) -> str:
    """``textual,visual`` as the language says it ("text and images")."""
    names = []
    for mode in (part.strip() for part in value.split(",") if part.strip()):
        try:
            names.append(words(f"report_modes.{mode}"))
        except KeyError:
            names.append(mode)
    return words("report_modes.and").join(names)


def _feature(value: str, words: Strings) -> str:
    try:
        return words(f"report_features.{value}")
    except KeyError:
        return value


def image_list(book: Book) -> list[tuple[str, str, str]]:
    """(image file, article file, its description or None when decorative) for every image of the articles."""
    return [(img.href, chapter.source, "" if img.decorative else img.alt)
            for chapter in book.chapters for img in chapter.images]


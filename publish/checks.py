"""Book-level checks that need the whole model (per-file problems are found while loading).

Each check returns findings; ``check_book`` runs them all so ``publish
check`` reports everything in one pass.
"""

from __future__ import annotations

from .findings import Finding, Location, warning
from .model import Book


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


def check_book(book: Book) -> list[Finding]:
    findings: list[Finding] = []
    for check in (check_duplicate_titles,):
        findings.extend(check(book))
    return findings

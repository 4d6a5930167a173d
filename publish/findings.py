"""Findings: what the pipeline reports about a book, with a stable code.

Every stage reports problems as :class:`Finding` objects instead of raising
on the first one, so an author sees every mistake in one run (as MkDocs does
for its configuration).  A finding carries a code that never changes meaning
(documented in README's catalogue), a severity, the place in the source and a
hint that says how to fix it.  The CLI decides how to present them; library
code only collects them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Severity(enum.IntEnum):
    """How bad a finding is.  ``ERROR`` stops a build; the others do not."""

    INFO = 0
    WARNING = 1
    ERROR = 2

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, order=True)
class Location:
    """A place in a file; ``path`` is relative to ``root``, the book folder when ``root`` is None.

    Built files (``dist/book.epub/EPUB/ch01.xhtml``) carry the folder they were written to as ``root``.
    """

    path: str
    line: int | None = None
    column: int | None = None
    root: str | None = None

    def __str__(self) -> str:
        text = self.path
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        return text


@dataclass(frozen=True)
class Finding:
    """One problem (or note) about the book, e.g. ``c-001`` unknown citation key."""

    code: str
    severity: Severity
    message: str
    location: Location | None = None
    hint: str = ""

    def __str__(self) -> str:
        return self.render()

    def render(self, where: str | None = None) -> str:
        """``path:line:col: severity code message; hint``, the order editors and CI annotators parse.

        ``where`` replaces the location's own text (the CLI gives a path from the working directory).
        """
        place = where if where is not None else (str(self.location) if self.location else "")
        hint = f"; {self.hint}" if self.hint else ""
        return f"{place + ': ' if place else ''}{self.severity} {self.code} {self.message}{hint}"


def error(code: str, message: str, location: Location | None = None, hint: str = "") -> Finding:
    return Finding(code, Severity.ERROR, message, location, hint)


def warning(code: str, message: str, location: Location | None = None, hint: str = "") -> Finding:
    return Finding(code, Severity.WARNING, message, location, hint)


def info(code: str, message: str, location: Location | None = None, hint: str = "") -> Finding:
    return Finding(code, Severity.INFO, message, location, hint)


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity is Severity.ERROR for f in findings)


class BuildError(Exception):
    """Raised when findings with severity ERROR stop a build.

    The findings travel with the exception so the CLI can print all of them,
    not just the first.
    """

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        errors = [f for f in findings if f.severity is Severity.ERROR]
        super().__init__("\n".join(str(f) for f in errors) or "build failed")

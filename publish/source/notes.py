"""Footnote definitions that Python-Markdown accepts without a word: never called, or written twice.

Python-Markdown lists a definition no call refers to at the end of the
notes, with a back-link to a call that does not exist (a dead link in the
EPUB and the PDF), and of two definitions with one label it keeps the last
in silence.  Pandoc leaves the first out and warns about the second; here
both are warnings (``m-015``) that say where, and the uncalled note is taken
out of the article.  Calls without a definition are ``m-012`` (in the loader).
"""

from __future__ import annotations

import re
from collections import Counter

from lxml import etree

from publish.conventions import q
from publish.findings import Finding, Location, warning
from publish.source.xhtml import line_at

DEFINITION = re.compile(r"^ {0,3}\[\^([^\]\s]+)\]:", re.MULTILINE)
NOTE_ID = "fn-"  # Python-Markdown's id of a note: "fn" + the SEPARATOR configured in markdown_ext + its label


def twice_defined(source: str, display: str, offset: int) -> list[Finding]:
    """A label defined more than once: Python-Markdown prints the last definition."""
    matches = list(DEFINITION.finditer(source))
    counts = Counter(match.group(1) for match in matches)
    findings = []
    for label in [label for label, count in counts.items() if count > 1]:
        lines = [line_at(source, m.start()) + offset for m in matches if m.group(1) == label]
        findings.append(warning("m-015", f"footnote [^{label}] is defined {len(lines)} times (lines "
                                         f"{', '.join(map(str, lines))}); the last definition is printed",
                                Location(display, lines[0]), "keep one definition, or give the others their own "
                                                             "labels and calls"))
    return findings


def drop_uncalled(root: etree._Element, source: str, display: str, offset: int) -> list[Finding]:
    """Take out each note no call refers to (run on Python-Markdown's markup, before the notes get their roles)."""
    called = {(a.get("href") or "")[1:] for a in root.iter(q("a")) if "footnote-ref" in a.get("class", "").split()}
    findings = []
    for block in [div for div in root.iter(q("div")) if "footnote" in div.get("class", "").split()]:
        for ordered in block.findall(q("ol")):
            for li in ordered.findall(q("li")):
                ident = li.get("id") or ""
                if not ident.startswith(NOTE_ID) or ident in called:
                    continue
                label = ident[len(NOTE_ID):]
                where = next((m.start() for m in DEFINITION.finditer(source) if m.group(1) == label), None)
                findings.append(warning("m-015", f"footnote [^{label}] is defined but never called; it is left out",
                                        Location(display, line_at(source, where) + offset if where is not None
                                                 else None),
                                        f"call it with [^{label}] where the note belongs, or delete the definition"))
                ordered.remove(li)
        if not any(True for _ in block.iter(q("li"))):
            block.getparent().remove(block)
    return findings

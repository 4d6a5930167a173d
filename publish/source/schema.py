"""The ``book.yaml`` schema, and loading that reports every problem at once.

Each field is declared once in :data:`FIELDS` with its type and a sentence
that says what it is for; validation walks the schema, so a new setting needs
one line here and nothing else.  Problems become findings with the line of the
offending key (PyYAML's node marks), so ``publish check`` can list all of them
before stopping, the way MkDocs validates its configuration.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from publish.findings import Finding, Location, error, warning
from publish.source.files import read_text, yaml_error_location

PLACEHOLDER = re.compile(r"\[\[.*?\]\]", re.S)
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
IDENTIFIER = re.compile(
    r"^(urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|(urn:isbn:)?(97[89][0-9-]{10,14}|[0-9-]{9,12}[0-9Xx]))$"
)
PAGE_SIZES = ("A5", "A4", "Letter", "6x9in")


@dataclass(frozen=True)
class Field:
    kind: type | tuple[type, ...]
    doc: str
    required: bool = False


FIELDS: dict[str, Field] = {
    "title": Field(str, "Title of the series or book, shown on the cover and title page.", True),
    "subtitle": Field(str, "Optional subtitle."),
    "authors": Field(list, "Authors, in credit order (list of names)."),
    "publisher": Field(str, "The practice or publisher."),
    "language": Field(str, "BCP 47 language tag of the text, e.g. en-GB.", True),
    "identifier": Field(str, "urn:uuid:… or an ISBN; stays the same across editions of this book.", True),
    "date": Field((str, dt.date), "Publication date, YYYY-MM-DD; also the build's timestamp."),
    "rights": Field(str, "Copyright statement."),
    "description": Field(str, "One or two sentences for catalogues and e-reader libraries."),
    "chapters": Field(list, "Markdown files relative to the book folder, in reading order.", True),
    "bibliography": Field(str, "CSL-JSON, CSL-YAML or BibTeX file relative to the book folder."),
    "csl": Field(str, "CSL style file; APA 7th edition when absent."),
    "citation_locale": Field(str, "CSL locale for citation terms; en-US (APA's) when absent."),
    "bibliography_placement": Field(str, "'chapter' (a reference list per article) or 'book'."),
    "nocite": Field(list, "Keys to list without citing them; '@*' lists every reference."),
    "cover": Field(str, "Cover image relative to the book folder; a typographic cover otherwise."),
    "cover_alt": Field(str, "Alt text of the cover image."),
    "notice": Field(str, "Extra notice for the colophon page (e.g. 'not a substitute for therapy')."),
    "accessibility": Field(dict, "Overrides: summary, certified_by, hazards."),
    "print": Field(dict, "Print design: page_size (A5, A4, Letter, 6x9in)."),
}

ACCESSIBILITY_FIELDS = {"summary": str, "certified_by": str, "hazards": list}
PRINT_FIELDS = {"page_size": str}


@dataclass
class Config:
    """Validated ``book.yaml`` values; ``lines`` maps each key to its line."""

    values: dict[str, Any]
    lines: dict[str, int] = field(default_factory=dict)
    placeholders: tuple[str, ...] = ()
    item_lines: dict[str, list[int]] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def where(self, key: str, display: str = "book.yaml") -> Location:
        return Location(display, self.lines.get(key))

    def item_line(self, key: str, index: int) -> int | None:
        """Line of the ``index``-th item of a list value (the key's line when unknown)."""
        items = self.item_lines.get(key, [])
        return items[index] if index < len(items) else self.lines.get(key)


def key_lines(text: str) -> dict[str, int]:
    """Line (1-based) of each top-level key of a YAML mapping, from PyYAML's node marks."""
    return {key: lines[0] for key, lines in _all_key_lines(text).items()}


def duplicate_keys(text: str, display: str) -> list[Finding]:
    """PyYAML keeps the last of two equal keys silently; a book must say which one it means."""
    return [error("y-001", f"key '{key}' appears twice (lines {lines[0]} and {lines[1]})",
                  Location(display, lines[1]), "keep one of them; YAML uses only the last")
            for key, lines in _all_key_lines(text).items() if len(lines) > 1]


def _top_mapping(text: str) -> yaml.MappingNode | None:
    """The document's top-level mapping node (with line marks), or None when there is none."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    return node if isinstance(node, yaml.MappingNode) else None


def sequence_item_lines(text: str) -> dict[str, list[int]]:
    """Line (1-based) of each item of every top-level list, so a bad chapter entry is named exactly."""
    node = _top_mapping(text)
    if node is None:
        return {}
    return {str(k.value): [item.start_mark.line + 1 for item in v.value]
            for k, v in node.value if isinstance(v, yaml.SequenceNode)}


def _all_key_lines(text: str) -> dict[str, list[int]]:
    node = _top_mapping(text)
    if node is None:
        return {}
    found: dict[str, list[int]] = {}
    for key, _ in node.value:
        found.setdefault(str(key.value), []).append(key.start_mark.line + 1)
    return found


def suggest(word: str, choices: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


def _placeholder_keys(values: dict[str, Any], prefix: str = "") -> list[str]:
    found: list[str] = []
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, str) and PLACEHOLDER.search(value):
            found.append(name)
        elif isinstance(value, list) and any(isinstance(v, str) and PLACEHOLDER.search(v) for v in value):
            found.append(name)
        elif isinstance(value, dict):
            found.extend(_placeholder_keys(value, name + "."))
    return found


def parse_config(text: str, display: str = "book.yaml") -> tuple[Config | None, list[Finding]]:
    """Parse and validate ``book.yaml`` text; return the config (or None) and every finding."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return None, [
            error("y-001", f"malformed YAML: {problem}", yaml_error_location(exc, display),
                  "check the indentation and quoting on that line; quote values that contain ': '")
        ]
    if not isinstance(data, dict):
        return None, [error("y-001", "book.yaml must be a mapping of keys to values", Location(display, 1),
                            "start with lines such as 'title: My book'")]
    lines = key_lines(text)
    findings: list[Finding] = duplicate_keys(text, display)
    values: dict[str, Any] = {}
    for key, value in data.items():
        key = str(key)
        loc = Location(display, lines.get(key))
        spec = FIELDS.get(key)
        if spec is None:
            findings.append(error("y-002", f"unknown key '{key}'", loc,
                                  suggest(key, list(FIELDS)) or "see README for the keys book.yaml accepts"))
            continue
        if value is None and not spec.required:
            continue
        if not isinstance(value, spec.kind) or isinstance(value, bool):
            expected = spec.kind.__name__ if isinstance(spec.kind, type) else "text"
            findings.append(error("y-003", f"'{key}' must be {_article(expected)}, not "
                                  f"{type(value).__name__}", loc, spec.doc))
            continue
        if spec.required and isinstance(value, str) and not value.strip():
            findings.append(error("y-003", f"'{key}' is empty", loc, spec.doc))
            continue
        values[key] = value
    for key, spec in FIELDS.items():
        if spec.required and key not in data:
            findings.append(error("y-003", f"required key '{key}' is missing", Location(display, 1),
                                  f"add '{key}:' — {spec.doc}"))
    findings.extend(_check_values(values, lines, display))
    for key in ("authors", "nocite"):  # items that are not text were reported (y-003); the loader never sees them
        if isinstance(values.get(key), list):
            values[key] = [item for item in values[key] if isinstance(item, str)]
    placeholders = tuple(_placeholder_keys(values))
    for key in placeholders:
        top = key.split(".")[0]
        findings.append(warning("y-004", f"'{key}' still holds placeholder text", Location(display, lines.get(top)),
                                "replace the [[…]] value with the practice's own before a release"))
    return Config(values, lines, placeholders, sequence_item_lines(text)), findings


def _article(name: str) -> str:
    return {"str": "text", "list": "a list", "dict": "a mapping"}.get(name, f"a {name}")


def _check_values(values: dict[str, Any], lines: dict[str, int], display: str) -> list[Finding]:
    findings: list[Finding] = []

    def at(key: str) -> Location:
        return Location(display, lines.get(key))

    lang = values.get("language")
    if isinstance(lang, str) and not LANGUAGE_TAG.match(lang):
        findings.append(error("y-005", f"'language' is not a BCP 47 tag: {lang!r}", at("language"),
                              "use a tag such as en-GB or en-US"))
    locale = values.get("citation_locale")
    if isinstance(locale, str) and not LANGUAGE_TAG.match(locale):
        findings.append(error("y-005", f"'citation_locale' is not a language tag: {locale!r}",
                              at("citation_locale"), "use a CSL locale such as en-US or en-GB"))
    ident = values.get("identifier")
    if isinstance(ident, str) and not IDENTIFIER.match(ident.strip()):
        findings.append(error("y-005", f"'identifier' is neither urn:uuid:… nor an ISBN: {ident!r}",
                              at("identifier"), "generate one with: python -c 'import uuid; print(uuid.uuid4())'"))
    date = values.get("date")
    if isinstance(date, str):
        try:
            dt.date.fromisoformat(date)
        except ValueError:
            findings.append(error("y-005", f"'date' is not YYYY-MM-DD: {date!r}", at("date"),
                                  "write the date as 2026-11-26"))
    for key in ("chapters", "authors", "nocite"):
        items = values.get(key)
        if isinstance(items, list) and not all(isinstance(i, str) for i in items):
            findings.append(error("y-003", f"every item of '{key}' must be text", at(key), FIELDS[key].doc))
    if values.get("chapters") == []:
        findings.append(error("y-003", "'chapters' is empty", at("chapters"), "list at least one Markdown file"))
    placement = values.get("bibliography_placement")
    if placement is not None and placement not in ("chapter", "book"):
        findings.append(error("y-005", f"'bibliography_placement' must be 'chapter' or 'book', not {placement!r}",
                              at("bibliography_placement"), "use chapter (default) or book"))
    for name, allowed in (("accessibility", ACCESSIBILITY_FIELDS), ("print", PRINT_FIELDS)):
        sub = values.get(name)
        if not isinstance(sub, dict):
            continue
        for key, value in sub.items():
            if key not in allowed:
                findings.append(error("y-002", f"unknown key '{name}.{key}'", at(name),
                                      suggest(str(key), list(allowed)) or f"allowed: {', '.join(allowed)}"))
            elif not isinstance(value, allowed[key]):
                findings.append(error("y-003", f"'{name}.{key}' has the wrong type", at(name),
                                      f"expected {_article(allowed[key].__name__)}"))
            elif isinstance(value, list) and not all(isinstance(i, str) for i in value):
                findings.append(error("y-003", f"every item of '{name}.{key}' must be text", at(name),
                                      "write each item as a quoted string"))
    size = (values.get("print") or {}).get("page_size")
    if isinstance(size, str) and size not in PAGE_SIZES:
        findings.append(error("y-005", f"unknown page size {size!r}", at("print"),
                              f"use one of {', '.join(PAGE_SIZES)}"))
    return findings


def read_config(book_dir: Path) -> tuple[Config | None, list[Finding]]:
    """Read ``book_dir/book.yaml``; a missing or undecodable file is a finding, not an exception."""
    path = book_dir / "book.yaml"
    if not path.is_file():
        return None, [error("f-001", f"no book.yaml in {book_dir}", Location("book.yaml"),
                            "run publish from the folder that holds book/, or pass the book folder")]
    text, findings = read_text(path, "book.yaml")
    if text is None:
        return None, findings
    config, more = parse_config(text)
    return config, findings + more

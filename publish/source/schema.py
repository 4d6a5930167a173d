"""The ``book.yaml`` schema, and loading that reports every problem at once.

Each key is declared once in :data:`KEYS` (a :class:`Key`): its type, default,
check and README's sentence; validation walks the schema, README's table is
made from it (:func:`readme_table`, kept in step by a test) and the model's
metadata is filled from it (:func:`metadata_values`).  A new setting is one
line here (and, when the renderers need it, a field of the model).  Problems become findings with the line of the
offending key (PyYAML's node marks), so ``publish check`` can list all of them
before stopping, the way MkDocs validates its configuration.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from publish.findings import Finding, Location, error, warning
from publish.model import PAGE_SIZES
from publish.paths import SHIPPED_FAMILIES
from publish.source.files import load_settings, read_text, without_controls, yaml_problem
from publish.text import PLACEHOLDER

SITE_URL = re.compile(r"^https?://[^\s/?#]+(/[^\s?#]*)?$")  # the web edition's address: no query
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
IDENTIFIER = re.compile(
    r"^(urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|(urn:isbn:)?(97[89][0-9-]{10,14}|[0-9-]{9,12}[0-9Xx]))$"
)


Problem = tuple[str, str, str]  # (code, message, hint) of a value that has the right type but is wrong


@dataclass(frozen=True)
class Key:
    """One ``book.yaml`` key, declared once: its type, whether it is required, its default, its check, its help.

    ``help`` is README's sentence for the key (README's table is made from
    these, see :func:`readme_table`) and the hint of a wrong-typed value.
    ``check`` returns a :data:`Problem` for a value of the right type that
    is still wrong; ``items`` is the type every item of a list must have;
    ``keys`` declares a mapping's own keys.  ``metadata`` names the field of
    :class:`publish.model.Metadata` the value fills (``convert`` shapes it).
    """

    kind: type | tuple[type, ...]
    help: str
    required: bool = False
    default: Any = None
    check: Callable[[Any], Problem | None] | None = None
    items: type | None = None
    keys: dict[str, Key] | None = None
    metadata: bool = False
    convert: Callable[[Any], Any] | None = None


ACCENT = re.compile(r"^#[0-9a-fA-F]{6}$")
# The shipped OFL families a book may pick in ``fonts`` (publish.render.branding maps them to files).
FAMILIES = tuple(SHIPPED_FAMILIES)
STYLESHEET_EDITIONS = ("epub", "pdf", "large-print", "press", "booklet", "web")


def _matches(pattern: re.Pattern, key: str, what: str, hint: str) -> Callable[[str], Problem | None]:
    def check(value: str) -> Problem | None:
        return None if pattern.match(value.strip() if key == "identifier" else value) else (
            "y-005", f"'{key}' {what}: {value!r}", hint)
    return check


def _date(value: Any) -> Problem | None:
    if isinstance(value, str):
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return "y-005", f"'date' is not YYYY-MM-DD: {value!r}", "write the date as 2026-11-26"
    return None


def _one_of(key: str, allowed: tuple[str, ...], message: str, hint: str) -> Callable[[str], Problem | None]:
    return lambda value: None if value in allowed else ("y-005", message.format(value=value), hint)


def _not_empty(value: list) -> Problem | None:
    return ("y-003", "'chapters' is empty", "list at least one Markdown file") if value == [] else None


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else value


KEYS: dict[str, Key] = {
    "title": Key(str, "title of the series or book", required=True, default="", metadata=True, convert=str),
    "subtitle": Key(str, "subtitle", default="", metadata=True),
    "authors": Key(list, "list of names, in credit order", default=(), items=str, metadata=True, convert=tuple),
    "publisher": Key(str, "the practice or publisher", default="", metadata=True),
    "language": Key(str, "BCP 47 tag of the text, e.g. `en-GB` (hyphenation, screen-reader pronunciation)",
                    required=True, default="en", metadata=True,
                    check=_matches(LANGUAGE_TAG, "language", "is not a BCP 47 tag",
                                   "use a tag such as en-GB or en-US")),
    "identifier": Key(str, "`urn:uuid:…` or an ISBN", required=True, default="", metadata=True,
                      convert=lambda v: str(v).strip(),
                      check=_matches(IDENTIFIER, "identifier", "is neither urn:uuid:… nor an ISBN",
                                     "generate one with: python -c 'import uuid; print(uuid.uuid4())'")),
    "date": Key((str, dt.date), "publication date `YYYY-MM-DD`; also the build's timestamp", default="",
                check=_date, metadata=True, convert=_iso),
    "rights": Key(str, "copyright statement", default="", metadata=True),
    "description": Key(str, "one or two sentences for catalogues", default="", metadata=True),
    "chapters": Key(list, "Markdown files relative to the book folder, in reading order", required=True,
                    default=(), items=str, check=_not_empty),
    "bibliography": Key((str, list), "bibliography file relative to the book folder, or a list of them "
                        "(CSL-JSON, CSL-YAML, BibTeX, in any mix)", default=(), items=str),
    "csl": Key(str, "CSL style file; APA 7th edition when absent"),
    "citation_locale": Key(str, "CSL locale of citation terms; when absent, the book's `language`, or `en-US` (APA's) "
                           "for English", default="en-US",
                           metadata=True, check=_matches(LANGUAGE_TAG, "citation_locale", "is not a language tag",
                                                         "use a CSL locale such as en-US or en-GB")),
    "bibliography_placement": Key(str, "`chapter` (a reference list after each article, default) or `book`",
                                  default="chapter", metadata=True, check=_one_of(
                                      "bibliography_placement", ("chapter", "book"),
                                      "'bibliography_placement' must be 'chapter' or 'book', not {value!r}",
                                      "use chapter (default) or book")),
    "nocite": Key(list, "keys to list without citing; `@*` lists every reference", default=(), items=str),
    "cover": Key(str, "cover image; a typographic cover is generated otherwise"),
    "cover_alt": Key(str, "alt text of the cover image"),
    "notice": Key(str, "an extra notice printed on the colophon page", default="", metadata=True),
    "url": Key(str, "the web edition's address (`https://…/`): canonical links, Open Graph and `sitemap.xml`",
               default="", metadata=True, check=_matches(SITE_URL, "url", "is not a web address",
                                                         "write the full address, e.g. https://example.org/articles/")),
    "accessibility": Key(dict, "`summary`, `certified_by`, `hazards` overrides", keys={
        "summary": Key(str, "the accessibility summary, in place of the one computed", default=""),
        "certified_by": Key(str, "who checked the book (only with a real conformance check)", default=""),
        "hazards": Key(list, "accessibility hazards, in schema.org terms", default=(), items=str),
    }),
    "logo": Key(str, "the practice's logo (PNG or SVG), set on the cover, the title page and the web edition's header"),
    "logo_alt": Key(str, "the logo's alt text, usually the practice's name (required with `logo`)"),
    "accent_color": Key(str, "a colour `\"#rrggbb\"` (quoted) for titles, rules and pull quotes in every edition; "
                        "it needs 4.5:1 contrast against the white page", check=_matches(
                            ACCENT, "accent_color", "is not a colour written #rrggbb",
                            'write six hexadecimal digits in quotes, e.g. accent_color: "#0b5d5a"')),
    "fonts": Key(dict, "`text` and `display`: a shipped family (" + ", ".join(f"`{name}`" for name in FAMILIES)
                 + ") or a folder of the book holding OFL font files and their licence", keys={
        "text": Key(str, "the family of the text", default=""),
        "display": Key(str, "the family of titles and headings", default=""),
    }),
    "stylesheet": Key((str, dict), "extra CSS loaded last: one file for every edition, or a file per edition ("
                      + ", ".join(f"`{name}`" for name in STYLESHEET_EDITIONS) + ")",
                      keys={name: Key(str, f"extra CSS for the {name} edition", default="")
                            for name in STYLESHEET_EDITIONS}),
    "print": Key(dict, "`page_size`: " + ", ".join(f"`{size}`" + (" (default)" if size == "A5" else "")
                                                  for size in PAGE_SIZES), keys={
        "page_size": Key(str, "the handout's page size", default="A5", check=_one_of(
            "page_size", tuple(PAGE_SIZES), "unknown page size {value!r}", f"use one of {', '.join(PAGE_SIZES)}")),
    }),
}
FIELDS = KEYS  # the name earlier code and tests know


def readme_table() -> str:
    """README's table of ``book.yaml`` keys, made from :data:`KEYS` (a test keeps README in step)."""
    rows = ["| key | required | what it is |", "|---|---|---|"]
    rows += [f"| `{name}` | {'yes' if key.required else ''} | {key.help} |" for name, key in KEYS.items()]
    return "\n".join(rows)


def metadata_values(config: Config) -> dict[str, Any]:
    """The :class:`publish.model.Metadata` fields ``book.yaml`` fills, with the schema's defaults."""
    out = {}
    for name, key in KEYS.items():
        if key.metadata:
            value = config.value(name)
            out[name] = key.convert(value) if key.convert is not None and value is not None else value
    return out


@dataclass
class Config:
    """Validated ``book.yaml`` values; ``lines`` maps each key to its line."""

    values: dict[str, Any]
    lines: dict[str, int] = field(default_factory=dict)
    placeholders: tuple[str, ...] = ()
    item_lines: dict[str, list[int]] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def value(self, dotted: str) -> Any:
        """A key's value (``print.page_size`` for a mapping's key), or the default the schema declares."""
        name, _, sub = dotted.partition(".")
        key = KEYS[name]
        if not sub:
            return self.values.get(name, key.default)
        mapping = self.values.get(name) or {}
        return mapping.get(sub, key.keys[sub].default)  # type: ignore[index]

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
        data = load_settings(text)
    except yaml.YAMLError as exc:
        return None, [yaml_problem(exc, display)]
    if not isinstance(data, dict):
        return None, [error("y-001", "book.yaml must be a mapping of keys to values", Location(display, 1),
                            "start with lines such as 'title: My book'")]
    lines = key_lines(text)
    findings: list[Finding] = duplicate_keys(text, display)
    for key in list(data):
        data[key], changed = without_controls(data[key])
        if changed:
            findings.append(warning("f-005", f"control characters removed from '{key}'",
                                    Location(display, lines.get(str(key))),
                                    "a YAML escape such as \\a or \\x07 makes an invisible character; remove it"))
    values: dict[str, Any] = {}
    for key, value in data.items():
        key = str(key)
        loc = Location(display, lines.get(key))
        spec = KEYS.get(key)
        if spec is None:
            nested = [f"{name}.{key}" for name, spec in KEYS.items() if spec.keys and key in spec.keys]
            hint = (f"did you mean '{nested[0]}'? It goes under '{nested[0].split('.')[0]}:', indented"
                    if nested else suggest(key, list(KEYS)) or "see README for the keys book.yaml accepts")
            findings.append(error("y-002", f"unknown key '{key}'", loc, hint))
            continue
        if value is None and not spec.required:
            continue
        if not isinstance(value, spec.kind) or isinstance(value, bool):
            kinds = (spec.kind,) if isinstance(spec.kind, type) else spec.kind
            expected = " or ".join(_article(k.__name__) for k in kinds if k in (str, list, dict))
            findings.append(error("y-003", f"'{key}' must be {expected}, not "
                                  f"{type(value).__name__}", loc, spec.help))
            continue
        if spec.required and isinstance(value, str) and not value.strip():
            findings.append(error("y-003", f"'{key}' is empty", loc, spec.help))
            continue
        values[key] = value
    for key, spec in KEYS.items():
        if spec.required and key not in data:
            findings.append(error("y-003", f"required key '{key}' is missing", Location(display, 1),
                                  f"add '{key}:' — {spec.help}"))
    findings.extend(_check_values(values, lines, display))
    for key in ("authors", "nocite", "bibliography"):  # items that are not text were reported (y-003)
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
    """Each present value through its key's declaration: list items, its check, a mapping's own keys."""
    findings: list[Finding] = []
    for name, key in KEYS.items():
        if name not in values:
            continue
        findings.extend(_check_one(name, key, values[name], Location(display, lines.get(name))))
    return findings


def _check_one(name: str, key: Key, value: Any, where: Location) -> list[Finding]:
    if key.items is not None and isinstance(value, list) and not all(isinstance(i, key.items) for i in value):
        return [error("y-003", f"every item of '{name}' must be text", where,
                      key.help if "." not in name else "write each item as a quoted string")]
    found = []
    if key.check is not None:
        problem = key.check(value)
        if problem is not None:
            found.append(error(problem[0], problem[1], where, problem[2]))
    for sub, value_of_sub in (value.items() if key.keys is not None and isinstance(value, dict) else ()):
        spec = key.keys.get(sub)  # type: ignore[union-attr]
        dotted = f"{name}.{sub}"
        if spec is None:
            found.append(error("y-002", f"unknown key '{dotted}'", where,
                               suggest(str(sub), list(key.keys)) or f"allowed: {', '.join(key.keys)}"))
        elif not isinstance(value_of_sub, spec.kind):
            found.append(error("y-003", f"'{dotted}' has the wrong type", where,
                               f"expected {_article(spec.kind.__name__)}"))  # type: ignore[union-attr]
        else:
            found.extend(_check_one(dotted, spec, value_of_sub, where))
    return found


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


if __name__ == "__main__":  # regenerate README's table on purpose: python -m publish.source.schema
    print(readme_table())

"""Reading the bytes of a bibliography file: encoding, CSL-JSON and CSL-YAML.

Each reader returns :class:`RawEntry` objects — the parsed value plus where it
sits in the file — so later checks can point at the entry's line.  The
standard parsers only give a position when they fail, so JSON is walked one
array element at a time with ``raw_decode`` and YAML is composed into nodes
(which carry marks) before it is turned into Python values.
"""

from __future__ import annotations

import codecs
import datetime
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from publish.bibliography.bibtex import LineIndex
from publish.findings import Finding, Location, error

_JSON_SPACE = re.compile(r"[ \t\r\n]*")
_MAX_ITEMS = 2_000_000  # guards against YAML alias bombs when converting values


@dataclass
class RawEntry:
    """One entry as read, before any checking."""

    data: Any
    location: Location
    fields: dict[str, Location] = field(default_factory=dict)
    locate_field: Callable[[str], Location | None] | None = None

    def field_location(self, name: str) -> Location:
        """Where field ``name`` is written, falling back to the entry's own position."""
        if name in self.fields:
            return self.fields[name]
        if self.locate_field is not None:
            found = self.locate_field(name)
            if found is not None:
                return found
        return self.location


def decode(data: bytes, display: str) -> tuple[str | None, list[Finding]]:
    """UTF-8 text (BOM dropped); a ``b-005`` finding names the first byte that is not UTF-8."""
    hint = ("save the file as UTF-8 (Zotero: export with character encoding 'Unicode (UTF-8)'; "
            "a text editor: 'Save with Encoding' → UTF-8)")
    for bom, name in ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
                      (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16")):
        if data.startswith(bom) and not data.startswith(codecs.BOM_UTF8):
            return None, [error("b-005", f"the file is {name}, not UTF-8", Location(display, 1, 1), hint)]
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        start = exc.start
        line_start = data.rfind(b"\n", 0, start) + 1
        line = data.count(b"\n", 0, start) + 1
        column = len(data[line_start:start].decode("utf-8", errors="replace")) + 1
        byte = data[start]
        guess = bytes([byte]).decode("cp1252", errors="replace")
        looks = f" (in Windows-1252/Latin-1 it would be {guess!r})" if guess.isprintable() and \
            guess != "\ufffd" else ""
        bad = sum(1 for ch in data.decode("utf-8", errors="replace") if ch == "\ufffd")
        more = f"; {bad - 1} more such byte(s) follow" if bad > 1 else ""
        finding = error(
            "b-005", f"the file is not UTF-8: byte 0x{byte:02X} at line {line}, column {column} "
            f"(byte offset {start}) is not valid UTF-8{looks}{more}", Location(display, line, column), hint)
        return data.decode("utf-8", errors="replace"), [finding]


def read_json(text: str, display: str) -> tuple[list[RawEntry], list[Finding]]:
    """CSL-JSON: a list of item objects, each located at its opening ``{``."""
    lines = LineIndex(text)

    def loc(offset: int) -> Location:
        return Location(display, *lines.position(offset))

    def skip(offset: int) -> int:
        match = _JSON_SPACE.match(text, offset)
        return match.end() if match else offset

    syntax_hint = ("fix the JSON at that spot (a missing or extra comma, a missing quote or bracket); "
                   "re-exporting from Zotero as CSL JSON gives a valid file")
    entries: list[RawEntry] = []
    decoder = json.JSONDecoder()
    pos = skip(0)
    if pos >= len(text):
        return [], [error("b-001", "the file is empty", loc(0),
                          "a CSL-JSON bibliography is a list: [ {\"id\": …, \"type\": …}, … ]")]
    if text[pos] != "[":
        try:
            value, _ = decoder.raw_decode(text, pos)
        except RecursionError:
            value = None
        except json.JSONDecodeError as exc:
            return [], [error("b-001", f"JSON syntax error: {exc.msg}", loc(exc.pos), syntax_hint)]
        found = "an object" if isinstance(value, dict) else type(value).__name__
        return [], [error("b-001", f"a CSL-JSON file must be a list of references, found {found}", loc(pos),
                          "put the references in a list: [ {…}, {…} ]")]
    pos = skip(pos + 1)
    if text.startswith("]", pos):
        pos += 1
    else:
        while True:
            start = pos
            try:
                value, pos = decoder.raw_decode(text, start)
            except RecursionError:
                return entries, [error("b-001", "the entry is nested too deeply to read", loc(start),
                                       "an entry is a flat object of fields; check the brackets")]
            except json.JSONDecodeError as exc:
                message = f"JSON syntax error: {exc.msg}"
                if text.startswith("]", start) and entries:
                    message = "JSON syntax error: a comma after the last entry"
                return entries, [error("b-001", message, loc(exc.pos), syntax_hint)]
            finder = _json_field_finder(text, start, pos, loc)
            entries.append(RawEntry(value, loc(start), locate_field=finder))
            pos = skip(pos)
            if text.startswith(",", pos):
                pos = skip(pos + 1)
            elif text.startswith("]", pos):
                pos += 1
                break
            else:
                what = "the end of the file" if pos >= len(text) else repr(text[pos])
                return entries, [error("b-001", f"JSON syntax error: expected ',' or ']' after the entry "
                                       f"that starts on line {entries[-1].location.line}, found {what}",
                                       loc(pos), "separate entries with ',' and end the list with ']'")]
    pos = skip(pos)
    if pos < len(text):
        return entries, [error("b-001", "JSON syntax error: extra text after the closing ']'", loc(pos),
                               "remove everything after the list's closing ']'")]
    return entries, []


def _json_field_finder(text: str, start: int, end: int,
                       loc: Callable[[int], Location]) -> Callable[[str], Location | None]:
    """Find ``"name":`` inside one entry's text; good enough to point at a field's line."""

    def find(name: str) -> Location | None:
        match = re.compile(re.escape(json.dumps(name)) + r"\s*:").search(text, start, end)
        return loc(match.start()) if match else None

    return find


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps ``2014-06-15`` as text: CSL dates are parsed by us, and an
    impossible date such as ``2014-02-30`` must not make the whole file unreadable."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _plain(value: Any, budget: list[int]) -> Any:
    """YAML values → JSON-like values (string keys, no dates/bytes/sets)."""
    budget[0] -= 1
    if budget[0] < 0:
        raise ValueError("the YAML expands to too many values (aliases repeated too often)")
    if isinstance(value, dict):
        return {str(k): _plain(v, budget) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(v, budget) for v in value]
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return value


def read_yaml(text: str, display: str) -> tuple[list[RawEntry], list[Finding]]:
    """CSL-YAML: a list of items, or a mapping whose ``references`` is that list (pandoc's form)."""
    hint = "fix the YAML at that spot (indentation, a missing ':' or '- ', or quote text containing ': ')"
    loader = _Loader(text)
    try:
        nodes = []
        while loader.check_node():
            node = loader.get_node()
            if node is not None:
                nodes.append(node)
        documents = [(node, loader.construct_document(node)) for node in nodes]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Location(display, mark.line + 1, mark.column + 1) if mark else Location(display)
        problem = exc.problem or exc.context or "invalid YAML"
        return [], [error("b-001", f"YAML syntax error: {problem}", where, hint)]
    except yaml.YAMLError as exc:
        return [], [error("b-001", f"YAML syntax error: {exc}", Location(display, 1), hint)]
    except RecursionError:
        return [], [error("b-001", "the YAML is nested too deeply to read", Location(display, 1),
                          "an entry is a flat mapping of fields; check the brackets and indentation")]
    except (ValueError, TypeError) as exc:  # e.g. an explicit !!timestamp with an impossible date
        return [], [error("b-001", f"a YAML value cannot be read: {exc}", Location(display, 1),
                          "remove explicit tags such as !!timestamp and write dates as text")]
    finally:
        loader.dispose()

    def mark(node: yaml.Node) -> Location:
        return Location(display, node.start_mark.line + 1, node.start_mark.column + 1)

    entries: list[RawEntry] = []
    findings: list[Finding] = []
    budget = [_MAX_ITEMS]
    for node, value in documents:
        items_node: yaml.Node | None = node
        if isinstance(node, yaml.MappingNode):
            items_node = next((v for k, v in reversed(node.value)
                               if isinstance(k, yaml.ScalarNode) and k.value == "references"), None)
            if items_node is None:
                findings.append(error("b-001", "a CSL-YAML file must be a list of references or have a "
                                      "'references:' list", mark(node),
                                      "start the file with 'references:' and list entries under it "
                                      "with '- id: …'"))
                continue
            value = value.get("references") if isinstance(value, dict) else None
        if not isinstance(items_node, yaml.SequenceNode) or not isinstance(value, list):
            findings.append(error("b-001", "the references must be a YAML list (entries starting with '- ')",
                                  mark(items_node), "write each entry as '- id: key' followed by its fields"))
            continue
        try:
            plain = _plain(value, budget)
        except RecursionError:
            findings.append(error("b-001", "the YAML refers to itself (an alias *name inside its own &name)",
                                  mark(node), "write the value itself instead of the alias"))
            continue
        except ValueError as exc:
            findings.append(error("b-001", f"cannot read the YAML: {exc}", mark(node), "simplify the file"))
            continue
        for entry_node, entry in zip(items_node.value, plain, strict=False):
            fields = {}
            if isinstance(entry_node, yaml.MappingNode):
                fields = {str(k.value): mark(k) for k, _ in entry_node.value
                          if isinstance(k, yaml.ScalarNode)}
            entries.append(RawEntry(entry, mark(entry_node), fields))
    if not nodes:
        findings.append(error("b-001", "the file is empty", Location(display, 1),
                              "list the references: '- id: key' then 'type: book' and the other fields"))
    return entries, findings

"""Checks on source text the loader runs before trusting it: front matter, CSL files, nesting, fences.

Each check turns a mistake an author can make into a located finding, so
that nothing further down the pipeline (Markdown, lxml, citeproc-py,
WeasyPrint) ever meets a value of the wrong shape and fails with a
traceback instead of a message.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from lxml import etree

from publish.findings import Finding, Location, error, warning
from publish.source.schema import LANGUAGE_TAG, key_lines, suggest

FRONT_MATTER_KEYS = ("title", "subtitle", "author", "date", "summary", "lang", "nocite", "running_head")
CSL_NS = "http://purl.org/net/xbiblio/csl"
FENCE_START = re.compile(r"^:{3,}\s*\{?\s*\.?[\w-]+\s*\}?\s*$")
FENCE_END = re.compile(r"^:{3,}\s*$")


def check_front_matter(meta: dict, text: str, display: str) -> tuple[dict[str, Any], list[Finding]]:
    """Validate front-matter values; return only the usable ones (as text) and the findings.

    A number or a date is accepted as text (``title: 1984``); a list, a
    mapping or yes/no where text belongs is an error, located on its line.
    """
    lines = _front_matter_lines(text)
    findings: list[Finding] = []
    clean: dict[str, Any] = {}
    for key, value in meta.items():
        key = str(key)
        where = Location(display, lines.get(key, 2))
        if key not in FRONT_MATTER_KEYS:
            findings.append(warning("y-006", f"unknown front-matter key '{key}'", where,
                                    suggest(key, FRONT_MATTER_KEYS) or
                                    f"front matter accepts {', '.join(FRONT_MATTER_KEYS)}"))
            continue
        if value is None:
            continue
        if key == "nocite":
            if isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                clean[key] = value
            else:
                findings.append(error("y-003", "'nocite' must be text or a list of keys", where,
                                      "write nocite: \"@key1 @key2\""))
            continue
        if isinstance(value, bool) or not isinstance(value, str | int | float | dt.date):
            findings.append(error("y-003", f"'{key}' must be text, not {_kind(value)}", where,
                                  f"write {key}: \"…\" (quote text that contains ': ' or starts with [ or {{)"))
            continue
        value = value.isoformat() if isinstance(value, dt.date) else str(value)
        if key == "lang" and not LANGUAGE_TAG.match(value):
            findings.append(error("y-005", f"'lang' is not a BCP 47 tag: {value!r}", where,
                                  "use a tag such as en-GB or de"))
            continue
        clean[key] = value
    return clean, findings


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "yes/no"
    return {"list": "a list", "dict": "a mapping"}.get(type(value).__name__, type(value).__name__)


def _front_matter_lines(text: str) -> dict[str, int]:
    """Line in the file of each front-matter key (the block starts on line 2)."""
    if not text.startswith("---\n"):
        return {}
    end = text.find("\n---", 3)
    block = text[4:end + 1] if end > 0 else text[4:]
    return {key: line + 1 for key, line in key_lines(block).items()}


def check_csl(path: Path, display: str) -> Finding | None:
    """A CSL style must be well-formed XML with a ``<style>`` root, and may not declare entities.

    Parsed without DTDs, external entities or network access: a style file
    that tries to read another file is refused before citeproc-py sees it.
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    hint = "use a style from the CSL repository (zotero.org/styles), or remove 'csl' to use APA 7"
    try:
        tree = etree.parse(str(path), parser)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (None, None)
        return error("s-001", f"the CSL style is not well-formed XML: {str(exc.msg).split(', line')[0]}",
                     Location(display, line, (column or 0) + 1 if line else None), hint)
    except OSError as exc:
        return error("f-001", f"cannot read the CSL style: {exc}", Location(display), hint)
    if tree.docinfo.internalDTD is not None or tree.docinfo.doctype:
        return error("s-001", "the CSL style declares a DOCTYPE or entities", Location(display, 1),
                     "remove the <!DOCTYPE …> line; CSL styles never need one")
    root = tree.getroot()
    if etree.QName(root).namespace != CSL_NS or etree.QName(root).localname != "style":
        return error("s-001", f"not a CSL style: the root element is <{etree.QName(root).localname}>",
                     Location(display, root.sourceline), hint)
    if root.find(f"{{{CSL_NS}}}citation") is None:
        return error("s-001", "the CSL style has no <citation> element", Location(display, root.sourceline), hint)
    return _style_problem(root, display, hint)


XINCLUDE_NS = "http://www.w3.org/2001/XInclude"
# CSL attributes whose value is a whole number (CSL 1.0.2); citeproc-py fails on anything else.
WHOLE_NUMBERS = {"et-al-min", "et-al-use-first", "et-al-subsequent-min", "et-al-subsequent-use-first",
                 "near-note-distance", "line-spacing", "entry-spacing"}


def _style_problem(root: etree._Element, display: str, hint: str) -> Finding | None:
    """What citeproc-py would meet only while formatting, found before it is trusted.

    An XInclude (a style may not pull in other files), a macro used but never defined, a macro that
    calls itself (directly or through others: citeproc-py recurses until it fails), an attribute that
    must be a whole number and is not.
    """
    def at(element: etree._Element) -> Location:
        return Location(display, element.sourceline)

    for element in root.iter():
        if isinstance(element.tag, str) and etree.QName(element).namespace == XINCLUDE_NS:
            return error("s-001", "the CSL style uses XInclude to bring in other files", at(element), hint)
    macros = {m.get("name"): m for m in root.iter(f"{{{CSL_NS}}}macro")}
    calls: dict[str, list[str]] = {}
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for name, value in element.attrib.items():
            if name in WHOLE_NUMBERS and not value.strip().isdigit():
                return error("s-001", f"the CSL style's {name}=\"{value}\" is not a whole number", at(element), hint)
        used = element.get("macro")
        if used is None:
            continue
        if used not in macros:
            return error("s-001", f"the CSL style uses the macro '{used}', which it never defines", at(element), hint)
        owner = next((a.get("name") for a in element.iterancestors(f"{{{CSL_NS}}}macro")), None)
        if owner is not None:
            calls.setdefault(owner, []).append(used)
    cycle = _macro_cycle(calls)
    if cycle:
        return error("s-001", f"the CSL style's macro '{cycle[0]}' calls itself ({' → '.join(cycle)})",
                     at(macros[cycle[0]]), hint)
    return None


def _macro_cycle(calls: dict[str, list[str]]) -> list[str]:
    """The first chain of macro calls that comes back to where it started (iterative depth-first search)."""
    state: dict[str, str] = {}
    for start in sorted(calls):
        if start in state:
            continue
        stack = [(start, iter(calls.get(start, [])))]
        path = [start]
        state[start] = "open"
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = "done"
                stack.pop()
                path.pop()
            elif state.get(child) == "open":
                return [*path[path.index(child):], child]
            elif child not in state:
                state[child] = "open"
                path.append(child)
                stack.append((child, iter(calls.get(child, []))))
    return []


def max_depth(root: etree._Element) -> int:
    """How deeply elements nest below ``root`` (iterative: the tree may be deeper than Python's stack)."""
    deepest = 0
    stack = [(root, 0)]
    while stack:
        element, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in element)
    return deepest


def fence_lines(body: str) -> tuple[list[int], list[int]]:
    """Lines (1-based, in ``body``) of ``::: name`` openings that no ``:::`` closes, and of those opened
    inside another fenced div, each in order."""
    open_lines: list[int] = []
    nested: list[int] = []
    for number, line in enumerate(body.split("\n"), start=1):
        if FENCE_START.match(line):
            if open_lines:
                nested.append(number)
            open_lines.append(number)
        elif FENCE_END.match(line) and open_lines:
            open_lines.pop()
    return open_lines, nested

"""Reading source files safely: UTF-8 with a located error, paths kept inside the book.

Every file the loader opens goes through here, so the rules "text is UTF-8"
and "nothing outside the book folder" are enforced in one place.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from publish.conventions import NOT_XML_CHAR
from publish.findings import Finding, Location, error, warning

# Characters XML 1.0 cannot hold (C0 controls other than tab and newline, U+FFFE, U+FFFF): a stray one,
# pasted from a word processor, would otherwise stop the XHTML serialiser deep in a renderer.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class _NoAliases(yaml.SafeLoader):
    """The safe loader without anchors and aliases: a settings file never needs them, and a few lines of
    aliases can expand to billions of values (the bibliography reader bounds them the same way)."""

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        if self.check_event(yaml.events.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "an alias (*name) where book settings take plain values",
                                              event.start_mark)
        return super().compose_node(parent, index)

    def construct_yaml_timestamp(self, node):  # type: ignore[no-untyped-def]
        """A date YAML cannot make (``2026-02-30``) stays text, so the schema reports it at its line."""
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


_NoAliases.add_constructor("tag:yaml.org,2002:timestamp", _NoAliases.construct_yaml_timestamp)


def load_settings(text: str):
    """YAML settings (``book.yaml``, front matter) with the safe loader and no aliases."""
    return yaml.load(text, Loader=_NoAliases)


def without_controls(value):
    """``value`` with control characters (a YAML escape such as ``"\\a"``) removed from every string in it,
    and whether any was: XML, and so the EPUB and the PDF's metadata, cannot hold them."""
    if isinstance(value, str):
        cleaned = NOT_XML_CHAR.sub("", value)
        return cleaned, cleaned != value
    if isinstance(value, list):
        pairs = [without_controls(item) for item in value]
        return [item for item, _ in pairs], any(changed for _, changed in pairs)
    if isinstance(value, dict):
        pairs = {key: without_controls(item) for key, item in value.items()}
        return {key: item for key, (item, _) in pairs.items()}, any(changed for _, changed in pairs.values())
    return value, False


def yaml_error_location(exc: yaml.YAMLError, display: str, line_offset: int = 0) -> Location:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is None:
        return Location(display)
    return Location(display, mark.line + 1 + line_offset, mark.column + 1)


def yaml_problem(exc: yaml.YAMLError, display: str, line_offset: int = 0) -> Finding:
    """A YAML syntax error in plain words, at the line the author has to change (``y-001``).

    PyYAML names its parser's state ("expected <block end>, but found '?'") and often the line after
    the mistake: a list item without its dash is found when the next line begins.  The common
    mistakes are recognised and said as an author would, at the line that holds them.
    """
    problem = str(getattr(exc, "problem", None) or str(exc).splitlines()[0])
    context = str(getattr(exc, "context", None) or "")
    at = yaml_error_location(exc, display, line_offset)
    mark = getattr(exc, "context_mark", None)
    opened = Location(display, mark.line + 1 + line_offset, mark.column + 1) if mark is not None else at
    if "\\t" in problem or "\t" in problem:
        return error("y-001", "a tab character in the indentation", at, "YAML indents with spaces only: "
                     "replace the tab with spaces")
    if "could not find expected ':'" in problem and "simple key" in context:
        return error("y-001", "this line is neither 'key: value' nor a list item", opened,
                     "a list item needs '- ' in front of it; a setting needs a ':' after its name")
    if problem.startswith("expected <block end>"):
        return error("y-001", "this line is indented differently from the lines above it", at,
                     "line up the items of one list (or the keys of one mapping) under each other")
    if "mapping values are not allowed here" in problem:
        return error("y-001", "a ': ' where YAML does not expect one", at,
                     "put a value that contains ': ' in quotes (title: \"Grief: a guide\"), or check this line's "
                     "indentation")
    if "end of stream" in problem and "quoted scalar" in context:
        return error("y-001", "a quotation mark is opened here and never closed", opened,
                     "close the quotation with the same mark it was opened with")
    if "alias" in problem:
        return error("y-001", "a YAML alias (*name)", at, "write the value itself: aliases are not allowed here")
    if "flow sequence" in context or "flow mapping" in context:
        return error("y-001", "a list in [brackets] (or a mapping in {braces}) is opened here and never closed",
                     opened, "close it on the same line, or write the items one per line with '- '")
    return error("y-001", f"malformed YAML: {problem}", at,
                 "check the indentation and quoting on that line; quote values that contain ': '")


def read_text(path: Path, display: str) -> tuple[str | None, list[Finding]]:
    """Read UTF-8 text (a BOM is allowed); on bad bytes name the line and byte.

    Line endings become ``\n`` (CRLF and CR files read like any other) and
    invisible control characters are removed with one located warning, since
    XML cannot carry them.
    """
    if path.is_dir():
        return None, [error("f-001", "a folder where a file is expected", Location(display),
                            "name the file itself, not the folder that holds it")]
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [error("f-001", f"cannot read file: {exc.strerror or exc}", Location(display),
                            "check that the file exists and is readable")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [error("f-002", f"not UTF-8 text (byte 0x{data[exc.start]:02x})",
                            Location(display, line, column),
                            "save the file as UTF-8 in your editor (File › Save with Encoding › UTF-8)")]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return strip_control_characters(text, display)


def strip_control_characters(text: str, display: str) -> tuple[str, list[Finding]]:
    """Remove characters XML cannot hold; one warning naming the first and how many."""
    first = NOT_XML.search(text)
    if first is None:
        return text, []
    count = len(NOT_XML.findall(text))
    line = text.count("\n", 0, first.start()) + 1
    column = first.start() - (text.rfind("\n", 0, first.start()) + 1) + 1
    return NOT_XML.sub("", text), [
        warning("f-005", f"{count} invisible control character{'s' * (count != 1)} removed "
                f"(first U+{ord(first.group()):04X})", Location(display, line, column),
                "usually pasted from a word processor; retype the text around it if anything looks wrong")]


def inside(root: Path, relative: str, base: Path | None = None) -> Path | None:
    """Resolve ``relative`` against ``base`` (default ``root``); None if it leaves ``root``."""
    if "\x00" in relative:
        return None
    candidate = Path(relative)
    if candidate.is_absolute():
        return None
    try:
        resolved = ((base or root) / candidate).resolve()
    except (RuntimeError, OSError):  # a symbolic link that leads to itself: the caller finds it is no file
        return (base or root) / candidate
    try:
        resolved.relative_to(root.resolve())
    except ValueError:
        return None
    return resolved


def split_front_matter(text: str, display: str) -> tuple[dict, str, int, list[Finding]]:
    """Split YAML front matter from Markdown.

    Returns (metadata, body, number of lines before the body, findings).  The
    line count lets later stages report positions in the original file.
    """
    if not text.startswith("---\n"):
        return {}, text, 0, []
    end = text.find("\n---\n", 3)
    if end == -1:
        if text.endswith("\n---"):
            end = len(text) - 4
        else:
            return {}, text, 0, [error("y-001", "front matter is not closed", Location(display, 1),
                                       "end the YAML block with a line holding only ---")]
    block = text[4:end + 1]
    body = text[end + 5:]
    offset = block.count("\n") + 2
    try:
        meta = load_settings(block) or {}
    except yaml.YAMLError as exc:
        return {}, body, offset, [yaml_problem(exc, display, 1)]
    if not isinstance(meta, dict):
        return {}, body, offset, [error("y-001", "front matter must be a mapping", Location(display, 2),
                                        "write lines such as 'title: My article'")]
    return meta, body, offset, []

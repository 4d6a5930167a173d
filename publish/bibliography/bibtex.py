"""A small BibTeX/BibLaTeX parser that remembers where everything is.

Existing parsers either drop positions or stop at the first problem; an
author fixing an export wants every broken entry named with its line.  The
parser keeps field values as raw LaTeX (braces intact: they decide how names
split) and leaves conversion to :mod:`.bibcsl`.  After an error it resumes
at the next line starting with ``@``, so one bad entry hides nothing else.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from publish.findings import Finding, Location, error, warning

_IDENT = re.compile(r"[A-Za-z_][\w\-:.+]*")
_KEY = re.compile(r"[^\s,{}()=\"#%]+")
_ENTRY_START = re.compile(r"^[ \t]*@[ \t]*[A-Za-z]+[ \t]*[{(]", re.M)
_LINE_AT = re.compile(r"^[ \t]*@", re.M)
_LOOKS_LIKE_FIELD = re.compile(r"[\s},]*,[\s}]*[A-Za-z][\w\-]*\s*=")
_SWALLOWED = re.compile(r"\n[ \t]*[A-Za-z][\w\-]*[ \t]*=[ \t]*[{\"\d\w]")
_MONTH_MACROS = {m: name for m, name in zip(
    "jan feb mar apr may jun jul aug sep oct nov dec".split(),
    "January February March April May June July August September October November December".split(),
    strict=True)}


class LineIndex:
    """Offset → (line, column), both 1-based, by bisecting the line starts."""

    def __init__(self, text: str):
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset) - 1
        return line + 1, offset - self.starts[line] + 1


@dataclass
class BibField:
    name: str
    raw: str
    location: Location


@dataclass
class BibtexEntry:
    kind: str
    key: str
    location: Location
    fields: dict[str, BibField] = field(default_factory=dict)


class _Broken(Exception):
    """An entry cannot be read further; carries the finding and where to resume."""

    def __init__(self, finding: Finding, resume: int):
        super().__init__(finding.message)
        self.finding = finding
        self.resume = resume


class _Parser:
    def __init__(self, text: str, display: str):
        self.text = text
        self.display = display
        self.lines = LineIndex(text)
        self.pos = 0
        self.macros: dict[str, str] = dict(_MONTH_MACROS)
        self.entries: list[BibtexEntry] = []
        self.findings: list[Finding] = []
        self.value_end = 0

    def loc(self, offset: int) -> Location:
        line, column = self.lines.position(offset)
        return Location(self.display, line, column)

    def line(self, offset: int) -> int:
        return self.lines.position(offset)[0]

    def next_entry(self, offset: int) -> int:
        match = _LINE_AT.search(self.text, offset)
        return match.start() if match else len(self.text)

    def broken(self, offset: int, message: str, hint: str, resume: int | None = None) -> _Broken:
        finding = error("b-001", message, self.loc(offset), hint)
        return _Broken(finding, self.next_entry(offset + 1) if resume is None else resume)

    def skip_space(self) -> None:
        """Whitespace and (as biber allows) ``%`` comments between fields."""
        text = self.text
        while self.pos < len(text):
            if text[self.pos] in " \t\r\n\f\v":
                self.pos += 1
            elif text[self.pos] == "%":
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end + 1
            else:
                break

    def parse(self) -> None:
        text = self.text
        while True:
            at = text.find("@", self.pos)
            if at < 0:
                return
            self.pos = at + 1
            self.skip_space()
            kind_match = _IDENT.match(text, self.pos)
            line_start = text.rfind("\n", 0, at) + 1
            at_line_start = not text[line_start:at].strip()
            if not kind_match:
                continue  # an "@" in free text between entries (e.g. an e-mail address)
            kind = kind_match.group().lower()
            self.pos = kind_match.end()
            self.skip_space()
            opener = text[self.pos : self.pos + 1]
            if opener not in ("{", "("):
                if at_line_start and kind != "comment":
                    line = self.line(at)
                    self.findings.append(error(
                        "b-001", f"'@{kind_match.group()}' on line {line} is not followed by '{{'",
                        self.loc(at), f"write @{kind_match.group()}{{key, …}} or remove the '@'"))
                continue
            try:
                if kind == "comment" or kind == "preamble":
                    self.pos = self.balanced(self.pos, f"@{kind}") + 1
                elif kind == "string":
                    self.string_macro(at, opener)
                else:
                    self.entry(at, kind, opener)
            except _Broken as broken:
                self.findings.append(broken.finding)
                self.pos = max(broken.resume, at + 1)

    def balanced(self, start: int, what: str, field_name: str = "") -> int:
        """Index of the ``}`` (or ``)``) matching the opener at ``start``; raises on imbalance.

        Inside a field value, a line that starts a new entry means a ``}`` is missing:
        stopping there names the right field instead of swallowing the rest of the file.
        """
        text = self.text
        pos = start + 1
        if text[start] == "(":
            while pos < len(text):
                ch = text[pos]
                if ch == "\\":
                    pos += 2
                elif ch == "{":
                    pos = self.balanced(pos, what, field_name) + 1
                elif ch == ")":
                    return pos
                else:
                    pos += 1
            raise self.unbalanced(start, what, field_name, len(text))
        depth = 1
        while pos < len(text):
            ch = text[pos]
            if ch == "\\":
                pos += 2
                continue
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    return pos
            elif ch == "\n" and field_name and _ENTRY_START.match(text, pos + 1):
                raise self.unbalanced(start, what, field_name, pos + 1)
            pos += 1
        raise self.unbalanced(start, what, field_name, len(text))

    def unbalanced(self, start: int, what: str, field_name: str, stop: int) -> _Broken:
        line = self.line(start)
        where = f"before the next entry on line {self.line(stop)}" if stop < len(self.text) else \
            "before the end of the file"
        subject = f"the value of '{field_name}' in {what}" if field_name else what
        return self.broken(
            start, f"unbalanced braces: {subject} opens '{self.text[start]}' on line {line} that is "
            f"never closed {where}",
            f"add the missing '}}' on line {line} (or after it), or write a literal brace as \\{{ or \\}}",
            resume=stop)

    def value(self, what: str, field_name: str) -> str:
        """A field value: pieces (``{…}``, ``"…"``, number, macro) joined by ``#``."""
        pieces = []
        text = self.text
        while True:
            self.skip_space()
            start = self.pos
            ch = text[start : start + 1]
            if ch == "{":
                end = self.balanced(start, what, field_name)
                pieces.append(text[start + 1 : end])
                self.pos = end + 1
            elif ch == '"':
                end = self.quoted(start, what, field_name)
                pieces.append(text[start + 1 : end])
                self.pos = end + 1
            elif ch.isdigit():
                match = re.compile(r"\d+").match(text, start)
                assert match is not None
                pieces.append(match.group())
                self.pos = match.end()
            elif (macro := _IDENT.match(text, start)) is not None:
                name = macro.group().lower()
                self.pos = macro.end()
                if name in self.macros:
                    pieces.append(self.macros[name])
                else:
                    self.findings.append(warning(
                        "b-006", f"{what}: '{field_name}' uses the undefined @string abbreviation "
                        f"'{macro.group()}'; it is left empty", self.loc(start),
                        f"put the value in braces ({field_name} = {{{macro.group()}}}) or define it "
                        f"with @string{{{macro.group()} = {{…}}}}"))
            else:
                shown = ch or "the end of the file"
                line = self.line(start)
                raise self.broken(start, f"{what}: expected a value for '{field_name}' on line {line}, "
                                  f"found {shown!r}", f"write {field_name} = {{value}}, on line {line}")
            self.value_end = self.pos
            self.skip_space()
            if text.startswith("#", self.pos):
                self.pos += 1
                continue
            return "".join(pieces)

    def quoted(self, start: int, what: str, field_name: str) -> int:
        """Index of the closing ``"`` at brace depth 0."""
        text = self.text
        pos = start + 1
        while pos < len(text):
            ch = text[pos]
            if ch == "\\":
                pos += 2
                continue
            if ch == "{":
                pos = self.balanced(pos, what, field_name) + 1
                continue
            if ch == '"':
                return pos
            if ch == "\n" and _ENTRY_START.match(text, pos + 1):
                break
            pos += 1
        line = self.line(start)
        raise self.broken(start, f"{what}: the quoted value of '{field_name}' opened on line {line} "
                          "is never closed", f"add the closing '\"' on line {line}",
                          resume=self.next_entry(pos))

    def string_macro(self, at: int, opener: str) -> None:
        closer = ")" if opener == "(" else "}"
        self.pos += 1
        self.skip_space()
        name = _IDENT.match(self.text, self.pos)
        if not name:
            raise self.broken(self.pos, f"@string on line {self.line(at)} has no name",
                              "write @string{name = {value}}")
        self.pos = name.end()
        self.skip_space()
        if not self.text.startswith("=", self.pos):
            raise self.broken(self.pos, f"@string on line {self.line(at)}: expected '=' after "
                              f"'{name.group()}'", "write @string{name = {value}}")
        self.pos += 1
        self.macros[name.group().lower()] = self.value("@string", name.group())
        self.skip_space()
        if self.text.startswith(closer, self.pos):
            self.pos += 1
        else:
            raise self.broken(self.pos, f"@string on line {self.line(at)} is not closed with '{closer}'",
                              f"end the @string with '{closer}'")

    def entry(self, at: int, kind: str, opener: str) -> None:
        text = self.text
        closer = ")" if opener == "(" else "}"
        line = self.line(at)
        self.pos += 1
        self.skip_space()
        key_match = _KEY.match(text, self.pos)
        key = key_match.group() if key_match else ""
        after = key_match.end() if key_match else self.pos
        rest = text[after:].lstrip(" \t\r\n")
        if not key or rest.startswith("="):
            raise self.broken(at, f"@{kind} entry on line {line} has no citation key",
                              f"write @{kind}{{yourkey2024, … — the key is what you cite as @yourkey2024")
        self.pos = after
        self.skip_space()
        entry = BibtexEntry(kind, key, self.loc(at))
        what = f"entry '{key}'"
        if text.startswith(closer, self.pos):
            self.pos += 1
            self.entries.append(entry)
            return
        if not text.startswith(",", self.pos):
            raise self.broken(self.pos, f"{what} (line {line}): expected ',' after the key, found "
                              f"{text[self.pos:self.pos + 1] or 'the end of the file'!r}",
                              f"put a ',' right after the key on line {line}; keys cannot contain spaces")
        self.pos += 1
        while True:
            self.skip_space()
            if self.pos >= len(text) or text.startswith("@", self.pos):
                swallowed = self.swallowed(entry)
                if swallowed is not None:
                    self.findings.append(swallowed)
                    self.entries.append(entry)
                    return
                self.findings.append(error(
                    "b-001", f"{what} (line {line}) is not closed before "
                    + (f"the next entry on line {self.line(self.pos)}" if self.pos < len(text)
                       else "the end of the file"),
                    self.loc(self.pos if self.pos < len(text) else at),
                    f"add '{closer}' after the last field of '{key}'"))
                self.entries.append(entry)
                return
            if text.startswith(closer, self.pos):
                self.pos += 1
                self.entries.append(entry)
                self.check_early_close(what)
                return
            start = self.pos
            name_match = _IDENT.match(text, start)
            if not name_match:
                found = text[start]
                raise self.broken(start, f"{what}: expected a field name on line {self.line(start)}, "
                                  f"found {found!r}",
                                  "fields are written name = {value}, separated by commas")
            self.pos = name_match.end()
            self.skip_space()
            if not text.startswith("=", self.pos):
                raise self.broken(start, f"{what}: expected '=' after '{name_match.group()}' on line "
                                  f"{self.line(start)}", f"write {name_match.group()} = {{value}},")
            self.pos += 1
            name = name_match.group().lower()
            value = self.value(what, name)
            bib_field = BibField(name, value, self.loc(start))
            if name in entry.fields:
                first = entry.fields[name].location.line
                self.findings.append(warning(
                    "b-006", f"{what}: field '{name}' is given twice (lines {first} and "
                    f"{self.line(start)}); the first is used", bib_field.location,
                    "delete one of the two"))
            else:
                entry.fields[name] = bib_field
            self.skip_space()
            if text.startswith(",", self.pos):
                self.pos += 1
            elif text.startswith(closer, self.pos):
                continue
            elif _IDENT.match(text, self.pos) and re.compile(r"[^\s=]+\s*=").match(text, self.pos):
                end_line = self.line(max(self.value_end - 1, 0))
                self.findings.append(error(
                    "b-001", f"{what}: missing comma after the value of '{name}' on line {end_line}",
                    self.loc(self.pos), f"add ',' at the end of line {end_line}"))
            elif self.pos < len(text) and not text.startswith("@", self.pos):
                raise self.broken(self.pos, f"{what}: unexpected {text[self.pos]!r} after the value of "
                                  f"'{name}' on line {self.line(self.pos)}",
                                  "separate fields with ',' and close the entry with '}'")

    def swallowed(self, entry: BibtexEntry) -> Finding | None:
        """A field whose braced value ran over the entry's end: the real cause of "not closed"."""
        for bib_field in entry.fields.values():
            if _SWALLOWED.search(bib_field.raw):
                line = bib_field.location.line
                return error(
                    "b-001", f"entry '{entry.key}': unbalanced braces in '{bib_field.name}' on line {line}: "
                    "a '{' is never closed, so the value runs on over the following fields",
                    bib_field.location, f"add the missing '}}' in '{bib_field.name}' on line {line}")
        return None

    def check_early_close(self, what: str) -> None:
        """Text after the entry that looks like fields means an extra ``}`` ended it early."""
        end = self.next_entry(self.pos)
        if _LOOKS_LIKE_FIELD.match(self.text[self.pos:end]):
            line = self.line(self.pos - 1)
            self.findings.append(error(
                "b-001", f"{what} ends on line {line} but more fields follow: an extra '}}' closes it early",
                self.loc(self.pos - 1), f"remove the extra '}}' on line {line} (braces must balance)"))


def parse_bibtex(text: str, display: str) -> tuple[list[BibtexEntry], list[Finding]]:
    """Entries in file order, and ``b-001``/``b-006`` findings for what could not be read."""
    parser = _Parser(text, display)
    parser.parse()
    return parser.entries, parser.findings

"""LaTeX markup in BibTeX field values → Unicode text, with rich text and case protection kept.

BibTeX files exported by Zotero or Better BibTeX, or written by hand, spell
letters as ``{\\v{c}}``, ``\\'e`` or ``{\\textquestiondown}``, mark italics with
``\\emph``/``\\textit`` and superscripts with ``\\textsuperscript`` or
``$^{\\textrm{2}}$``, protect case with braces and use ``--`` for ranges.  CSL
wants Unicode text whose inline markup is ``<i>``, ``<b>``, ``<sup>``, ``<sub>``
and small caps, so titles (``rich``) keep their formatting as those tags; other
fields keep only the words.  Braces that protect case are remembered while
converting so that :mod:`.casing` can turn a Title Case English title into
sentence case without touching them.  A command we do not know keeps its
argument's text and is reported by name, so nothing vanishes silently.
"""

from __future__ import annotations

import logging
import re
import unicodedata

from publish.bibliography.casing import PROTECT_CLOSE, PROTECT_OPEN, sentence_case
from publish.bibliography.latex_symbols import (
    ACCENTS,
    CASE,
    CONTROL_SYMBOLS,
    DECLARATIONS,
    DROP_ARG,
    MARKUP,
    QUOTE_ARG,
    SUBSCRIPTS,
    SUPERSCRIPTS,
    SYMBOLS,
    TWO_ARGS_KEEP_FIRST,
    TWO_ARGS_KEEP_SECOND,
)

log = logging.getLogger(__name__)

# markup kind -> (open, close) marker while converting, then the tags a rich field gets
_MARKERS = {"i": ("\ue012", "\ue013"), "b": ("\ue014", "\ue015"), "sup": ("\ue016", "\ue017"),
            "sub": ("\ue018", "\ue019"), "sc": ("\ue01a", "\ue01b")}
_TAGS = {"i": ("<i>", "</i>"), "b": ("<b>", "</b>"), "sup": ("<sup>", "</sup>"), "sub": ("<sub>", "</sub>"),
         "sc": ('<span style="font-variant:small-caps;">', "</span>")}
_AS_TAGS = {marker: tag for kind, pair in _MARKERS.items() for marker, tag in zip(pair, _TAGS[kind], strict=True)}
_PRIVATE = re.compile("[\ue010-\ue01b]")
_LETTERS = re.compile(r"[A-Za-z]+")
_SPACE = re.compile(r"[ \t\r\n]+")


class _Converter:
    """Recursive-descent walk over one value; braces group, and protect case unless a command opens them."""

    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.math = False
        self.unknown: list[str] = []

    def group(self, nested: bool) -> str:
        """Convert up to the matching ``}`` (nested) or the end of the text."""
        out: list[str] = []
        text = self.text
        while self.pos < len(text):
            ch = text[self.pos]
            if ch == "{":
                self.pos += 1
                if text.startswith("\\", self.pos):  # {\"o}, {\emph{x}}, {\em x}: a command's group, not protection
                    out.append(self.group(nested=True))
                else:
                    out.append(PROTECT_OPEN + self.group(nested=True) + PROTECT_CLOSE)
            elif ch == "}":
                self.pos += 1
                if nested:
                    return "".join(out)
                # A stray closing brace: the parser already reported it; drop it.
            elif ch == "\\":
                name = self._peek_name()
                if name in DECLARATIONS:  # {\em text}: the rest of this group gets the markup
                    self.pos += 1 + len(name)
                    return "".join(out) + _wrap(DECLARATIONS[name], self.group(nested).lstrip())
                out.append(self.command())
            elif ch == "$":
                self.pos += 1
                self.math = not self.math  # math shift: keep the (converted) content, drop the delimiters
            elif ch in "^_" and self.math:
                self.pos += 1
                out.append(self._script(ch))
            elif ch == "~":
                self.pos += 1
                out.append("\u00a0")
            elif ch == "-":
                dashes = len(text[self.pos:self.pos + 3]) - len(text[self.pos:self.pos + 3].lstrip("-"))
                out.append({3: "—", 2: "–"}.get(dashes, "-"))
                self.pos += dashes
            elif ch == "`":
                double = text.startswith("``", self.pos)
                out.append("“" if double else "‘")
                self.pos += 2 if double else 1
            elif ch == "'" and text.startswith("''", self.pos):
                out.append("”")
                self.pos += 2
            else:
                out.append(ch)
                self.pos += 1
        return "".join(out)

    def _peek_name(self) -> str:
        match = _LETTERS.match(self.text, self.pos + 1)
        return match.group() if match else ""

    def _script(self, kind: str) -> str:
        """``^{2}`` / ``_{2}`` in math: a Unicode super/subscript digit when there is one (Zotero writes ⁴
        as ``$^{4}$``), else the markup (its rich-text ``<sup>`` is ``$^{\\textrm{2}}$``)."""
        styled = self.text.startswith(("{\\textrm", "{\\mathrm", "{\\text{"), self.pos)
        arg = self.argument()
        table = SUPERSCRIPTS if kind == "^" else SUBSCRIPTS
        if not styled and arg and all(c in table for c in arg):
            return "".join(table[c] for c in arg)
        return _wrap("sup" if kind == "^" else "sub", arg)

    def argument(self) -> str:
        """One macro argument: ``{group}``, a command such as ``\\i``, or one character."""
        text = self.text
        while self.pos < len(text) and text[self.pos] in " \t\n":
            self.pos += 1
        if self.pos >= len(text):
            return ""
        ch = text[self.pos]
        if ch == "{":
            self.pos += 1
            return self.group(nested=True)
        if ch == "\\":
            return self.command()
        if ch == "}":
            return ""
        self.pos += 1
        return ch

    def command(self) -> str:
        """Convert the command at ``self.pos`` (which is on the backslash)."""
        text = self.text
        self.pos += 1
        if self.pos >= len(text):
            return ""
        match = _LETTERS.match(text, self.pos)
        if match:
            name = match.group()
            self.pos = match.end()
            # TeX swallows the spaces after a control word; an accent keeps them for its argument.
            if name not in ACCENTS:
                while self.pos < len(text) and text[self.pos] in " \t\n":
                    self.pos += 1
        else:
            name = text[self.pos]
            self.pos += 1
        if name in ACCENTS:
            return _accent(self.argument(), ACCENTS[name], name)
        if name in SYMBOLS:
            if self.text.startswith("{}", self.pos):  # \o{}, \textmu{}: the empty group only ends the name
                self.pos += 2
            return SYMBOLS[name]
        if len(name) == 1 and not name.isalpha():
            return CONTROL_SYMBOLS.get(name, name)
        if name in TWO_ARGS_KEEP_SECOND:
            self.argument()
            return self.argument() if self._has_group() else ""
        if name in TWO_ARGS_KEEP_FIRST:
            first = self.argument()
            self.argument()
            return first
        if name in DROP_ARG:
            self.argument()
            return ""
        if name in QUOTE_ARG:
            return "“" + self.argument() + "”"
        if name in MARKUP or name in CASE:
            if not self._has_group():
                return ""
            arg = self.argument()
            if name in CASE:
                return PROTECT_OPEN + CASE[name](_PRIVATE.sub("", arg)) + PROTECT_CLOSE
            return _wrap(MARKUP[name], arg)
        if name not in self.unknown:
            self.unknown.append(name)
        log.debug("unknown LaTeX command \\%s; keeping its argument text", name)
        return self.argument() if self._has_group() else ""

    def _has_group(self) -> bool:
        return self.pos < len(self.text) and self.text[self.pos] == "{"


def _wrap(kind: str, text: str) -> str:
    if not kind or not text:
        return text
    start, end = _MARKERS[kind]
    return start + text + end


def _accent(arg: str, mark: str, name: str) -> str:
    """Put a combining ``mark`` on the first letter of ``arg`` (``\\'{\\i}`` → í)."""
    plain = _PRIVATE.sub("", arg)
    if not plain:
        return {"~": "~", "^": "^", '"': '"', "'": "'", "`": "`"}.get(name, "")
    base = {"ı": "i", "ȷ": "j"}.get(plain[0], plain[0])
    return base + mark + plain[1:]


def convert(value: str, rich: bool = False, english: bool = False) -> tuple[str, list[str]]:
    """(text, names of unknown commands) for a BibTeX field value.

    ``rich`` keeps italics, bold, small caps, super- and subscripts as CSL's HTML-like tags; ``english``
    turns a Title Case title into sentence case, leaving protected words (``{DNA}``) as they are.
    """
    converter = _Converter(value)
    try:
        text = converter.group(nested=False)
    except RecursionError:  # absurdly deep braces: keep the letters rather than fail
        text = re.sub(r"[{}\\]", "", value)
    if english:
        text = sentence_case(text)
    text = text.replace(PROTECT_OPEN, "").replace(PROTECT_CLOSE, "")
    for start, end in _MARKERS.values():  # "<i>Ips</i><i> typographus</i>" is one italic run
        text = text.replace(end + start, "")
    text = _SPACE.sub(" ", text).strip()
    if rich:
        text = "".join(_AS_TAGS.get(ch, ch) for ch in text)
    text = unicodedata.normalize("NFC", _PRIVATE.sub("", text))
    return text, converter.unknown


def latex_to_text(value: str) -> str:
    """Plain Unicode text for a BibTeX field value (braces, accents and commands resolved)."""
    return convert(value)[0]


def verbatim(value: str) -> str:
    """A URL or DOI field: BibLaTeX reads these verbatim, so only undo common escaping.

    Running the full converter would turn ``~user`` into a no-break space.
    """
    match = re.fullmatch(r"\s*\\(?:url|nolinkurl|href)\s*\{(.*?)\}.*", value, re.S)
    if match:
        value = match.group(1)
    for escaped in ("\\_", "\\%", "\\&", "\\#", "\\$"):
        value = value.replace(escaped, escaped[1])
    value = value.replace("\\textasciitilde{}", "~").replace("\\~{}", "~")
    value = value.replace("{", "").replace("}", "")
    return _SPACE.sub("", value)

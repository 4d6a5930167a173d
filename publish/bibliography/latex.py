"""LaTeX markup in BibTeX field values → plain Unicode text.

BibTeX files exported by Zotero/Better BibTeX (BibTeX mode) or written by
hand spell letters as ``{\\v{c}}``, ``\\'e`` or ``{\\"o}``, protect case with
braces and use ``--`` for ranges.  CSL processors want plain text, so this
module converts what a bibliography realistically contains and drops the
rest (an unknown command keeps its argument text) instead of failing: a
reference with a stray command still prints.
"""

from __future__ import annotations

import logging
import re
import unicodedata

log = logging.getLogger(__name__)

# Accent commands → Unicode combining marks (NFC then composes é, č, ő …).
_ACCENTS = {
    "'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303",
    "=": "\u0304", ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b",
    "c": "\u0327", "k": "\u0328", "r": "\u030a", "d": "\u0323", "b": "\u0331",
    "t": "\u0361",
}

# Commands that stand for a character or a word.
_SYMBOLS = {
    "o": "ø", "O": "Ø", "ss": "ß", "SS": "SS", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ",
    "aa": "å", "AA": "Å", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "dh": "ð", "DH": "Ð",
    "th": "þ", "TH": "Þ", "ng": "ŋ", "NG": "Ŋ", "dj": "đ", "DJ": "Đ",
    "textendash": "–", "textemdash": "—", "ldots": "…", "dots": "…", "textellipsis": "…",
    "textquoteright": "’", "textquoteleft": "‘", "textquotedblleft": "“", "textquotedblright": "”",
    "textquotesingle": "'", "textquotedbl": '"', "guillemotleft": "«", "guillemotright": "»",
    "S": "§", "P": "¶", "copyright": "©", "textcopyright": "©", "textregistered": "®",
    "texttrademark": "™", "textdegree": "°", "degree": "°", "euro": "€", "texteuro": "€",
    "pounds": "£", "textsterling": "£", "textasciitilde": "~", "textbackslash": "\\",
    "textbar": "|", "textless": "<", "textgreater": ">", "textunderscore": "_",
    "textasciicircum": "^", "textbullet": "•", "textperiodcentered": "·", "textdagger": "†",
    "LaTeX": "LaTeX", "TeX": "TeX", "BibTeX": "BibTeX", "quad": " ", "qquad": " ",
    "space": " ", "slash": "/", "textslash": "/", "nobreakspace": "\u00a0", "relax": "",
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν",
    "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "phi": "φ", "varphi": "φ",
    "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ",
    "Lambda": "Λ", "Pi": "Π", "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
    "times": "×", "pm": "±", "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥", "neq": "≠",
    "approx": "≈", "cdot": "·", "infty": "∞", "rightarrow": "→", "to": "→", "leftarrow": "←",
}

# Control symbols: backslash + one non-letter.
_CONTROL_SYMBOLS = {
    "&": "&", "%": "%", "$": "$", "#": "#", "_": "_", "{": "{", "}": "}", " ": " ",
    ",": " ", ";": " ", ":": " ", "!": "", "-": "", "/": "", "@": "", "\\": " ",
    "\n": " ", "\t": " ",
}

# Formatting commands whose (last) argument is the text to keep.
_KEEP_ARG = {
    "emph", "textit", "textbf", "textsc", "textrm", "textsf", "texttt", "textup", "textmd",
    "textnormal", "textsl", "mbox", "hbox", "text", "mathrm", "mathit", "mathbf", "mathsf",
    "mathtt", "mathcal", "url", "nolinkurl", "NoCaseChange", "nocase", "mkbibemph",
    "mkbibitalic", "mkbibbold", "textsuperscript", "textsubscript", "ensuremath", "em", "it",
    "bf", "sc", "rm", "sf", "tt", "small", "footnotesize", "large", "Large",
    "mkbibsuperscript", "mkbibsubscript", "textls", "lowercase", "uppercase", "MakeUppercase",
    "MakeLowercase", "MakeTextUppercase", "MakeTextLowercase",
}
_QUOTE_ARG = {"mkbibquote", "enquote", "textquote"}
_TWO_ARGS_KEEP_SECOND = {"href", "foreignlanguage", "foreignquote", "hyphenation"}
_CASE = {"lowercase": str.lower, "MakeLowercase": str.lower, "MakeTextLowercase": str.lower,
         "uppercase": str.upper, "MakeUppercase": str.upper, "MakeTextUppercase": str.upper}

_LETTERS = re.compile(r"[A-Za-z]+")
_SPACE = re.compile(r"[ \t\r\n]+")


class _Converter:
    """Recursive-descent walk over one value; braces become grouping only."""

    def __init__(self, text: str):
        self.text = text
        self.pos = 0

    def group(self, nested: bool) -> str:
        """Convert up to the matching ``}`` (nested) or the end of the text."""
        out: list[str] = []
        text = self.text
        while self.pos < len(text):
            ch = text[self.pos]
            if ch == "{":
                self.pos += 1
                out.append(self.group(nested=True))
            elif ch == "}":
                self.pos += 1
                if nested:
                    return "".join(out)
                # A stray closing brace: the parser already reported it; drop it.
            elif ch == "\\":
                out.append(self.command())
            elif ch == "$":
                self.pos += 1  # math shift: keep the (converted) content, drop the delimiters
            elif ch == "~":
                self.pos += 1
                out.append("\u00a0")
            elif ch == "-":
                if text.startswith("---", self.pos):
                    out.append("—")
                    self.pos += 3
                elif text.startswith("--", self.pos):
                    out.append("–")
                    self.pos += 2
                else:
                    out.append("-")
                    self.pos += 1
            elif ch == "`":
                if text.startswith("``", self.pos):
                    out.append("“")
                    self.pos += 2
                else:
                    out.append("‘")
                    self.pos += 1
            elif ch == "'" and text.startswith("''", self.pos):
                out.append("”")
                self.pos += 2
            else:
                out.append(ch)
                self.pos += 1
        return "".join(out)

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
            if name not in _ACCENTS:
                while self.pos < len(text) and text[self.pos] in " \t\n":
                    self.pos += 1
        else:
            name = text[self.pos]
            self.pos += 1
        if name in _ACCENTS:
            return _accent(self.argument(), _ACCENTS[name], name)
        if name in _SYMBOLS:
            return _SYMBOLS[name]
        if len(name) == 1 and not name.isalpha():
            return _CONTROL_SYMBOLS.get(name, name)
        if name in _TWO_ARGS_KEEP_SECOND:
            self.argument()
            return self.argument() if self._has_group() else ""
        if name in _QUOTE_ARG:
            return "“" + self.argument() + "”"
        if name in _KEEP_ARG:
            if not self._has_group():
                return ""  # a declaration such as {\em text}: the rest of the group is the text
            arg = self.argument()
            return _CASE.get(name, lambda s: s)(arg)
        log.debug("unknown LaTeX command \\%s; keeping its argument text", name)
        return self.argument() if self._has_group() else ""

    def _has_group(self) -> bool:
        return self.pos < len(self.text) and self.text[self.pos] == "{"


def _accent(arg: str, mark: str, name: str) -> str:
    """Put a combining ``mark`` on the first letter of ``arg`` (``\\'{\\i}`` → í)."""
    if not arg:
        return {"~": "~", "^": "^", '"': '"', "'": "'", "`": "`"}.get(name, "")
    base = {"ı": "i", "ȷ": "j"}.get(arg[0], arg[0])
    return base + mark + arg[1:]


def latex_to_text(value: str) -> str:
    """Plain Unicode text for a BibTeX field value (braces, accents and commands resolved)."""
    try:
        text = _Converter(value).group(nested=False)
    except RecursionError:  # absurdly deep braces: keep the letters rather than fail
        text = re.sub(r"[{}\\]", "", value)
    text = unicodedata.normalize("NFC", text)
    return _SPACE.sub(" ", text).strip()


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

"""What LaTeX's text and math commands stand for, as BibTeX exporters write them.

Zotero's BibTeX exporter (its translator's character mapping table) and Better
BibTeX spell characters outside ASCII as commands when the export is not
UTF-8: ``{\\textquestiondown}`` for ¿, ``{\\textmu}`` for µ, ``$\\times$``…
A reader that drops them loses the ¿ of a Spanish title, so every command
those tables use for a character is listed here, with the usual synonyms.
"""

from __future__ import annotations

# Accent commands -> Unicode combining marks (NFC then composes é, č, ő …).
ACCENTS = {
    "'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303",
    "=": "\u0304", ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b",
    "c": "\u0327", "k": "\u0328", "r": "\u030a", "d": "\u0323", "b": "\u0331",
    "t": "\u0361",
}

# Commands that stand for a character or a word.
SYMBOLS = {
    # letters
    "o": "ø", "O": "Ø", "ss": "ß", "SS": "SS", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ",
    "aa": "å", "AA": "Å", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "dh": "ð", "DH": "Ð",
    "th": "þ", "TH": "Þ", "ng": "ŋ", "NG": "Ŋ", "dj": "đ", "DJ": "Đ", "IJ": "Ĳ", "ij": "ĳ",
    # punctuation and quotes
    "textendash": "–", "textemdash": "—", "ldots": "…", "dots": "…", "textellipsis": "…",
    "textquoteright": "’", "textquoteleft": "‘", "textquotedblleft": "“", "textquotedblright": "”",
    "textquotesingle": "'", "textquotedbl": '"', "guillemotleft": "«", "guillemotright": "»",
    "guillemetleft": "«", "guillemetright": "»", "guilsinglleft": "‹", "guilsinglright": "›",
    "quotesinglbase": "‚", "quotedblbase": "„", "textquestiondown": "¿", "textexclamdown": "¡",
    "textasciigrave": "`", "textasciiacute": "´", "textasciidieresis": "¨", "textasciimacron": "¯",
    "textacutedbl": "˝", "textasciibreve": "˘", "textasciicaron": "ˇ", "textbardbl": "‖",
    "textbrokenbar": "¦", "textvisiblespace": "␣", "textfractionsolidus": "⁄",
    # signs
    "S": "§", "P": "¶", "textsection": "§", "textparagraph": "¶", "copyright": "©",
    "textcopyright": "©", "textregistered": "®", "texttrademark": "™", "textservicemark": "℠",
    "textcircledP": "℗", "textdegree": "°", "degree": "°", "textcelsius": "℃", "textohm": "Ω",
    "textmu": "µ", "textperthousand": "‰", "textpertenthousand": "‱", "textnumero": "№",
    "textestimated": "℮", "textordfeminine": "ª", "textordmasculine": "º", "textlnot": "¬",
    "euro": "€", "texteuro": "€", "pounds": "£", "textsterling": "£", "textcent": "¢", "textyen": "¥",
    "textdollar": "$", "textcurrency": "¤", "textasciitilde": "~", "textbackslash": "\\",
    "textbar": "|", "textless": "<", "textgreater": ">", "textunderscore": "_", "textasciicircum": "^",
    "textbraceleft": "{", "textbraceright": "}", "textbullet": "•", "textopenbullet": "◦",
    "textperiodcentered": "·", "textdagger": "†", "textdaggerdbl": "‡", "dag": "†", "ddag": "‡",
    "textleftarrow": "←", "textrightarrow": "→", "textuparrow": "↑", "textdownarrow": "↓",
    "textlangle": "〈", "textrangle": "〉",
    # numbers and arithmetic in text mode
    "texttimes": "×", "textdiv": "÷", "textpm": "±", "textminus": "−", "textonehalf": "½",
    "textonequarter": "¼", "textthreequarters": "¾", "textonesuperior": "¹", "texttwosuperior": "²",
    "textthreesuperior": "³", "textsurd": "√",
    # words and spaces
    "LaTeX": "LaTeX", "TeX": "TeX", "BibTeX": "BibTeX", "LaTeXe": "LaTeX2e", "quad": " ", "qquad": " ",
    "space": " ", "slash": "/", "textslash": "/", "nobreakspace": "\u00a0", "thinspace": "\u2009",
    "enspace": "\u2002", "relax": "", "textcompwordmark": "", "ignorespaces": "", "unskip": "",
    "break": " ", "newline": " ", "linebreak": " ", "par": " ", "hfill": " ",
    "allowbreak": "", "nolinebreak": "",
    # Greek (math mode, as both exporters write it)
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ", "lambda": "λ",
    "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "varpi": "ϖ", "rho": "ρ", "varrho": "ϱ", "sigma": "σ",
    "varsigma": "ς", "tau": "τ", "upsilon": "υ", "phi": "ϕ", "varphi": "φ", "chi": "χ", "psi": "ψ",
    "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π",
    "Sigma": "Σ", "Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
    # math symbols
    "times": "×", "div": "÷", "pm": "±", "mp": "∓", "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥",
    "neq": "≠", "ne": "≠", "approx": "≈", "sim": "∼", "simeq": "≃", "cong": "≅", "equiv": "≡",
    "propto": "∝", "cdot": "·", "cdots": "⋯", "bullet": "•", "circ": "∘", "ast": "∗", "star": "⋆",
    "infty": "∞", "partial": "∂", "nabla": "∇", "sum": "∑", "prod": "∏", "int": "∫", "sqrt": "√",
    "rightarrow": "→", "to": "→", "leftarrow": "←", "gets": "←", "leftrightarrow": "↔",
    "Rightarrow": "⇒", "Leftarrow": "⇐", "Leftrightarrow": "⇔", "uparrow": "↑", "downarrow": "↓",
    "in": "∈", "notin": "∉", "subset": "⊂", "supset": "⊃", "subseteq": "⊆", "supseteq": "⊇",
    "cup": "∪", "cap": "∩", "emptyset": "∅", "forall": "∀", "exists": "∃", "neg": "¬", "lnot": "¬",
    "wedge": "∧", "land": "∧", "vee": "∨", "lor": "∨", "ll": "≪", "gg": "≫", "prime": "′",
    "ell": "ℓ", "hbar": "ℏ", "Re": "ℜ", "Im": "ℑ", "aleph": "ℵ", "angle": "∠", "perp": "⊥",
    "parallel": "∥", "mid": "∣", "langle": "⟨", "rangle": "⟩", "lbrace": "{", "rbrace": "}",
    "backslash": "\\", "vert": "|", "Vert": "‖", "colon": ":", "lt": "<", "gt": ">",
}

# Control symbols: backslash + one non-letter.
CONTROL_SYMBOLS = {
    "&": "&", "%": "%", "$": "$", "#": "#", "_": "_", "{": "{", "}": "}", " ": " ",
    ",": "\u2009", ";": " ", ":": " ", ">": " ", "!": "", "-": "", "/": "", "@": "", "\\": " ",
    "\n": " ", "\t": " ", "|": "‖",
}

# Unicode super- and subscript characters: "$^{4}$" (Zotero's spelling of ⁴) reads back as ⁴.
SUPERSCRIPTS = dict(zip("0123456789+-=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ", strict=True))
SUBSCRIPTS = dict(zip("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎", strict=True))

# Formatting commands: the markup their argument gets in a rich-text field (titles), "" for none.
MARKUP = {
    "emph": "i", "textit": "i", "textsl": "i", "mkbibemph": "i", "mkbibitalic": "i", "mathit": "i",
    "textbf": "b", "mkbibbold": "b", "mathbf": "b", "boldsymbol": "b",
    "textsc": "sc", "mkbibsc": "sc", "textsuperscript": "sup", "mkbibsuperscript": "sup",
    "textsubscript": "sub", "mkbibsubscript": "sub",
    "textrm": "", "textsf": "", "texttt": "", "textup": "", "textmd": "", "textnormal": "",
    "mbox": "", "hbox": "", "text": "", "mathrm": "", "mathsf": "", "mathtt": "", "mathcal": "",
    "mathbb": "", "mathfrak": "", "mathnormal": "", "operatorname": "", "url": "", "nolinkurl": "",
    "NoCaseChange": "", "nocase": "", "ensuremath": "", "textls": "", "lowercase": "", "uppercase": "",
    "MakeUppercase": "", "MakeLowercase": "", "MakeTextUppercase": "", "MakeTextLowercase": "",
    "MakeCapital": "", "underline": "", "uline": "", "bibstring": "",
}
# Declarations (``{\em text}``, ``{\bf text}``): the rest of the group gets the markup.
DECLARATIONS = {
    "em": "i", "it": "i", "itshape": "i", "sl": "i", "slshape": "i", "bf": "b", "bfseries": "b",
    "sc": "sc", "scshape": "sc", "rm": "", "sf": "", "tt": "", "upshape": "", "normalfont": "",
    "mdseries": "", "rmfamily": "", "sffamily": "", "ttfamily": "", "small": "", "footnotesize": "",
    "scriptsize": "", "tiny": "", "normalsize": "", "large": "", "Large": "", "LARGE": "", "huge": "",
    "Huge": "", "selectfont": "", "protect": "",
}
QUOTE_ARG = {"mkbibquote", "enquote", "textquote"}
TWO_ARGS_KEEP_SECOND = {"href", "foreignlanguage", "foreignquote", "hyphenation"}
TWO_ARGS_KEEP_FIRST = {"texorpdfstring"}
# Commands whose argument prints nothing (Zotero's brace escapes: \vphantom{\}}).
DROP_ARG = {"vphantom", "hphantom", "phantom", "label", "index", "noopsort", "sortname"}
CASE = {"lowercase": str.lower, "MakeLowercase": str.lower, "MakeTextLowercase": str.lower,
        "uppercase": str.upper, "MakeUppercase": str.upper, "MakeTextUppercase": str.upper}

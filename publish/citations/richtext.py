"""Rich text in reference fields, and the output fixes citeproc-js makes after rendering.

CSL-JSON titles may hold ``<i>``, ``<b>``, ``<sup>``, ``<sub>`` and small caps
(``<span style="font-variant:small-caps;">``).  citeproc-py would escape or
drop them, so before parsing we replace each tag by a private-use marker
character that survives case changes and joins, and after rendering we turn
the markers back into tags.  An ``<i>`` inside italic text becomes reverse
italics (``<span style="font-style:normal;">``) as citeproc-js prints it.

The same module holds the string-level fixes citeproc-py lacks: punctuation
moved inside closing quotes (the locale's ``punctuation-in-quote``), a period
dropped after ``?``/``!`` ("beneficial?."), and links for DOIs and URLs.
"""

from __future__ import annotations

import html
import re

# marker pairs: (open, close) private-use characters per inline tag
_TAGS = {"i": ("\ue000", "\ue001"), "b": ("\ue002", "\ue003"), "sup": ("\ue004", "\ue005"),
         "sub": ("\ue006", "\ue007"), "sc": ("\ue008", "\ue009")}
_OPEN = {v[0]: k for k, v in _TAGS.items()}
_CLOSE = {v[1]: k for k, v in _TAGS.items()}
MARKERS = "".join(_OPEN) + "".join(_CLOSE)
_IN_TAG = re.compile(
    r"<(/?)(i|b|sup|sub|span)((?:\s+[^>]*)?)>", re.IGNORECASE)
_HTML_OUT = {"i": ("<i>", "</i>"), "b": ("<b>", "</b>"), "sup": ("<sup>", "</sup>"),
             "sub": ("<sub>", "</sub>"),
             "sc": ('<span style="font-variant:small-caps;">', "</span>")}
_REVERSE = ('<span style="font-style:normal;">', "</span>")
_TOKEN = re.compile(r"<[^>]+>|[" + MARKERS + "]")


def encode(value: str) -> str:
    """Escape ``value`` for HTML and turn its inline tags into markers.

    ``<span class="nocase">`` is kept as is: citeproc-py reads it itself.
    """
    out: list[str] = []
    stack: list[str] = []
    pos = 0
    for match in _IN_TAG.finditer(value):
        out.append(_escape(value[pos:match.start()]))
        pos = match.end()
        closing, tag, attrs = match.group(1), match.group(2).lower(), match.group(3) or ""
        if tag == "span":
            if closing:
                kind = stack.pop() if stack else "nocase"
                out.append(_TAGS["sc"][1] if kind == "sc" else "</span>" if kind == "nocase" else "")
            elif "nocase" in attrs:
                stack.append("nocase")
                out.append('<span class="nocase">')
            elif "small-caps" in attrs:
                stack.append("sc")
                out.append(_TAGS["sc"][0])
            else:
                stack.append("plain")
            continue
        out.append(_TAGS[tag][1] if closing else _TAGS[tag][0])
    out.append(_escape(value[pos:]))
    return "".join(out)


def _escape(text: str) -> str:
    return html.escape(typographic(html.unescape(text)), quote=False)


_OPENS_AFTER = " \t\n([{\u2014\u2013-/\u201c\u2018"
_ELIDED = re.compile(r"\d\d(?:s\b|\b)")  # two digits standing for a year or a decade


def typographic(text: str) -> str:
    """Straight quotes and apostrophes as curly ones, as citeproc-js prints field text.

    ``"good enough"`` becomes “good enough”, ``master's`` master’s and
    ``d'Almeida`` d’Almeida.  A quote opens at the start or after a space or an
    opening bracket, and closes elsewhere.
    """
    if "'" not in text and '"' not in text:
        return text
    out = []
    for n, char in enumerate(text):
        before = text[n - 1] if n else " "
        opening = before in _OPENS_AFTER
        if char == '"':
            out.append("\u201c" if opening else "\u201d")
        elif char == "'":
            after = text[n + 1] if n + 1 < len(text) else ""
            elided = _ELIDED.match(text, n + 1) is not None  # "CHI '21", "the '90s": an apostrophe
            out.append("\u2018" if opening and after.isalnum() and not elided else "\u2019")
        else:
            out.append(char)
    return "".join(out)


def decode_html(rendered: str) -> str:
    """Turn markers in citeproc-py's HTML back into tags, with reverse italics."""
    if not any(m in rendered for m in MARKERS):
        return rendered
    out: list[str] = []
    italic = 0  # depth of italic (minus reverse) around the current point
    stack: list[tuple[str, int]] = []  # (closing tag, italic delta)
    pos = 0
    for match in _TOKEN.finditer(rendered):
        out.append(rendered[pos:match.start()])
        pos = match.end()
        token = match.group(0)
        if token == "<i>":
            italic += 1
        elif token == "</i>":
            italic -= 1
        elif token in _OPEN:
            kind = _OPEN[token]
            if kind == "i" and italic > 0:
                out.append(_REVERSE[0])
                stack.append((_REVERSE[1], -1))
                italic -= 1
            else:
                out.append(_HTML_OUT[kind][0])
                delta = 1 if kind == "i" else 0
                stack.append((_HTML_OUT[kind][1], delta))
                italic += delta
            continue
        elif token in _CLOSE:
            if stack:
                closing, delta = stack.pop()
                out.append(closing)
                italic -= delta
            continue
        out.append(token)
    out.append(rendered[pos:])
    return "".join(out)


def strip_markers(text: str) -> str:
    return text.translate({ord(m): None for m in MARKERS})


_TAGS_RE = re.compile(r"<[^>]+>")


def to_text(fragment: str) -> str:
    """Plain text of an HTML fragment (tags and markers dropped, entities decoded)."""
    return html.unescape(_TAGS_RE.sub("", strip_markers(fragment)))


_CLOSERS = "\u201d\u2019"
_QUOTE_PUNCT = re.compile(r"([" + _CLOSERS + r"])((?:</[a-z]+>)*)([.,])")
_QUERY_COMMA = re.compile(r"([?!])(?:,([" + _CLOSERS + r"])|([" + _CLOSERS + r"](?:</[a-z]+>)*),)")
_DOUBLE = re.compile(r"([?!.])((?:</?[a-z][^>]*>)*)\.(?!\.)")


def fix_punctuation(fragment: str, punctuation_in_quote: bool) -> str:
    """Move ``.``/``,`` inside closing quotes and drop a period after ``?``, ``!`` or ``.``.

    citeproc-js does both when it joins pieces; citeproc-py only removes a
    doubled mark at a plain seam, so "beneficial?." and "...”," remained.
    """
    if punctuation_in_quote:
        fragment = _QUOTE_PUNCT.sub(lambda m: m.group(3) + m.group(1) + m.group(2), fragment)
    # a quoted title ending in "?" or "!" takes no comma after it: (“Is It Burnout?” 2021) (APA 8.14)
    fragment = _QUERY_COMMA.sub(lambda m: m.group(1) + (m.group(2) or m.group(3)), fragment)
    return _DOUBLE.sub(lambda m: m.group(1) + m.group(2), fragment)


_URL = re.compile(r"https?://[^\s<>\"]+")
_ENTITY_END = re.compile(r"&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);$")


def link_urls(fragment: str) -> str:
    """Wrap DOIs and URLs in links whose text is the URL (APA's form)."""

    def repl(match: re.Match[str]) -> str:
        url = match.group(0)
        trail = ""
        while url and url[-1] in ".,;:" and not _ENTITY_END.search(url):  # "&amp;" ends with ";" but is the URL's
            trail = url[-1] + trail
            url = url[:-1]
        return f'<a href="{url}">{url}</a>{trail}'

    return _URL.sub(repl, fragment)

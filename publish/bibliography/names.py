"""BibTeX name lists → CSL name objects.

BibTeX has one string for all authors: names joined by ``and`` at brace
level 0, each written "First von Last", "von Last, First" or
"von Last, Jr, First".  A word belongs to the "von" part when its first
letter at brace level 0 is lowercase, which is how ``van der Kolk, Bessel A.``
yields the particle "van der"; CSL calls that a non-dropping particle.  A
name wrapped whole in braces (``{World Health Organization}``) is an
organisation and becomes a CSL ``literal``.  We work on the raw LaTeX
(braces intact) because braces decide the splitting, and convert each part
to Unicode at the end.
"""

from __future__ import annotations

import re

from publish.bibliography.fields import looks_like_group
from publish.bibliography.latex import latex_to_text

# Commands that are letters themselves; their own case decides (``{\o}rsted``).
_LETTER_COMMANDS = {"o", "O", "l", "L", "ss", "SS", "ae", "AE", "oe", "OE", "aa", "AA", "i", "j",
                    "dh", "DH", "th", "TH", "ng", "NG", "dj", "DJ"}
_EXTENDED = re.compile(r"^\s*(family|given|prefix|suffix|useprefix|juniorcomma)\s*=", re.I)


def split_top(text: str, separator: str) -> list[str]:
    """Split ``text`` on a regex ``separator`` matched only at brace depth 0."""
    parts: list[str] = []
    depth = 0
    start = 0
    pos = 0
    pattern = re.compile(separator, re.I)
    while pos < len(text):
        ch = text[pos]
        if ch == "\\":
            pos += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(depth - 1, 0)
        elif depth == 0:
            match = pattern.match(text, pos)
            if match and match.end() > pos:
                parts.append(text[start:pos])
                start = pos = match.end()
                continue
        pos += 1
    parts.append(text[start:])
    return parts


def _words(text: str) -> list[str]:
    return [word for word in split_top(text.strip(), r"[\s~]+") if word]


def _is_lowercase_word(word: str) -> bool:
    """BibTeX's "von" test: the first letter at brace depth 0 (or in a special character) is lowercase."""
    pos = 0
    while pos < len(word):
        ch = word[pos]
        if ch == "{" or ch == "\\":
            special = ch == "\\" or word.startswith("{\\", pos)
            end = _group_end(word, pos) if ch == "{" else pos + 1
            if not special:
                pos = end  # a plain brace group has no case: keep looking after it
                continue
            body = word[pos + (2 if ch == "{" else 1):end if ch == "{" else len(word)]
            command = re.match(r"[A-Za-z]+", body)
            if command and command.group() in _LETTER_COMMANDS:
                return command.group()[0].islower()
            letters = [c for c in body[command.end() if command else 1:] if c.isalpha()]
            return bool(letters) and letters[0].islower()
        if ch.isalpha():
            return ch.islower()
        pos += 1
    return False


def _group_end(text: str, start: int) -> int:
    """Index just past the brace group opening at ``start``."""
    depth = 0
    pos = start
    while pos < len(text):
        if text[pos] == "\\":
            pos += 2
            continue
        if text[pos] == "{":
            depth += 1
        elif text[pos] == "}":
            depth -= 1
            if depth == 0:
                return pos + 1
        pos += 1
    return len(text)


def _join(words: list[str]) -> str:
    return latex_to_text(" ".join(words))


def _extended(parts: list[str]) -> dict[str, str]:
    """BibLaTeX's ``family=Kolk, given=Bessel A., prefix=van der`` form (Better BibTeX can write it)."""
    name: dict[str, str] = {}
    keys = {"family": "family", "given": "given", "prefix": "non-dropping-particle", "suffix": "suffix"}
    for part in parts:
        key, _, value = part.partition("=")
        csl_key = keys.get(key.strip().lower())
        if csl_key:
            value = latex_to_text(value.strip().strip('"'))
            if value:
                name[csl_key] = value
    return name


def parse_name(raw: str) -> dict[str, str]:
    """One BibTeX name → a CSL name object (``family``/``given``/particle/``suffix`` or ``literal``)."""
    raw = raw.strip()
    if raw.startswith("{") and _group_end(raw, 0) == len(raw) and not raw.startswith("{\\"):
        return {"literal": latex_to_text(raw)}
    parts = [part.strip() for part in split_top(raw, ",")]
    if any(_EXTENDED.match(part) for part in parts):
        return _extended(parts)
    first: list[str] = []
    von: list[str] = []
    jr: list[str] = []
    if len(parts) == 1:
        words = _words(parts[0])
        if len(words) <= 1:
            return {"family": _join(words)} if words else {}
        lower = [i for i, word in enumerate(words[:-1]) if _is_lowercase_word(word)]
        if lower:
            first, von, last = words[: lower[0]], words[lower[0] : lower[-1] + 1], words[lower[-1] + 1 :]
        else:
            first, last = words[:-1], words[-1:]
    else:
        words = _words(parts[0])
        lower = [i for i, word in enumerate(words[:-1]) if _is_lowercase_word(word)]
        if lower and lower[0] == 0:
            von, last = words[: lower[-1] + 1], words[lower[-1] + 1 :]
        else:
            last = words
        if len(parts) == 2:
            first = _words(parts[1])
        else:
            jr = _words(parts[1])
            first = _words(", ".join(parts[2:]))
    name = {"family": _join(last), "given": _join(first), "non-dropping-particle": _join(von),
            "suffix": _join(jr)}
    return {key: value for key, value in name.items() if value}


def parse_names(raw: str, groups: list[str] | None = None) -> list[dict[str, str]]:
    """A BibTeX name list (``A and B and others``) → CSL names.

    ``others`` is dropped: CSL has no "more authors" marker, and the style adds et al. itself.
    A group typed without its protecting braces (``{World Health Organization}`` instead of
    ``{{…}}``) would become "Organization, W. H."; it is read as one group name instead, and
    added to ``groups`` so the caller can say so.
    """
    names = []
    for part in split_top(raw, r"\s+and\s+"):
        if not part.strip() or part.strip().lower() == "others":
            continue
        name = parse_name(part)
        if "family" in name and "given" in name and set(name) <= {"family", "given"}:
            words = f"{name['given']} {name['family']}".split()
            if looks_like_group(words):
                name = {"literal": " ".join(words)}
                if groups is not None:
                    groups.append(name["literal"])
        if name:
            names.append(name)
    return names

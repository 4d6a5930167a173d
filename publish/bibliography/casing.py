"""Title Case → sentence case for English titles read from BibTeX, as BibLaTeX and pandoc do it.

Zotero stores titles in sentence case, and Better BibTeX title-cases English
titles on export because BibLaTeX styles expect that and lower-case them again
when a style asks; it wraps what must keep its capitals (proper names,
acronyms, ``{{Freud}}``, ``{{DNA}}``) in braces.  APA wants sentence case, so
the reader undoes the title-casing: a word outside braces whose first letter
is the only capital ("Regulation") is lowered, unless it begins the title or
a subtitle (after ``:``, ``?``, ``!`` or ``.``).  Words with other capitals
("iPhone", "ADHD", "McDonald") and the pronoun "I" are left alone, since
title-casing cannot have made them.

:mod:`.latex` marks protected text with :data:`PROTECT_OPEN`/:data:`PROTECT_CLOSE`
while converting; markup markers (private-use characters too) do not break words.
"""

from __future__ import annotations

PROTECT_OPEN = "\ue010"
PROTECT_CLOSE = "\ue011"
_MARKUP = frozenset(chr(c) for c in range(0xE012, 0xE01C))
_APOSTROPHES = "'\u2019"
_ENDS_SENTENCE = ":?!."

# langid / language values that mean English (BibLaTeX's babel names, ISO codes, words)
ENGLISH = frozenset("""
english american british canadian australian newzealand usenglish ukenglish en eng en-us en-gb en-au
en-ca en-nz
""".split())


def is_english(language: str | None) -> bool:
    """No language given, or an English one: the titles a BibTeX exporter title-cases."""
    if not language:
        return True
    value = language.strip().lower().replace("_", "-")
    return value in ENGLISH or value.startswith(("en-", "english"))


def sentence_case(text: str) -> str:
    """Lower the first letter of each unprotected Title-Cased word that does not start a (sub)title."""
    out = list(text)
    depth = 0
    starts = True  # the next word begins the title or a subtitle
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == PROTECT_OPEN:
            depth += 1
        elif ch == PROTECT_CLOSE:
            depth = max(depth - 1, 0)
        elif ch.isalnum():
            end = _word_end(text, i)
            letters = [c for c in text[i:end] if c.isalpha()]
            if (depth == 0 and not starts and ch.isalpha() and ch.isupper()
                    and all(c.islower() for c in letters[1:]) and not _is_pronoun_i(text, i, end)):
                out[i] = ch.lower()
            starts = False
            i = end
            continue
        elif ch in _ENDS_SENTENCE and (i + 1 == len(text) or text[i + 1].isspace()):
            starts = True
        i += 1
    return "".join(out)


def _word_end(text: str, start: int) -> int:
    """Index after the word at ``start``: letters, digits, apostrophes and markup markers."""
    end = start
    while end < len(text) and (text[end].isalnum() or text[end] in _APOSTROPHES or text[end] in _MARKUP):
        end += 1
    return end


def _is_pronoun_i(text: str, start: int, end: int) -> bool:
    """"I", "I'm", "I've": the one capital English keeps everywhere."""
    word = "".join(c for c in text[start:end] if c not in _MARKUP)
    return word == "I" or (len(word) > 1 and word[0] == "I" and word[1] in _APOSTROPHES)

"""The words the tool writes for readers, in the book's language.

Every heading the tool adds, every landmark and ARIA label, the colophon's
lines, the accessibility summary and the report come from the translation
files beside this module (``en.toml``, ``de.toml`` …), never from code: a
German book must not carry one English word the tool wrote.

A language tag is looked up from the most to the least specific
(``de-AT`` → ``de-AT.toml``, then ``de.toml``), then English, so a regional
file only holds what differs (``en-US.toml`` only writes dates the American
way).  :attr:`Strings.complete` says whether the book's own language was
found; the checks turn a missing one into a warning naming the language.

Values are Python format strings: ``strings("de")("book.edition", date=…)``; a literal
brace is doubled (``{{``).
"""

from __future__ import annotations

import datetime as _dt
import logging
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any

log = logging.getLogger(__name__)

FALLBACK = "en"


@cache
def _table(name: str) -> dict[str, Any] | None:
    """One translation file, flattened to dotted keys (``nav.contents``); None when there is none."""
    resource = files(__package__) / f"{name}.toml"
    if not resource.is_file():
        return None
    with resource.open("rb") as handle:
        data = tomllib.load(handle)
    flat: dict[str, Any] = {}

    def walk(prefix: str, table: dict[str, Any]) -> None:
        for key, value in table.items():
            dotted = f"{prefix}{key}"
            if isinstance(value, dict):
                walk(dotted + ".", value)
            else:
                flat[dotted] = value

    walk("", data)
    return flat


def languages() -> list[str]:
    """The languages that have a translation file (regional files included)."""
    return sorted(p.name.removesuffix(".toml") for p in files(__package__).iterdir() if p.name.endswith(".toml"))


def _chain(language: str) -> list[str]:
    """``de-AT-1996`` → ``de-AT-1996``, ``de-AT``, ``de``: the most specific file first."""
    parts = (language or FALLBACK).replace("_", "-").split("-")
    tags = ["-".join(parts[:n]) for n in range(len(parts), 0, -1)]
    cased = []
    for tag in tags:  # files are named as tags are usually written: de, de-AT, pt-BR
        head, *rest = tag.split("-")
        cased.append("-".join([head.lower(), *(r.upper() if len(r) == 2 else r for r in rest)]))
    return cased


@dataclass(frozen=True)
class Strings:
    """The strings for one language, with English under them for any key a file leaves out."""

    language: str
    tables: tuple[dict[str, Any], ...] = field(repr=False)
    complete: bool

    def raw(self, key: str) -> Any:
        for table in self.tables:
            if key in table:
                return table[key]
        raise KeyError(f"no translation has the key {key!r}")

    def __call__(self, key: str, **values: object) -> str:
        return str(self.raw(key)).format(**values)  # always: a literal brace is written {{ in the files

    @property
    def quotes(self) -> tuple[str, str]:
        """The language's opening and closing (outer) quotation marks."""
        marks = self.raw("typography.quotes")
        return str(marks[0]), str(marks[1])

    def date(self, value: str | _dt.date) -> str:
        """A date as the language writes it (``26 November 2026``, ``26. November 2026``).

        ``value`` is ISO 8601: a full date, a year and month, or a year; a
        value that is not a date is returned as it was written.
        """
        if isinstance(value, _dt.date):
            year, month, day = value.year, value.month, value.day
        else:
            pieces = str(value).strip().split("-")
            try:
                year, month, day = (int(p) for p in [*pieces, "0", "0"][:3])
                if not 1 <= len(pieces) <= 3 or not 0 <= month <= 12:
                    raise ValueError(value)
                if day:
                    _dt.date(year, month, day)
            except ValueError:
                return str(value)
        months = self.raw("date.months")
        if not month:
            return str(year)
        pattern = self.raw("date.pattern" if day else "date.month_pattern")
        return pattern.format(day=day, month=months[month - 1], year=year)


@cache
def strings(language: str) -> Strings:
    """The translation for a BCP 47 tag, falling back key by key to English."""
    found = [(tag, table) for tag in _chain(language) if (table := _table(tag)) is not None]
    complete = bool(found)
    base = _table(FALLBACK)
    assert base is not None, "the English translation ships with the package"
    tables = tuple(t for _, t in found) + (() if any(tag == FALLBACK for tag, _ in found) else (base,))
    if not complete:
        log.debug("no translation for %s; English is used", language)
    return Strings(language, tables, complete)

"""The words the tool writes come from translation files, in the book's language."""

from __future__ import annotations

import re
import string

import pytest

from publish.i18n import _table, languages, strings

FIELDS = re.compile(r"\{(\w+)\}")


def _fields(value: object) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(str(value)) if name}


def test_dates_as_the_language_writes_them():
    assert strings("en-GB").date("2026-11-26") == "26 November 2026"
    assert strings("en-US").date("2026-11-26") == "November 26, 2026"
    assert strings("en").date("2026-11") == "November 2026"
    assert strings("en").date("2026") == "2026"
    assert strings("en").date("2026-02-30") == "2026-02-30"  # not a date: as written
    assert strings("en").date("spring") == "spring"


def test_a_region_falls_back_to_its_language_then_english():
    us = strings("en-US")
    assert us.complete and us("nav.contents") == "Contents"
    unknown = strings("tlh")
    assert not unknown.complete and unknown("book.notes") == "Notes"
    with pytest.raises(KeyError):
        strings("en")("no.such.key")


@pytest.mark.parametrize("language", [name for name in languages() if "-" not in name])
def test_every_translation_has_every_key_with_the_same_fields(language):
    english = _table("en")
    table = _table(language)
    assert english is not None and table is not None
    missing = sorted(set(english) - set(table))
    assert not missing, f"{language}.toml lacks {missing}"
    unknown = sorted(set(table) - set(english))
    assert not unknown, f"{language}.toml has keys English does not: {unknown}"
    for key, value in table.items():
        if key == "date.months":
            assert len(value) == 12, f"{language}: twelve months"
            continue
        assert _fields(value) == _fields(english[key]), f"{language}: {key} fills {_fields(value)}"

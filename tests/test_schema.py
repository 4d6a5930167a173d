"""``book.yaml``'s schema is the one place a key is declared: README's table and the model follow it."""

from __future__ import annotations

import dataclasses

from conftest import ROOT

from publish.model import Metadata
from publish.source.schema import KEYS, parse_config, readme_table


def test_readme_table_is_the_schemas():
    """Regenerate on purpose: python -m publish.source.schema (prints the table)."""
    assert readme_table() in (ROOT / "README.md").read_text(encoding="utf-8")


def test_metadata_is_filled_from_the_schema():
    filled = {name for name, key in KEYS.items() if key.metadata}
    fields = {f.name for f in dataclasses.fields(Metadata)} - {"modified"}  # modified: derived, never configured
    assert filled == fields


def test_defaults_come_from_the_declaration():
    config, findings = parse_config("title: T\nlanguage: en-GB\nidentifier: urn:uuid:12345678-1234-4234-8234-"
                                    "123456789abc\nchapters: [a.md]\n")
    assert findings == []
    assert config.value("citation_locale") == "en-US"
    assert config.value("print.page_size") == "A5"
    assert config.value("accessibility.hazards") == ()


def test_a_declared_check_reports_with_its_code_and_hint():
    _, findings = parse_config("title: T\nlanguage: English\nidentifier: x\nchapters: []\n"
                               "print:\n  page_size: B5\n  paper: thin\n")
    said = {(f.code, f.message, f.location.line) for f in findings}
    assert ("y-005", "'language' is not a BCP 47 tag: 'English'", 2) in said
    assert ("y-005", "'identifier' is neither urn:uuid:… nor an ISBN: 'x'", 3) in said
    assert ("y-003", "'chapters' is empty", 4) in said
    assert ("y-005", "unknown page size 'B5'", 5) in said
    assert ("y-002", "unknown key 'print.paper'", 5) in said

"""A passage in another language is declared on its structure element in the tagged PDF (PDF/UA-1 7.2)."""

from __future__ import annotations

from pathlib import Path

import pikepdf

from publish.cli import main
from tests.conftest import write_book

CHAPTER = """---
title: Words from elsewhere
---

She whispered [un orage qui lave le ciel]{lang=fr} and then, in plain English, went on with her day.

A whole paragraph in German follows.

Ein Gewitter, das den Himmel wäscht.
{: lang=de }
"""


def _declared(pdf_path: Path) -> list[tuple[str, str]]:
    with pikepdf.open(pdf_path) as pdf:
        return [(str(o.S), str(o.Lang)) for o in pdf.objects
                if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/StructElem" and "/Lang" in o]


def test_passages_in_other_languages_carry_lang(tmp_path: Path) -> None:
    book = write_book(tmp_path / "book", {"01.md": CHAPTER})
    out = tmp_path / "book.pdf"
    assert main(["pdf", str(book), "-o", str(out), "-q"]) == 0
    declared = _declared(out)
    assert ("/Span", "fr") in declared
    assert any(lang == "de" for _, lang in declared)  # the paragraph's text (WeasyPrint tags it as a Span in the P)
    assert {lang for _, lang in declared} == {"fr", "de"}  # the English text keeps the document's language


def test_a_book_in_one_language_declares_no_passages(tmp_path: Path) -> None:
    book = write_book(tmp_path / "book", {"01.md": "---\ntitle: Plain\n---\n\nOnly English here.\n"})
    out = tmp_path / "book.pdf"
    assert main(["pdf", str(book), "-o", str(out), "-q"]) == 0
    assert _declared(out) == []


def test_languages_are_declared_when_the_book_is_laid_out_in_parts(tmp_path: Path) -> None:
    from publish.pdf.parts.coordinator import print_book
    from publish.pipeline import prepare

    chapters = {f"{n:02d}.md": f"---\ntitle: Article {n}\n---\n\n" + "Some English words here. " * 150
                + f"\n\nShe said [merci {n}]{{lang=fr}} twice.\n" for n in range(1, 7)}
    book, _ = prepare(write_book(tmp_path / "book", chapters))
    whole = print_book(book, "standard", tmp_path / "whole.pdf", part_size=None)
    parts = print_book(book, "standard", tmp_path / "parts.pdf", part_size=3_000)
    assert whole.parts == 1 and parts.parts > 3
    assert sorted(_declared(tmp_path / "parts.pdf")) == sorted(_declared(tmp_path / "whole.pdf"))
    assert len(_declared(tmp_path / "whole.pdf")) >= 6

"""Tables: pandoc's caption line becomes the table's name."""

from __future__ import annotations

from conftest import write_book
from lxml import etree

from publish.source.book import load_book

NS = {"x": "http://www.w3.org/1999/xhtml"}
TABLE = "| Week | Minutes |\n|---|---|\n| 1 | 5 |\n"


def _tables(tmp_path, body: str) -> list[etree._Element]:
    book, findings = load_book(write_book(tmp_path / "b", {"01.md": f"---\ntitle: T\n---\n\n{body}"}))
    assert book is not None, findings
    return etree.fromstring(book.chapters[0].body_html).xpath("//x:table", namespaces=NS)


def test_a_caption_after_the_table_with_its_inline_markup(tmp_path):
    (table,) = _tables(tmp_path, f"Before.\n\n{TABLE}\nTable: Minutes *a day*.\n\nAfter.\n")
    caption = table[0]
    assert etree.QName(caption).localname == "caption"
    assert caption.text == "Minutes " and caption[0].text == "a day" and caption[0].tail == "."
    paragraphs = ["".join(p.itertext()) for p in table.getparent().xpath("x:p", namespaces=NS)]
    assert paragraphs == ["Before.", "After."]  # the caption's paragraph is gone, the others stay


def test_a_caption_before_the_table_and_the_short_forms(tmp_path):
    tables = _tables(tmp_path, f"table: First.\n\n{TABLE}\nBetween.\n\n{TABLE}: Second, tight\n")
    assert [t[0].text for t in tables] == ["First.", "Second, tight"]
    assert len(tables[1].xpath(".//x:tbody/x:tr", namespaces=NS)) == 1  # no row left for the caption


def test_a_paragraph_that_only_mentions_a_table_stays(tmp_path):
    (table,) = _tables(tmp_path, f"{TABLE}\nTables: are useful.\n")
    assert table.find("x:caption", NS) is None

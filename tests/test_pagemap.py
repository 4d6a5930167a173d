"""Page-break markers land where the print pages begin, whatever was inserted before them."""

from __future__ import annotations

from lxml import etree

from publish.conventions import XHTML
from publish.render.pagemap import START, PageBreak, insert_page_breaks


def _section() -> etree._Element:
    return etree.fromstring(
        f'<section xmlns="{XHTML}"><p>One</p><aside aria-hidden="true"><p>Quote</p></aside>'
        "<p>Two</p><section><h2>References</h2><ul><li>Adams</li><li>Brown</li><li>Clark</li></ul></section>"
        "</section>")


def _text_after(marker: etree._Element) -> str:
    if marker.tail and marker.tail.strip():
        return marker.tail.strip()
    following = marker.getnext()
    return "".join(following.itertext()).strip()


def test_paths_count_the_untouched_section_after_a_marker_before_a_block():
    # A page that begins at the (hidden) pull quote gets a marker before it at the top level;
    # the later paths still count the section's own children, as in the print HTML.
    section = _section()
    breaks = [PageBreak("4", "ch01", (1,), START), PageBreak("5", "ch01", (2,), 0),
              PageBreak("6", "ch01", (3, 1, 2), 0)]
    insert_page_breaks(section, breaks)
    markers = {m.get("id"): m for m in section.iter(f"{{{XHTML}}}span")}
    assert set(markers) == {"page-4", "page-5", "page-6"}
    assert _text_after(markers["page-4"]) == "Quote"
    assert _text_after(markers["page-5"]) == "Two"
    assert _text_after(markers["page-6"]) == "Clark"


def test_a_path_outside_the_section_is_reported_not_guessed(caplog):
    section = _section()
    insert_page_breaks(section, [PageBreak("7", "ch01", (3, 1, 9), 0)])
    assert "page 7: no element at (3, 1, 9)" in caplog.text

"""The speed-ups under WeasyPrint change time, never results."""

from __future__ import annotations

import pydyf
from weasyprint.text.ffi import ffi

from publish.pdf.engine.speedups import install


def test_sized_arrays_are_allocated_without_a_new_type_parse():
    install()
    items = [5, 3, 900, 7]
    array = ffi.new(f"hb_codepoint_t[{len(items)}]", items)
    assert list(array) == items
    assert len(array) == len(items)
    assert ffi.sizeof(array) == ffi.sizeof("hb_codepoint_t") * len(items)
    assert ffi.typeof(array) == ffi.typeof("hb_codepoint_t[]")  # the open type, parsed once


def test_other_allocations_keep_their_meaning():
    install()
    install()  # idempotent: wrapped once
    assert not hasattr(ffi.new.__wrapped__, "__wrapped__")
    text = ffi.new("char[4]", b"abc")  # T[] from bytes would add a NUL: left alone
    assert ffi.sizeof(text) == 4
    padded = ffi.new("hb_codepoint_t[6]", [1, 2])  # fewer items than the length: left alone
    assert list(padded) == [1, 2, 0, 0, 0, 0]
    counted = ffi.new("hb_codepoint_t[3]")
    assert list(counted) == [0, 0, 0]


def test_page_references_follow_added_pages():
    install()
    document = pydyf.PDF()
    assert document.page_references == ()
    for _ in range(3):
        document.add_page(pydyf.Dictionary({"Type": "/Page"}))
        assert len(document.page_references) == len(document.pages["Kids"]) // 3
    kids = document.pages["Kids"]
    assert document.page_references == tuple(f"{number} 0 R".encode() for number in kids[::3])


WARM_OR_COLD = """
import sys
from pathlib import Path
from publish.pdf import document as pdf
from publish.pipeline import prepare
if sys.argv[1] == "warm":
    pdf.warm_up("standard")
book, _ = prepare(Path(sys.argv[2]))
pdf.write_pdf(pdf.render(book), Path(sys.argv[3]))
"""


def test_warm_up_changes_no_byte(tmp_path):
    """The zygote's sample page leaves caches behind, never content: cold and warm processes write the same PDF."""
    import subprocess
    import sys

    from conftest import BOOK

    outputs = {}
    for mode in ("cold", "warm"):
        out = tmp_path / f"{mode}.pdf"
        subprocess.run([sys.executable, "-c", WARM_OR_COLD, mode, str(BOOK), str(out)], check=True)
        outputs[mode] = out.read_bytes()
    assert outputs["cold"][:5] == b"%PDF-"
    assert outputs["cold"] == outputs["warm"]


PLAIN_OR_FAST = """
import sys
from pathlib import Path
from publish.pdf import document as pdf
from publish.pipeline import prepare
from publish.pdf.engine.speedups import install
if sys.argv[1] == "fast":
    install()
book, _ = prepare(Path(sys.argv[2]))
pdf.write_pdf(pdf.render(book, sys.argv[4]), Path(sys.argv[3]))
"""


def test_speed_ups_change_no_byte(tmp_path):
    """With and without the speed-ups, the same PDF: justified, hyphenated, two languages, two editions."""
    import subprocess
    import sys

    from conftest import BOOK

    for edition in ("standard", "large-print"):
        outputs = {}
        for mode in ("plain", "fast"):
            out = tmp_path / f"{mode}-{edition}.pdf"
            subprocess.run([sys.executable, "-c", PLAIN_OR_FAST, mode, str(BOOK), str(out), edition], check=True)
            outputs[mode] = out.read_bytes()
        assert outputs["plain"][:5] == b"%PDF-"
        assert outputs["plain"] == outputs["fast"], edition


def _text_style():
    from weasyprint import HTML
    from weasyprint.formatting_structure import boxes

    document = HTML(string="<p style='text-align: justify; word-spacing: 2px'>Two words</p>").render()
    return next(box for box in document.pages[0]._page_box.descendants() if isinstance(box, boxes.TextBox)).style


def test_a_dropped_layout_is_what_deactivate_leaves():
    """add_word_spacing's layout, made without Pango, has the attributes of one made and deactivated."""
    from weasyprint.text.line_break import create_layout

    from publish.pdf.engine.speedups import _dropped_layout

    install()
    style = _text_style()
    for text in ("several words to justify", "a line\nand the next\nand more", " ", ""):
        real = create_layout(text, style, None, None, 1.5)
        real.deactivate()
        dropped = _dropped_layout(text, style, None, None, 1.5)
        assert vars(dropped) == vars(real), text
        dropped.reactivate(style)  # as drawing does: set up, then deactivated for good
        assert dropped.layout is not None
        dropped.deactivate()
        assert "layout" not in vars(dropped)


MARGINS = """<html><head><style>
@page { size: A6; margin: 20mm; @top-left { content: "Head"; } @left-middle { content: "Side"; width: 12mm; }
        @bottom-right-corner { content: counter(page); } }
@page :right { @top-center { content: string(title); } @right-bottom { content: "R"; } }
h1 { string-set: title content(); }
</style></head><body><h1>Margins</h1>""" + "<p>Text enough for a few pages. </p>" * 60 + "</body></html>"

PLAIN_OR_FAST_HTML = """
import sys
from weasyprint import HTML
from publish.pdf.engine.speedups import install
if sys.argv[1] == "fast":
    install()
HTML(string=sys.stdin.read()).write_pdf(sys.argv[2])
"""


def _plain_and_fast(tmp_path, html: str) -> dict[str, bytes]:
    """The PDF of ``html`` written in a fresh process without the speed-ups ("plain") and with them ("fast")."""
    import subprocess
    import sys

    outputs = {}
    for mode in ("plain", "fast"):
        out = tmp_path / f"{mode}.pdf"
        subprocess.run([sys.executable, "-c", PLAIN_OR_FAST_HTML, mode, str(out)], input=html, text=True,
                       check=True)
        outputs[mode] = out.read_bytes()
    return outputs


def test_margin_boxes_with_content_on_any_side_or_corner_change_no_byte(tmp_path):
    """Sides and corners with and without content, on left and right pages: the same PDF with the speed-ups."""
    import io

    import pikepdf

    outputs = _plain_and_fast(tmp_path, MARGINS)
    with pikepdf.open(io.BytesIO(outputs["plain"])) as written:
        assert len(written.pages) > 2  # left and right pages
    assert outputs["plain"] == outputs["fast"]


def test_only_margin_boxes_dropped_unread_are_skipped(monkeypatch):
    """A side with one box with content is resolved whole (its neighbours size it); empty sides and corners are not."""
    import weasyprint.layout
    from weasyprint import HTML
    from weasyprint.formatting_structure.boxes import MarginBox
    from weasyprint.layout import page as paged

    from publish.pdf.engine import speedups
    real = getattr(paged.resolve_percentages, "__wrapped__", paged.resolve_percentages)
    resolved: list[str] = []

    def recording(box, *args, **kwargs):
        if isinstance(box, MarginBox):
            resolved.append(box.at_keyword)
        return real(box, *args, **kwargs)

    making = getattr(weasyprint.layout.make_margin_boxes, "__wrapped__", weasyprint.layout.make_margin_boxes)
    monkeypatch.setattr(paged, "resolve_percentages", speedups._resolve_percentages(recording))
    monkeypatch.setattr(weasyprint.layout, "make_margin_boxes", speedups._margin_boxes(making))
    HTML(string="<style>@page { @top-left { content: 'Head'; } @bottom-right-corner { content: 'C'; } }</style>"
                "<p>One page</p>").render()
    assert sorted(resolved) == ["@bottom-right-corner", "@top-center", "@top-left", "@top-right"]
    assert speedups._UNREAD.keywords == frozenset()  # nothing left over for the next page or document


GLYPHS = """<html lang="en"><head><style>
@page { size: A6; margin: 12mm; }
p { text-align: justify; hyphens: auto; font-kerning: normal; }
.cut { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; width: 30mm; }
</style></head><body>
<p>Office affluence: fi, fl and ffi ligatures; kerning in AVAWAY "quotes" and 1,234.56 figures. </p>
<p>Accents built from marks: e\u0301 a\u0300 o\u0308 n\u0303, and precomposed: é à ö ñ. </p>
<p lang="he" dir="rtl">\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd, and then English again.</p>
<p>A character no font has: \ue000, drawn as .notdef. Zero-width joiner: a\u200db, soft hy\u00adphen.</p>
<p class="cut">A line cut with an ellipsis because it is far too long for its box</p>
<p><code>monospace code</code> <b>bold</b> <i>italic</i> <small>small</small> <sup>sup</sup></p>
""" + "<p>Justified text over several lines so that spaces are widened differently on each line. </p>" * 12 + """
</body></html>"""


def test_lines_drawn_fast_or_by_weasyprint_change_no_byte(tmp_path):
    """Ligatures, kerning, marks, right-to-left text, a missing glyph, an ellipsis: the same PDF either way."""
    outputs = _plain_and_fast(tmp_path, GLYPHS)
    assert outputs["plain"][:5] == b"%PDF-"
    assert outputs["plain"] == outputs["fast"]


def test_common_lines_are_drawn_fast_and_the_rest_by_weasyprint(monkeypatch):
    """The fast path takes the plain lines; a missing glyph and an ellipsis go to WeasyPrint's function."""
    import io

    from weasyprint import HTML

    from publish.pdf.engine import glyph_runs
    install()
    assert glyph_runs.usable()
    handed_over: list[str] = []
    real = glyph_runs._REAL

    def recording(stream, textbox, *args):
        handed_over.append(textbox.text)
        return real(stream, textbox, *args)

    monkeypatch.setattr(glyph_runs, "_REAL", recording)
    HTML(string=GLYPHS).write_pdf(io.BytesIO())
    assert any("\ue000" in text for text in handed_over)  # .notdef: WeasyPrint warns and maps it
    assert any(text.startswith("A line cut") for text in handed_over)  # ellipsis
    assert not any("Justified text" in text for text in handed_over)


BOXES = """<html><head><style>
@page { size: A6; margin: 10% 8mm; }
body { margin: 0 5%; }
.half { width: 50%; padding: 2% 1em; margin: 1% auto; border: 1pt solid; box-sizing: border-box; }
.pad { width: 60%; padding: 3mm; box-sizing: padding-box; min-height: 10%; max-width: 40mm; }
.calc { width: calc(100% - 12mm); margin-left: calc(2% + 1mm); }
.flex { display: flex; } .flex div { flex: 1; padding: 1%; }
table.c { border-collapse: collapse; width: 80%; } table.s { border-collapse: separate; width: 70%; }
td { border: 1pt solid; padding: 1mm 2%; }
img { width: 30%; height: auto; }
</style></head><body>
""" + """<div class="half">Half as wide, padded in percent and em.</div><div class="pad">Padding box.</div>
<div class="calc">Sized with calc().</div><div class="flex"><div>one</div><div>two</div></div>
<table class="c"><tr><td>collapsed</td><td>borders</td></tr></table>
<table class="s"><tr><td>separate</td><td>borders</td></tr></table>
<p>Text after the boxes, in a paragraph long enough to wrap over a few lines of the page.</p>
""" * 6 + "</body></html>"


def test_used_values_from_the_cache_change_no_byte(tmp_path):
    """Percent margins and paddings, box-sizing, calc(), flex, collapsed and separate tables: the same PDF."""
    outputs = _plain_and_fast(tmp_path, BOXES)
    assert outputs["plain"][:5] == b"%PDF-"
    assert outputs["plain"] == outputs["fast"]


def test_a_box_resolved_from_the_cache_gets_what_weasyprint_would_set():
    """Boxes with the same style in containing blocks of the same size are resolved once; a new size is new."""
    from weasyprint import HTML
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout import percent

    from publish.pdf.engine import speedups
    document = HTML(string=BOXES).render()
    blocks = [box for page in document.pages for box in page._page_box.descendants()
              if isinstance(box, boxes.BlockBox) and box.element_tag == "div"]
    real = percent.resolve_percentages.__wrapped__ if hasattr(percent.resolve_percentages, "__wrapped__") \
        else percent.resolve_percentages
    calls = []

    def counting(box, containing_block):
        calls.append(box)
        return real(box, containing_block)

    cached = speedups._cached_percentages(counting)
    for width in (300.0, 300.0, 211.5):
        for box in blocks:
            cached(box, (width, "auto"))
            expected = {name: getattr(box, name) for name in speedups._PERCENT_OUTPUTS}
            for name in speedups._PERCENT_OUTPUTS:
                setattr(box, name, None)
            real(box, (width, "auto"))
            assert {name: getattr(box, name) for name in speedups._PERCENT_OUTPUTS} == expected
    distinct = {(speedups._INPUT_VALUES(box.style)) for box in blocks}
    assert len(calls) == 2 * len(distinct)  # once per style and width; the repeated width hit the cache

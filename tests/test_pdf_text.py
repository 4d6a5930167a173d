"""The small pieces behind the PDF's logical text: ToUnicode maps, the author's hyphen kept for extraction."""

from __future__ import annotations

import pikepdf

from publish.pdf.tags import AUTHOR_HYPHEN, _keep_hyphens
from publish.validation.pdf_text import _decode, _unicode_map

CMAP = b"""/CIDInit /ProcSet findresource begin
begincmap
2 beginbfchar
<0001> <0020>
<002d> <002d>
endbfchar
1 beginbfrange
<0010> <0012> <0061>
endbfrange
1 beginbfrange
<0020> <0021> [<00660069> <2010>]
endbfrange
endcmap end"""


def test_a_tounicode_map_is_read_with_its_ranges_and_ligatures():
    pdf = pikepdf.new()
    font = pikepdf.Dictionary(Subtype=pikepdf.Name.Type0, ToUnicode=pdf.make_stream(CMAP))
    mapping, width = _unicode_map(font)
    assert width == 2
    assert _decode(bytes.fromhex("0010001100120001002d00200021"), (mapping, width)) == "abc -fi\u2010"


def test_the_authors_hyphen_at_a_line_end_is_marked_and_nothing_else_moves():
    line = b"/Span <</MCID 4>> BDC\nBT\n1 0 0 -1 56 500 Tm\n/F1 14 Tf\n[<0010>0<0011>-12<002d>] TJ\nET\nEMC\n"
    other = b"/Span <</MCID 5>> BDC\nBT\n[<0010>0<002d>] TJ\nET\nEMC\n"
    out = _keep_hyphens(line + other, {4})
    assert out.count(AUTHOR_HYPHEN) == 1
    assert b"[<0010>0<0011>-12] TJ\n" + AUTHOR_HYPHEN + b"[<002d>] TJ\nEMC" in out
    assert out.endswith(other)  # another line keeps its bytes
    assert _keep_hyphens(line, set()) == line

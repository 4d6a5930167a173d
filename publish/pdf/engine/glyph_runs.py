"""A faster ``draw_first_line`` for WeasyPrint 70: the same text operators, found with less Python per glyph.

Drawing a line, WeasyPrint walks Pango's glyphs one by one through cffi:
five attribute reads per glyph (each a new cdata object), two constant
lookups on the Pango library, a dictionary lookup for the glyph's width, and
a few formatted strings.  Profiled on a three-article part, that loop was a
quarter of writing the PDF.  Here each run's glyphs are read in one
``struct`` unpack, and the text each (glyph, advance, offset, size) becomes
in the ``TJ`` array is kept per font, so a glyph met again costs one
dictionary lookup.

Only the common case is taken: a line without ellipsis, in fonts that are
neither bitmap nor colour (SVG, PNG, COLR), whose glyphs are all known to the
font and none raised or lowered.  Any other line goes to WeasyPrint's own
function, before anything is written for it.  The operators written are the
same, byte for byte, as WeasyPrint's (tests compare whole PDFs).
"""

from __future__ import annotations

import logging
import struct

from weasyprint.draw import text as draw_text
from weasyprint.text.ffi import FROM_UNITS, ffi, pango

log = logging.getLogger(__name__)

_GLYPH = struct.Struct("=Iiiii")  # PangoGlyphInfo: glyph, geometry (width, x_offset, y_offset), attr
_EMPTY = pango.PANGO_GLYPH_EMPTY
_UNKNOWN = pango.PANGO_GLYPH_UNKNOWN_FLAG
_PIECES = "_publish_tj_pieces"  # per font: (glyph, width, x_offset, font_size) -> its text in a TJ array


def usable() -> bool:
    """Whether Pango's glyph record has the layout the ``struct`` above reads."""
    return ffi.sizeof("PangoGlyphInfo") == _GLYPH.size and pango.pango_version() >= 14802


def _runs(stream, first_line):
    """Each run of the line as (font, font size, glyphs, Pango glyph item), or None for a line to leave alone."""
    runs = []
    previous = None
    font = font_size = None
    run = first_line.runs[0]
    while run != ffi.NULL:
        glyph_item = run.data
        run = run.next
        pango_font = glyph_item.item.analysis.font
        if pango_font != previous:
            previous = pango_font
            font, font_size = stream.add_font(pango_font)
            if font.bitmap or font.svg or font.png or font.colr:
                return None
        glyph_string = glyph_item.glyphs
        count = glyph_string.num_glyphs
        glyphs = list(_GLYPH.iter_unpack(ffi.buffer(glyph_string.glyphs, count * _GLYPH.size))) if count else []
        for glyph, _, _, y_offset, _ in glyphs:
            if y_offset or (glyph & _UNKNOWN and glyph != _EMPTY):
                return None
        runs.append((pango_font, font, font_size, glyphs, glyph_item))
    return runs


def _piece(stream, font, pango_font, font_size, glyph, width, x_offset) -> str:
    """The text WeasyPrint writes for one glyph: offset, glyph id, kerning (in its arithmetic)."""
    if glyph == _EMPTY:
        return f">{-width / font_size}<"
    offset = x_offset / font_size
    text = f">{-offset}<" if offset else ""
    text += f"{glyph:04x}"
    if glyph in font.widths:
        logical_width = font.widths[glyph]
    else:
        pango.pango_font_get_glyph_extents(pango_font, glyph, stream.ink_rect, stream.logical_rect)
        logical_width = font.widths[glyph] = round(stream.logical_rect.width * 1000 * FROM_UNITS / font_size)
    kerning = logical_width + offset - width * 1000 * FROM_UNITS / font_size
    if kerning:
        text += f">{int(kerning)}<"
    return text


def _map_unicode(font, glyph_item, glyphs, utf8_text: bytes) -> None:
    """Record the characters of glyphs the font has not mapped yet, as WeasyPrint does for its ToUnicode map."""
    item = glyph_item.item
    count = len(glyphs)
    clusters = None
    for index, (glyph, *_rest) in enumerate(glyphs):
        if glyph == _EMPTY or glyph in font.to_unicode:
            continue
        if clusters is None:
            clusters = ffi.unpack(glyph_item.glyphs.log_clusters, count)
        start = clusters[index]
        if item.analysis.level % 2:  # right to left
            end = item.length if index == 0 else clusters[index - 1]
        else:
            end = item.length if index == count - 1 else clusters[index + 1]
        font.to_unicode[glyph] = utf8_text[item.offset + start:item.offset + end].decode()


def draw_first_line(stream, textbox, text_overflow, block_ellipsis, matrix):
    """WeasyPrint's ``draw_first_line``, with the common case drawn here."""
    if text_overflow == "ellipsis" or block_ellipsis != "none":
        return _REAL(stream, textbox, text_overflow, block_ellipsis, matrix)
    if not textbox.text.strip() or textbox.style["font_size"] < 1e-6:
        return []
    layout = textbox.pango_layout
    pango.pango_layout_set_single_paragraph_mode(layout.layout, True)
    first_line, _ = layout.get_first_line()
    runs = _runs(stream, first_line)
    if runs is None:
        return _REAL(stream, textbox, text_overflow, block_ellipsis, matrix)

    stream.set_text_matrix(*matrix.values)
    utf8_text = None
    string = ""
    previous = None
    for pango_font, font, font_size, glyphs, glyph_item in runs:
        if pango_font != previous:
            previous = pango_font
            if string:
                stream.show_text(string)
            string = ""
            stream.set_font_size(font.hash, font_size)
        pieces = font.__dict__.setdefault(_PIECES, {})
        texts = [pieces.get((glyph, width, x_offset, font_size)) for glyph, width, x_offset, _, _ in glyphs]
        if None in texts:  # a glyph not met before at this advance: map the run's new glyphs, then make its text
            utf8_text = utf8_text or layout.text.encode()
            _map_unicode(font, glyph_item, glyphs, utf8_text)
            for index, (glyph, width, x_offset, _, _) in enumerate(glyphs):
                if texts[index] is None:
                    texts[index] = pieces[glyph, width, x_offset, font_size] = _piece(
                        stream, font, pango_font, font_size, glyph, width, x_offset)
        string += "<" + "".join(texts)
        if string[-1] == "<":
            string = string[:-1]
        else:
            string += ">"
    stream.show_text(string)
    return []


_REAL = draw_text.draw_first_line


def install() -> None:
    """Draw lines with :func:`draw_first_line` (idempotent; left out if Pango's glyph record differs)."""
    if draw_text.draw_first_line is draw_first_line:
        return
    if not usable():
        log.warning("Pango's glyph record is not the expected %d bytes; lines are drawn by WeasyPrint", _GLYPH.size)
        return
    draw_text.draw_first_line = draw_first_line

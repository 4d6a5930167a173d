"""One embedded font per face in a PDF joined from parts (:mod:`publish.pdf.parts.merge`).

Every part embeds its own subset of each face it uses.  WeasyPrint subsets
with HarfBuzz keeping the original glyph ids (and writes ``CIDToGIDMap
/Identity``), so the subsets of one face are slices of the same glyph
table: glyph *n* is the same glyph in each of them, present or empty.  The
parts' fonts of one ``BaseFont`` are therefore joined into the first one:

* glyph outlines and advance widths: the union of the subsets' glyphs;
* ``/W``: the union of the widths arrays;
* ``/ToUnicode``: the union of the ``bfchar`` mappings;
* ``/CIDSet`` (PDF 1.3/1.4 files, e.g. the PDF/X-3 press edition): rebuilt
  from the joined widths.

Every page's font resource then points at the joined font.  A face whose
subsets cannot be joined safely (a CFF font program, a custom encoding
CMap, ``bfrange`` mappings) is left as it is — correct, only larger.
"""

from __future__ import annotations

import io
import logging
import re
import struct
from math import ceil

import pikepdf

log = logging.getLogger(__name__)
BFCHAR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>")


def _font_holders(pdf: pikepdf.Pdf) -> list[tuple[pikepdf.Dictionary, str, pikepdf.Dictionary]]:
    """(resource font dictionary, resource name, Type0 font) for pages and the form XObjects they draw."""
    found = []
    seen: set[tuple[int, int]] = set()
    stack = [page.obj.get("/Resources") for page in reversed(pdf.pages)]  # popped in page order
    while stack:
        resources = stack.pop()
        if resources is None or not isinstance(resources, pikepdf.Dictionary):
            continue
        if resources.is_indirect:
            if resources.objgen in seen:
                continue
            seen.add(resources.objgen)
        fonts = resources.get("/Font")
        if isinstance(fonts, pikepdf.Dictionary):
            for key, font in fonts.items():
                if isinstance(font, pikepdf.Dictionary) and font.get("/Subtype") == "/Type0":
                    found.append((fonts, key, font))
        for xobject in (resources.get("/XObject") or {}).values() if isinstance(resources.get("/XObject"),
                                                                               pikepdf.Dictionary) else []:
            if xobject.get("/Subtype") == "/Form":
                stack.append(xobject.get("/Resources"))
    return found


class FontMismatch(ValueError):
    """Two parts embed different glyphs under one glyph id of one font: joining them would print a wrong glyph."""


TABLES = ("GDEF", "OS/2", "cmap", "glyf", "head", "hhea", "hmtx", "loca", "maxp", "name", "post")  # HarfBuzz's subsets


def preload() -> None:
    """Import the modules of the tables a join reads and compiles.

    fontTools imports a table's module when a font first uses it (0.1 s for
    these); the build calls this while the workers lay out, so the join
    at the end of the build does not wait for imports.
    """
    from fontTools.ttLib import getTableClass

    for tag in TABLES:
        getTableClass(tag)


def join_fonts(pdf: pikepdf.Pdf) -> int:
    """Join the subsets of each face into one font; return how many faces were joined."""
    holders = _font_holders(pdf)
    groups: dict[str, dict[tuple[int, int], pikepdf.Dictionary]] = {}
    for _, _, font in holders:  # in page order: the first part's font comes first and is kept
        groups.setdefault(str(font.BaseFont), {}).setdefault(font.objgen, font)
    joined = 0
    for name in sorted(groups):
        members = list(groups[name].values())
        if len(members) < 2 or not all(_joinable(font) for font in members):
            continue
        keep = members[0]
        _join_into(pdf, keep, members)
        for fonts, key, font in holders:
            if font.objgen in groups[name] and font.objgen != keep.objgen:
                fonts[key] = keep
        joined += 1
    return joined


def _joinable(font: pikepdf.Dictionary) -> bool:
    descendant = font.DescendantFonts[0]
    descriptor = descendant.FontDescriptor
    encoding = font.get("/Encoding")
    return ("/FontFile2" in descriptor and str(descendant.get("/CIDToGIDMap", "")) == "/Identity"
            and not isinstance(encoding, pikepdf.Stream) and "/ToUnicode" in font
            and b"beginbfrange" not in font.ToUnicode.read_bytes())


def _widths(array: pikepdf.Array) -> dict[int, float]:
    """A CIDFont ``/W`` array as cid → width (both the ``c [w…]`` and ``c1 c2 w`` forms)."""
    out: dict[int, float] = {}
    items = list(array)
    i = 0
    while i < len(items):
        start = int(items[i])
        if isinstance(items[i + 1], pikepdf.Array):
            for offset, width in enumerate(items[i + 1]):
                out[start + offset] = float(width)
            i += 2
        else:
            for cid in range(start, int(items[i + 1]) + 1):
                out[cid] = float(items[i + 2])
            i += 3
    return out


def _width_array(widths: dict[int, float]) -> pikepdf.Array:
    array = pikepdf.Array()
    run: pikepdf.Array | None = None
    for cid in sorted(widths):
        if run is None or cid - 1 not in widths:
            run = pikepdf.Array()
            array.append(cid)
            array.append(run)
        value = widths[cid]
        run.append(int(value) if float(value).is_integer() else value)
    return array


def _to_unicode(stream: pikepdf.Stream) -> dict[int, str]:
    data = stream.read_bytes()
    body = data[data.find(b"endcodespacerange"):]
    return {int(glyph, 16): target.decode("ascii").lower() for glyph, target in BFCHAR.findall(body)}


def _to_unicode_stream(pdf: pikepdf.Pdf, mapping: dict[int, str]) -> pikepdf.Stream:
    lines = [b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap", b"/CIDSystemInfo",
             b"<< /Registry (Adobe)", b"/Ordering (UCS)", b"/Supplement 0", b">> def",
             b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def", b"1 begincodespacerange",
             b"<0000> <ffff>", b"endcodespacerange"]
    items = sorted(mapping.items())
    for start in range(0, len(items), 100):  # a CMap allows at most 100 entries per block
        batch = items[start:start + 100]
        lines.append(f"{len(batch)} beginbfchar".encode())
        lines += [f"<{glyph:04x}> <{target}>".encode() for glyph, target in batch]
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return pdf.make_stream(b"\n".join(lines))


def _glyph_records(font) -> tuple[list[bytes], list[tuple[int, int]]]:
    """A TrueType font's raw ``glyf`` records and (advance, left side bearing) per glyph id, undecompiled."""
    data = font.reader
    count = font["maxp"].numGlyphs
    raw_loca = data["loca"]
    if font["head"].indexToLocFormat == 0:
        offsets = [2 * v for v in struct.unpack(f">{len(raw_loca) // 2}H", raw_loca)]
    else:
        offsets = list(struct.unpack(f">{len(raw_loca) // 4}I", raw_loca))
    glyf = data["glyf"]
    records = [glyf[offsets[i]:offsets[i + 1]] for i in range(count)]
    long_count = font["hhea"].numberOfHMetrics
    raw_hmtx = data["hmtx"]
    pairs = struct.unpack(f">{2 * long_count}h", raw_hmtx[:4 * long_count])
    metrics = [(pairs[2 * i] & 0xFFFF, pairs[2 * i + 1]) for i in range(long_count)]
    rest = count - long_count
    bearings = struct.unpack(f">{rest}h", raw_hmtx[4 * long_count:4 * long_count + 2 * rest])
    metrics += [(metrics[-1][0], lsb) for lsb in bearings]
    return records, metrics


def _join_glyphs(programs: list[bytes]) -> bytes:
    """The union of TrueType subsets that keep the original glyph ids.

    Works on the raw ``glyf``, ``loca`` and ``hmtx`` tables: a glyph is
    empty in a subset when its ``loca`` entry spans no bytes, and a glyph's
    record and metrics are taken whole from the first subset that has it.
    The other tables are the longest subset's, untouched (no hinting, so
    nothing depends on the outlines).  A glyph two subsets both hold must be
    the same record with the same metrics (a cheap comparison): otherwise
    :class:`FontMismatch` stops the join instead of printing a wrong glyph.
    """
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.tables.DefaultTable import DefaultTable

    fonts = [TTFont(io.BytesIO(data), recalcBBoxes=False, recalcTimestamp=False)  # reproducible bytes
             for data in programs]
    base = max(fonts, key=lambda f: f["maxp"].numGlyphs)
    records, metrics = _glyph_records(base)
    for other in fonts:
        if other is base:
            continue
        theirs, their_metrics = _glyph_records(other)
        for gid, record in enumerate(theirs):
            if not record or gid >= len(records):
                continue
            if not records[gid]:
                records[gid] = record
                metrics[gid] = their_metrics[gid]
            elif record.rstrip(b"\0") != records[gid].rstrip(b"\0") or their_metrics[gid] != metrics[gid]:
                raise FontMismatch(f"glyph {gid} differs between two parts' subsets of one font")
    glyf, offsets = bytearray(), []
    for record in records:
        offsets.append(len(glyf))
        glyf += record + b"\0" * (-len(record) % 4)  # records stay 4-byte aligned
    offsets.append(len(glyf))
    tables = {"glyf": bytes(glyf), "loca": struct.pack(f">{len(offsets)}I", *offsets),
              "hmtx": b"".join(struct.pack(">Hh", advance, lsb) for advance, lsb in metrics)}
    for tag, data in tables.items():
        table = DefaultTable(tag)
        table.data = data
        base[tag] = table
    base["head"].indexToLocFormat = 1  # long offsets
    base["hhea"].numberOfHMetrics = len(metrics)
    out = io.BytesIO()
    base.save(out)
    return out.getvalue()


def _join_into(pdf: pikepdf.Pdf, keep: pikepdf.Dictionary, members: list[pikepdf.Dictionary]) -> None:
    widths: dict[int, float] = {}
    mapping: dict[int, str] = {}
    for font in members:
        widths.update(_widths(font.DescendantFonts[0].W))
        for glyph, text in _to_unicode(font.ToUnicode).items():
            mapping.setdefault(glyph, text)  # one glyph, several characters (- and ‐): the first use wins
    descendant = keep.DescendantFonts[0]
    descriptor = descendant.FontDescriptor
    programs = [font.DescendantFonts[0].FontDescriptor.FontFile2.read_bytes() for font in members]
    program = _join_glyphs(programs)
    descriptor.FontFile2 = pdf.make_stream(program, Length1=len(program))
    boxes = [list(font.DescendantFonts[0].FontDescriptor.FontBBox) for font in members]
    descriptor.FontBBox = pikepdf.Array([min(b[0] for b in boxes), min(b[1] for b in boxes),
                                         max(b[2] for b in boxes), max(b[3] for b in boxes)])
    if "/CIDSet" in descriptor:
        cids = sorted(widths)
        size = ceil((cids[-1] + 1) / 8)
        bits = bytearray(size)
        for cid in cids:
            bits[cid // 8] |= 0x80 >> (cid % 8)
        descriptor.CIDSet = pdf.make_stream(bytes(bits))
    descendant.W = _width_array(widths)
    keep.ToUnicode = _to_unicode_stream(pdf, mapping)

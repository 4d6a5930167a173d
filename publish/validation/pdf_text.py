"""The PDF's logical text as assistive technology gets it: each structure element's words, in tree order.

Read with pikepdf only: every page's content stream is walked once, the
glyphs inside each marked-content sequence are turned into text through
their font's ``ToUnicode`` map, and ``/ActualText`` (on a nested marked
sequence or on a structure element) replaces what it covers, as a reader
would.  Artifacts are not read.  The checks in :mod:`publish.validation.pdf_checks`
compare this text with the EPUB's and look for what a listener would hear
wrongly (a hyphen that layout added, a paragraph cut in two).
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

from publish.parallel import cores, fork_map

LAYOUT_HYPHEN = "\u2010"  # WeasyPrint's hyphenate character; an author's own hyphen is U+002D
_HEX = re.compile(rb"<([0-9A-Fa-f]+)>")


def _unicode_map(font: pikepdf.Dictionary) -> tuple[dict[int, str], int]:
    """A font's code → text map from its ``ToUnicode`` CMap, and its code width in bytes."""
    width = 2 if font.get("/Subtype") == "/Type0" else 1
    mapping: dict[int, str] = {}
    stream = font.get("/ToUnicode")
    if stream is None:
        return mapping, width
    data = stream.read_bytes()
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        pairs = _HEX.findall(block)
        for code, text in zip(pairs[::2], pairs[1::2], strict=False):
            mapping[int(code, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be", "replace")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for line in block.strip().splitlines():
            parts = _HEX.findall(line)
            if len(parts) < 3:
                continue
            low, high = int(parts[0], 16), int(parts[1], 16)
            if b"[" in line:
                for offset, text in enumerate(parts[2:]):
                    mapping[low + offset] = bytes.fromhex(text.decode()).decode("utf-16-be", "replace")
            else:
                start = bytes.fromhex(parts[2].decode()).decode("utf-16-be", "replace")
                for offset in range(high - low + 1):
                    mapping[low + offset] = start[:-1] + chr(ord(start[-1]) + offset) if start else ""
    return mapping, width


@dataclass
class PageText:
    """The text of each MCID on one page, and the MCIDs drawn outside any artifact."""

    text: dict[int, str] = field(default_factory=dict)


def page_text(page: pikepdf.Page, fonts_seen: dict) -> PageText:
    """Text per MCID on ``page`` (``fonts_seen`` caches decoded fonts across pages by object number)."""
    out = PageText()
    resources = page.obj.get("/Resources", pikepdf.Dictionary())
    fonts = resources.get("/Font", pikepdf.Dictionary())
    current: tuple[dict[int, str], int] = ({}, 1)
    stack: list[tuple[int | None, str | None]] = []  # (MCID, ActualText) of each open marked sequence
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op in ("BDC", "BMC"):
            props = operands[1] if op == "BDC" and len(operands) > 1 else None
            mcid = int(props.MCID) if isinstance(props, pikepdf.Dictionary) and "/MCID" in props else None
            actual = str(props.ActualText) if isinstance(props, pikepdf.Dictionary) and "/ActualText" in props \
                else None
            if str(operands[0]) == "/Artifact":
                mcid = -1
            stack.append((mcid, actual))
            if actual is not None:
                owner = _owner(stack)
                if owner is not None and owner >= 0:
                    out.text[owner] = out.text.get(owner, "") + actual
        elif op == "EMC":
            if stack:
                stack.pop()
        elif op == "Tf":
            font = fonts.get(str(operands[0]))
            if font is not None:
                key = font.objgen
                if key not in fonts_seen:
                    fonts_seen[key] = _unicode_map(font)
                current = fonts_seen[key]
        elif op in ("Tj", "TJ", "'", '"'):
            owner = _owner(stack)
            if owner is None or owner < 0 or any(actual is not None for _, actual in stack):
                continue
            strings = operands[0] if op == "TJ" else operands[-1:]
            # one decode per operator: a TJ holds a string per glyph run between kerning numbers
            data = b"".join(bytes(s) for s in strings if isinstance(s, pikepdf.String))
            out.text[owner] = out.text.get(owner, "") + _decode(data, current)
    return out


def _owner(stack: list[tuple[int | None, str | None]]) -> int | None:
    for mcid, _ in reversed(stack):
        if mcid is not None:
            return mcid
    return None


def _decode(data: bytes, font: tuple[dict[int, str], int]) -> str:
    mapping, width = font
    if width == 2:  # Identity-H, as WeasyPrint writes every font: unpack the codes at once
        codes = struct.unpack(f">{len(data) // 2}H", data[: len(data) // 2 * 2])
        return "".join([mapping.get(code, "") for code in codes])
    return "".join(mapping.get(int.from_bytes(data[i:i + width], "big"), "")
                   for i in range(0, len(data) - width + 1, width))


PAGES_PER_CORE = 60  # below about twice this, forking costs more than reading the pages here


def _read_pages(run: tuple[str, int, int]) -> dict[int, PageText]:
    """The text of pages ``start`` to ``end`` of the PDF at ``path`` (run in a forked child, or here)."""
    path, start, end = run
    fonts: dict = {}
    with pikepdf.open(path) as pdf:
        return {pdf.pages[n].obj.objgen[0]: page_text(pdf.pages[n], fonts) for n in range(start, end)}


class LogicalText:
    """Each structure element's text, built once for a PDF."""

    def __init__(self, pdf: pikepdf.Pdf):
        count = len(pdf.pages)
        path = Path(pdf.filename) if pdf.filename and Path(pdf.filename).is_file() else None
        if path is None or count < PAGES_PER_CORE * 2:
            fonts: dict = {}
            self.pages = {page.obj.objgen[0]: page_text(page, fonts) for page in pdf.pages}
            return
        # A long book's pages are read on every core: each process opens the file itself (a forked child
        # must not read through the parent's file handle) and reads a run of pages.
        workers = min(cores(), count // PAGES_PER_CORE)
        size = -(-count // workers)
        runs = [(str(path), start, min(start + size, count)) for start in range(0, count, size)]
        self.pages = {}
        for part in fork_map(_read_pages, runs, workers=workers, minimum=2):
            self.pages.update(part)

    def pieces(self, element: pikepdf.Dictionary) -> list[str]:
        """The texts of the marked content under ``element``, in order (one per MCID: a line, usually)."""
        if "/ActualText" in element:
            return [str(element.ActualText)]
        out: list[str] = []
        page = element.get("/Pg")
        kids = element.get("/K")
        kids = list(kids) if isinstance(kids, pikepdf.Array) else ([] if kids is None else [kids])
        for kid in kids:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                out.extend(self.pieces(kid))
            else:
                text = self.leaf(kid, page)
                if text is not None:
                    out.append(text)
        return out

    def leaf(self, kid, page) -> str | None:
        """The text of one MCID or marked-content reference (``page``: its element's ``/Pg``); None for others."""
        if isinstance(kid, int) and page is not None:
            return self.pages.get(page.objgen[0], PageText()).text.get(int(kid), "")
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
            where = kid.get("/Pg", page)
            return self.pages.get(where.objgen[0], PageText()).text.get(int(kid.MCID), "") if where is not None \
                else None
        return None

    def text(self, element: pikepdf.Dictionary) -> str:
        """The element's words as a listener hears them: lines are joined by a space."""
        return " ".join(" ".join(piece for piece in self.pieces(element)).split())

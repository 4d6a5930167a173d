"""The printer's edition as a print shop's preflight sees it: PDF/X-3 keys, output intent, boxes, marks.

The real book's press PDF is built twice (two layouts, two writes) once per
module; the tests read it with pikepdf, parse the crop-mark content stream
and look at a rendered page (pdftoppm), the way a prepress operator would.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pikepdf
import pytest
from conftest import BOOK, require_tool
from PIL import Image, ImageCms

from publish.pdf.document import render, write_pdf
from publish.pdf.press import MARK_OFFSET_MM, PROFILE, SLUG_MM
from publish.pipeline import prepare

MM = 72 / 25.4
BLEED = 3 * MM


@pytest.fixture(scope="module")
def press(tmp_path_factory) -> tuple[Path, Path]:
    """The press edition of the real book, built twice from scratch."""
    out = tmp_path_factory.mktemp("press")
    book, _ = prepare(BOOK)
    first = write_pdf(render(book, "press"), out / "first.pdf")
    second = write_pdf(render(book, "press"), out / "second.pdf")
    return first, second


def _box(page: pikepdf.Page, name: str) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = (float(v) for v in page.obj[name])
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _strokes(page: pikepdf.Page) -> list[tuple[tuple[float, ...], float, tuple[float, float, float, float]]]:
    """Stroked lines of the last content stream (the one publish.pdf.press adds): colour, width, segment."""
    contents = page.obj.Contents
    stream = contents[-1] if isinstance(contents, pikepdf.Array) else contents
    colour: tuple[float, ...] = ()
    width = 1.0
    start = None
    lines = []
    for operands, operator in pikepdf.parse_content_stream(stream):
        op = str(operator)
        values = tuple(float(v) for v in operands) if op in ("K", "w", "m", "l") else ()
        if op == "K":
            colour = values
        elif op == "w":
            width = values[0]
        elif op == "m":
            start = values
        elif op == "l" and start is not None:
            lines.append((colour, width, (*start, *values)))
            start = values
    return lines


def test_output_intent_is_fogra39_with_an_embedded_cmyk_printer_profile(press):
    with pikepdf.open(press[0]) as pdf:
        intents = pdf.Root.OutputIntents
        assert len(intents) == 1
        intent = intents[0]
        assert intent.Type == "/OutputIntent" and intent.S == "/GTS_PDFX"
        assert str(intent.OutputConditionIdentifier) == "FOGRA39"
        assert str(intent.RegistryName) == "http://www.color.org"
        assert str(intent.OutputCondition)
        profile = intent.DestOutputProfile
        assert int(profile.N) == 4
        data = profile.read_bytes()
    assert data == PROFILE.read_bytes()
    assert int.from_bytes(data[0:4], "big") == len(data)  # a whole ICC profile, size field first
    assert data[12:16] == b"prtr"  # output (printer) profile class
    assert data[16:20] == b"CMYK"
    assert data[20:24] in (b"Lab ", b"XYZ ")
    assert data[36:40] == b"acsp"
    assert data[8] == 2  # ICC v2: what PDF 1.4 (PDF/X-3) readers understand
    parsed = ImageCms.getOpenProfile(str(PROFILE)).profile  # LittleCMS reads it as a CMYK output profile
    assert (parsed.device_class, parsed.xcolor_space.strip()) == ("prtr", "CMYK")
    assert len(data) < 64 * 1024  # small enough to embed in every press PDF


def test_pdf_x3_document_requirements(press):
    with pikepdf.open(press[0]) as pdf:
        assert not pdf.is_encrypted
        info = pdf.docinfo
        assert str(info["/GTS_PDFXVersion"]) == "PDF/X-3:2003"
        assert info["/Trapped"] == pikepdf.Name("/False")
        assert str(info["/Title"]).strip()
        ids = pdf.trailer.ID
        assert len(ids) == 2 and all(len(bytes(part)) >= 16 for part in ids)
        for obj in pdf.objects:
            if not isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
                continue
            group = obj.get("/Group")
            assert not (isinstance(group, pikepdf.Dictionary) and group.get("/S") == "/Transparency")
            assert "/SMask" not in obj or obj.SMask == "/None"
            if obj.get("/Type") == "/ExtGState":
                assert float(obj.get("/CA", 1)) == 1 and float(obj.get("/ca", 1)) == 1
                assert obj.get("/BM", pikepdf.Name.Normal) in (pikepdf.Name.Normal, pikepdf.Name.Compatible)
            if obj.get("/Type") == "/FontDescriptor":
                assert any(k in obj for k in ("/FontFile", "/FontFile2", "/FontFile3")), obj.FontName


def test_device_rgb_is_colour_managed_on_every_page(press):
    """PDF/X-3 takes RGB only when colour-managed: DeviceRGB is remapped by DefaultRGB (ICCBased sRGB)."""
    with pikepdf.open(press[0]) as pdf:
        uses_rgb = False
        for page in pdf.pages:
            default = page.Resources.ColorSpace.DefaultRGB
            assert default[0] == "/ICCBased" and int(default[1].N) == 3
            assert default[1].read_bytes()[16:20] == b"RGB "
            uses_rgb |= any(str(op) in ("rg", "RG") for _, op in pikepdf.parse_content_stream(page))
        assert uses_rgb  # the book's colours are sRGB values, so the remap matters


def test_text_is_black_ink_only(press):
    """Small text prints in K only (device-cmyk in press.css), never as an RGB grey a RIP splits into four inks."""
    with pikepdf.open(press[0]) as pdf:
        k_only = rgb_text = 0
        for page in pdf.pages[6:]:  # the article pages
            fill = None
            for operands, op in pikepdf.parse_content_stream(page):
                name = str(op)
                if name in ("scn", "sc", "rg", "k", "g"):
                    fill = (name, tuple(float(v) for v in operands if not isinstance(v, pikepdf.Name)))
                elif name in ("Tj", "TJ") and fill is not None:
                    if fill[0] in ("scn", "sc", "k") and fill[1][:3] == (0.0, 0.0, 0.0) and len(fill[1]) == 4:
                        k_only += 1
                    elif fill[0] == "rg" and len(set(fill[1])) == 1:  # a neutral RGB grey or black
                        rgb_text += 1
        assert k_only > 100
        assert rgb_text == 0


def test_media_box_holds_bleed_box_holds_trim_box_with_3mm_bleed(press):
    with pikepdf.open(press[0]) as pdf:
        assert len(pdf.pages) > 4
        for page in pdf.pages:
            media, bleed, trim = (_box(page, name) for name in ("/MediaBox", "/BleedBox", "/TrimBox"))
            assert "/CropBox" not in page.obj
            for i, sign in enumerate((-1, -1, 1, 1)):
                assert bleed[i] == pytest.approx(trim[i] + sign * BLEED, abs=0.01)
                assert media[i] == pytest.approx(bleed[i] + sign * SLUG_MM * MM, abs=0.01)
            assert (round(trim[2] - trim[0]), round(trim[3] - trim[1])) == (420, 595)  # A5


def test_crop_marks_are_registration_hairlines_in_the_slug_outside_the_bleed(press):
    with pikepdf.open(press[0]) as pdf:
        for page in pdf.pages:
            media, bleed, trim = (_box(page, name) for name in ("/MediaBox", "/BleedBox", "/TrimBox"))
            strokes = _strokes(page)
            assert len(strokes) == 8  # two per corner
            corners = set()
            for colour, width, (x0, y0, x1, y1) in strokes:
                assert colour == (1, 1, 1, 1) and width == 0.25
                assert (x0 == x1) != (y0 == y1)  # horizontal or vertical
                for x, y in ((x0, y0), (x1, y1)):
                    inside_bleed = bleed[0] < x < bleed[2] and bleed[1] < y < bleed[3]
                    assert not inside_bleed
                    assert media[0] <= x <= media[2] and media[1] <= y <= media[3]
                # on the extension of a trim line, starting clear of the bleed
                if y0 == y1:
                    assert any(y0 == pytest.approx(edge) for edge in (trim[1], trim[3]))
                    gap = min(abs(x - edge) for x in (x0, x1) for edge in (trim[0], trim[2]))
                else:
                    assert any(x0 == pytest.approx(edge) for edge in (trim[0], trim[2]))
                    gap = min(abs(y - edge) for y in (y0, y1) for edge in (trim[1], trim[3]))
                assert gap == pytest.approx(MARK_OFFSET_MM * MM, abs=0.01) and gap > BLEED
                corners.add((min(x0, x1) < trim[0] or x0 == trim[0], min(y0, y1) < trim[1] or y0 == trim[1]))
            assert len(corners) == 4


def test_marks_show_in_the_slug_and_not_in_the_bleed(press):
    """pdftoppm renders the media box: dark marks beyond the bleed, a clean bleed band on a blank page."""
    require_tool("pdftoppm")
    dpi = 144
    out = press[0].parent / "blank"
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", "2", "-l", "2", str(press[0]), str(out)], check=True)
    image = Image.open(next(press[0].parent.glob("blank*.png"))).convert("L")
    scale = dpi / 25.4
    slug, bleed = round(SLUG_MM * scale), round(3 * scale)
    trim_x = slug + bleed  # the left trim line: the top-left vertical mark stands on its extension
    in_bleed = image.crop((trim_x - 2, slug + 1, trim_x + 3, slug + bleed - 1))
    assert in_bleed.getextrema()[0] > 200  # page 2 is a blank verso: nothing drawn in the bleed
    mark = image.crop((trim_x - 2, 0, trim_x + 3, slug - 1))
    assert mark.getextrema()[0] < 128


def test_press_pdf_is_byte_identical_across_builds(press):
    first, second = press
    assert first.read_bytes() == second.read_bytes()

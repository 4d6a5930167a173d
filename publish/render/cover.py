"""The cover: the author's image when ``book.yaml`` names one, else a typographic cover.

The generated cover is a PNG drawn from the title, subtitle and publisher,
so every e-reader library shows something legible; its alt text repeats the
words on it.  The same design is the first page of the PDF (as HTML there).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont

from publish.colour import rgb
from publish.i18n import strings
from publish.model import Book, Image
from publish.paths import FONTS

WIDTH, HEIGHT = 1600, 2400
INK, PAPER, ACCENT = (28, 37, 54), (255, 255, 255), (122, 62, 44)
TITLE_FACE, SUBTITLE_FACE, IMPRINT_FACE = ("SourceSerif4Subhead-Semibold.ttf", "SourceSerif4Subhead-It.ttf",
                                           "SourceSerif4SmText-Regular.ttf")


def cover_alt(book: Book) -> str:
    meta = book.metadata
    words = [meta.title]
    if meta.subtitle:
        words.append(meta.subtitle)
    if meta.publisher:
        words.append(meta.publisher)
    logo = book.branding.logo
    if logo is not None and book.branding.logo_png and logo.alt not in words:
        words.append(logo.alt)
    return strings(meta.language)("cover.alt", words=". ".join(words))


def cover_image(book: Book) -> Image:
    if book.cover is not None:
        return book.cover
    brand = book.branding
    data = _draw(book.metadata.title, book.metadata.subtitle, book.metadata.publisher, brand.accent, brand.logo_png)
    return Image(href="images/cover.png", source=Path("cover.png"), media_type="image/png",
                 alt=cover_alt(book), data=data, width=WIDTH, height=HEIGHT)


def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    """A face from ``styles/fonts`` — the PDF's own, so the EPUB cover and the PDF cover match."""
    return ImageFont.truetype(str(FONTS / name), size)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` pixels, at spaces."""
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and font.getlength(candidate) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines


@dataclass(frozen=True)
class Geometry:
    """Where a cover's title goes: its sizes, largest first, and the room it has (one unit throughout)."""

    sizes: tuple[float, ...]  # title sizes to try
    leading: float  # line height / size
    measure: float  # width of a line
    room: tuple[float, ...]  # at each size, the height the title and subtitle may take
    subtitle: tuple[float, float, float]  # subtitle size, its line height, the space above it


MM = 72 / 25.4
# The PNG cover, in pixels; the PDF's A5 handout cover, in points (print.css: 30/34 pt, 19 mm sides,
# title top at 35 mm, publisher rule at 181 mm, 10 mm for the short rule under the title).
PNG_COVER = Geometry((150, 128, 108, 92), 172 / 150, WIDTH - 400, (HEIGHT - 380 - 520 - 114,) * 4, (76, 100, 70))
PRINT_COVER = Geometry((30, 26, 22, 19), 34 / 30, 110 * MM, (136 * MM,) * 4, (14, 18, 7 * MM))
# The PDF's title page (print.css: 22/26 pt on a 173 mm page; 112 mm of spacing, authors and publisher
# around the title; from step 1 the spacing is tightened to 70 mm, from step 2 the title is smaller).
TITLE_PAGE = Geometry((22, 22, 19, 16), 26 / 22, 110 * MM, (61 * MM, 103 * MM, 103 * MM, 103 * MM), (12, 16, 4 * MM))


def title_step(title: str, subtitle: str, geometry: Geometry) -> int:
    """The first of ``geometry.sizes`` at which the title's longest word fits a line and all its lines (and
    the subtitle's) fit the room; the last size if none does (a word still too long is broken there)."""
    font = _font(TITLE_FACE, 100)  # measured at 100 px and scaled
    sub_size, sub_leading, sub_gap = geometry.subtitle
    sub_font = _font(SUBTITLE_FACE, 100)
    subtitle_height = (sub_gap + sub_leading * len(_wrap(subtitle, sub_font, geometry.measure * 100 / sub_size))
                       if subtitle else 0)
    for step, (size, room) in enumerate(zip(geometry.sizes, geometry.room, strict=True)):
        width = geometry.measure * 100 / size
        if max((font.getlength(word) for word in title.split()), default=0) > width:
            continue
        if len(_wrap(title, font, width)) * size * geometry.leading + subtitle_height <= room:
            return step
    return len(geometry.sizes) - 1


LEVELS = 254  # shades from paper to ink: with the accent, a palette of 255 colours


def _palette(accent: str = "") -> list[int]:
    """Index i < LEVELS: ink laid over paper at coverage i / (LEVELS - 1); index LEVELS: the accent.

    A book's own accent colour (checked for contrast by the loader) is both
    the ink of the title and the accent, as in the other editions.
    """
    ink, rule = (rgb(accent), rgb(accent)) if accent else (INK, ACCENT)
    shades = [tuple(round(p + (i - p) * level / (LEVELS - 1)) for p, i in zip(PAPER, ink, strict=True))
              for level in range(LEVELS)]
    return [channel for colour in [*shades, rule] for channel in colour]


@lru_cache(maxsize=8)
def _draw(title: str, subtitle: str, publisher: str, accent: str = "", logo: bytes = b"") -> bytes:
    """The typographic cover, laid out like the PDF's first page (band, title, rule, imprint).

    The text is drawn as ink coverage in one channel and stored as a palette
    PNG (the ink's antialiasing in 254 shades, and the accent): a third of
    the bytes to compress than full colour, so 0.03 s to write instead of
    0.07 s, and 23 KB instead of 57 KB in the EPUB; the text and the accent
    never overlap.
    """
    canvas = PILImage.new("L", (WIDTH, HEIGHT), 0)  # ink coverage, 0 (paper) to 255 (ink)
    draw = ImageDraw.Draw(canvas)
    margin = 200
    measure = WIDTH - 2 * margin
    accents = [(0, 0, WIDTH, 140)]
    y = 520
    size = PNG_COVER.sizes[title_step(title, subtitle, PNG_COVER)]
    title_font = _font(TITLE_FACE, int(size))
    for line in _wrap(title, title_font, measure):
        while title_font.getlength(line) > measure:  # a word too long even at the smallest size: break it
            cut = next(n for n in range(len(line), 0, -1) if title_font.getlength(line[:n]) <= measure)
            draw.text((margin, y), line[:cut], font=title_font, fill=255)
            line, y = line[cut:], y + round(size * PNG_COVER.leading)
        draw.text((margin, y), line, font=title_font, fill=255)
        y += round(size * PNG_COVER.leading)
    if subtitle:
        y += 70
        sub_font = _font(SUBTITLE_FACE, 76)
        for line in _wrap(subtitle, sub_font, measure):
            draw.text((margin, y), line, font=sub_font, fill=255)
            y += 100
    accents.append((margin, y + 90, margin + 300, y + 114))
    if publisher:
        accents.append((margin, HEIGHT - 330, WIDTH - margin, HEIGHT - 324))
        size = 54
        while size > 38 and _font(IMPRINT_FACE, size).getlength(publisher.upper()) > measure:
            size -= 2  # a long name is set smaller, then on two lines or more, under the rule
        imprint = _font(IMPRINT_FACE, size)
        for number, line in enumerate(_wrap(publisher.upper(), imprint, measure)):
            draw.text((margin, HEIGHT - 285 + number * round(size * 1.35)), line, font=imprint, fill=255)
    canvas = canvas.point([round(value * (LEVELS - 1) / 255) for value in range(256)])
    draw = ImageDraw.Draw(canvas)
    for box in accents:
        draw.rectangle(box, fill=LEVELS)
    canvas.putpalette(_palette(accent))  # the coverage values become palette indices
    if logo:
        canvas = _with_logo(canvas, logo, HEIGHT - (330 if publisher else 200), margin)
    out = io.BytesIO()
    canvas.save(out, format="PNG")
    return out.getvalue()


LOGO_BOX = (700, 180)  # the most the logo takes on the cover image, in pixels (width, height)


def _with_logo(canvas: PILImage.Image, logo: bytes, rule_top: int, margin: int) -> PILImage.Image:
    """The cover with the practice's logo above the imprint's rule, at the left margin, in its own colours."""
    mark = PILImage.open(io.BytesIO(logo)).convert("RGBA")
    scale = min(LOGO_BOX[0] / mark.width, LOGO_BOX[1] / mark.height)
    mark = mark.resize((max(1, round(mark.width * scale)), max(1, round(mark.height * scale))),
                       PILImage.Resampling.LANCZOS)
    picture = canvas.convert("RGB")
    picture.paste(mark, (margin, rule_top - 60 - mark.height), mark)
    return picture

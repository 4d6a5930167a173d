"""The cover: the author's image when ``book.yaml`` names one, else a typographic cover.

The generated cover is a PNG drawn from the title, subtitle and publisher,
so every e-reader library shows something legible; its alt text repeats the
words on it.  The same design is the first page of the PDF (as HTML there).
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont

from .model import Book, Image
from .paths import FONTS

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
    return "Cover: " + ". ".join(words)


def cover_image(book: Book) -> Image:
    if book.cover is not None:
        return book.cover
    data = _draw(book.metadata.title, book.metadata.subtitle, book.metadata.publisher)
    return Image(href="images/cover.png", source=Path("cover.png"), media_type="image/png",
                 alt=cover_alt(book), data=data, width=WIDTH, height=HEIGHT)


def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    """A face from ``styles/fonts`` — the PDF's own, so the EPUB cover and the PDF cover match."""
    return ImageFont.truetype(str(FONTS / name), size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` pixels, at spaces."""
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and draw.textlength(candidate, font=font) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines


@lru_cache(maxsize=8)
def _draw(title: str, subtitle: str, publisher: str) -> bytes:
    """The typographic cover, laid out like the PDF's first page (band, title, rule, imprint)."""
    canvas = PILImage.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(canvas)
    margin = 200
    measure = WIDTH - 2 * margin
    draw.rectangle([0, 0, WIDTH, 140], fill=ACCENT)
    y = 520
    title_font = _font(TITLE_FACE, 150)
    for line in _wrap(draw, title, title_font, measure):
        draw.text((margin, y), line, font=title_font, fill=INK)
        y += 172
    if subtitle:
        y += 70
        sub_font = _font(SUBTITLE_FACE, 76)
        for line in _wrap(draw, subtitle, sub_font, measure):
            draw.text((margin, y), line, font=sub_font, fill=INK)
            y += 100
    draw.rectangle([margin, y + 90, margin + 300, y + 114], fill=ACCENT)
    if publisher:
        draw.rectangle([margin, HEIGHT - 330, WIDTH - margin, HEIGHT - 324], fill=ACCENT)
        imprint = _font(IMPRINT_FACE, 54)
        draw.text((margin, HEIGHT - 285), publisher.upper(), font=imprint, fill=INK)
    out = io.BytesIO()
    canvas.save(out, format="PNG")  # zlib level 6: 3 % larger than optimize=True, a third of the time
    return out.getvalue()

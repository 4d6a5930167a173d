"""The cover: the author's image when ``book.yaml`` names one, else a typographic cover.

The generated cover is a PNG drawn from the title, subtitle and publisher,
so every e-reader library shows something legible; its alt text repeats the
words on it.  The same design is the first page of the PDF (as HTML there).
"""

from __future__ import annotations

import io
import textwrap
from functools import lru_cache
from pathlib import Path

from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont

from .model import Book, Image

FONTS = Path(__file__).resolve().parent.parent / "styles" / "fonts"
WIDTH, HEIGHT = 1600, 2400
INK, PAPER, ACCENT = (28, 37, 54), (247, 243, 236), (122, 62, 44)


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


def _font(name: str, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in sorted(FONTS.glob(f"{name}*")):
        if path.suffix.lower() in (".ttf", ".otf"):
            return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)


@lru_cache(maxsize=8)
def _draw(title: str, subtitle: str, publisher: str) -> bytes:
    canvas = PILImage.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(canvas)
    margin = 160
    draw.rectangle([margin, 300, WIDTH - margin, 316], fill=ACCENT)
    y = 420
    title_font = _font("cover-title", 150)
    for line in textwrap.wrap(title, 16):
        draw.text((margin, y), line, font=title_font, fill=INK)
        y += 180
    if subtitle:
        y += 60
        sub_font = _font("cover-subtitle", 80)
        for line in textwrap.wrap(subtitle, 30):
            draw.text((margin, y), line, font=sub_font, fill=INK)
            y += 105
    if publisher:
        draw.rectangle([margin, HEIGHT - 420, WIDTH - margin, HEIGHT - 412], fill=ACCENT)
        draw.text((margin, HEIGHT - 360), publisher, font=_font("cover-subtitle", 70), fill=INK)
    out = io.BytesIO()
    canvas.save(out, format="PNG", optimize=True)
    return out.getvalue()

"""WCAG colour contrast: the one place its arithmetic lives.

The loader checks the book's own accent colour with it and the accessibility
statement checks the shipped stylesheets, so both judge by the same numbers
(WCAG 2.2: 4.5:1 for text, 1.4.3; 3:1 for rules and other graphics, 1.4.11).
"""

from __future__ import annotations

import colorsys
import re

TEXT_CONTRAST, GRAPHIC_CONTRAST = 4.5, 3.0  # WCAG 1.4.3 (text) and 1.4.11 (non-text)
HEX = re.compile(r"#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b")
PAPER = "#ffffff"


def rgb(hex_colour: str) -> tuple[int, int, int]:
    digits = hex_colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def luminance(hex_colour: str) -> float:
    """WCAG 2 relative luminance of an sRGB colour."""
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb(hex_colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio between two colours (1 to 21)."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def darkened(hex_colour: str, against: str = PAPER, need: float = TEXT_CONTRAST) -> str:
    """The same hue, only as much darker as it takes to reach ``need`` against ``against``.

    A practice asked to change its brand colour is better served by the
    nearest shade that passes than by a rule: this is what the finding suggests.
    """
    r, g, b = (v / 255 for v in rgb(hex_colour))
    hue, lightness, saturation = colorsys.rgb_to_hls(r, g, b)
    for step in range(int(lightness * 200), -1, -1):
        candidate = "#{:02x}{:02x}{:02x}".format(*(round(v * 255) for v in colorsys.hls_to_rgb(
            hue, step / 200, saturation)))
        if contrast(candidate, against) >= need:
            return candidate
    return "#000000"

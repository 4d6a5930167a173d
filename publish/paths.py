"""Where the package finds its own files: the styles folder beside it (CSS, CSL, fonts, ICC profile)."""

from __future__ import annotations

from pathlib import Path

STYLES = Path(__file__).resolve().parent.parent / "styles"
FONTS = STYLES / "fonts"
CSL = STYLES / "csl"

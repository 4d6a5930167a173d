"""Where the package finds its own files: the styles (CSS, CSL, fonts, ICC profile).

In a clone they are the ``styles/`` folder beside the package; installed
from a wheel they are package data, ``publish/styles`` (``pyproject.toml``
maps the one onto the other), found through :mod:`importlib.resources`.
The renderers hand these paths to WeasyPrint and read them as files, so an
installation must unpack them (pip and pipx always do).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

_CLONE = Path(__file__).resolve().parent.parent / "styles"


def _styles() -> Path:
    if (_CLONE / "csl" / "apa.csl").is_file():
        return _CLONE
    return Path(str(files("publish") / "styles"))


STYLES = _styles()
FONTS = STYLES / "fonts"
CSL = STYLES / "csl"

# The shipped OFL families a book may choose in book.yaml's ``fonts``: for each design role ("Book Text",
# "Book Display" in the print stylesheets) its files, with the weight and style each one is.
SHIPPED_FAMILIES: dict[str, dict[str, tuple[tuple[str, int, bool], ...]]] = {
    "Source Serif 4": {
        "text": (("SourceSerif4SmText-Regular.ttf", 400, False), ("SourceSerif4SmText-It.ttf", 400, True),
                 ("SourceSerif4SmText-Semibold.ttf", 600, False), ("SourceSerif4SmText-SemiboldIt.ttf", 600, True)),
        "display": (("SourceSerif4Subhead-Semibold.ttf", 600, False), ("SourceSerif4Subhead-It.ttf", 400, True)),
    },
    "Atkinson Hyperlegible": {
        role: (("AtkinsonHyperlegible-Regular.ttf", 400, False), ("AtkinsonHyperlegible-Italic.ttf", 400, True),
               ("AtkinsonHyperlegible-Bold.ttf", 700, False), ("AtkinsonHyperlegible-BoldItalic.ttf", 700, True))
        for role in ("text", "display")
    },
}
DEFAULT_FAMILY = "Source Serif 4"

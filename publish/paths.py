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

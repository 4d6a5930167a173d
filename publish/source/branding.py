"""The practice's own look from ``book.yaml``: logo, accent colour, fonts and extra stylesheets.

Each is checked here, where the author can still be told which line to fix:
a logo needs alt text; an accent colour is used for titles, so it must reach
4.5:1 against the page (the finding suggests the nearest shade of the same
hue that does); a font folder must hold OFL-licensed files and their licence
(embedding a font is redistributing it); an extra stylesheet may not fetch
other files (the renderers only load their own styles and the book's images).
The renderers get bytes and text in :class:`publish.model.Branding`, never paths.
"""

from __future__ import annotations

import io
import logging
import struct
from pathlib import Path

from publish.colour import PAPER, TEXT_CONTRAST, contrast, darkened
from publish.findings import Finding, Location, error, warning
from publish.model import Branding, FontFace, Image
from publish.source.files import inside, read_text
from publish.source.images import load_image, unique_href
from publish.source.schema import FAMILIES, STYLESHEET_EDITIONS, Config

log = logging.getLogger(__name__)

FONT_SUFFIXES = (".ttf", ".otf")
LICENCE_WORDS = "SIL Open Font License"
LOGO_PIXELS = 1200  # an SVG logo is drawn this wide for the cover image


def load_branding(root: Path, config: Config, used_hrefs: dict[str, Path]) -> tuple[Branding, list[Finding]]:
    """The book's branding; ``used_hrefs``: the names the articles' images took (the logo's must differ)."""
    findings: list[Finding] = []
    logo, logo_png = _logo(root, config, used_hrefs, findings)
    accent = _accent(config, findings)
    families, faces = _fonts(root, config, findings)
    sheets = _stylesheets(root, config, findings)
    return Branding(logo=logo, logo_png=logo_png, accent=accent, families=families, faces=faces,
                    stylesheets=sheets), findings


def _logo(root: Path, config: Config, used_hrefs: dict[str, Path], findings: list[Finding]
          ) -> tuple[Image | None, bytes]:
    name = config.get("logo")
    if not name:
        return None, b""
    where = config.where("logo")
    loaded, more = load_image(root, name, root, where)
    findings.extend(more)
    if loaded is None:
        return None, b""
    alt = " ".join(str(config.get("logo_alt") or "").split())
    if not alt:
        findings.append(error("y-012", f"the logo '{name}' has no alt text", where,
                              "add logo_alt: with the words the logo shows, usually the practice's name"))
        return None, b""
    source, media_type, data, width, height = loaded
    href = unique_href(Path("logo" + source.suffix.lower()), used_hrefs, media_type)
    png = data if media_type == "image/png" else _raster(data, media_type, name, where, findings)
    return Image(href=href, source=source, media_type=media_type, alt=alt, data=data, width=width,
                 height=height), png


def _raster(data: bytes, media_type: str, name: str, where: Location, findings: list[Finding]) -> bytes:
    """A PNG of the logo for the cover image (drawn with Pillow, which reads no SVG)."""
    if media_type != "image/svg+xml":
        from PIL import Image as PILImage

        out = io.BytesIO()
        PILImage.open(io.BytesIO(data)).convert("RGBA").save(out, format="PNG")
        return out.getvalue()
    try:
        import cairosvg  # needs the cairo library; without it the cover image goes without the logo
    except (ImportError, OSError) as exc:
        log.debug("cairosvg unavailable: %s", exc)
        findings.append(warning("m-028", f"the SVG logo '{name}' cannot be drawn on the EPUB's cover image here "
                                "(CairoSVG and the cairo library are needed); the title page and the PDF have it",
                                where, "install the cairo library (e.g. apt install libcairo2), or give the logo "
                                "as a PNG as well"))
        return b""
    try:
        return cairosvg.svg2png(bytestring=data, output_width=LOGO_PIXELS, unsafe=False)
    except Exception as exc:  # any drawing failure is the same finding
        findings.append(warning("m-028", f"the SVG logo '{name}' could not be drawn on the EPUB's cover image: "
                                f"{str(exc)[:80]}", where, "re-export the logo as plain SVG, or give a PNG"))
        return b""


def _accent(config: Config, findings: list[Finding]) -> str:
    value = config.get("accent_color")
    if value is None and "accent_color" in config.lines:  # written, but YAML read nothing: ``accent_color: #0b5d5a``
        findings.append(warning("y-016", "accent_color has no value, so the design's colours are used: in YAML an "
                                "unquoted # begins a comment", config.where("accent_color"),
                                'put the colour in quotes: accent_color: "#0b5d5a"'))
        return ""
    if not isinstance(value, str) or not value.strip():
        return ""
    value = value.strip().lower()
    ratio = contrast(value, PAPER)
    if ratio < TEXT_CONTRAST:
        better = darkened(value)
        findings.append(error("y-013", f"accent_color {value} on the white page has contrast {ratio:.2f}:1; titles "
                              f"in it need {TEXT_CONTRAST}:1 (WCAG 1.4.3)", config.where("accent_color"),
                              f"use a darker shade: {better} is the same hue at "
                              f"{contrast(better, PAPER):.2f}:1"))
        return ""
    return value


def _fonts(root: Path, config: Config, findings: list[Finding]
           ) -> tuple[tuple[tuple[str, str], ...], tuple[FontFace, ...]]:
    chosen = config.get("fonts") or {}
    families: list[tuple[str, str]] = []
    faces: list[FontFace] = []
    for role in ("text", "display"):
        name = str(chosen.get(role) or "").strip()
        if not name:
            continue
        if name in FAMILIES:
            families.append((role, name))
            continue
        found = _font_folder(root, role, name, config.where("fonts"), findings)
        faces.extend(found)
    return tuple(families), tuple(faces)


def _font_folder(root: Path, role: str, name: str, where: Location, findings: list[Finding]) -> list[FontFace]:
    folder = inside(root, name)
    shipped = ", ".join(FAMILIES)
    if folder is None or not folder.is_dir():
        findings.append(error("y-014", f"fonts: {role} '{name}' is neither a shipped family nor a folder of the "
                              "book", where, f"use one of {shipped}, or a folder such as fonts/Lora holding the "
                              "font files and their OFL licence"))
        return []
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in FONT_SUFFIXES and p.is_file())
    licences = [p for p in folder.iterdir() if p.is_file() and ("ofl" in p.name.lower() or "licen" in p.name.lower())]
    licensed = any(LICENCE_WORDS.lower() in " ".join(p.read_text(encoding="utf-8", errors="replace").split()).lower()
                   for p in licences)
    if not files:
        findings.append(error("y-014", f"fonts: the folder '{name}' holds no .ttf or .otf file", where,
                              "put the family's font files (regular, italic, bold …) in the folder"))
        return []
    if not licensed:
        findings.append(error("y-014", f"fonts: the folder '{name}' has no SIL Open Font License file", where,
                              "embedding a font redistributes it: add the family's OFL.txt beside the files, or "
                              f"use one of {shipped}"))
        return []
    faces = []
    for path in files:
        face = _face(role, path)
        if face is None:
            findings.append(error("y-014", f"fonts: '{path.name}' in '{name}' is not a font file that can be read",
                                  where, "replace it with the family's .ttf or .otf file"))
            continue
        faces.append(face)
    return faces


def _face(role: str, path: Path) -> FontFace | None:
    """A font file's weight and style, read from its OS/2 table (what the font says, not its file name)."""
    from fontTools.ttLib import TTFont, TTLibError

    data = path.read_bytes()
    try:
        font = TTFont(io.BytesIO(data), lazy=True)
        os2 = font["OS/2"]
        weight, italic = int(os2.usWeightClass), bool(os2.fsSelection & 1)
        names = font["name"]
        family = str(names.getDebugName(16) or names.getDebugName(1) or path.stem).replace('"', "")
    except (TTLibError, KeyError, AttributeError, struct.error):
        return None
    return FontFace(role=role, family=family, name=path.name, data=data, weight=weight, italic=italic)


def _stylesheets(root: Path, config: Config, findings: list[Finding]) -> tuple[tuple[str, str], ...]:
    value = config.get("stylesheet")
    if not value:
        return ()
    named = {edition: value for edition in STYLESHEET_EDITIONS} if isinstance(value, str) else dict(value)
    sheets: list[tuple[str, str]] = []
    texts: dict[str, str | None] = {}
    for edition in STYLESHEET_EDITIONS:
        name = named.get(edition)
        if not name:
            continue
        if name not in texts:
            texts[name] = _stylesheet(root, str(name), config.where("stylesheet"), findings)
        if texts[name] is not None:
            sheets.append((edition, texts[name]))  # type: ignore[arg-type]
    return tuple(sheets)


def _stylesheet(root: Path, name: str, where: Location, findings: list[Finding]) -> str | None:
    path = inside(root, name)
    if path is None or not path.is_file():
        findings.append(error("f-003" if path is None else "f-001", f"stylesheet '{name}' "
                              f"{'leaves the book folder' if path is None else 'not found'}", where,
                              "give a .css file relative to the book folder"))
        return None
    text, more = read_text(path, name)
    findings.extend(more)
    if text is None:
        return None
    lowered = text.lower()
    if "url(" in lowered or "@import" in lowered:
        line = next(n for n, row in enumerate(text.splitlines(), 1) if "url(" in row.lower() or "@import" in
                    row.lower())
        findings.append(error("y-015", "the extra stylesheet loads other files (url() or @import), which the "
                              "editions cannot fetch", Location(name, line),
                              "choose fonts with fonts: in book.yaml and put images in the articles"))
        return None
    return text

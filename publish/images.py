"""Images: resolve, identify and vet the files a chapter (or the cover) uses.

The loader calls :func:`load_image` for every ``![alt](path)``.  It keeps the
book self-contained (no remote images, nothing outside the book folder),
refuses files that are not what their name says, and sanitises SVG, which
can carry scripts like any web page.
"""

from __future__ import annotations

import io
from pathlib import Path

from lxml import etree

from .findings import Finding, Location, error
from .sources import inside

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
MEDIA_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
SVG_DROP = {"script", "foreignObject", "iframe", "object", "embed", "use"}


def load_image(root: Path, src: str, base: Path, where: Location) -> tuple[tuple[Path, str, bytes, int, int] | None,
                                                                          list[Finding]]:
    """Return (path, media type, bytes, width, height) or findings explaining why not."""
    if "://" in src or src.startswith("//") or src.lower().startswith("data:"):
        return None, [error("m-007", f"remote or inline image '{src[:60]}'", where,
                            "download the image into the book's images/ folder and link it by path")]
    path = inside(root, src, base)
    if path is None:
        return None, [error("f-003", f"image path '{src}' leaves the book folder", where,
                            "keep images inside the book folder, e.g. ../images/name.png")]
    if not path.is_file():
        return None, [error("f-001", f"image file '{src}' not found", where,
                            "check the spelling; the path is relative to the Markdown file")]
    size = path.stat().st_size
    if size > MAX_BYTES:
        return None, [error("m-006", f"image '{src}' is {size / 1048576:.1f} MiB", where,
                            "resize or compress it below 10 MiB (2000 px on the long side is plenty)")]
    data = path.read_bytes()
    if path.suffix.lower() == ".svg":
        clean = sanitize_svg(data)
        if clean is None:
            return None, [error("m-005", f"image '{src}' is not a valid SVG file", where,
                                "re-export it as SVG or PNG")]
        return (path, "image/svg+xml", clean, 0, 0), []
    try:
        from PIL import Image as PILImage

        with PILImage.open(io.BytesIO(data)) as probe:
            kind = probe.format or ""
            width, height = probe.size
            probe.verify()
    except Exception:  # Pillow raises many types for broken files
        return None, [error("m-005", f"image '{src}' is corrupt or not an image", where,
                            "open and re-save it as PNG or JPEG")]
    if kind not in MEDIA_TYPES:
        return None, [error("m-005", f"image '{src}' is {kind or 'an unknown format'}", where,
                            "use PNG, JPEG, GIF, WebP or SVG: the formats every e-reader shows")]
    if width * height > MAX_PIXELS:
        return None, [error("m-006", f"image '{src}' is {width}×{height} pixels", where,
                            "scale it down; 2000 px on the long side is plenty for print and screen")]
    return (path, MEDIA_TYPES[kind], data, width, height), []


def sanitize_svg(data: bytes) -> bytes | None:
    """Parse SVG without entities or network access and drop scripts and event handlers."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        return None
    if etree.QName(root).localname != "svg":
        return None
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        if etree.QName(element).localname in SVG_DROP and element.getparent() is not None:
            element.getparent().remove(element)  # type: ignore[union-attr]
            continue
        for name in list(element.attrib):
            value = element.attrib[name].strip().lower()
            local = etree.QName(name).localname.lower()
            if local.startswith("on") or (local == "href" and not value.startswith("#")):
                del element.attrib[name]
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")

"""Images: resolve, identify and vet the files a chapter (or the cover) uses.

The loader calls :func:`chapter_images` for a chapter's ``![alt](path)``
images, which checks their alt text and calls :func:`load_image` once per file.  It keeps the
book self-contained (no remote images, nothing outside the book folder),
refuses files that are not what their name says, and sanitises SVG, which
can carry scripts like any web page.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

from publish.findings import Finding, Location, error, warning
from publish.model import Image
from publish.source.files import inside
from publish.source.xhtml import (
    URL_SCHEME,  # any scheme (http:, file:, data: …): a book's images are files inside it
    collect_images,
    q,
    remove_keeping_tail,
)
from publish.text import slugify

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
MEDIA_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
EXTENSIONS = {"PNG": (".png",), "JPEG": (".jpg", ".jpeg"), "GIF": (".gif",), "WEBP": (".webp",), "SVG": (".svg",)}
WIDE_GREY = {"I;16", "I;16B", "I;16L", "I;16N", "I"}  # Pillow's modes for 16- and 32-bit greyscale
SVG_DROP = {"script", "foreignObject", "iframe", "object", "embed", "use",
            # animation can rewrite any attribute after the check, an href to javascript: included
            "animate", "set", "animateMotion", "animateTransform", "animateColor", "discard", "handler", "listener"}
SVG_NEEDS_HREF = {"image", "feImage"}  # elements that are nothing without what their href points at


def _nearest_image(root: Path, src: str, base: Path) -> str:
    """A did-you-mean for an image path: the file as written from the book folder, or one named alike."""
    import difflib
    import os

    from_root = inside(root, unquote(src))
    if base != root and from_root is not None and from_root.is_file():  # written relative to the book folder
        fixed = os.path.relpath(from_root, base)
        return f"did you mean '{fixed}'? The path is relative to the Markdown file, not the book folder"
    images = [os.path.relpath(path, base) for path in root.rglob("*")
              if path.is_file() and path.suffix.lower() in (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg")]
    close = difflib.get_close_matches(src, images, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


def load_image(root: Path, src: str, base: Path, where: Location) -> tuple[tuple[Path, str, bytes, int, int] | None,
                                                                          list[Finding]]:
    """Return (path, media type, bytes, width, height) or findings explaining why not."""
    if not src.strip():
        return None, [error("f-001", "image without a path", where, "write ![alt text](../images/name.png)")]
    if URL_SCHEME.match(src) or src.startswith("//"):
        return None, [error("m-007", f"remote or inline image '{src[:60]}'", where,
                            "download the image into the book's images/ folder and link it by path")]
    # Markdown editors write spaces and other characters percent-encoded (my%20photo.png).
    path = inside(root, unquote(src), base)
    if path is None:
        return None, [error("f-003", f"image path '{src}' leaves the book folder", where,
                            "keep images inside the book folder, e.g. ../images/name.png")]
    relative_to = "the book folder" if base == root else "the Markdown file"
    if path.is_dir():
        return None, [error("f-001", f"image path '{src}' is a folder, not a file", where,
                            f"name the image file; the path is relative to {relative_to}")]
    if not path.is_file():
        return None, [error("f-001", f"image file '{src}' not found", where, _nearest_image(root, src, base)
                            or f"check the spelling; the path is relative to {relative_to}")]
    size = path.stat().st_size
    if size > MAX_BYTES:
        return None, [error("m-006", f"image '{src}' is {size / 1048576:.1f} MiB", where,
                            "resize or compress it below 10 MiB (2000 px on the long side is plenty)")]
    data = path.read_bytes()
    if path.suffix.lower() == ".svg":
        clean, problem = sanitize_svg(data)
        if clean is None:
            return None, [error("m-005", f"image '{src}' is not a valid SVG file: {problem}", where,
                                "re-export it as plain SVG (no external entities) or as PNG")]
        return (path, "image/svg+xml", clean, 0, 0), []
    from PIL import Image as PILImage

    try:
        with PILImage.open(io.BytesIO(data)) as probe:
            kind = probe.format or ""
            width, height = probe.size
            probe.verify()
    except PILImage.DecompressionBombError:  # a header claiming billions of pixels: too big, not broken
        return None, [error("m-006", f"image '{src}' has more than {MAX_PIXELS:,} pixels", where,
                            "scale it down; 2000 px on the long side is plenty for print and screen")]
    except Exception:  # Pillow raises many types for broken files
        return None, [error("m-005", f"image '{src}' is corrupt or not an image", where,
                            "open and re-save it as PNG or JPEG")]
    if kind not in MEDIA_TYPES:
        return None, [error("m-005", f"image '{src}' is {kind or 'an unknown format'}", where,
                            "use PNG or JPEG (GIF and SVG work too): the formats every e-reader shows")]
    if width * height > MAX_PIXELS:
        return None, [error("m-006", f"image '{src}' is {width}×{height} pixels", where,
                            "scale it down; 2000 px on the long side is plenty for print and screen")]
    from PIL import ImageFile

    lenient, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False  # WeasyPrint sets it True
    try:  # verify() reads the structure only: a truncated JPEG passes it and prints half an image
        with PILImage.open(io.BytesIO(data)) as full:
            full.load()
            if full.mode in WIDE_GREY:  # 16-bit greyscale: the PDF would show it black
                data = _eight_bit(full)
    except Exception:  # Pillow raises many types for damaged data
        return None, [error("m-005", f"image '{src}' is truncated or damaged", where,
                            "open it in an image editor and save it again as PNG or JPEG")]
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = lenient
    notes = []
    if path.suffix.lower() not in EXTENSIONS[kind]:
        notes.append(warning("m-024", f"image '{src}' is a {kind} file with a {path.suffix or 'missing'} extension; "
                             f"it is published as {EXTENSIONS[kind][0]}", where,
                             f"rename the file to end in {EXTENSIONS[kind][0]}: e-readers go by the name"))
    if kind == "WEBP":  # an EPUB 3.3 core media type, but new: Adobe's reading engine (plain EPUB on Kobo) predates it
        notes.append(warning("m-016", f"image '{src}' is WebP, which e-readers older than EPUB 3.3 (2023) do not "
                                      "show, such as Adobe's engine that opens plain EPUB files on Kobo", where,
                             "save it as JPEG (a photograph) or PNG (a drawing); the PDF is fine either way"))
    return (path, MEDIA_TYPES[kind], data, width, height), notes


def _eight_bit(image) -> bytes:
    """A 16-bit greyscale image as 8-bit PNG bytes: the top byte of each value (what a viewer shows)."""
    wide = image.convert("I")
    top = max(wide.getextrema()[1], 1)
    scale = 255 / 65535 if top > 255 else 1.0
    narrow = wide.point(lambda value: value * scale).convert("L")
    out = io.BytesIO()
    narrow.save(out, format="PNG")
    return out.getvalue()


def sanitize_svg(data: bytes) -> tuple[bytes | None, str]:
    """Parse SVG safely and drop scripts, event handlers and outside references.

    Internal entities are expanded (libxml2 caps their amplification, so an
    entity bomb is an error, not a hang); external entities, DTDs and the
    network are never loaded — an SVG that tries to read a file fails to parse.
    Returns (clean bytes, "") or (None, why).
    """
    parser = etree.XMLParser(resolve_entities="internal", no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        return None, str(exc.msg or exc).split(", line")[0]
    if etree.QName(root).localname != "svg":
        return None, f"the root element is <{etree.QName(root).localname}>, not <svg>"
    for element in list(root.iter()):
        parent = element.getparent()
        if not isinstance(element.tag, str):  # comments, processing instructions, stray entity references
            if parent is not None:
                remove_keeping_tail(element)
            continue
        local_name = etree.QName(element).localname
        if parent is not None and (local_name in SVG_DROP or (local_name == "style" and _outside(element.text))):
            remove_keeping_tail(element)
            continue
        for name in list(element.attrib):
            value = element.attrib[name].strip().lower()
            local = etree.QName(name).localname.lower()
            if (local.startswith("on") or (local == "href" and not value.startswith("#"))
                    or _outside(value)):  # url() in style, fill, filter, mask, clip-path, marker-*, …
                del element.attrib[name]
        if parent is not None and local_name in SVG_NEEDS_HREF and not any(
                etree.QName(name).localname == "href" for name in element.attrib):
            remove_keeping_tail(element)  # an <image> whose outside reference was dropped would only be a failed load
    return etree.tostring(root, xml_declaration=True, encoding="utf-8"), ""


_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})\s?|(.))", re.S)
_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.S)


def css_text(css: str) -> str:
    """CSS as the browser reads it: comments gone, escapes decoded (``@\\69mport`` is ``@import``)."""
    def decode(match: re.Match[str]) -> str:
        if match.group(1):
            code = int(match.group(1), 16)
            return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"
        return match.group(2) if match.group(2) != "\n" else ""
    return _CSS_ESCAPE.sub(decode, _CSS_COMMENT.sub("", css))


def _outside(css: str | None) -> bool:
    """True when CSS text could reach outside the image (``@import``, or ``url()``/``image()`` to anything but
    ``#id``), read after its escapes are decoded."""
    text = "".join(css_text(css or "").lower().split())
    if "@import" in text or "image-set(" in text:
        return True
    for opener in ("url(", "image("):
        for part in text.split(opener)[1:]:
            if not part.lstrip("'\"").startswith("#"):
                return True
    return False


PLACEHOLDER_ALTS = frozenset({"image", "img", "picture", "pic", "photo", "photograph", "graphic", "figure", "fig",
                              "illustration", "icon", "logo", "screenshot", "alt", "alt text", "placeholder",
                              "untitled", "description", "todo", "tbd", "xxx"})
IMAGE_FILE = re.compile(r"\.(png|jpe?g|gif|webp|svg|tiff?|bmp|heic)$", re.IGNORECASE)


def placeholder_alt(alt: str, src: str) -> bool:
    """Alt text that says nothing to a screen-reader user: a file name, or a generic word such as "image"."""
    words = " ".join(alt.lower().split()).strip(" .:")
    name = unquote(src.rsplit("/", 1)[-1]).lower()
    return (words in PLACEHOLDER_ALTS or bool(IMAGE_FILE.search(words)) or words == name
            or words == name.rsplit(".", 1)[0])


def chapter_images(root: Path, path: Path, section, body: str, display: str, offset: int,
                   used_hrefs: dict[str, Path]) -> tuple[list[Image], list[Finding]]:
    """A chapter's images: alt text checked (m-003, m-019), each file loaded once, a unique name in the EPUB."""
    findings: list[Finding] = []
    images: list[Image] = []
    by_src: dict[str, Image] = {}
    for ref, img in zip(collect_images(section, body, offset), section.iter(q("img")), strict=True):
        where = Location(display, ref.line or _image_line(body, ref.src, offset))
        alt = (ref.alt or "").strip()
        if not alt and not ref.decorative:
            findings.append(error("m-003", f"image '{ref.src}' has no alt text", where,
                                  "describe the image: ![what it shows](path); if it is purely decorative, "
                                  "write ![](path){.decorative}"))
        elif alt and not ref.decorative and placeholder_alt(alt, ref.src):
            findings.append(warning("m-019", f"image '{ref.src}' has the alt text '{alt}', which names a file or "
                                    "a kind of image, not what it shows", where,
                                    "describe what the image shows, as you would to someone on the phone"))
        if ref.decorative:
            img.set("alt", "")
            img.set("role", "presentation")
        if ref.src in by_src:
            img.set("src", by_src[ref.src].href)
            continue
        loaded, more = load_image(root, ref.src, path.parent, where)
        findings.extend(more)
        if loaded is None:
            continue
        source, media_type, data, width, height = loaded
        href = unique_href(source, used_hrefs, media_type)
        image = Image(href=href, source=source, media_type=media_type, alt=alt, data=data,
                      decorative=ref.decorative, width=width, height=height)
        by_src[ref.src] = image
        images.append(image)
        img.set("src", href)
    return images, findings


def _image_line(body: str, src: str, offset: int) -> int | None:
    """The line of ``](src`` when the plain search for ``src`` found nothing (an empty path)."""
    index = body.find(f"]({src}")
    return body.count("\n", 0, index) + 1 + offset if index >= 0 else None


def unique_href(source: Path, used: dict[str, Path], media_type: str = "") -> str:
    """A name in the EPUB, unique in the book, whose extension says what the file is (PKG-022 otherwise)."""
    kind = {v: k for k, v in MEDIA_TYPES.items()}.get(media_type, "SVG" if media_type == "image/svg+xml" else "")
    suffix = source.suffix.lower()
    if kind and suffix not in EXTENSIONS[kind]:
        suffix = EXTENSIONS[kind][0]
    stem = slugify(source.stem) or "image"
    href, n = f"images/{stem}{suffix}", 2
    while href in used and used[href] != source:
        href, n = f"images/{stem}-{n}{suffix}", n + 1
    used[href] = source
    return href

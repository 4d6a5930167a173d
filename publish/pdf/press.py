"""The printer's edition's finish: output intent, colour-managed RGB, slug and crop marks (pikepdf).

WeasyPrint writes the PDF/X-3 skeleton (version keys, /Trapped, TrimBox and
BleedBox) but leaves three things a print shop's preflight rejects:

* **no output intent.**  PDF/X names the printing condition the file was made
  for.  We add the FOGRA39 condition (ISO 12647-2 coated offset) with an ICC
  output profile built from the FOGRA39L characterization data
  (``styles/icc/``, see its README).  WeasyPrint can embed a profile from a
  CSS ``@color-profile`` rule only when the stylesheets share one profile
  dictionary with the layout, which ``publish.pdf.document.render`` does not set up;
  adding it here keeps every key of the intent under our control
  (``RegistryName``, ``OutputCondition``), which WeasyPrint does not write.
* **device RGB.**  The book's colours and images are sRGB values written as
  DeviceRGB; PDF/X-3 accepts RGB only when it is colour-managed, so every
  resource dictionary gets ``/DefaultRGB`` = ICCBased sRGB and the RIP
  converts it to the output condition.
* **marks in the bleed.**  WeasyPrint's media box is trim plus bleed, so CSS
  ``marks: crop`` draws inside the bleed.  We enlarge the media box by a slug
  of :data:`SLUG_MM` on every side and draw the crop marks there, starting
  :data:`MARK_OFFSET_MM` from the trim, clear of the 3 mm bleed.

Everything is derived from the file and the committed profiles, and the file
is saved with a content-derived /ID, so two builds stay byte-identical.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from importlib.resources import files
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name

from publish.paths import STYLES

log = logging.getLogger(__name__)

MM = 72 / 25.4
SLUG_MM = 10.0  # media beyond the bleed, where the marks go
MARK_OFFSET_MM = 4.0  # from the trim edge to the start of a mark: 1 mm clear of the 3 mm bleed
MARK_LENGTH_MM = 6.0
MARK_WIDTH_PT = 0.25
PROFILE = STYLES / "icc" / "FOGRA39.icc"
CONDITION = {
    "OutputConditionIdentifier": "FOGRA39",  # the ICC registry's characterization name
    "RegistryName": "http://www.color.org",
    "OutputCondition": "Offset printing, ISO 12647-2:2004/Amd 1, paper type 1 or 2 (coated), "
                       "115 g/m2, tone value increase curves A (CMY) and B (K)",
    "Info": "FOGRA39 (ISO Coated v2 condition); profile built with ArgyllCMS from FOGRA39L data",
}


def finish_press(path: Path) -> None:
    """Turn WeasyPrint's PDF/X-3 file at ``path`` into one a print shop's preflight accepts."""
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        _output_intent(pdf)
        srgb = pdf.make_indirect(Array([Name.ICCBased, _icc_stream(pdf, _srgb_profile(), 3)]))
        seen: set[tuple[int, int]] = set()
        for page in pdf.pages:
            _default_rgb(page.obj, srgb, seen)
            _slug_and_marks(pdf, page)
        pdf.save(path, deterministic_id=True)
    log.debug("press finish: %s", path)


def _icc_stream(pdf: pikepdf.Pdf, data: bytes, components: int) -> pikepdf.Stream:
    """An ICC profile as a PDF stream (/N is the number of colour components)."""
    return pikepdf.Stream(pdf, data, N=components)


def _srgb_profile() -> bytes:
    """The ICC's sRGB (2014) profile that WeasyPrint ships for its own PDF/A output intents."""
    return (files("weasyprint.pdf") / "sRGB2014.icc").read_bytes()


def _output_intent(pdf: pikepdf.Pdf) -> None:
    """The PDF/X output intent: FOGRA39, registered at color.org, with the embedded output profile."""
    intent = Dictionary(Type=Name.OutputIntent, S=Name.GTS_PDFX,
                        DestOutputProfile=_icc_stream(pdf, PROFILE.read_bytes(), 4),
                        **{key: pikepdf.String(value) for key, value in CONDITION.items()})
    pdf.Root.OutputIntents = Array([pdf.make_indirect(intent)])


def _default_rgb(holder: pikepdf.Object, srgb: pikepdf.Object, seen: set[tuple[int, int]]) -> None:
    """Give every resource dictionary reachable from ``holder`` a DefaultRGB of sRGB.

    A default colour space applies only to content drawn with the resource
    dictionary that holds it, so forms, patterns and annotation appearances
    with their own resources get it too.
    """
    resources = holder.get("/Resources")
    if not isinstance(resources, Dictionary):
        return
    key = resources.objgen
    if key != (0, 0):
        if key in seen:
            return
        seen.add(key)
    spaces = resources.get("/ColorSpace")
    if not isinstance(spaces, Dictionary):
        spaces = Dictionary()
        resources.ColorSpace = spaces
    spaces.DefaultRGB = srgb
    for category in ("/XObject", "/Pattern"):
        group = resources.get(category)
        if isinstance(group, Dictionary):
            for name in sorted(group.keys()):
                child = group[name]
                if isinstance(child, (Dictionary, pikepdf.Stream)):
                    _default_rgb(child, srgb, seen)


def _box(page: pikepdf.Page, name: str) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = (float(v) for v in page.obj[name])
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _number(value: float) -> str:
    """Fixed-precision operands: the same page always gives the same bytes."""
    return f"{value:.4f}".rstrip("0").rstrip(".") or "0"


def crop_mark_segments(trim: tuple[float, float, float, float]) -> list[tuple[float, float, float, float]]:
    """The eight crop-mark lines (x0, y0, x1, y1) for a trim box: two per corner, on the trim lines' extensions."""
    left, bottom, right, top = trim
    near, far = MARK_OFFSET_MM * MM, (MARK_OFFSET_MM + MARK_LENGTH_MM) * MM
    segments = []
    for x, xs in ((left, -1), (right, 1)):
        for y, ys in ((bottom, -1), (top, 1)):
            segments.append((x + xs * near, y, x + xs * far, y))  # along the horizontal trim line
            segments.append((x, y + ys * near, x, y + ys * far))  # along the vertical trim line
    return segments


def _slug_and_marks(pdf: pikepdf.Pdf, page: pikepdf.Page) -> None:
    """Enlarge the media box by the slug and draw registration crop marks in it."""
    trim = _box(page, "/TrimBox")
    bleed = _box(page, "/BleedBox")
    slug = SLUG_MM * MM
    media = (bleed[0] - slug, bleed[1] - slug, bleed[2] + slug, bleed[3] + slug)
    page.obj.MediaBox = Array([Decimal(_number(v)) for v in media])
    if "/CropBox" in page.obj:  # a crop box would hide the slug; the media box is the sheet
        del page.obj["/CropBox"]
    lines = [f"{_number(MARK_WIDTH_PT)} w 0 J [] 0 d 1 1 1 1 K"]  # registration: on every plate
    lines += [f"{_number(x0)} {_number(y0)} m {_number(x1)} {_number(y1)} l S"
              for x0, y0, x1, y1 in crop_mark_segments(trim)]
    page.contents_add(pikepdf.Stream(pdf, b"q\n"), prepend=True)
    page.contents_add(pikepdf.Stream(pdf, ("Q\nq\n" + "\n".join(lines) + "\nQ\n").encode("ascii")))


__all__ = ["CONDITION", "PROFILE", "crop_mark_segments", "finish_press"]

"""Speed-ups for WeasyPrint and the libraries under it; the bytes written stay the same, only the time changes.

* ``pydyf.PDF.page_references`` rebuilds a tuple of every page's reference
  each time it is read, and WeasyPrint's PDF/UA tagging reads it once per
  tagged box: for a 600-page book that is tens of thousands of tuples of 600
  items (profiled: about a third of ``write_pdf`` at 50 articles).  The
  replacement caches the tuple until a page is added.
* WeasyPrint's font subsetting allocates its glyph lists as
  ``ffi.new(f"hb_codepoint_t[{n}]", items)``.  cffi parses every new C type
  string with pycparser (about 14 ms), so each distinct length costs a parse:
  two per font per document, about 0.17 s for each part of a long book.  An
  array of ``n`` items given all ``n`` items is the same array whether the
  type says ``[n]`` or ``[]``, and ``T[]`` is parsed once.
* WeasyPrint makes a Pango layout for every try at a line, every justified
  line and every line it draws (about three thousand for two articles), and
  each one used to build a Pango context, a font description and a font
  feature string from the style.  Those depend on a handful of style values
  only, so :func:`_setup` keeps them per font configuration (a layout copies
  the description; a shared context is never changed once made).
* Justifying a line, WeasyPrint makes each text box a new layout and
  deactivates it at once; drawing sets it up again.  :func:`_dropped_layout`
  makes that layout in its deactivated state directly, without Pango.
* For every page WeasyPrint makes all sixteen margin boxes and resolves each
  one's sizes (about twenty-five computed values) before it drops those with
  no content; a page of this book has at most two with content.  A side
  (``@left-*``…) none of whose three boxes has content, and a corner without
  content, is dropped unread, so :func:`_margin_boxes` tells
  :func:`_resolve_percentages` to leave those boxes alone (measured: the
  margin boxes were a tenth of laying out a part).

* WeasyPrint resolves the used margins, paddings, sizes and borders of every
  box (about twenty computed values each) by calling a function per value:
  8 % of laying out a part.  :func:`_cached_percentages` does it once per
  distinct combination of inputs and copies the results to the other boxes.
* Drawing each line's glyphs is done by :mod:`publish.pdf.engine.glyph_runs`.

Under callgrind, the margin boxes take 3 % off the instructions of laying out and
writing a two-article part.  WeasyPrint is pinned in ``pyproject.toml``; the
tests compare the bytes of a PDF written with and without the speed-ups.
"""

from __future__ import annotations

import logging
import operator
import re
import threading

import pydyf
import weasyprint.layout
from weasyprint.formatting_structure.boxes import Box, MarginBox, PageBox
from weasyprint.layout import absolute, block, column, grid, inline, percent, table
from weasyprint.layout import float as float_
from weasyprint.layout import page as paged
from weasyprint.text import line_break
from weasyprint.text.constants import LST_TO_ISO, PANGO_DIRECTION
from weasyprint.text.ffi import FROM_UNITS, ffi, gobject, pango, unicode_to_char_p
from weasyprint.text.fonts import font_features, get_font_description

from publish.pdf.engine import glyph_runs

log = logging.getLogger(__name__)
_CACHE = "_publish_page_references"
_SIZED_ARRAY = re.compile(r"(?P<item>[A-Za-z_][A-Za-z0-9_ ]*?)\s*\[(?P<length>\d+)\]")
_TEXT_ITEMS = frozenset({"char", "signed char", "unsigned char", "wchar_t", "char16_t", "char32_t"})
_LAYOUT_PARTS = "_publish_layout_parts"  # the per-font-configuration cache of :func:`_setup`
_SIDES = tuple((side, tuple(f"@{side}-{place}" for place in places)) for side, places in (
    ("top", ("left", "center", "right")), ("bottom", ("left", "center", "right")),
    ("left", ("top", "middle", "bottom")), ("right", ("top", "middle", "bottom"))))
_CORNERS = ("@top-left-corner", "@top-right-corner", "@bottom-left-corner", "@bottom-right-corner")
_NO_CONTENT = ("normal", "inhibit", "none")  # WeasyPrint 70's test for a margin box that is not generated
_FEATURE_PROPERTIES = ("font_kerning", "font_variant_ligatures", "font_variant_position", "font_variant_caps",
                       "font_variant_numeric", "font_variant_alternates", "font_variant_east_asian",
                       "font_feature_settings")


def _page_references(pdf: pydyf.PDF) -> tuple[bytes, ...]:
    kids = pdf.pages["Kids"]
    cached = pdf.__dict__.get(_CACHE)
    if cached is not None and cached[0] == len(kids):  # Kids only ever grows, by add_page
        return cached[1]
    references = tuple(f"{number} 0 R".encode("ascii") for number in kids[::3])
    pdf.__dict__[_CACHE] = (len(kids), references)
    return references


def _open_array_new(real_new):
    """``ffi.new`` that allocates a sized array given exactly its items through the open array type."""

    def new(cdecl, init=None):
        if isinstance(cdecl, str) and isinstance(init, (list, tuple)):
            sized = _SIZED_ARRAY.fullmatch(cdecl)
            # char arrays are left alone: T[] from bytes adds a terminating NUL, T[n] does not
            if sized and int(sized["length"]) == len(init) and sized["item"] not in _TEXT_ITEMS:
                return real_new(f"{sized['item']}[]", init)
        return real_new(cdecl, init)

    new.__wrapped__ = real_new  # type: ignore[attr-defined]
    return new


def _key(value):
    """A style value as a dictionary key: itself when hashable (nearly always), else with lists made tuples."""
    try:
        hash(value)
    except TypeError:
        return tuple(_key(item) for item in value)
    return value


def _language(style) -> str | None:
    override = style["font_language_override"]
    if override != "normal":
        return LST_TO_ISO.get(override.lower(), override)
    return style["lang"] or None


def _context(cache: dict, font_map, direction: str, lang: str | None) -> tuple:
    """A Pango context (and its language) for a direction and language; made once, never changed after."""
    key = ("context", direction, lang)
    if key not in cache:
        context = ffi.gc(pango.pango_font_map_create_context(font_map), gobject.g_object_unref)
        pango.pango_context_set_round_glyph_positions(context, False)
        pango.pango_context_set_base_dir(context, PANGO_DIRECTION[direction])
        if lang:
            lang_p, _ = unicode_to_char_p(lang)
            language = pango.pango_language_from_string(lang_p)
            pango.pango_context_set_language(context, language)
        else:
            language = pango.pango_language_get_default()
        cache[key] = (context, language)
    return cache[key]


def _metrics(cache: dict, context, description, language, key: tuple) -> tuple[float, ...]:
    """Ascent, underline and strike-through positions and thicknesses of a font, in CSS pixels."""
    if key not in cache:
        metrics = ffi.gc(pango.pango_context_get_metrics(context, description, language),
                         pango.pango_font_metrics_unref)
        cache[key] = tuple(FROM_UNITS * getter(metrics) for getter in (
            pango.pango_font_metrics_get_ascent, pango.pango_font_metrics_get_underline_position,
            pango.pango_font_metrics_get_strikethrough_position, pango.pango_font_metrics_get_underline_thickness,
            pango.pango_font_metrics_get_strikethrough_thickness))
    return cache[key]


def _setup(self, style) -> None:
    """``Layout.setup`` with the context, font description, metrics and features kept per font configuration.

    Sets the same attributes on the layout, with Pango objects of the same
    settings, as WeasyPrint 70's own ``setup``.
    """
    self.style = style
    self.first_line_direction = 0
    font_config = style.font_config
    cache = font_config.__dict__.setdefault(_LAYOUT_PARTS, {})
    direction, lang = style["direction"], _language(style)
    context, self.language = _context(cache, font_config.font_map, direction, lang)
    font = ("font", _key(style["font_family"]), style["font_style"], style["font_stretch"], style["font_weight"],
            style["font_size"], style["font_variant_caps"], _key(style["font_variation_settings"]))
    if font not in cache:
        cache[font] = get_font_description(style)
    description = cache[font]
    self.layout = ffi.gc(pango.pango_layout_new(context), gobject.g_object_unref)
    pango.pango_layout_set_auto_dir(self.layout, False)
    pango.pango_layout_set_font_description(self.layout, description)  # copied by Pango

    if style["text_decoration_line"] != "none":
        (self.ascent, self.underline_position, self.strikethrough_position, self.underline_thickness,
         self.strikethrough_thickness) = _metrics(cache, context, description, self.language,
                                                  ("metrics", direction, lang, font))
    else:
        self.ascent = self.underline_position = self.strikethrough_position = None

    values = tuple(style[name] for name in _FEATURE_PROPERTIES)
    features_key = ("features", _key(values))
    if features_key not in cache:
        found = font_features(*values)
        cache[features_key] = ",".join(f"{name} {value}" for name, value in found.items()).encode() if found else b""
    features = cache[features_key]
    if features:
        attribute = font_config.font_features.get(features)  # WeasyPrint's own cache of these attributes
        if attribute is None:
            attribute = font_config.font_features[features] = pango.pango_attr_font_features_new(features)
        attributes = pango.pango_attr_list_new()
        pango.pango_attr_list_insert(attributes, attribute)
        pango.pango_layout_set_attributes(self.layout, attributes)


class _Dropped(line_break.Layout):
    """A layout made in the state ``deactivate()`` leaves one in; ``reactivate()`` sets it up as usual."""

    def deactivate(self) -> None:
        if "layout" in self.__dict__:  # set up again for drawing: deactivate as usual
            super().deactivate()


def _dropped_layout(text, style, context, max_width, justification_spacing):
    """``create_layout`` for WeasyPrint's ``add_word_spacing``, which deactivates the layout at once.

    The attributes are those ``set_text`` and ``deactivate`` leave (the text
    cut after its first line break, one space widened for word spacing).
    Underlined or struck-through text keeps the real layout: its font metrics
    come from Pango.
    """
    if max_width is not None or style["text_decoration_line"] != "none":
        return line_break.create_layout(text, style, context, max_width, justification_spacing)
    layout = _Dropped.__new__(_Dropped)
    layout.justification_spacing, layout.max_width, layout.first_line_direction = justification_spacing, None, 0
    layout.ascent = layout.underline_position = layout.strikethrough_position = None
    newline = text.find("\n")
    if newline != -1:
        text = text[:newline + 2]
    layout.text = " \u200b" if text == " " and style["word_spacing"] else text
    return layout


class _Unread(threading.local):
    keywords: frozenset[str] = frozenset()  # margin boxes of the page being made that WeasyPrint drops unread


_UNREAD = _Unread()


def _has_content(context, page, keyword: str) -> bool:
    style = context.style_for(page.page_type, keyword)  # None: the page's anonymous style, content "normal"
    return style is not None and style["content"] not in _NO_CONTENT


def _margin_boxes(real):
    """``make_margin_boxes`` that first works out which boxes of the page are made only to be dropped."""

    def make_margin_boxes(context, page, state):
        unread = {keyword for keyword in _CORNERS if not _has_content(context, page, keyword)}
        for _, keywords in _SIDES:
            if not any(_has_content(context, page, keyword) for keyword in keywords):
                unread.update(keywords)
        _UNREAD.keywords = frozenset(unread)
        try:
            yield from real(context, page, state)
        finally:
            _UNREAD.keywords = frozenset()

    make_margin_boxes.__wrapped__ = real  # type: ignore[attr-defined]
    return make_margin_boxes


def _resolve_percentages(real):
    """``resolve_percentages`` that skips the margin boxes :func:`_margin_boxes` found unread."""

    def resolve_percentages(box, *args, **kwargs):
        if type(box) is MarginBox and box.at_keyword in _UNREAD.keywords:
            return None
        return real(box, *args, **kwargs)

    resolve_percentages.__wrapped__ = real  # type: ignore[attr-defined]
    return resolve_percentages


_PERCENT_INPUTS = ("margin_left", "margin_right", "margin_top", "margin_bottom", "padding_left", "padding_right",
                   "padding_top", "padding_bottom", "width", "min_width", "max_width", "height", "min_height",
                   "max_height", "border_top_width", "border_right_width", "border_bottom_width",
                   "border_left_width", "box_sizing", "border_collapse")
_PERCENT_OUTPUTS = _PERCENT_INPUTS[:-2]  # the used values WeasyPrint 70's resolve_percentages sets on the box
_INPUT_VALUES = operator.itemgetter(*_PERCENT_INPUTS)  # a style is a dict computing missing values: one C call
_PERCENT_CACHE_SIZE = 20_000


def _cached_percentages(real):
    """``resolve_percentages`` that remembers the used values it set for the same inputs.

    The used values of a box's margins, paddings, sizes and borders depend
    only on the containing block's width and height, on whether the box is a
    page, and on twenty computed values; a book has few distinct
    combinations (every line of a paragraph, every paragraph of an article),
    so the first box of each is resolved by WeasyPrint and the others get a
    copy of its results.  Collapsed borders read the box itself: those boxes
    are always resolved by WeasyPrint, as is any value that cannot be a key.
    """
    cache: dict[tuple, tuple] = {}

    def resolve_percentages(box, containing_block):
        style = box.style
        if style["border_collapse"] == "collapse":
            return real(box, containing_block)
        if isinstance(containing_block, Box):
            width, height = containing_block.width, containing_block.height
        else:
            width, height = containing_block
        key = (type(width), width, type(height), height, isinstance(box, PageBox), _INPUT_VALUES(style))
        try:
            used = cache.get(key)
        except TypeError:  # an unhashable computed value (a calc() expression): no cache
            return real(box, containing_block)
        if used is None:
            real(box, containing_block)
            if len(cache) >= _PERCENT_CACHE_SIZE:
                cache.clear()
            cache[key] = tuple(getattr(box, name) for name in _PERCENT_OUTPUTS)
        else:
            box.__dict__.update(zip(_PERCENT_OUTPUTS, used, strict=True))
        return None

    resolve_percentages.__wrapped__ = real  # type: ignore[attr-defined]
    return resolve_percentages


def install() -> None:
    """Install the speed-ups once (idempotent)."""
    current = pydyf.PDF.__dict__.get("page_references")
    if isinstance(current, property) and current.fget is not _page_references:
        pydyf.PDF.page_references = property(_page_references)  # type: ignore[method-assign]
    elif not isinstance(current, property):
        log.warning("pydyf.PDF.page_references is not a property; speed-up not installed")
    if not hasattr(ffi.new, "__wrapped__"):
        ffi.new = _open_array_new(ffi.new)
    line_break.Layout.setup = _setup  # type: ignore[method-assign]
    inline.create_layout = _dropped_layout  # its one caller there is add_word_spacing
    if not hasattr(percent.resolve_percentages, "__wrapped__"):
        cached = _cached_percentages(percent.resolve_percentages)
        for module in (percent, absolute, block, column, float_, grid, inline, table):
            module.resolve_percentages = cached
        paged.resolve_percentages = _resolve_percentages(cached)
    if not hasattr(weasyprint.layout.make_margin_boxes, "__wrapped__"):  # the name layout_document calls
        weasyprint.layout.make_margin_boxes = _margin_boxes(weasyprint.layout.make_margin_boxes)
    glyph_runs.install()

"""Loading the CSL style and locale into citeproc-py, with our element overrides.

citeproc-py 0.11.1 is the CSL interpreter we use, but several of its element
classes miss rules that the APA style relies on and that citeproc-js (the
reference processor) implements.  citeproc-py builds its element tree through
an lxml class lookup keyed by tag name, so we parse the style and locale with
our own lookup that maps a few tags to the subclasses in :mod:`.elements`
(and :class:`Style` here, which finds our locale files).  Nothing in
citeproc-py itself is patched.

Render-time state lives in :mod:`.state`.
"""

from __future__ import annotations

import os
import threading
import unicodedata
from pathlib import Path

from citeproc import LANGUAGE_NAMES, LOCALES_PATH, PRIMARY_DIALECTS
from citeproc import model as cm
from lxml import etree

from publish.citations.elements import OVERRIDES

CSL_NS = "http://purl.org/net/xbiblio/csl"


class Style(cm.Style):
    def set_locale_list(self, output_locale: str, validate: bool = False) -> None:
        """Look locales up next to the style first (styles/csl/locales-xx.xml).

        citeproc-py only reads its bundled locale files; the book ships the exact
        locale the reference output was made with, so that one must win.
        """
        self.locales = []
        seen: set[str] = set()
        language = output_locale.split("-")[0]
        for lang in (output_locale, language, None):
            expr = f'./cs:locale[@xml:lang="{lang}"]' if lang else "./cs:locale[not(@xml:lang)]"
            self.locales.extend(self.xpath_search(expr))
        candidates = [output_locale, PRIMARY_DIALECTS.get(language, ""), "en-US"]
        style_dir = Path(getattr(self, "style_dir", "."))
        for name in candidates:
            if not name or name in seen:
                continue
            seen.add(name)
            for folder in (style_dir, Path(LOCALES_PATH)):
                path = folder / f"locales-{name}.xml"
                if path.exists() and (folder == style_dir or name in LANGUAGE_NAMES):
                    self.locales.append(parse_xml(path))
                    break
        for locale in self.locales:
            locale.style = self


_OVERRIDES = {cls.__name__.replace("_", "-").lower(): cls for cls in (Style, *OVERRIDES)}

# (id of the element, expression) -> (the element, its result).  Keeping the element in the value
# keeps its lxml proxy alive, so the id cannot be reused by another element while the entry exists.
_XPATH: dict[tuple[int, str], tuple[etree._Element, list]] = {}


class _CachedXPath:
    """Memoised ``xpath_search``: a style's tree never changes once loaded.

    citeproc-py looks macros, terms and layouts up by XPath on every render
    (tens of thousands of times for a book; profiled at a third of the
    citation stage), always with the same few hundred expressions.
    """

    def xpath_search(self, expression):
        key = (id(self), expression)
        hit = _XPATH.get(key)
        if hit is not None and hit[0] is self:
            return list(hit[1])
        result = super().xpath_search(expression)  # type: ignore[misc]
        _XPATH[key] = (self, result)
        return list(result)


def _cached(cls: type) -> type:
    return type(cls.__name__, (_CachedXPath, cls), {"__module__": __name__, "__doc__": cls.__doc__})


_CLASSES = {cls.__name__.replace("_", "-").lower(): cls for cls in cm.CitationStylesElement.__subclasses__()}
_CLASSES.update(_OVERRIDES)
_CLASSES = {tag: _cached(cls) for tag, cls in _CLASSES.items()}
_DEFAULT_CLASS = _cached(cm.CitationStylesElement)


def _parser() -> etree.XMLParser:
    lookup = etree.ElementNamespaceClassLookup()
    namespace = lookup.get_namespace(CSL_NS)
    namespace[None] = _DEFAULT_CLASS
    namespace.update(_CLASSES)
    parser = etree.XMLParser(remove_comments=True, encoding="UTF-8", no_network=True)
    parser.set_element_class_lookup(lookup)
    return parser


_PARSER_LOCAL = threading.local()


def parse_xml(path: os.PathLike | str) -> etree._Element:
    """Parse a CSL style or locale file with our element classes."""
    parser = getattr(_PARSER_LOCAL, "parser", None)
    if parser is None:
        parser = _PARSER_LOCAL.parser = _parser()
    return etree.parse(str(path), parser).getroot()


def load_style(path: Path, locale: str) -> Style:
    """Parse ``path`` and attach its locales; the caller caches the result."""
    root = parse_xml(path)
    if not isinstance(root, Style):
        raise ValueError(f"{path} is not a CSL style")
    root.style_dir = str(Path(path).parent)
    root.set_locale_list(locale)
    # citeproc-py's Text reads ``layout.repressed``; our RefView does the suppressing, so
    # it stays empty.  Holding the proxies keeps the attribute alive (lxml drops unused ones).
    layouts = root.xpath_search("./cs:citation/cs:layout | ./cs:bibliography/cs:layout")
    for layout in layouts:
        layout.repressed = {}
    root.kept_layouts = layouts
    return root


def strip_accents(text: str) -> str:
    """Base letters only, for collation (É -> E)."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))

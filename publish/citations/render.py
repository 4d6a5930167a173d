"""Rendering single references and cite parts with citeproc-py.

The engine needs pieces rather than citeproc-py's whole-citation output: the
in-text author, the date and the locator of each cite, rendered once per
reference and reused by every cluster (citeproc-py re-renders the whole
citation for each one, ~10 ms each).  Clusters are then assembled from the
cached pieces in :mod:`publish.citations.engine`.  The parsed style is cached
per (file, mtime, locale) because parsing apa.csl and the locale is the
slowest step.
"""

from __future__ import annotations

import logging
import re
import threading
import warnings
from pathlib import Path
from typing import Any

from citeproc import DATES, NAMES
from citeproc import formatter as cformatter
from citeproc.source import Locator, Reference
from citeproc.source.json import CiteProcJSON

from publish.bibliography.csl import normalise_doi
from publish.citations import apa, richtext
from publish.citations.cslxml import Style, load_style
from publish.citations.sort import SortValue, sort_value
from publish.citations.state import STATE, Item

log = logging.getLogger(__name__)

_EXTRA_NAMES = {"chair", "compiler", "contributor", "curator", "director", "editorial_director",
                "executive_producer", "guest", "host", "narrator", "organizer", "performer",
                "producer", "reviewed_author", "script_writer", "series_creator", "translator"}
_NAMES = set(NAMES) | _EXTRA_NAMES
_DATES = set(DATES) | {"available_date", "event_date"}
_RAW_DATE = re.compile(r"^\s*(-?\d{1,4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?\s*$")

LOCK = threading.RLock()
# Stands in the output where the style could not be rendered; publish.citations.resolve makes it a finding (s-002).
FAILED = "\ue002"
_STYLES: dict[tuple[str, float, str], Style] = {}


def cached_style(path: Path, locale: str) -> Style:
    """The parsed style for ``path`` and ``locale``, shared by all processors."""
    path = Path(path).resolve()
    key = (str(path), path.stat().st_mtime, locale)
    with LOCK:
        style = _STYLES.get(key)
        if style is None:
            style = _STYLES[key] = load_style(path, locale)
        return style


class _Parser(CiteProcJSON):
    """Access to citeproc-py's field parsers without its id-lowercasing loader."""

    def __init__(self) -> None:  # no references: we parse field by field
        pass


_PARSER = _Parser()


def _parse_date(value: Any) -> Any:
    if isinstance(value, str):
        value = {"raw": value}
    if not isinstance(value, dict):
        return None
    if "date-parts" not in value and "raw" in value:
        parts = []
        for piece in str(value["raw"]).split("/")[:2]:
            match = _RAW_DATE.match(piece)
            if match:
                parts.append([int(g) for g in match.groups() if g])
        if not parts:
            return _PARSER.parse_date({"literal": str(value["raw"])})
        value = {**value, "date-parts": parts}
    parts = [p for p in value.get("date-parts", []) if isinstance(p, list | tuple) and p and p[0] != ""]
    value = {**value, "date-parts": [[int(x) for x in p[:3]] for p in parts[:2]]}
    if not value["date-parts"]:
        value.pop("date-parts")
    elif len(value["date-parts"]) == 1 and len(value["date-parts"][0]) >= 2 \
            and 13 <= value["date-parts"][0][1] <= 16:
        # months 13-16 are the seasons (CSL-JSON, EDTF "2020-21"): "2020, Spring" as citeproc-js prints
        year, month = value["date-parts"][0][:2]
        value = {**value, "date-parts": [[year]], "season": month - 12}
    return _PARSER.parse_date(value)


def _parse_names(value: Any, key: str, ref_id: str) -> list:
    people = []
    for person in value if isinstance(value, list) else []:
        if not isinstance(person, dict):
            log.warning("reference %s: %s entry %r is not a name; skipped", ref_id, key, person)
            continue
        fields = {k: richtext.encode(str(v)) for k, v in person.items()
                  if k in ("family", "given", "literal", "suffix", "dropping-particle",
                           "non-dropping-particle") and v not in (None, "")}
        if not fields:
            continue
        particle = fields.get("non-dropping-particle", "")
        if particle.endswith(("\u2019", "-")) and "family" in fields:
            # "d'Almeida": CSL joins a particle ending in an apostrophe or hyphen without a space
            fields["family"] = fields.pop("non-dropping-particle") + fields["family"]
        people.append(fields)
    return _PARSER.parse_names(people)


def build_reference(internal_id: str, data: dict) -> Reference:
    """A citeproc-py Reference from CSL-JSON, with rich text as markers and HTML escaped."""
    ref_id = str(data.get("id", internal_id))
    fields: dict[str, Any] = {}
    for key, value in data.items():
        name = key.replace("-", "_")
        if name in ("id", "type", "key") or value is None or key.startswith("publish:"):
            continue  # publish: keys are ours (publish.model), not CSL's
        if name == "shortTitle":
            name = "title_short"
        try:
            if name in _NAMES:
                fields[name] = _parse_names(value, key, ref_id)
            elif name in _DATES:
                parsed = _parse_date(value)
                if parsed is not None:
                    fields[name] = parsed
            elif name == "language":
                fields[name] = str(value)
            elif isinstance(value, dict | list):
                log.info("reference %s: field %s is not text; skipped", ref_id, key)
            else:
                text = str(value)
                if name == "DOI":
                    text = normalise_doi(text)[0]  # the bibliography's one DOI pattern
                fields[name] = _PARSER.parse_string(richtext.encode(text))
        except (TypeError, ValueError) as error:
            log.warning("reference %s: field %s skipped (%s)", ref_id, key, error)
    kind = str(data.get("type") or "document")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Reference(internal_id, kind, **fields)


def copy_reference(ref: Reference) -> Reference:
    """A copy of ``ref`` without a year suffix, so each process() call starts afresh."""
    fields = {k: v for k, v in ref.items() if k not in ("key", "type", "year_suffix")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Reference(ref.key, ref.type, **fields)


def _season_as_month(ref: Reference) -> Reference:
    """``ref`` with a season date given month 13-16 instead, for numeric sort keys.

    citeproc-py prints a season only in words and fails on a numeric month form
    ("2020-13" is how citeproc-js sorts "2020, Spring")."""
    date = ref.get("issued")
    if date is None or "season" not in date or "month" in date:
        return ref
    fields = {k: v for k, v in ref.items() if k not in ("key", "type")}
    fields["issued"] = _PARSER.parse_date({"date-parts": [[date["year"], 12 + int(date["season"])]]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Reference(ref.key, ref.type, **fields)


class Renderer:
    """Renders references and cite parts through the style; HTML output only."""

    def __init__(self, style: Style, references: dict[str, Reference]) -> None:
        self.style = style
        self.refs = references
        citation = style.citation
        parts = list(citation.layout.iterchildren())
        group = parts[0] if len(parts) == 1 and parts[0].tag.endswith("group") else citation.layout
        texts = [el for el in group.iterchildren() if el.get("macro")]
        self.author_el = next((t for t in texts if "author" in t.get("macro")), None)
        self.date_el = next((t for t in texts if "date" in t.get("macro")), None)
        self.locator_el = next((t for t in texts if "locator" in t.get("macro")), None)
        self.group_delimiter = group.get("delimiter", ", ")
        self.cite_delimiter = citation.layout.get("delimiter", "; ")
        self.prefix = citation.layout.get("prefix", "")
        self.suffix = citation.layout.get("suffix", "")
        locale_opt = style.get_locale_option("punctuation-in-quote") or "false"
        self.piq = str(locale_opt).lower() == "true"

    def _render(self, element: Any, ref_id: str, locator: Locator | None = None,
                context: Any = None, reference: Reference | None = None) -> str:
        if element is None:
            return ""
        STATE.reset()
        item = Item(ref_id, self.refs[ref_id] if reference is None else reference, locator)
        try:
            text = element.render(item, context=context) if context is not None else element.render(item)
        except Exception:  # a style/data combination citeproc-py cannot render: a finding, never an empty citation
            log.debug("could not render %s for reference %s", element.get("macro"), ref_id, exc_info=True)
            return FAILED
        return "" if text is None else str(text)

    def finish(self, fragment: str) -> str:
        return richtext.fix_punctuation(richtext.decode_html(fragment), self.piq)

    def author(self, ref_id: str, override: dict[str, Any] | None = None,
               options: dict[str, str] | None = None) -> str:
        """The in-text author; ``options`` set name options for this render (``{"and": "text"}``)."""
        STATE.name_override = override
        STATE.name_options = options
        try:
            return self._render(self.author_el, ref_id)
        finally:
            STATE.name_override = None
            STATE.name_options = None

    def term(self, name: str) -> str:
        """A locale term's singular long form, in the document's language."""
        return str(self.style.get_single_term(name))

    def date(self, ref_id: str) -> str:
        return self._render(self.date_el, ref_id)

    def locator(self, ref_id: str, label: str, value: str) -> str:
        return self._render(self.locator_el, ref_id, Locator(label, value))

    def entry(self, ref_id: str) -> str:
        layout = self.style.bibliography.layout
        STATE.reset()
        item = Item(ref_id, self.refs[ref_id])
        try:
            text = layout.format(layout.wrap(layout.render_children(item)))
        except Exception:
            log.debug("could not render the reference-list entry of %s", ref_id, exc_info=True)
            return FAILED
        return "" if text is None else self.finish(str(text))

    def sort_keys(self, element: Any, ref_id: str, use_first: int | None = None) -> tuple[SortValue, ...]:
        """Values of the ``cs:key`` children of ``element`` (a ``cs:sort``); ``use_first`` is the
        number of names disambiguation gave the reference, when more than the key's own."""
        values: list[SortValue] = []
        ref = self.refs[ref_id]
        context = element.getparent().layout
        for key in element.iterchildren():
            if not key.tag.endswith("key"):
                continue
            if key.get("macro"):
                options: dict[str, Any] = {"name-as-sort-order": "all"}
                for opt in ("names-min", "names-use-first", "names-use-last"):
                    if key.get(opt) is not None:
                        options[opt.replace("names", "et-al")] = key.get(opt)
                if use_first and int(options.get("et-al-use-first", 0) or 0) < use_first:
                    options["et-al-use-first"] = str(use_first)
                STATE.name_options = options
                try:
                    text = self._render(key.get_macro(key.get("macro")), ref_id, context=context,
                                        reference=_season_as_month(ref))
                finally:
                    STATE.name_options = None
                if apa.is_english(ref.get("language")):
                    text = apa.without_article(text)
                values.append(sort_value(text))
            else:
                variable = key.get("variable", "").replace("-", "_")
                raw = ref.get(variable)
                if variable in _NAMES and raw:
                    raw = ";".join(" ".join(str(p) for p in n.parts()[:2] if p) for n in raw)
                elif variable in _DATES and raw is not None:
                    raw = raw.sort_key()
                values.append(sort_value(raw))
        return tuple(values)

    def descending(self, element: Any) -> list[bool]:
        return [k.get("sort", "ascending") == "descending"
                for k in element.iterchildren() if k.tag.endswith("key")]

    def use_plain(self) -> None:
        self.style.formatter = cformatter.plain

    def use_html(self) -> None:
        self.style.formatter = cformatter.html

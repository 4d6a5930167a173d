"""Finish WeasyPrint's tagged PDF/UA-1 where it falls short, with pikepdf.

WeasyPrint 70 tags the document well but leaves three problems a PDF/UA
checker (and a screen-reader user) meets:

1. running heads and folios (margin boxes) are marked content whose
   structure elements hang off nothing ("detached"); PDF/UA-1 wants page
   furniture as ``/Artifact`` — we re-mark them ``/Artifact /Pagination``;
2. content hidden from assistive technology in the EPUB (a pull quote that
   repeats the text, a decorative image) would be read twice or described as
   a figure with no text — we remove those elements from the structure tree
   and mark their content as artifacts;
3. every link annotation's ``/Contents`` is the target's id — we describe
   the link instead ("Reference: Gross, J. J. (2014) …", "Section: …").

The laid-out WeasyPrint document (the same one that was written) tells us
where hidden content sits on each page and what each link target is.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

from publish.conventions import local_name
from publish.i18n import FALLBACK, strings
from publish.pdf.engine.boxes import Region, hidden_regions, laid_out_root, language_regions
from publish.pdf.engine.tagging import Skeleton, tag_skeleton
from publish.pdf.structure_write import rebuild_structure

log = logging.getLogger(__name__)


# Descriptions with no target of their own, in the document's language; ids never contain spaces.
WEB_LINK, GO_TO_PLACE = "web link", "go to place"
LANGUAGE_KEYS = {WEB_LINK: "pdf.web_link", GO_TO_PLACE: "pdf.go_to_place"}


def describe_targets(root) -> dict[str, str]:
    """id → words describing a link to it, for every element with an id under ``root`` (an HTML tree).

    The words are in the document's language (its ``lang``); the two
    descriptions that need no target are kept under ``LANGUAGE_KEYS`` for
    :func:`_describe_links`.
    """
    words = strings(root.get("lang") or FALLBACK)
    out: dict[str, str] = {key: str(words.raw(name)) for key, name in LANGUAGE_KEYS.items()}
    for element in root.iter():
        ident = element.get("id") if isinstance(element.tag, str) else None
        if not ident:
            continue
        text = " ".join("".join(element.itertext()).split())
        tag = local_name(element.tag)
        classes = element.get("class", "").split()
        if "csl-entry" in classes:
            out[ident] = words("pdf_targets.reference", text=_clip(text))
        elif element.get("role") in ("doc-footnote", "doc-endnote") or (tag == "li" and "fn" in ident):
            out[ident] = words("pdf_targets.note", text=_clip(text))
        elif element.get("role") == "doc-noteref" or "fnref" in ident:
            out[ident] = words("pdf.back_to_note")
        elif tag in ("h1", "h2", "h3", "h4"):
            out[ident] = words("pdf_targets.section", text=_clip(text))
        elif tag == "section":
            heading = next((e for e in element.iter() if local_name(e.tag) in ("h1", "h2")), None)
            title = " ".join("".join(heading.itertext()).split()) if heading is not None else text
            out[ident] = words("pdf.go_to", title=_clip(title))
        else:
            out[ident] = words("pdf.go_to", title=_clip(text))
    return out


def _clip(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def _describe_links(pdf: pikepdf.Pdf, descriptions: dict[str, str]) -> int:
    changed = 0
    for page in pdf.pages:
        for annot in page.obj.get("/Annots", []):
            if annot.get("/Subtype") != "/Link":
                continue
            action = annot.get("/A")
            if action is not None and action.get("/S") == "/URI":
                words = descriptions.get(WEB_LINK, "{url}").format(url=action.URI)
            else:
                dest = str(annot.get("/Dest", annot.get("/Contents", "")))
                words = descriptions.get(dest) or descriptions.get(GO_TO_PLACE, "{place}").format(
                    place=dest.replace("-", " "))
            annot.Contents = pikepdf.String(words)
            changed += 1
    return changed


def _kids(element: pikepdf.Dictionary) -> list:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _structure(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """Every structure element reachable from the root, parents before children (pre-order)."""
    found = []
    stack = list(reversed(_kids(pdf.Root.StructTreeRoot)))
    while stack:  # a reversed stack, not list.pop(0): linear in the tree's size
        node = stack.pop()
        if isinstance(node, pikepdf.Dictionary) and "/S" in node:
            found.append(node)
            stack.extend(reversed(_kids(node)))
    return found


def _own_mcids(node: pikepdf.Dictionary) -> list[tuple[int, int]]:
    """(page objgen number, MCID) of the marked content directly under one structure element."""
    found = []
    page = node.get("/Pg")
    for kid in _kids(node):
        if isinstance(kid, int) and page is not None:
            found.append((page.objgen[0], int(kid)))
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
            found.append((kid.get("/Pg", page).objgen[0], int(kid.MCID)))
    return found


def _mcids(element: pikepdf.Dictionary) -> list[tuple[int, int]]:
    """(page objgen number, MCID) of an element and its descendants."""
    found = []
    stack = [element]
    while stack:
        node = stack.pop()
        found.extend(_own_mcids(node))
        stack.extend(kid for kid in _kids(node) if isinstance(kid, pikepdf.Dictionary) and "/S" in kid)
    return found


# WeasyPrint (pydyf) writes marked content as ``/Tag <</MCID n>> BDC`` and glyphs as hex strings, so a
# content stream can be read and edited as bytes: no operator-by-operator parse of every page.
_MARKED = re.compile(rb"/([A-Za-z0-9_.]+)\s*<<\s*/MCID\s+(\d+)\s*>>\s*BDC")
_NUMBER = rb"(-?[0-9]*\.?[0-9]+)"
_PLACEMENT = re.compile(rb"(?<![^\s])" + rb"\s+".join([_NUMBER] * 6) + rb"\s+(Tm|cm)\b")
_EMC = re.compile(rb"(?<![^\s])EMC\b")


def _content(page: pikepdf.Page) -> bytes:
    contents = page.obj.get("/Contents")
    if isinstance(contents, pikepdf.Array):
        return b"\n".join(part.read_bytes() for part in contents)
    return contents.read_bytes() if contents is not None else b""


def marked_positions(data: bytes) -> dict[int, tuple[float, float]]:
    """Where each MCID's first text or image is drawn, in CSS px from the page's top-left.

    WeasyPrint flips the page (``1 0 0 -1 0 H cm``), scales px to pt
    (``0.75 0 0 0.75 0 0 cm``) and places text with ``Tm`` and images with
    ``cm``; the first placement inside a marked sequence is its position.
    """
    positions: dict[int, tuple[float, float]] = {}
    for match in _MARKED.finditer(data):
        end = _EMC.search(data, match.end())
        segment = data[match.end():end.start() if end else len(data)]
        for place in _PLACEMENT.finditer(segment):
            values = [float(v) for v in place.groups()[:6]]
            if place.group(7) == b"Tm" or values[:4] != [1.0, 0.0, 0.0, -1.0]:
                positions.setdefault(int(match.group(2)), (values[4], values[5]))
                break
    return positions


def _artifact_content(pdf: pikepdf.Pdf, targets: dict[int, set[int]], layout: dict[int, set[int]],
                      contents: dict[int, bytes]) -> None:
    """Re-mark MCIDs (per page objgen) as artifacts and drop them from the ParentTree.

    Running heads and folios become ``/Pagination`` artifacts; hidden content
    (``layout``: a duplicate pull quote, a decorative image) ``/Layout`` ones.
    """
    nums = pdf.Root.StructTreeRoot.ParentTree.get("/Nums")
    parent_arrays = {}
    if nums is not None:
        for i in range(0, len(nums), 2):
            parent_arrays[int(nums[i])] = nums[i + 1]
    for page in pdf.pages:
        number = page.obj.objgen[0]
        wanted = targets.get(number)
        if wanted is None:  # nothing to re-mark, and the stream was not edited
            continue
        hidden = layout.get(number, set())

        def remark(match: re.Match, wanted: set[int] = wanted, hidden: set[int] = hidden) -> bytes:
            mcid = int(match.group(2))
            if mcid not in wanted:
                return match.group(0)
            return b"/Artifact <</Type /Layout>> BDC" if mcid in hidden else b"/Artifact <</Type /Pagination>> BDC"

        page.obj.Contents = pdf.make_stream(_MARKED.sub(remark, contents[number]))
        array = parent_arrays.get(int(page.obj.get("/StructParents", -1)))
        if isinstance(array, pikepdf.Array):
            for mcid in wanted:
                if mcid < len(array):
                    array[mcid] = None


# The author's hyphen at the end of a line, for text extraction: U+2010 HYPHEN, which poppler and others keep,
# where the glyph's own U+002D is taken for a hyphen that layout added and removed ("built-up" read "builtup").
AUTHOR_HYPHEN = b"/Span <</ActualText <FEFF2010>>> BDC "


def _keep_hyphens(data: bytes, mcids: set[int]) -> bytes:
    """Wrap the last glyph of each MCID's text (an author's hyphen) in marked content with ``/ActualText``.

    WeasyPrint writes a line as one ``TJ`` array of one-glyph hex strings, so
    the last string is the hyphen; the array is cut before it, and text
    positions are unchanged (each ``TJ`` advances past what it showed).
    """
    out, at = [], 0
    for match in _MARKED.finditer(data):
        if int(match.group(2)) not in mcids:
            continue
        end = _EMC.search(data, match.end())
        stop = end.start() if end else len(data)
        close = data.rfind(b"] TJ", match.end(), stop)
        glyph = data.rfind(b"<", match.end(), close) if close >= 0 else -1
        if glyph < 0 or data[glyph - 1:glyph] == b"[":
            continue  # a line of one glyph, or not the shape WeasyPrint writes: left as it is
        out += [data[at:glyph], b"] TJ\n", AUTHOR_HYPHEN, b"[", data[glyph:close], b"] TJ\nEMC"]
        at = close + len(b"] TJ")
    out.append(data[at:])
    return b"".join(out)


@dataclass(frozen=True)
class TagNotes:
    """What finishing the tags needs from the laid-out document: far smaller than its boxes."""

    regions: list[Region]
    descriptions: dict[str, str]
    languages: list[tuple[Region, str]] = field(default_factory=list)
    skeleton: Skeleton | None = None  # the written tree's shape, for publish.pdf.structure


def tag_notes(document) -> TagNotes:
    """Take the hidden regions, link descriptions and the structure's shape from a laid-out document."""
    root = laid_out_root(document)
    descriptions = describe_targets(root) if root is not None else {}
    return TagNotes(hidden_regions(document), descriptions, language_regions(document), tag_skeleton(document))


def finish_tags(path: Path, source) -> dict[str, int]:
    """Post-process the tagged PDF at ``path`` in place; return counts for the log and tests.

    ``source`` is the laid-out document or its :class:`TagNotes`; with notes
    the caller can drop the document (hundreds of MiB of boxes for a long
    book) before the written PDF is opened here.
    """
    counts = {"furniture": 0, "hidden": 0, "links": 0, "languages": 0}
    notes = source if isinstance(source, TagNotes) else tag_notes(source)
    regions, descriptions = notes.regions, notes.descriptions
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        if "/StructTreeRoot" not in pdf.Root:
            return counts  # an untagged edition (press, booklet): nothing to finish
        elements = _structure(pdf)
        own = [_own_mcids(element) for element in elements]  # read once: each read crosses into qpdf
        reachable = {m for mcids in own for m in mcids}
        region_pages = {r.page for r in regions} | {r.page for r, _ in notes.languages}
        targets: dict[int, set[int]] = {}
        positions: dict[int, tuple[int, dict[int, tuple[float, float]]]] = {}
        contents: dict[int, bytes] = {}
        for index, page in enumerate(pdf.pages):
            number = page.obj.objgen[0]
            data = contents[number] = _content(page)
            if index in region_pages:
                positions[number] = (index, marked_positions(data))
            for match in _MARKED.finditer(data):
                mcid = int(match.group(2))
                if (number, mcid) not in reachable:
                    targets.setdefault(number, set()).add(mcid)
                    counts["furniture"] += 1
        layout: dict[int, set[int]] = {}
        rebuilt = rebuild_structure(pdf, notes.skeleton, str(pdf.Root.get("/Lang", "")))
        if rebuilt is not None:  # one element per logical element; hidden content and languages done there
            for number, mcids in rebuilt.artifacts.items():
                targets.setdefault(number, set()).update(mcids)
                layout.setdefault(number, set()).update(mcids)
            counts.update(rebuilt.counts)
            for page in pdf.pages:
                wanted = rebuilt.hyphens.get(page.obj.objgen[0])
                if wanted:
                    contents[page.obj.objgen[0]] = _keep_hyphens(contents[page.obj.objgen[0]], wanted)
                    targets.setdefault(page.obj.objgen[0], set())  # the page's stream is written again
        else:
            counts["hidden"], counts["languages"] = _by_regions(pdf, elements, own, notes, positions, targets, layout)
        _artifact_content(pdf, targets, layout, contents)
        counts["links"] = _describe_links(pdf, descriptions)
        pdf.save(path, deterministic_id=True)
    log.info("PDF tags finished: %s", counts)
    return counts


def _by_regions(pdf, elements, own, notes: TagNotes, positions: dict, targets: dict, layout: dict) -> tuple[int, int]:
    """Hidden content and languages found by where they were drawn, for a tree the rebuild could not read."""
    regions = notes.regions
    hidden_count = 0
    page_index = {number: index for number, (index, _) in positions.items()}
    removed: set[tuple[int, int]] = set()
    for element in elements:
        parent = element.get("/P")
        if parent is None or "/K" not in parent or parent.objgen in removed:
            if parent is not None and parent.objgen in removed:
                removed.add(element.objgen)
            continue
        figure = str(element.S) == "/Figure"
        page = element.get("/Pg")
        if not figure and (page is None or page.objgen[0] not in page_index):
            continue  # WeasyPrint builds each page's elements separately: no hidden region here
        mcids = _mcids(element)
        hidden = figure and not str(element.get("/Alt", "")).strip()
        if not hidden and regions and mcids:
            hidden = all(_in_regions(positions, regions, m) for m in mcids)
        if not hidden:
            continue
        kept = [k for k in _kids(parent) if not (isinstance(k, pikepdf.Dictionary) and k.objgen == element.objgen)]
        parent.K = pikepdf.Array(kept)
        removed.add(element.objgen)
        for page_number, mcid in mcids:
            targets.setdefault(page_number, set()).add(mcid)
            layout.setdefault(page_number, set()).add(mcid)
        hidden_count += 1
    return hidden_count, _declare_languages(elements, own, removed, positions, notes.languages)


def _declare_languages(elements: list, own: list[list[tuple[int, int]]], removed: set, positions: dict,
                       languages: list[tuple[Region, str]]) -> int:
    """``/Lang`` on each structure element whose own text (``own``: its MCIDs) lies in one passage of another
    language."""
    declared = 0
    by_lang: dict[str, list[Region]] = {}
    for region, lang in languages:
        by_lang.setdefault(lang, []).append(region)
    if not by_lang:
        return 0
    for element, mcids in zip(elements, own, strict=True):
        if not mcids or element.objgen in removed:
            continue
        for lang, regions in by_lang.items():
            if all(_in_regions(positions, regions, m) for m in mcids):
                element.Lang = pikepdf.String(lang)
                declared += 1
                break
    return declared


def _in_regions(positions: dict, regions: list[Region], mcid: tuple[int, int]) -> bool:
    index, where = positions.get(mcid[0], (None, {}))
    point = where.get(mcid[1])
    if point is None:
        return False
    return any(r.page == index and r.holds(*point) for r in regions)

"""What a screen reader announces in the EPUB: names without page numbers, one link per citation.

EPUBCheck and Ace judge the markup's validity and the rules axe knows; they
pass a heading announced as "6 7 The Healing Power of Tears" because a
print page marker sits inside it, and a citation spoken as two links.  This
reads every content document as the accessibility tree would compute names:

* ``v-007``: a page-break marker inside an element whose accessible name
  comes from its content (headings, links, captions, table headers, list
  labels, summaries) puts the page number into that name;
* ``v-008``: two links side by side to the same place, with nothing but
  spaces or punctuation between them, are one link cut in two (a listener
  tabs through both and hears half a citation each time).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from lxml import etree

from publish.conventions import EPUB_TYPE, local_name
from publish.findings import Finding, Location, error

NAMED_BY_CONTENT = {"h1", "h2", "h3", "h4", "h5", "h6", "a", "caption", "figcaption", "th", "dt", "summary",
                    "button", "label", "legend"}
BETWEEN_ONE_LINK = re.compile(r"^[\s,;.:()\[\]–-]*$")


def _is_marker(element: etree._Element) -> bool:
    return element.get("role") == "doc-pagebreak" or "pagebreak" in (element.get(EPUB_TYPE) or "").split()


def check_names(epub: Path) -> list[Finding]:
    """Every ``v-007`` and ``v-008`` in the EPUB's content documents, located by file and line."""
    findings: list[Finding] = []
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    with zipfile.ZipFile(epub) as zf:
        for name in sorted(n for n in zf.namelist() if n.endswith(".xhtml")):
            root = etree.fromstring(zf.read(name), parser)
            where = f"{epub.name}/{name}"
            findings += _markers_in_names(root, where)
            findings += _split_links(root, where)
    return findings


def _markers_in_names(root: etree._Element, where: str) -> list[Finding]:
    found = []
    for marker in (e for e in root.iter() if isinstance(e.tag, str) and _is_marker(e)):
        holder = next((a for a in marker.iterancestors() if local_name(a.tag) in NAMED_BY_CONTENT), None)
        if holder is None:
            continue
        words = " ".join("".join(holder.itertext()).split())[:60]
        found.append(error("v-007", f"the page number {marker.get('aria-label') or marker.get('id')} is part of "
                           f"the name of a <{local_name(holder.tag)}> ('{words}')",
                           Location(where, holder.sourceline),
                           "the page-break marker belongs just before the element; please report this"))
    return found


def _split_links(root: etree._Element, where: str) -> list[Finding]:
    found = []
    for link in root.iter("{*}a"):
        after = link.getnext()
        target = link.get("href")
        if not target or after is None or local_name(after.tag) != "a" or after.get("href") != target:
            continue
        if BETWEEN_ONE_LINK.match(link.tail or ""):
            words = " ".join("".join([*link.itertext(), link.tail or "", *after.itertext()]).split())
            found.append(error("v-008", f"one link cut in two: '{words[:60]}' is two links to {target}",
                               Location(where, link.sourceline),
                               "a citation or link should be one link; please report this"))
    return found

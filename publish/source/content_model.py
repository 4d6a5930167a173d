"""Raw HTML that breaks HTML's content model: where an element may stand, and what it may hold.

Markdown always makes valid markup; raw HTML in a chapter need not.  A
``<div>`` inside a ``<span>``, a ``<li>`` outside a list, text loose in a
``<ul>``, a ``headers`` attribute naming no heading cell, an id with a space,
a link address with a space: each built fine and then failed EPUBCheck
(RSC-005, RSC-020) at ``make check``, with a position in the built XHTML
instead of the author's file.  Here each is an error at its line.

The rules are HTML's, for the elements the sanitiser lets through
(:data:`publish.source.xhtml.ALLOWED`): phrasing elements hold only phrasing
content, and list items, table parts, definition-list parts and captions
stand only in their parents.
"""

from __future__ import annotations

import re

from lxml import etree

from publish.conventions import local_name
from publish.findings import Finding, Location, error
from publish.source.xhtml import line_at, line_of

PHRASING = frozenset(
    "a abbr b bdi bdo br cite code del dfn em i img ins kbd mark q s samp small span strong sub sup time u var "
    "wbr".split())
TRANSPARENT = frozenset({"a", "del", "ins"})  # they hold what their parent may hold
PHRASING_ONLY = frozenset(PHRASING - TRANSPARENT - {"br", "img", "wbr"}) | frozenset(
    "p h1 h2 h3 h4 h5 h6 pre dt".split())  # dt: HTML allows a little more, but no block a reader expects
PARENTS = {  # element -> the parents it may stand in
    "li": frozenset({"ul", "ol"}),
    "dt": frozenset({"dl", "div"}), "dd": frozenset({"dl", "div"}),
    "tr": frozenset({"table", "thead", "tbody", "tfoot"}),
    "td": frozenset({"tr"}), "th": frozenset({"tr"}),
    "thead": frozenset({"table"}), "tbody": frozenset({"table"}), "tfoot": frozenset({"table"}),
    "caption": frozenset({"table"}), "figcaption": frozenset({"figure"}),
}
ONLY_CHILDREN = {  # element -> the only children it may hold (and no text but white space)
    "ul": frozenset({"li"}), "ol": frozenset({"li"}), "dl": frozenset({"dt", "dd", "div"}),
    "table": frozenset({"caption", "colgroup", "thead", "tbody", "tfoot", "tr"}),
    "thead": frozenset({"tr"}), "tbody": frozenset({"tr"}), "tfoot": frozenset({"tr"}),
    "tr": frozenset({"td", "th"}),
}
WHITESPACE = re.compile(r"\s")


class _Lines:
    """The line of the n-th ``<tag`` in the source, for the n-th element of that tag in the tree."""

    def __init__(self, source: str, offset: int):
        self.source, self.offset = source, offset

    def of(self, element: etree._Element, tree_order: dict[etree._Element, int]) -> int | None:
        tag = local_name(element.tag)
        starts = [m.start() for m in re.finditer(rf"<{tag}[\s>/]", self.source, re.I)]
        index = tree_order.get(element, 0)
        if not starts:
            return None
        return line_at(self.source, starts[min(index, len(starts) - 1)]) + self.offset

    def of_text(self, needle: str) -> int | None:
        line = line_of(self.source, needle)
        return line + self.offset if line else None


_DL_GROUPS = re.compile(r"^(?:t+d+)*$")  # HTML: groups of one or more <dt> then one or more <dd>


def _dl_sequence(dl: etree._Element) -> str:
    """The <dt>/<dd> children of a <dl> (through <div> groups) as a string of t and d."""
    letters = []
    for child in dl:
        name = local_name(child.tag) if isinstance(child.tag, str) else ""
        if name == "div":
            letters.append(_dl_sequence(child))
        elif name in ("dt", "dd"):
            letters.append(name[1])
    return "".join(letters)


def _context(element: etree._Element) -> str:
    """The nearest ancestor that is not transparent (what ``element`` is really inside)."""
    for ancestor in element.iterancestors():
        name = local_name(ancestor.tag)
        if name not in TRANSPARENT:
            return name
    return ""


def check_content_model(section: etree._Element, source: str, display: str, offset: int) -> list[Finding]:
    """An error for each element where HTML does not allow it, and for bad ids, hrefs and headers."""
    findings: list[Finding] = []
    lines = _Lines(source, offset)
    order: dict[etree._Element, int] = {}
    counts: dict[str, int] = {}
    elements = [el for el in section.iter() if isinstance(el.tag, str) and el is not section]
    for element in elements:
        name = local_name(element.tag)
        order[element] = counts.get(name, 0)
        counts[name] = order[element] + 1

    def report(element: etree._Element, message: str, hint: str, line: int | None = None) -> None:
        where = Location(display, line if line is not None else lines.of(element, order))
        findings.append(error("m-022", message, where, hint))

    for element in elements:
        name = local_name(element.tag)
        parent = _context(element)
        allowed_parents = PARENTS.get(name)
        if allowed_parents is not None and parent not in allowed_parents:
            places = " or ".join(f"<{p}>" for p in sorted(allowed_parents))
            report(element, f"<{name}> outside {places}", f"put the <{name}> inside {places}, or use Markdown")
        elif name not in PHRASING and any(local_name(up.tag) in PHRASING_ONLY for up in element.iterancestors()):
            holder = next(local_name(up.tag) for up in element.iterancestors() if local_name(up.tag) in PHRASING_ONLY)
            report(element, f"<{name}> inside <{holder}>, which holds only text and inline elements",
                   f"close the <{holder}> before the <{name}>, or use an inline element such as <span>")
        only = ONLY_CHILDREN.get(name)
        if only is not None:
            loose = [child for child in element if isinstance(child.tag, str) and local_name(child.tag) not in only]
            texts = [element.text or ""] + [child.tail or "" for child in element]
            if loose and all(local_name(c.tag) in PARENTS for c in loose):
                pass  # reported as a misplaced element above
            elif loose or any(text.strip() for text in texts):
                what = f"<{local_name(loose[0].tag)}>" if loose else "text"
                children = " or ".join(f"<{c}>" for c in sorted(only))
                report(element, f"{what} directly inside <{name}>, which holds only {children}",
                       f"wrap it in {children}")
        if name == "dl" and not _DL_GROUPS.match(_dl_sequence(element)):
            report(element, "<dl> whose terms and descriptions do not pair up: each <dt> needs a <dd> after it",
                   "give every term (<dt>) a description (<dd>) after it, or use a list")
        ident = element.get("id")
        if ident is not None and (not ident or WHITESPACE.search(ident)):
            report(element, f"id '{ident}' is empty or has a space", "write the id as one word, e.g. two-words",
                   lines.of_text(f'id="{ident}"'))
        href = element.get("href")
        if href is not None and WHITESPACE.search(href.strip()):
            report(element, f"link address '{href.strip()}' has a space", "write %20 for a space in an address, "
                   "or remove a stray one", lines.of_text(href.strip()))
        headers = element.get("headers")
        if headers is not None:
            table = next(element.iterancestors("{*}table"), None)
            cells = {th.get("id") for th in table.iter("{*}th")} if table is not None else set()
            missing = [ref for ref in headers.split() if ref not in cells]
            if missing or not headers.split():
                report(element, f"headers=\"{headers}\" names no heading cell of its table ({' '.join(missing)})",
                       "give the <th> that heads this cell an id and name it in headers=",
                       lines.of_text(f"headers=\"{headers}\""))
    return findings

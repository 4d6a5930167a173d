"""From Python-Markdown's HTML to the model's semantic XHTML.

Python-Markdown gives HTML text; this module parses it once with lxml and
works on the tree (never with regular expressions on markup):

1. sanitise: raw HTML in Markdown may not bring scripts, frames, forms,
   event handlers or ``javascript:`` links into a book;
2. move the elements into the XHTML namespace;
3. add semantics: footnotes as DPUB-ARIA notes with labelled back-links,
   pull quotes, heading ids;
4. report structure problems (skipped heading levels, duplicate ids, images
   without alt text) as findings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from publish.conventions import (
    EPUB_TYPE,
    NOT_XML_CHAR,
    NSMAP,
    XHTML,
    XML_LANG,
    heading_text,
    is_note_call,
    q,
)
from publish.findings import Finding, Location, error, warning
from publish.i18n import Strings
from publish.text import slugify

ALLOWED = set(
    "p h1 h2 h3 h4 h5 h6 em strong i b u a ul ol li blockquote code pre span div aside section figure "
    "figcaption img sup sub br hr table thead tbody tfoot tr th td caption abbr cite q small dl dt dd "
    "mark s del ins kbd samp var dfn time bdi bdo wbr".split()
)
DROPPED = set(
    "script style iframe object embed form input button textarea select option link meta base frame "
    "frameset applet noscript template svg math canvas audio video source track portal dialog".split()
)
UNWRAPPED_BLOCKS = set("details summary center header footer nav article main address fieldset legend".split())
ATTRIBUTES = set(
    "id class href src alt title lang colspan rowspan start reversed scope headers datetime dir "
    "data-cluster data-unclosed".split()
)
CODE = frozenset({"code", "pre", "kbd", "samp"})  # elements whose text is code, not prose
UNSAFE_URL = re.compile(r"^\s*(javascript|vbscript|data|file):", re.I)
URL_SCHEME = re.compile(r"^\s*[A-Za-z][A-Za-z0-9+.-]*:")  # any absolute URL: https:, mailto:, tel:, file: …


@dataclass
class ImageRef:
    src: str
    alt: str | None
    decorative: bool
    line: int | None


def line_at(source: str, index: int) -> int:
    """The 1-based line of ``source[index]``."""
    return source.count("\n", 0, index) + 1


def line_of(source: str, needle: str) -> int | None:
    """Line (1-based) of the first ``needle`` in ``source``, or None."""
    index = source.find(needle)
    return line_at(source, index) if index >= 0 else None


EMPTY_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]*(?:\{[^}]*\})?[ \t#]*$", re.MULTILINE)


def _empty_heading_line(source: str, level: int, before: list) -> int | None:
    """Line of the n-th heading of this level with no words (n: how many such headings came before)."""
    seen = sum(1 for lvl, text, _ in before if lvl == level and not text)
    found = [m for m in EMPTY_HEADING.finditer(source) if len(m.group(1)) == level]
    return line_at(source, found[seen].start()) if seen < len(found) else None


def _repeat_line(source: str, needle: str) -> int | None:
    """Line of the second occurrence of ``needle`` (or of the only one)."""
    first = source.find(needle)
    if first < 0:
        return None
    second = source.find(needle, first + 1)
    return source.count("\n", 0, second if second >= 0 else first) + 1


def remove_keeping_tail(node: etree._Element) -> None:
    """Remove ``node`` but not the text after it (lxml keeps that text on the node: ``a <!-- x --> b``)."""
    parent = node.getparent()
    if parent is None:
        return
    if node.tail:
        previous = node.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + node.tail
        else:
            parent.text = (parent.text or "") + node.tail
    parent.remove(node)


def sanitize(root: etree._Element, source: str, display: str, offset: int) -> list[Finding]:
    """Remove what a book must not carry; one warning per removal, located where possible.

    Image sources are left alone: the loader refuses any URL scheme there as a
    remote image (an error, so the build stops) rather than silently dropping
    the picture.  Characters XML cannot hold (``&#x1;``, ``&#xD800;`` written
    as references) are removed here, before they reach a serialiser.
    """
    findings: list[Finding] = []

    def where(*snippets: str) -> Location:
        for snippet in snippets:
            line = line_of(source, snippet) if snippet else None
            if line:
                return Location(display, line + offset)
        return Location(display)

    bad_characters = 0
    for element in list(root.iter()):
        if not isinstance(element.tag, str):  # comments, processing instructions
            remove_keeping_tail(element)
            continue
        bad_characters += _scrub_characters(element)
        tag = element.tag.lower()
        if element is root:
            continue
        if tag in DROPPED:
            findings.append(warning("m-008", f"raw HTML <{tag}> removed", where(f"<{tag}"),
                                    "books may not carry scripts, frames, forms or embedded objects"))
            element.drop_tree()
            continue
        if tag not in ALLOWED:
            findings.append(warning("m-008", f"raw HTML <{tag}> unwrapped", where(f"<{tag}"),
                                    "use Markdown, or one of the HTML elements listed in README"))
            if tag in UNWRAPPED_BLOCKS and element.tail and not element.tail[0].isspace():
                element.tail = " " + element.tail  # <summary>More</summary>Text: "More Text", not "MoreText"
            element.drop_tag()
            continue
        for name in list(element.attrib):
            value = element.attrib[name]
            if tag == "img" and name == "src":
                continue
            bad = name.lower().startswith("on") or name not in ATTRIBUTES
            if name == "href" and UNSAFE_URL.match(value):
                bad = True
            if bad:
                if name.lower().startswith("on") or name == "href":
                    findings.append(warning("m-008", f"unsafe attribute {name}= removed from <{tag}>",
                                            where(value.strip(), f"{name}="),
                                            "links must be http(s), mailto or inside the book"))
                del element.attrib[name]
    if bad_characters:
        findings.append(warning("m-008", f"{bad_characters} character reference{'s' * (bad_characters != 1)} "
                                "to characters XML cannot hold removed", where("&#"),
                                "remove references such as &#0; or &#xD800; from the text"))
    return findings


# What XML 1.0 allows: tab, newline, carriage return and the planes minus surrogates and U+FFFE/U+FFFF.


def _scrub_characters(element: etree._Element) -> int:
    """Strip characters XML cannot hold from an element's text, tail and attributes; count them."""
    count = 0
    for attr in ("text", "tail"):
        value = getattr(element, attr)
        if value and NOT_XML_CHAR.search(value):
            count += len(NOT_XML_CHAR.findall(value))
            setattr(element, attr, NOT_XML_CHAR.sub("", value))
    for name, value in element.attrib.items():
        if NOT_XML_CHAR.search(value):
            count += len(NOT_XML_CHAR.findall(value))
            element.set(name, NOT_XML_CHAR.sub("", value))
    return count


def to_xhtml(root: etree._Element) -> etree._Element:
    """Copy an lxml.html tree into the XHTML namespace (renderers rely on namespaced XHTML)."""
    out = etree.Element(f"{{{XHTML}}}{root.tag}", nsmap=NSMAP)  # type: ignore[arg-type]

    def copy(src: etree._Element, dst: etree._Element) -> None:
        for key, value in src.attrib.items():
            dst.set(key, value)
        dst.text = src.text
        for child in src:
            if not isinstance(child.tag, str):
                continue
            new = etree.SubElement(dst, f"{{{XHTML}}}{child.tag.lower()}")
            copy(child, new)
            new.tail = child.tail

    copy(root, out)
    return out


def add_semantics(root: etree._Element, chapter_slug: str, words: Strings) -> None:
    """Footnotes, pull quotes and language marks in the markup that EPUB readers and screen readers understand."""
    for element in root.iter():
        # A passage the author marked (``[texte]{lang=fr}``): XHTML reading systems read xml:lang.
        if isinstance(element.tag, str) and element.get("lang"):
            element.set(XML_LANG, element.get("lang"))
    for sup in root.iter(q("sup")):
        link = sup.find(q("a"))
        if link is not None and "footnote-ref" in link.get("class", ""):
            link.set(EPUB_TYPE, "noteref")
            link.set("role", "doc-noteref")
            link.set("aria-label", words("book.note_call", number="".join(link.itertext())))
    for div in root.iter(q("div")):
        if "footnote" not in div.get("class", "").split():
            continue
        div.tag = q("section")
        div.set("class", "footnotes")
        div.set(EPUB_TYPE, "endnotes")
        div.set("role", "doc-endnotes")
        div.set("aria-labelledby", f"{chapter_slug}-notes")
        for hr in div.findall(q("hr")):
            div.remove(hr)
        heading = etree.Element(q("h2"), id=f"{chapter_slug}-notes")
        heading.text = words("book.notes")
        div.insert(0, heading)
        notes = [li for ol in div.findall(q("ol")) for li in ol.findall(q("li"))]  # not a list inside a note
        for number, li in enumerate(notes, start=1):
            # epub:type only: DPUB-ARIA 1.1 deprecates doc-endnote (EPUBCheck and Ace flag it);
            # the list inside role="doc-endnotes" already tells assistive technology what these are.
            li.set(EPUB_TYPE, "endnote")
            for back in li.iter(q("a")):
                if "footnote-backref" in back.get("class", ""):
                    back.set("role", "doc-backlink")
                    back.set("aria-label", words("book.note_back", number=number))
                    back.attrib.pop("title", None)


def mark_pullquotes(root: etree._Element, words: Strings) -> None:
    """Expose a pull quote with unique words; hide one that repeats the article's text.

    A screen-reader user should hear each sentence once: a pull quote that
    repeats the text is decoration, so it is hidden from assistive technology
    (and tagged as an artifact in the PDF); one with words of its own is
    content, kept in reading order and labelled so the listener knows what it is.
    """
    quotes = [a for a in root.iter(q("aside")) if "pullquote" in a.get("class", "").split()]
    if not quotes:
        return
    inside = {element for aside in quotes for element in aside.iter()}
    article = _norm(" ".join(" ".join(element.itertext())
                             for element in root.iter(q("p"), q("li"), q("blockquote")) if element not in inside))
    for aside in quotes:
        quoted = _norm(" ".join(aside.itertext()))
        duplicate = bool(quoted) and quoted in article
        if duplicate:
            # Hidden from assistive technology, so nothing in it may take focus (Ace: aria-hidden-focus), and
            # the PDF's artifact may hold no link: its note calls go (the text calls the note) and links are
            # words; publish.citations.resolve leaves its citations unlinked.
            dropped = set()
            for call in [el for el in aside.iter(q("sup"), q("a")) if is_note_call(el)]:
                if call.getparent() is not None and (call.tag == q("sup") or not is_note_call(call.getparent())):
                    dropped.update(el.get("id") for el in call.iter() if el.get("id"))
                    remove_keeping_tail(call)
            etree.strip_tags(aside, q("a"))
            for back in [a for a in root.iter(q("a")) if (a.get("href") or "").lstrip("#") in dropped]:
                remove_keeping_tail(back)  # the note's way back to the call that is gone
            aside.set(EPUB_TYPE, "pullquote")
            aside.set("role", "doc-pullquote")
            aside.set("aria-hidden", "true")
            aside.set("class", "pullquote duplicate")
        else:
            aside.set("role", "note")
            aside.set("aria-label", words("book.pull_quote"))


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def heading_ids_and_checks(root: etree._Element, source: str, display: str, offset: int,
                           chapter_slug: str) -> tuple[list[tuple[int, str, str]], list[Finding]]:
    """Give headings ids, check their levels (h2 first, no skipped level) and ids' uniqueness."""
    findings: list[Finding] = []
    headings: list[tuple[int, str, str]] = []
    seen: dict[str, int] = {}
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        ident = element.get("id")
        if ident:
            if ident in seen:
                line = _repeat_line(source, f"#{ident}") or _repeat_line(source, f'id="{ident}"')
                line = line + offset if line else None
                findings.append(error("m-004", f"duplicate id '{ident}'", Location(display, line),
                                      "give each {#id} in a chapter a different name"))
            seen[ident] = 1
    previous = 1
    used = set(seen)
    for element in root.iter(*(q(f"h{n}") for n in range(1, 7))):
        level = int(element.tag[-1])
        text = heading_text(element)
        if element.get("id") is None:
            base = f"{chapter_slug}-{slugify(text) or 'section'}"
            ident, n = base, 2
            while ident in used:
                ident, n = f"{base}-{n}", n + 1
            element.set("id", ident)
            used.add(ident)
        if (element.getparent() is not None and element.getparent().get("role") == "doc-endnotes"
                and element.get("id", "").endswith("-notes")):  # the heading the notes pass added
            continue
        line = line_of(source, text) if text else _empty_heading_line(source, level, headings)
        line = line or line_of(source, f"<h{level}")  # a heading written in raw HTML
        where = Location(display, line + offset if line else None)
        if not text and not any(img.get("alt") for img in element.iter(q("img"))):
            findings.append(error("m-014", f"level-{level} heading without words", where,
                                  "write the heading after the #s, or delete the line; an empty heading is an "
                                  "empty stop in every reader's table of contents and screen reader's list"))
        if level == 1:
            findings.append(error("m-002", f"level-1 heading '{text}' inside an article", where,
                                  "the article title is the level-1 heading; use ## for sections"))
        elif level > previous + 1:
            findings.append(error("m-002", f"heading '{text}' skips from level {previous} to {level}", where,
                                  f"use {'#' * (previous + 1)} for this heading"))
        previous = level
        headings.append((level, text, element.get("id", "")))
    return headings, findings


def check_links(root: etree._Element, source: str, display: str, offset: int,
                chapter_slug: str) -> list[Finding]:
    """Every link must be an absolute URL (a web page, a mail address, a phone number…) or reach an id in its
    article (run after the heading ids).

    ``#name`` written as pandoc would (the heading id without this article's
    prefix) is pointed at the prefixed id; any other missing target, or a
    path to a file, is an error: the EPUB would fail EPUBCheck and the PDF
    would carry a dead link.
    """
    ids = {element.get("id") for element in root.iter() if isinstance(element.tag, str) and element.get("id")}
    findings: list[Finding] = []
    for link in root.iter(q("a")):
        href = (link.get("href") or "").strip()
        line = line_of(source, f"]({href}") or line_of(source, f'href="{href}"') or line_of(source, href)
        where = Location(display, line + offset if line else None)
        if href and not _has_name(link):
            findings.append(error("m-017", f"link to '{href}' has no words", where,
                                  "write what it leads to between the brackets: [the page's name](…); a screen "
                                  "reader announces a link without words as just \"link\""))
        if not href or href == "#" or URL_SCHEME.match(href):
            continue  # an absolute URL (javascript: and the like are gone already: sanitize)
        if href.startswith("#"):
            name = href[1:]
            if name in ids:
                continue
            if f"{chapter_slug}-{name}" in ids:  # pandoc's id for a heading; ours carry the article's prefix
                link.set("href", f"#{chapter_slug}-{name}")
                continue
            findings.append(error("m-013", f"link to '{href}', but nothing in the article has that id", where,
                                  "give the heading an id ('## Heading {#name}') or correct the link"))
        else:
            findings.append(error("m-013", f"link to '{href}', which is neither a web address nor a place in "
                                  "the article", where, "link to a heading with #id, or to a web page with "
                                  "https://…; links between articles are not supported"))
    return findings


def has_words(element: etree._Element) -> bool:
    """Whether an element says something to a screen reader: its text, or an image's alt text."""
    return bool("".join(element.itertext()).strip()
                or any(img.get("alt", "").strip() for img in element.iter(q("img"))))


def _has_name(link: etree._Element) -> bool:
    """Whether a link has an accessible name: its words or a label."""
    return has_words(link) or bool(link.get("aria-label", "").strip())


def collect_images(root: etree._Element, source: str, offset: int) -> list[ImageRef]:
    images = []
    for img in root.iter(q("img")):
        src = img.get("src", "")
        line = line_of(source, src) if src else None
        decorative = "decorative" in img.get("class", "").split()
        images.append(ImageRef(src, img.get("alt"), decorative, line + offset if line else None))
    return images




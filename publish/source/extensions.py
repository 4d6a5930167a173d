"""Python-Markdown extensions for the book format: citations, fenced divs, figures.

Each piece of syntax is a proper Python-Markdown processor, registered at a
priority that says when it runs:

* :class:`CitationPattern` (inline, above links) turns pandoc citations into
  placeholder ``<span class="citation" data-cluster="N">`` elements and
  records the clusters; the citation stage fills them in later, once for the
  whole book.
* :class:`BracketedSpanProcessor` (inline, above citations) reads pandoc's
  bracketed spans, ``[un orage]{lang=fr}``, into a ``<span>`` with those
  attributes — the way to mark a passage in another language.
* :class:`FencedDivProcessor` (block) reads ``::: pullquote`` … ``:::``.
* :class:`FigureProcessor` (tree) turns a paragraph holding only an image
  into a ``<figure>``.

The extension never touches the file system: image paths are recorded and
resolved by the loader.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from markdown import Markdown, inlinepatterns
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.extensions.attr_list import get_attrs_and_remainder
from markdown.inlinepatterns import InlineProcessor
from markdown.postprocessors import Postprocessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import INLINE_PLACEHOLDER_RE

from publish.model import Cluster
from publish.source.citation_syntax import KEY, narrative_cluster, parse_bracketed

# A bracketed group holding at least one @key, or a bare @key (optionally with [locator; more]).  A bracket
# that is a link's text (followed by ( or [) or an image's alt text (after !) is not a citation, as in pandoc.
CITATION_PATTERN = (
    r"(?:(?<!!)\[(?P<bracket>[^\[\]]*?(?<![\w\\])-?@(?:\{[^{}]+\}|" + KEY + r")[^\[\]]*)\](?![(\[])"
    r"|(?<![\w\\@])@(?P<key>\{[^{}]+\}|" + KEY + r")(?:\s\[(?P<tail>[^\[\]]*)\])?)"
)


@dataclass
class ParsedCitations:
    """What the citation processor saw, in document order, with the raw source text."""

    clusters: list[Cluster] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)
    placeholders: set[int] = field(default_factory=set)  # id() of the spans made here, while converting


class CitationPattern(InlineProcessor):
    def __init__(self, pattern: str, md: Markdown, store: ParsedCitations):
        super().__init__(pattern, md)
        self.store = store

    def handleMatch(self, m: re.Match[str], data: str):
        if m.group("bracket") is not None:
            items = parse_bracketed(m.group("bracket"))
            if items is None:
                return None, None, None
            cluster = Cluster(items=items)
        else:
            key = m.group("key")
            if key.startswith("{"):
                key = key[1:-1]
            cluster = narrative_cluster(key, m.group("tail"))
        element = ET.Element("span", {"class": "citation", "data-cluster": str(len(self.store.clusters))})
        self.store.placeholders.add(id(element))
        self.store.clusters.append(cluster)
        self.store.raw.append(m.group(0))
        return element, m.start(0), m.end(0)


# A citation in an image's alt text: the alt is plain text, made before citations are formatted, so the
# citation stands there as this marker around its cluster number until publish.citations.resolve fills it in as text.


class _CitationsInAlt:
    """Mixin for Python-Markdown's image processors: a citation in the alt text becomes an :data:`ALT_CITATION`
    marker (Python-Markdown would put the placeholder's text there, which is empty until citations are formatted)."""

    def unescape(self, text: str) -> str:
        stash = self.md.treeprocessors["inline"].stashed_nodes

        def marker(match: re.Match[str]) -> str:
            node = stash.get(match.group(1))
            cluster = node.get("data-cluster") if isinstance(node, ET.Element) else None
            return match.group(0) if cluster is None else f"\ue000{cluster}\ue001"

        return super().unescape(INLINE_PLACEHOLDER_RE.sub(marker, text))  # type: ignore[misc]


class _Image(_CitationsInAlt, inlinepatterns.ImageInlineProcessor):
    pass


class _ImageReference(_CitationsInAlt, inlinepatterns.ImageReferenceInlineProcessor):
    pass


class _ShortImageReference(_CitationsInAlt, inlinepatterns.ShortImageReferenceInlineProcessor):
    pass


_IMAGE_PROCESSORS = (  # Python-Markdown's names, patterns and priorities for images
    ("image_link", _Image, inlinepatterns.IMAGE_LINK_RE, 150),
    ("image_reference", _ImageReference, inlinepatterns.IMAGE_REFERENCE_RE, 140),
    ("short_image_ref", _ShortImageReference, inlinepatterns.IMAGE_REFERENCE_RE, 125),
)


# [text]{attributes}: the text may hold escaped brackets or a citation's own [...] one level deep.
SPAN_PATTERN = r"\[(?P<text>(?:[^\[\]\\]|\\.|\[[^\[\]]*\])+)\]\{(?P<attrs>[^{}\n]+)\}"
SPAN_ATTRIBUTES = {"lang", "dir", "id", "class"}


class BracketedSpanProcessor(InlineProcessor):
    """``[text]{lang=fr}`` → ``<span lang="fr">text</span>`` (pandoc's bracketed span).

    Only ``lang``, ``dir``, ``id`` and classes are kept: the span exists to
    say what language a passage is in (WCAG 3.1.2), and anything else could
    smuggle presentation or script into the book.  Text without a known
    attribute is left as written.
    """

    def handleMatch(self, m: re.Match[str], data: str):
        attrs, rest = get_attrs_and_remainder(m.group("attrs"))
        element = ET.Element("span")
        classes = []
        for key, value in attrs:
            if key == ".":
                classes.append(value)
            elif key in SPAN_ATTRIBUTES:
                element.set(key, value)
        if classes:
            element.set("class", " ".join(classes))
        if rest.strip() or not element.attrib:
            return None, None, None
        element.text = m.group("text")
        return element, m.start(0), m.end(0)


# The attributes our processors mark their elements with; the same names typed in raw HTML are removed
# (a hand-written data-cluster pointed a citation at a cluster that does not exist).
INTERNAL_ATTRIBUTE = re.compile(r"""\sdata-(?:cluster|unclosed)\s*(?:=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?""",
                                re.I)


class RawHtmlMarks(Postprocessor):
    """Strip our internal attributes from the author's raw HTML before Python-Markdown puts it back."""

    def run(self, text: str) -> str:
        blocks = self.md.htmlStash.rawHtmlBlocks
        for index, block in enumerate(blocks):
            if isinstance(block, str) and "data-" in block:
                blocks[index] = INTERNAL_ATTRIBUTE.sub("", block)
        return text


class FencedDivProcessor(BlockProcessor):
    """``::: name`` … ``:::`` (pandoc fenced divs); ``pullquote`` becomes an ``<aside>``."""

    START = re.compile(r"^:{3,}\s*\{?\s*\.?(?P<name>[\w-]+)\s*\}?\s*$")
    END = re.compile(r"^:{3,}\s*$", re.M)

    def test(self, parent: ET.Element, block: str) -> bool:
        return bool(self.START.match(block.split("\n", 1)[0]))

    def run(self, parent: ET.Element, blocks: list[str]) -> bool:
        first = blocks.pop(0)
        head, _, rest = first.partition("\n")
        name = self.START.match(head).group("name")  # type: ignore[union-attr]
        inner: list[str] = []
        pending = rest
        closed = False
        while True:
            end = self.END.search(pending)
            if end:
                inner.append(pending[:end.start()].rstrip("\n"))
                remainder = pending[end.end():].lstrip("\n")
                if remainder:
                    blocks.insert(0, remainder)
                closed = True
                break
            inner.append(pending)
            if not blocks:
                break
            pending = blocks.pop(0)
        tag = "aside" if name == "pullquote" else "div"
        element = ET.SubElement(parent, tag, {"class": name})
        if not closed:
            element.set("data-unclosed", "1")
        self.parser.parseBlocks(element, [b for b in inner if b.strip()])
        return True


class FigureProcessor(Treeprocessor):
    """A paragraph holding only an image becomes ``<figure>``; its title becomes the caption.

    The alt text is not repeated as a caption (pandoc does that) because a
    screen reader would then read the same words twice.
    """

    def run(self, root: ET.Element) -> None:
        for parent in list(root.iter()):
            for index, child in enumerate(list(parent)):
                if child.tag != "p" or len(child) != 1 or child[0].tag != "img":
                    continue
                if (child.text or "").strip() or (child[0].tail or "").strip():
                    continue
                image = child[0]
                figure = ET.Element("figure")
                image.tail = None
                figure.append(image)
                caption = image.attrib.pop("title", "")
                if caption:
                    ET.SubElement(figure, "figcaption").text = caption
                figure.tail = child.tail
                parent.remove(child)
                parent.insert(index, figure)


class BookExtension(Extension):
    """Registers the book format's processors on a Markdown instance."""

    def __init__(self, store: ParsedCitations, **kwargs):
        self.store = store
        super().__init__(**kwargs)

    def extendMarkdown(self, md: Markdown) -> None:
        md.ESCAPED_CHARS.append("@")
        md.inlinePatterns.register(BracketedSpanProcessor(SPAN_PATTERN, md), "bracketed_span", 178)
        md.inlinePatterns.register(CitationPattern(CITATION_PATTERN, md, self.store), "citation", 175)
        for name, processor, pattern, priority in _IMAGE_PROCESSORS:
            md.inlinePatterns.register(processor(pattern, md), name, priority)
        md.parser.blockprocessors.register(FencedDivProcessor(md.parser), "fenced_div", 95)
        md.treeprocessors.register(FigureProcessor(md), "figure", 5)
        md.treeprocessors.register(InternalMarks(md, self.store), "internal_marks", 7)  # after attr_list (8)
        md.postprocessors.register(RawHtmlMarks(md), "raw_html_marks", 35)  # before "raw_html" (30)


class InternalMarks(Treeprocessor):
    """Only the citation pattern may mark a citation: an attribute list (``## Title {data-cluster=0}``) cannot.

    ``data-cluster`` tells the citation stage which cluster fills an element
    (:mod:`publish.conventions`); set by an author it would replace their words with a citation.
    """

    def __init__(self, md: Markdown, store: ParsedCitations):
        super().__init__(md)
        self.store = store

    def run(self, root: ET.Element) -> None:
        for element in root.iter():
            if "data-cluster" in element.attrib and id(element) not in self.store.placeholders:
                del element.attrib["data-cluster"]


def make_markdown(store: ParsedCitations, quotes: tuple[str, str] = ("“", "”")) -> Markdown:
    """A Markdown converter for one chapter (a fresh one each time: footnotes are per article).

    ``quotes``: the opening and closing double quotation marks of the
    article's language, which ``"straight quotes"`` become („…“ in German,
    «…» in French).  Single quotes stay ‘…’: SmartyPants writes the closing
    one for apostrophes too, and an apostrophe is ’ in every language served.
    """
    return Markdown(
        extensions=[
            BookExtension(store),
            "footnotes",
            "fenced_code",
            "attr_list",
            "tables",
            "def_list",
            "sane_lists",
            "smarty",
        ],
        extension_configs={
            "footnotes": {"SEPARATOR": "-", "BACKLINK_TEXT": "↩", "BACKLINK_TITLE": "Back to reference %d"},
            "smarty": {"smart_angled_quotes": False, "substitutions": {
                "left-double-quote": quotes[0], "right-double-quote": quotes[1]}},
        },
        output_format="xhtml",
    )


TITLE_MARKUP = re.compile(r"[*_`<]")  # what could make a title more than words


def inline_title(title: str) -> str:
    """A front-matter title's inline Markdown (``Reading *The Body Keeps the Score*``) as an HTML fragment, or
    "" when the title is plain words (most titles: they stay exactly as written)."""
    if not TITLE_MARKUP.search(title):
        return ""
    html = Markdown().convert(title)
    return html if html.count("<") > 2 else ""  # more than the paragraph's own two tags

"""Property-based tests: whatever the input, the parsers and loaders give output or findings, never a traceback.

Hypothesis generates Markdown with citation syntax, raw HTML fragments,
book.yaml text, front matter and whole small books; each property says
what must hold for every one of them.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from publish.conventions import parse_fragment, serialize
from publish.findings import Finding
from publish.pipeline import prepare
from publish.source.book import load_book
from publish.source.citation_syntax import parse_bracketed, parse_locator, parse_narrative_tail
from publish.source.extensions import ParsedCitations, make_markdown
from publish.source.files import split_front_matter
from publish.source.schema import parse_config
from publish.source.xhtml import sanitize, to_xhtml

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces an author (or a careless paste) puts in Markdown: citation syntax, markup, odd characters.
FRAGMENTS = st.sampled_from([
    "[@a]", "[@a; @b]", "[see @a, p. 33, for a review]", "[-@a]", "@a", "@a [p. 3; @b]", "[@a, chap. 2]",
    "[@{odd key}]", "[@]", "@", "\\@", "x@y.org", "[", "]", "[[", "]]", ";", ",", "p.", "{", "}", "-",
    "::: pullquote\n", ":::\n", "\n\n", "\n", "## H\n", "#### H\n", "# H\n", "> ", "- ", "1. ", "    ",
    "[^1]", "[^1]: note\n", "![alt](img.png)", "![](x.png){.decorative}", "{#id}", "*", "_", "`", "```\n",
    "<script>x</script>", "<p onclick='x'>", "</p>", "<a href='javascript:x'>l</a>", "<iframe>", "<!--",
    "-->", "<![CDATA[", "&#0;", "&#xD800;", "&amp;", "&", "<", ">", "\x00", "\x0b", "\ufeff", "é", "𝄞",
    "| a | b |\n|---|---|\n", "<svg><script/></svg>", "<div>", "</div>", "<b", "text ", "word",
    "[text @a](https://example.org)", "![alt @a](img.png)", "](x)", "<span data-cluster='7'>x</span>",
    "<div data-unclosed='1'>", "\ue0007\ue001", "<dl><dt>t</dt>", "<li>", "<td>", "<span lang='French'>",
    "<span dir='up'>", "<a href='a b'>", "<sup id='fnref-9'>",
])
MARKDOWN = st.one_of(
    st.lists(FRAGMENTS, max_size=25).map("".join),
    st.text(max_size=200),
    st.lists(st.one_of(FRAGMENTS, st.text(max_size=10)), max_size=20).map("".join),
)


def _no_xml_breakers(text: str) -> str:
    """The loader removes C0 controls (f-005) before Markdown sees the text; do the same here."""
    from publish.source.files import strip_control_characters

    return strip_control_characters(text, "t.md")[0]


@FAST
@given(MARKDOWN)
def test_markdown_pipeline_gives_wellformed_xhtml(text: str) -> None:
    text = _no_xml_breakers(text)
    store = ParsedCitations()
    html = make_markdown(store).convert(text)
    tree = parse_fragment(html)
    findings = sanitize(tree, text, "t.md", 0)
    assert all(isinstance(f, Finding) for f in findings)
    section = to_xhtml(tree)
    xml = serialize(section)
    root = etree.fromstring(xml)  # well-formed XML, whatever came in
    for element in root.iter():
        if isinstance(element.tag, str):
            assert etree.QName(element).localname not in ("script", "iframe", "object", "form", "embed")
            assert not any(name.lower().startswith("on") for name in element.attrib)
            assert not element.get("href", "").strip().lower().startswith("javascript:")
    placeholders = root.xpath("//*[@data-cluster]")
    assert len(placeholders) <= len(store.clusters)
    assert all(item.key for cluster in store.clusters for item in cluster.items)


@FAST
@given(st.text(max_size=120))
def test_citation_syntax_parsers_never_raise(text: str) -> None:
    items = parse_bracketed(text)
    assert items is None or all(item.key for item in items)
    first, more = parse_narrative_tail(text)
    assert isinstance(first, str) and all(item.key for item in more)
    label, locator, rest = parse_locator(text)
    assert (label is None) == (locator is None)
    assert isinstance(rest, str)


YAML_PIECES = st.sampled_from([
    "title: T\n", "language: en-GB\n", "identifier: urn:uuid:12345678-1234-4234-8234-123456789abc\n",
    "chapters:\n  - a.md\n", "chapters: []\n", "date: 2026-01-02\n", "date: '2026-13-45'\n", "title: [a]\n",
    "print:\n  page_size: A4\n", "print: x\n", "accessibility:\n  hazards: [1]\n", "nocite: ['@*']\n",
    "subtitel: x\n", "title: T\n", "\t", ": ", "- ", "[", "{", "&a ", "*a ", "!!python/object ", "'", '"',
    "\n", "  ", "# c\n", "citation_locale: ../x\n", "authors: [1, 2]\n", "language: 1\n", "~\n", "---\n",
])


@FAST
@given(st.one_of(st.lists(YAML_PIECES, max_size=15).map("".join), st.text(max_size=200)))
def test_parse_config_gives_config_or_findings(text: str) -> None:
    config, findings = parse_config(text)
    assert config is not None or findings
    assert all(f.location is None or f.location.path == "book.yaml" for f in findings)


@FAST
@given(st.one_of(st.lists(st.sampled_from(["---\n", "title: x\n", "lang: 1\n", "nocite: [1]\n", "a: [\n",
                                           "body\n", "\n", "- x\n", "---", "...\n"]), max_size=10).map("".join),
                 st.text(max_size=100)))
def test_split_front_matter_never_raises(text: str) -> None:
    meta, body, offset, findings = split_front_matter(text, "c.md")
    assert isinstance(meta, dict) and isinstance(body, str) and offset >= 0
    assert all(f.code == "y-001" for f in findings)
    assert body in text or not text.startswith("---\n")


BOOK_YAML = ("title: {title}\nlanguage: en-GB\nidentifier: urn:uuid:12345678-1234-4234-8234-123456789abc\n"
             "chapters:\n  - chapters/01.md\nbibliography: refs.json\n")
REFS = st.sampled_from([
    '[{"id": "a", "type": "book", "title": "A", "issued": {"date-parts": [[2020]]}}]',
    '[{"id": "a", "type": "book"}, {"id": "a", "type": "book"}]', "[", "{}", "", '[{"type": "book"}]',
    '[{"id": "b", "type": "nonsense", "author": "X", "issued": "2020"}]', "\xff",
])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["T", "'[[x]]'", "''", "[a]", "1984", '"A: B"']), MARKDOWN, REFS)
def test_load_book_gives_a_book_or_findings(title: str, chapter: str, refs: str) -> None:
    root = Path(tempfile.mkdtemp(prefix="prop-book-"))
    try:
        (root / "chapters").mkdir()
        (root / "book.yaml").write_text(BOOK_YAML.format(title=title), encoding="utf-8")
        (root / "chapters" / "01.md").write_text(chapter, encoding="utf-8", errors="surrogatepass")
        (root / "refs.json").write_text(refs, encoding="utf-8", errors="surrogatepass")
        book, findings = load_book(root)
        assert book is not None or findings
        if book is not None:
            for chapter_model in book.chapters:
                etree.fromstring(chapter_model.body_html)
        book, findings = prepare(root)  # and with citations formatted and the book checked
        assert book is not None or findings
        if book is not None:
            for chapter_model in book.chapters:
                etree.fromstring(chapter_model.body_html)
    finally:
        shutil.rmtree(root, ignore_errors=True)


# Pieces that make no error finding on their own, so the book gets as far as formatting its citations.
CITED = st.one_of(
    st.sampled_from(["[@a]", "@a", "[see @a, p. 3]", "[-@a]", "text ", "word. ", "\n\n", "*em* ",
                     "[a link @a](https://example.org) ", "[a link](https://example.org) ", "## Heading\n\n",
                     "Called.[^1] ", "\n\n[^1]: A note citing @a.\n\n", "<span>raw</span> ",
                     "::: pullquote\nword. [@a]\n:::\n\n"]),
    st.integers(min_value=0, max_value=40).map(lambda n: f"<span data-cluster='{n}'>x</span> "),
    st.integers(min_value=0, max_value=40).map(lambda n: f"\ue000{n}\ue001 "),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(CITED, min_size=1, max_size=20).map("".join))
def test_citations_are_formatted_or_reported_whatever_surrounds_them(chapter: str) -> None:
    root = Path(tempfile.mkdtemp(prefix="prop-cite-"))
    try:
        (root / "chapters").mkdir()
        (root / "book.yaml").write_text(BOOK_YAML.format(title="T"), encoding="utf-8")
        (root / "chapters" / "01.md").write_text("---\ntitle: One\n---\n\nStart [@a].\n\n" + chapter, encoding="utf-8")
        (root / "refs.json").write_text(
            '[{"id": "a", "type": "book", "title": "A", "author": [{"family": "Smith", "given": "J."}], '
            '"issued": {"date-parts": [[2020]]}}]', encoding="utf-8")
        book, findings = prepare(root)
        assert book is not None or findings
        if book is not None:
            for chapter_model in book.chapters:
                body = etree.fromstring(chapter_model.body_html)
                assert not body.xpath("//*[@data-cluster]")  # every placeholder filled
                assert not body.xpath("//*[local-name()='a']//*[local-name()='a']")  # no link in a link
    finally:
        shutil.rmtree(root, ignore_errors=True)

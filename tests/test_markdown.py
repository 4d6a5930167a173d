"""The Markdown extensions: citations, fenced divs, figures, footnotes, in semantic XHTML."""

from __future__ import annotations

from lxml import etree

from publish.conventions import parse_fragment
from publish.i18n import strings
from publish.source.extensions import ParsedCitations, make_markdown
from publish.source.xhtml import add_semantics, mark_pullquotes, sanitize, to_xhtml

NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}


def convert(text: str) -> tuple[etree._Element, ParsedCitations]:
    store = ParsedCitations()
    tree = parse_fragment(make_markdown(store).convert(text))
    sanitize(tree, text, "t.md", 0)
    section = to_xhtml(tree)
    add_semantics(section, "ch01", strings("en"))
    mark_pullquotes(section, strings("en"))
    return section, store


def test_citation_forms_become_placeholders():
    section, store = convert("A [@a; @b, p. 3] and @c [chap. 2] and [-@d] but not `[@code]` or x@y.org.")
    assert [tuple(i.key for i in c.items) for c in store.clusters] == [("a", "b"), ("c",), ("d",)]
    assert store.clusters[1].narrative and store.clusters[1].items[0].label == "chapter"
    assert store.clusters[2].items[0].suppress_author
    assert len(section.xpath("//x:span[@class='citation']", namespaces=NS)) == 3
    assert "[@code]" in "".join(section.itertext())


def test_links_and_brackets_without_keys_are_untouched():
    section, store = convert("A [link](https://example.org) and [a note] and [@] here.")
    assert store.clusters == []
    assert section.xpath("//x:a/@href", namespaces=NS) == ["https://example.org"]
    assert "[a note]" in "".join(section.itertext())


def test_escaped_at_is_literal():
    section, store = convert(r"Write \@home here.")
    assert store.clusters == []
    assert "Write @home here." in "".join(section.itertext())


def test_unique_pullquote_is_exposed_and_labelled():
    section, _ = convert("Some text.\n\n::: pullquote\nA different sentence\n:::\n\nMore text.")
    aside = section.xpath("//x:aside", namespaces=NS)[0]
    assert aside.get("aria-hidden") is None
    assert aside.get("aria-label") == "Pull quote"
    assert aside.get("role") == "note"


def test_repeated_pullquote_is_hidden():
    section, _ = convert("We cry to heal, and that is fine.\n\n::: pullquote\nWe cry to heal\n:::\n")
    aside = section.xpath("//x:aside", namespaces=NS)[0]
    assert aside.get("aria-hidden") == "true"
    assert aside.get("{http://www.idpf.org/2007/ops}type") == "pullquote"


def test_standalone_image_is_a_figure_with_caption_from_title():
    section, _ = convert('![A calm lake](../images/lake.png "Lake at dawn")')
    figure = section.xpath("//x:figure", namespaces=NS)[0]
    assert figure.xpath("x:img/@alt", namespaces=NS) == ["A calm lake"]
    assert figure.xpath("string(x:figcaption)", namespaces=NS) == "Lake at dawn"


def test_footnotes_are_linked_notes_with_backlinks():
    section, _ = convert("Text.[^1]\n\n[^1]: The note.")
    ref = section.xpath("//x:a[@role='doc-noteref']", namespaces=NS)[0]
    note = section.xpath("//x:section[@role='doc-endnotes']//x:li", namespaces=NS)[0]
    assert ref.get("href") == "#" + note.get("id")
    back = note.xpath(".//x:a[@role='doc-backlink']", namespaces=NS)[0]
    assert back.get("href") == "#" + ref.getparent().get("id")
    assert back.get("aria-label") == "Back to note 1 in the text"


def test_script_and_handlers_are_removed():
    section, _ = convert('<div onclick="x()">Hi <script>alert(1)</script><a href="javascript:x()">l</a></div>')
    markup = etree.tostring(section, encoding="unicode")
    assert "script" not in markup and "onclick" not in markup and "javascript" not in markup
    assert "Hi" in markup


def test_bracketed_span_marks_the_language_of_a_passage():
    """pandoc's ``[text]{lang=fr}``: a span with lang and xml:lang (WCAG 3.1.2), citations inside still work."""
    root, store = convert("She said [un orage qui lave le ciel]{lang=fr} and [*danke* [@smith2020]]{lang=de .foreign}.")
    spans = [s for s in root.iter("{http://www.w3.org/1999/xhtml}span") if s.get("lang")]
    assert [(s.get("lang"), s.get("{http://www.w3.org/XML/1998/namespace}lang")) for s in spans] == \
        [("fr", "fr"), ("de", "de")]
    assert "".join(spans[0].itertext()) == "un orage qui lave le ciel"
    assert spans[1].get("class") == "foreign" and len(store.clusters) == 1


def test_bracketed_span_keeps_only_safe_attributes():
    root, _ = convert("A [click]{onclick=alert(1)} and [x]{style=color:red} and \\[kept]{lang=fr}.")
    assert not [e for e in root.iter() if e.get("onclick") or e.get("style")]
    assert not list(root.iter("{http://www.w3.org/1999/xhtml}span"))
    assert "[click]{onclick=alert(1)}" in "".join(root.itertext()) and "[kept]{lang=fr}" in "".join(root.itertext())


def test_definition_lists_are_dl_dt_dd_as_in_pandoc():
    section, _ = convert("Grief\n: The response to loss.\n\nTears\n: Salt water, and a signal.\n")
    assert section.xpath("//x:dl/x:dt/text()", namespaces=NS) == ["Grief", "Tears"]
    assert section.xpath("//x:dl/x:dd/text()", namespaces=NS) == ["The response to loss.", "Salt water, and a signal."]


def test_an_unwrapped_block_keeps_a_space_before_the_text_after_it():
    section, _ = convert("<details><summary>More</summary>Hidden text.</details>\n")
    assert " ".join("".join(section.itertext()).split()) == "More Hidden text."


def test_fenced_code_is_a_pre_block_with_its_lines_and_no_citations():
    """Backtick and tilde fences, as in pandoc: verbatim lines; ``@key`` and ``:::`` inside are text."""
    text = ("Before.\n\n```python\ndef breathe():\n    return [@smith2020]\n```\n\n"
            "~~~\n::: pullquote\nnot a div\n:::\n~~~\n\nAfter.\n")
    section, store = convert(text)
    blocks = section.xpath("//x:pre/x:code", namespaces=NS)
    assert [b.text for b in blocks] == ["def breathe():\n    return [@smith2020]\n", "::: pullquote\nnot a div\n:::\n"]
    assert blocks[0].get("class") == "language-python"
    assert store.clusters == []
    assert section.xpath("//x:aside", namespaces=NS) == []
    assert [p.text for p in section.xpath("x:p", namespaces=NS)] == ["Before.", "After."]


def test_comments_are_removed_but_not_the_words_after_them():
    section, _ = convert("<!-- first --> Opening words, <em>stress</em><!-- mid --> and the end <!-- last -->.\n\n"
                         "<!-- a block comment -->\n\nNext paragraph.")
    text = " ".join("".join(section.itertext()).split())
    assert text == "Opening words, stress and the end . Next paragraph."
    assert not any(isinstance(node, etree._Comment) for node in section.iter())


def test_a_bracket_that_is_a_link_or_an_image_is_not_a_citation():
    from publish.conventions import ALT_CITATION

    section, store = convert("[see @a](https://example.org), [@b][ref], ![A chart from @c](c.png) and [@d].\n\n"
                             "[ref]: https://example.org/ref\n")
    assert [tuple(i.key for i in c.items) for c in store.clusters] == [("a",), ("b",), ("c",), ("d",)]
    assert [c.narrative for c in store.clusters] == [True, True, True, False]
    links = section.xpath("//x:a[starts-with(@href, 'https:')]", namespaces=NS)
    assert [a.get("href") for a in links] == ["https://example.org", "https://example.org/ref"]
    alt = section.xpath("//x:img/@alt", namespaces=NS)[0]
    assert alt.startswith("A chart from ") and [m.group(1) for m in ALT_CITATION.finditer(alt)] == ["2"]

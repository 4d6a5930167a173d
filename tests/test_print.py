"""Print design: fonts, contents, running heads, typography and the press, large-print and booklet editions.

Each edition of the real book is laid out once per session (and a small
three-article book at 6×9 in with footnotes), with WeasyPrint's log
captured; the tests read the layout boxes, the PDFs (pikepdf) and their text
(pdftotext).
"""

from __future__ import annotations

import logging
import re
import subprocess
from pathlib import Path

import pikepdf
import pytest
from conftest import BOOK, require_tool, write_book
from weasyprint.formatting_structure.boxes import InlineReplacedBox, LineBox, MarginBox, TextBox

from publish.pdf.document import Rendered, print_html, render, write_pdf
from publish.pdf.impose import saddle_stitch_order
from publish.pipeline import prepare

LONG = " ".join(["Steady words fill the measure so that the article runs across several pages."] * 14)
SMALL_BOOK = {
    "01-first.md": "---\ntitle: \"First Light\"\nsubtitle: \"A short opening\"\n---\n\n"
                   "He said \"quoted\" -- then paused... and went on.[^a]\n\n## Early Section\n\n"
                   f"{LONG}\n\n[^a]: A note that belongs at the foot of its page.\n",
    "02-second.md": "---\ntitle: \"Second Wind\"\nrunning_head: \"Wind, again\"\n---\n\n" + "\n\n".join([LONG] * 6)
                    + "\n\n## Later Section\n\nClosing words.[^b]\n\n::: pullquote\nA quote that stands out\n:::\n\n"
                    "[^b]: The second note, at the foot of the closing page.\n",
    "03-third.md": "---\ntitle: \"Third Way\"\n---\n\nA short last article with `inline_code_that_is_far_too_long_"
                   "for_one_line_of_the_page_even_on_a_six_by_nine_inch_one` in it.\n\n"
                   "```\nfirst line of a code block\n    indented second line\n```\n",
}


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="session")
def editions(tmp_path_factory) -> dict:
    """Every edition of the real book plus the small book, laid out and written once."""
    out = tmp_path_factory.mktemp("print")
    small_dir = write_book(out / "small", SMALL_BOOK, extra_yaml="print:\n  page_size: 6x9in\n")
    handler = _Collect()
    wp_log = logging.getLogger("weasyprint")
    wp_log.addHandler(handler)
    try:
        book, _ = prepare(BOOK)
        small, _ = prepare(small_dir)
        result: dict = {"book": book, "small_book": small, "log": handler.records}
        for name, source, edition in (("standard", book, "standard"), ("press", book, "press"),
                                      ("large-print", book, "large-print"), ("small", small, "standard")):
            rendered = render(source, edition)
            result[name] = (rendered, write_pdf(rendered, out / f"{name}.pdf"))
        standard = result["standard"][0]
        booklet = Rendered(standard.document, [], "booklet")  # the A5 layout, imposed
        result["booklet"] = (booklet, write_pdf(booklet, out / "booklet.pdf"))
    finally:
        wp_log.removeHandler(handler)
    return result


def _page_text(pdf: Path, page: int | None = None) -> str:
    require_tool("pdftotext")
    args = ["pdftotext", "-enc", "UTF-8", "-layout"]
    if page is not None:
        args += ["-f", str(page), "-l", str(page)]
    return subprocess.run([*args, str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def _margin_text(page) -> dict[str, str]:
    """Running heads and folios of one laid-out page, by margin box."""
    found = {}
    for box in page._page_box.children:
        if isinstance(box, MarginBox):
            text = "".join(b.text for b in box.descendants() if isinstance(b, TextBox)).strip()
            if text:
                found[box.at_keyword] = text
    return found


def _walk(box, ancestors=()):
    """Every box below ``box`` with the class lists of its ancestors' elements (outermost first)."""
    for child in getattr(box, "children", ()):
        yield child, ancestors
        element = getattr(child, "element", None)
        classes = (element.get("class") or "") if element is not None else ""
        yield from _walk(child, (*ancestors, classes))


def _opening_pages(rendered: Rendered, titles: list[str]) -> dict[str, int]:
    """0-based index of the page holding each article title heading."""
    found = {}
    for index, page in enumerate(rendered.document.pages):
        for box in page._page_box.descendants():
            if getattr(box, "element_tag", "") == "h1" and "chapter-title" in (box.element.get("class") or ""):
                found.setdefault(box.element.text, index)
    assert set(found) == set(titles)
    return found


# ---- fonts and warnings -----------------------------------------------------

@pytest.mark.parametrize("name", ["standard", "press", "large-print", "small", "booklet"])
def test_every_font_is_ours_and_embedded(editions, name):
    with pikepdf.open(editions[name][1]) as pdf:
        fonts = {}
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
                embedded = [k for k in ("/FontFile", "/FontFile2", "/FontFile3") if k in obj]
                fonts[str(obj.FontName)] = embedded
    assert fonts, "no fonts found"
    for font, embedded in fonts.items():
        assert embedded, f"{font} is not embedded"
        family = font.split("+", 1)[-1]
        assert family.startswith(("Book-Text", "Book-Display", "Book-Large", "Book-Mono")), f"fallback font {font}"


def test_code_is_set_in_the_book_mono_face_and_keeps_its_lines(editions):
    """Code never falls back to a system monospace; a block keeps its lines; a long name breaks, unhyphenated."""
    require_tool("pdftotext")
    with pikepdf.open(editions["small"][1]) as pdf:
        names = {str(obj.FontName).split("+", 1)[-1] for obj in pdf.objects
                 if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor"}
    assert "Book-Mono" in names
    text = subprocess.run(["pdftotext", "-layout", str(editions["small"][1]), "-"], check=True,
                          capture_output=True, text=True).stdout
    lines = [line.strip() for line in text.splitlines()]
    assert "first line of a code block" in lines
    assert any(line.endswith("indented second line") for line in lines)
    start = next(i for i, line in enumerate(lines) if "inline_code" in line)
    first, second = lines[start].split()[-1], lines[start + 1].split()[0]
    assert not first.endswith("-")  # broken where the line ends, with no hyphen added
    assert first + second == "inline_code_that_is_far_too_long_for_one_line_of_the_page_even_on_a_six_by_nine_inch_one"


def test_build_logs_no_weasyprint_warning(editions):
    messages = [f"{r.levelname}: {r.getMessage()}" for r in editions["log"]]
    assert messages == []


# ---- pages: contents, openings, running heads, bookmarks ----------------------

@pytest.mark.parametrize("name", ["standard", "small"])
def test_contents_page_numbers_match_the_article_pages(editions, name):
    book = editions["book" if name == "standard" else "small_book"]
    pdf = editions[name][1]
    pages = _page_text(pdf).split("\f")
    contents = next(text for text in pages if "Contents" in text)
    listed = {}
    for chapter in book.chapters:
        match = re.search(re.escape(chapter.title) + r"\s+(\d+)\s*$", contents, re.MULTILINE)
        assert match, f"{chapter.title} is missing from the contents"
        listed[chapter.title] = int(match.group(1))
    for title, number in listed.items():
        assert title in _page_text(pdf, number), f"{title} is not on page {number}"
        assert number % 2 == 1, f"{title} opens on a left-hand page"
    assert len(set(listed.values())) == len(listed)


@pytest.mark.parametrize("name", ["standard", "small"])
def test_articles_open_on_right_pages_without_running_heads(editions, name):
    book = editions["book" if name == "standard" else "small_book"]
    rendered = editions[name][0]
    openings = _opening_pages(rendered, [c.title for c in book.chapters])
    for title, index in openings.items():
        assert index % 2 == 0, f"{title} opens on a verso"  # index 0 is page 1, a recto
        heads = _margin_text(rendered.document.pages[index])
        assert not {"@top-left", "@top-right"} & set(heads), f"running head on the opening of {title}"
        assert heads.get("@bottom-right") == str(index + 1)


def test_running_heads_and_folios_on_text_pages(editions):
    rendered, _ = editions["small"]
    book = editions["small_book"]
    openings = _opening_pages(rendered, [c.title for c in book.chapters])
    second = openings["Second Wind"]
    left, right = rendered.document.pages[second + 1], rendered.document.pages[second + 2]
    assert _margin_text(left) == {"@top-left": "Test Book", "@bottom-left": str(second + 2)}
    assert _margin_text(right) == {"@top-right": "Wind, again", "@bottom-right": str(second + 3)}  # running_head
    blank = [p for p in rendered.document.pages if not any(
        isinstance(b, TextBox) for b in p._page_box.descendants())]
    assert blank, "the small book needs a blank verso before an opening"
    assert all(_margin_text(p) == {} for p in blank)
    for page in rendered.document.pages[:openings["First Light"]]:  # front matter
        assert not {"@top-left", "@top-right"} & set(_margin_text(page))


@pytest.mark.parametrize("name", ["standard", "small"])
def test_bookmarks_for_every_article_and_section(editions, name):
    book = editions["book" if name == "standard" else "small_book"]
    with pikepdf.open(editions[name][1]) as pdf, pdf.open_outline() as outline:
        titles = []

        def walk(items, depth):
            for item in items:
                titles.append((depth, item.title))
                walk(item.children, depth + 1)

        walk(outline.root, 1)
    for chapter in book.chapters:
        assert (1, chapter.title) in titles
        for heading in chapter.headings:
            if heading.level == 2:
                assert (2, heading.text) in titles


def test_page_size_follows_book_yaml(editions):
    with pikepdf.open(editions["small"][1]) as pdf:
        box = [float(v) for v in pdf.pages[3].MediaBox]
    assert (round(box[2] - box[0]), round(box[3] - box[1])) == (432, 648)  # 6 × 9 in
    with pikepdf.open(editions["standard"][1]) as pdf:
        box = [float(v) for v in pdf.pages[3].MediaBox]
    assert (round(box[2] - box[0]), round(box[3] - box[1])) == (420, 595)  # A5


# ---- typography -----------------------------------------------------------------

@pytest.mark.parametrize("name", ["standard", "large-print", "small"])
def test_no_line_overflows_the_text_block(editions, name):
    rendered = editions[name][0]
    checked = 0
    for number, page in enumerate(rendered.document.pages, start=1):
        box = page._page_box
        right = box.content_box_x() + box.width
        for line in box.descendants():
            if isinstance(line, LineBox) and not isinstance(line, MarginBox):
                ends = [child.position_x + child.margin_width() for child in line.children]
                edge = max(ends, default=line.position_x)
                assert edge <= right + 0.5, f"page {number}: a line ends {edge - right:.1f}px past the text block"
                checked += 1
    assert checked > 100


@pytest.mark.parametrize("name", ["standard", "large-print", "small"])
def test_no_widows_or_orphans(editions, name):
    rendered = editions[name][0]
    fragments: dict[int, list[int]] = {}
    for page in rendered.document.pages:
        for box in page._page_box.descendants():
            if getattr(box, "element_tag", "") == "p" and not isinstance(box, (LineBox, TextBox)):
                lines = sum(isinstance(child, LineBox) for child in box.children)
                if lines:
                    fragments.setdefault(id(box.element), []).append(lines)
    split = [counts for counts in fragments.values() if len(counts) > 1]
    assert split, "no paragraph crosses a page: the test would prove nothing"
    for counts in split:
        assert min(counts) >= 2, f"a paragraph split {counts} leaves a single line"


def test_hyphenation_by_language_and_smart_punctuation(editions):
    text = _page_text(editions["standard"][1])
    assert re.search(r"[a-z]\u2010?-?\n\s*[a-z]", text) or "\u2010" in text  # a hyphenated line break
    small = _page_text(editions["small"][1])
    assert "\u201cquoted\u201d" in small and "\u2013" in small and "\u2026" in small
    assert '"' not in "".join(c.body_html for c in editions["small_book"].chapters).replace('="', "").replace(
        '" ', "").replace('">', "").replace('"/', "")


def test_footnotes_sit_at_the_foot_of_their_page(editions):
    rendered, pdf = editions["small"]
    for call_text, note in (("went on.", "A note that belongs at the foot"),
                            ("Closing words.", "The second note, at the foot")):
        page = next(i for i in range(1, len(rendered.document.pages) + 1)
                    if call_text in _page_text(pdf, i).replace("\n", " "))
        text = _page_text(pdf, page)
        assert note in text
        assert text.index(note) > text.index(call_text)
    assert not re.search(r"^\s*Notes\s*$", _page_text(pdf), re.MULTILINE)  # no endnote list left


def test_pull_quotes_and_references_are_designed(editions):
    rendered, _ = editions["standard"]
    quote = ref = body = None
    for page in rendered.document.pages:
        for box, ancestors in _walk(page._page_box):
            classes = (getattr(box, "element", None) is not None and box.element.get("class")) or ""
            tag = getattr(box, "element_tag", "")
            if tag == "aside" and "pullquote" in classes and quote is None:
                quote = box.style
            elif tag == "li" and "csl-entry" in classes and ref is None:
                ref = box.style
            elif tag == "p" and not classes and body is None and ancestors and "chapter" in ancestors[-1]:
                body = box.style
    assert quote and ref and body
    assert quote["font_size"] >= body["font_size"] * 1.25
    assert quote["border_top_width"] > 0 and quote["border_bottom_width"] > 0
    for colour in (quote["color"], quote["border_top_color"]):
        assert _contrast(colour) >= 4.5
    indent = ref["text_indent"]
    assert indent.value < 0 and ref["padding_left"].value == -indent.value


def _contrast(colour) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in colour.to("srgb").coordinates)
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return 1.05 / (luminance + 0.05)


# ---- cover ------------------------------------------------------------------------

def test_typographic_cover_is_real_text_on_page_one(editions):
    first = _page_text(editions["standard"][1], 1)
    meta = editions["book"].metadata
    assert meta.title in first and meta.subtitle in first


def test_a_named_cover_image_is_the_first_page(editions):
    from publish.model import Image

    book = editions["small_book"]
    image = Image(href="images/own-cover.png", source=Path("own-cover.png"), media_type="image/png",
                  alt="The practice's own cover", data=b"", width=10, height=15)
    original, book.cover = book.cover, image
    try:
        cover = print_html(book).find(".//{*}body/{*}section")
    finally:
        book.cover = original
    img = cover.find(".//{*}img")
    assert img is not None and img.get("src") == "images/own-cover.png"
    assert img.get("alt") == "The practice's own cover"


# ---- editions ---------------------------------------------------------------------

def test_press_edition_is_pdf_x_with_trim_and_bleed(editions):
    rendered, path = editions["press"]
    with pikepdf.open(path) as pdf:
        assert str(pdf.docinfo["/GTS_PDFXVersion"]).startswith("PDF/X-")
        for page in pdf.pages:
            trim = [float(v) for v in page.TrimBox]
            bleed = [float(v) for v in page.BleedBox]
            assert bleed[0] == pytest.approx(trim[0] - 8.5, abs=0.1)  # 3 mm
            assert bleed[3] == pytest.approx(trim[3] + 8.5, abs=0.1)
            assert (round(trim[2] - trim[0]), round(trim[3] - trim[1])) == (420, 595)
        # Dates come from book.yaml, never the clock (a byte-identical rebuild needs that).
        assert str(pdf.docinfo["/CreationDate"]).startswith("D:" + editions["book"].metadata.date.replace("-", ""))
        assert b"xmp.did:" not in pdf.Root.Metadata.read_bytes()  # X-4's random DocumentID
    assert rendered.edition == "press"


def test_large_print_is_18_point_left_aligned_upright_and_tagged(editions):
    rendered, path = editions["large-print"]
    sizes, italic_runs = [], []
    for page in rendered.document.pages:
        for box, ancestors in _walk(page._page_box):
            if isinstance(box, TextBox) and box.element is not None and box.element_tag != "sup":
                in_chapter = any("chapter" in classes.split() for classes in ancestors)
                if in_chapter and box.element.get("class") != "footnote-para":
                    sizes.append(box.style["font_size"] * 0.75)  # CSS px to pt
                    if box.style["font_style"] == "italic" and len(box.text) > 40:
                        italic_runs.append(box.text)
            in_text = any(("chapter" in c.split() or "references" in c.split()) for c in ancestors)
            if in_text and getattr(box, "element_tag", "") == "p" and not isinstance(
                    box, (TextBox, LineBox, InlineReplacedBox)):
                assert box.style["text_align_all"] in ("left", "start")
                assert box.style["hyphens"] == "manual"
    assert sizes and min(sizes) >= 18
    assert italic_runs == []
    with pikepdf.open(path) as pdf:
        assert bool(pdf.Root.MarkInfo.Marked) and "/StructTreeRoot" in pdf.Root
        box = [float(v) for v in pdf.pages[0].MediaBox]
        assert (round(box[2] - box[0]), round(box[3] - box[1])) == (595, 842)  # A4


@pytest.mark.parametrize(("pages", "expected"), [
    (8, [(7, 0), (1, 6), (5, 2), (3, 4)]),
    (12, [(11, 0), (1, 10), (9, 2), (3, 8), (7, 4), (5, 6)]),
    (6, [(None, 0), (1, None), (5, 2), (3, 4)]),
])
def test_saddle_stitch_order(pages, expected):
    assert saddle_stitch_order(pages) == expected


def test_booklet_is_two_up_on_a4_in_saddle_stitch_order(editions):
    standard = editions["standard"][1]
    booklet = editions["booklet"][1]
    with pikepdf.open(standard) as pdf:
        count = len(pdf.pages)
    with pikepdf.open(booklet) as pdf:
        assert len(pdf.pages) == -(-count // 4) * 2
        box = [float(v) for v in pdf.pages[0].MediaBox]
        assert (round(box[2]), round(box[3])) == (842, 595)
    require_tool("pdftotext")

    def half(side: int, x: int) -> str:
        args = ["pdftotext", "-enc", "UTF-8", "-f", str(side), "-l", str(side), "-x", str(x), "-y", "0",
                "-W", "421", "-H", "595", "-r", "72", str(booklet), "-"]
        return " ".join(subprocess.run(args, capture_output=True, text=True, check=True).stdout.split())

    def page(number: int) -> str:
        return " ".join(_page_text(standard, number).split())[:60]

    for side, (left, right) in enumerate(saddle_stitch_order(count)[:2], start=1):
        for index, x in ((left, 0), (right, 421)):
            if index is not None and page(index + 1):
                assert page(index + 1)[:30] in half(side, x).replace("  ", " ")


def test_booklet_is_byte_identical_across_builds(editions, tmp_path):
    """The imposed sheets name their pages ``/Page<n>`` (pikepdf's overlay would name them at random)."""
    rendered, first = editions["booklet"]
    again = write_pdf(rendered, tmp_path / "again.pdf")
    assert again.read_bytes() == first.read_bytes()
    with pikepdf.open(again) as pdf:
        names = {str(name) for page in pdf.pages for name in page.Resources.XObject.keys()}
        assert names == {f"/Page{number}" for number in range(1, len(names) + 1)}


def test_only_tagged_editions_claim_tags_in_the_colophon(editions):
    """The press and booklet editions carry no structure tree, so their colophon must not say they do."""
    flat = {name: " ".join(_page_text(editions[name][1]).split()) for name in ("standard", "large-print", "press")}
    assert "This PDF is tagged (PDF/UA-1)" in flat["standard"] and "This PDF is tagged" in flat["large-print"]
    assert "This PDF is tagged" not in flat["press"] and "not tagged for assistive technology" in flat["press"]
    booklet = " ".join("".join(print_html(editions["book"], "booklet").itertext()).split())
    assert "not tagged for assistive technology" in booklet and "This PDF is tagged" not in booklet


def test_a_note_of_paragraphs_and_a_list_keeps_all_of_it_on_paper_and_is_one_endnote(tmp_path):
    """A list inside a note: each item its own line at the foot of the page; in the EPUB, one endnote, not three."""
    from publish.epub.package import build_epub, read_back

    text = ("---\ntitle: One\n---\n\n## Start\n\nA claim.[^n]\n\n[^n]: First paragraph.\n\n"
            "    Second paragraph, with a list:\n\n    - one item\n    - other item\n")
    book, findings = prepare(write_book(tmp_path / "book", {"01.md": text}))
    assert book is not None, findings
    tree = print_html(book)
    (note,) = [el for el in tree.iter() if el.get("class") == "footnote"]
    lines = [" ".join("".join(span.itertext()).split()) for span in note]
    assert lines == ["First paragraph.", "Second paragraph, with a list:", "• one item", "• other item"]
    epub = build_epub(book, tmp_path / "book.epub", {})
    doc = read_back(epub)["EPUB/ch01.xhtml"]
    notes = doc.xpath("//*[@epub:type='endnote']", namespaces={"epub": "http://www.idpf.org/2007/ops"})
    assert len(notes) == 1 and notes[0].get("id") == "fn-n"


LONG_TITLE = ("Understanding Psychoneuroimmunological Interconnectedness: Emotional Dysregulation, "
              "Counterproductive Self-Stigmatisation and Intergenerational Transmission in Contemporary "
              "Psychotherapeutic Practice")


def test_a_long_title_steps_down_and_stays_on_both_covers(tmp_path):
    """On the PDF's first page and the EPUB's cover image, a long title stays inside the margins and clear of
    the publisher's line; a title of ordinary length keeps the full size."""
    from PIL import Image as PILImage

    from publish.render.cover import HEIGHT, PNG_COVER, PRINT_COVER, WIDTH, _draw, title_step

    assert title_step("Mental Health Matters", "Essays", PRINT_COVER) == 0
    assert title_step("Mental Health Matters", "Essays", PNG_COVER) == 0
    assert title_step(LONG_TITLE, "", PRINT_COVER) > 0 and title_step(LONG_TITLE, "", PNG_COVER) > 0

    import io
    png = PILImage.open(io.BytesIO(_draw(LONG_TITLE, "A subtitle as well", "Test Practice")))
    ink = png.point(lambda index: 255 if 0 < index < 254 else 0)  # any shade of ink; not paper, not the accent
    assert ink.crop((WIDTH - 190, 150, WIDTH, HEIGHT)).getbbox() is None  # nothing in the right margin
    assert ink.crop((0, HEIGHT - 420, WIDTH, HEIGHT - 335)).getbbox() is None  # clear of the publisher's rule
    long_imprint = "The Northern Counselling and Psychotherapy Practice of Greater Manchester"
    png = PILImage.open(io.BytesIO(_draw("Short", "", long_imprint)))
    ink = png.point(lambda index: 255 if 0 < index < 254 else 0)
    assert ink.crop((WIDTH - 190, 150, WIDTH, HEIGHT)).getbbox() is None  # the imprint wraps inside the margin
    assert ink.crop((0, HEIGHT - 290, WIDTH, HEIGHT)).getbbox()[3] < HEIGHT - 60  # and stays on the cover

    book = write_book(tmp_path / "book", {"01.md": "---\ntitle: One\n---\n\nText.\n"})
    yaml = (book / "book.yaml").read_text(encoding="utf-8").replace("title: Test Book", f'title: "{LONG_TITLE}"')
    (book / "book.yaml").write_text(yaml, encoding="utf-8")
    loaded, _ = prepare(book)
    rendered = render(loaded)
    page = rendered.document.pages[0]

    def boxes(box):  # descendants(), and into the absolutely placed publisher's line too
        yield box
        for child in getattr(box, "children", ()):
            yield from boxes(child)

    lines = [box for box in boxes(page._page_box) if isinstance(box, LineBox)]
    publisher = next(line for line in lines if "Test Practice" in "".join(
        t.text for t in line.descendants() if isinstance(t, TextBox)))
    title_lines = [line for line in lines if line.position_y < publisher.position_y]
    assert title_lines and all(line.position_x + line.width <= page.width - 19 * 72 / 25.4 + 0.5
                               for line in title_lines)
    assert max(line.position_y + line.height for line in title_lines) < publisher.position_y - 20
    # the title page keeps its publisher's line: the front matter has as many pages as with a short title
    (book / "book.yaml").write_text(yaml.replace(LONG_TITLE, "Short"), encoding="utf-8")
    short, _ = prepare(book)
    assert len(rendered.document.pages) == len(render(short).document.pages)


def test_web_addresses_in_the_text_are_not_hyphenated(tmp_path):
    """A bare address breaks at its slashes, never with an added hyphen; an ordinary long word still is."""
    address = "https://example.org/" + "/".join(["counsellingresourcesforclients", "understandingemotionalhealth",
                                               "griefandbereavementsupport", "printablehandouts"] * 2)
    word = "Pneumonoultramicroscopicsilicovolcanoconiosis"
    book = write_book(tmp_path / "book", {"01.md": f"---\ntitle: One\n---\n\nSee {address} for more, {word} "
                                                   f"{word} {word} and the address again: {address}.\n"})
    loaded, _ = prepare(book)
    assert loaded.chapters[0].body_html.count('<span class="url">') == 2
    rendered = render(loaded)
    texts = [box.text for page in rendered.document.pages for box in page._page_box.descendants()
             if isinstance(box, TextBox)]
    address_parts = [text for text in texts if text and text.rstrip("\u2010-") in address and len(text) > 3]
    assert address_parts and not any(text.endswith(("\u2010", "-")) for text in address_parts), address_parts
    assert any(text.endswith(("\u2010", "-")) and text.split()[-1][:-1] in word for text in texts)  # the control

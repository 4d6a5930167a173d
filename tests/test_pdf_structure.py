"""The PDF's structure tree as a listener meets it: one element per paragraph, list, table, link and note.

The richer test book (tests/books/rich) has paragraphs that cross pages, an
ordered and an unordered list, a table over two pages, footnotes, a figure,
a French paragraph, a web address over three lines and two pull quotes (one
with words of its own, one repeating the text).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pikepdf
import pytest

from publish.cli import main
from publish.pipeline import prepare
from publish.render.accessibility import conformance_problems
from publish.validation.pdf_checks import check_pdf, claim_blockers
from publish.validation.pdf_logic import Tree, _kids, epub_articles
from tests.conftest import write_book

RICH = Path(__file__).parent / "books" / "rich"
OURS = {"v-018", "v-019", "v-020", "v-021", "v-022"}


@pytest.fixture(scope="module")
def rich(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("rich")
    assert main(["build", str(RICH), "--out-dir", str(out), "-q"]) == 0
    return {"pdf": next(out.glob("*.pdf")), "epub": next(out.glob("*.epub")), "dir": out}


def _elements(pdf: pikepdf.Pdf, tag: str) -> list[pikepdf.Dictionary]:
    return [e for e, _ in Tree(pdf).elements if str(e.S) == tag]


def _pages(element: pikepdf.Dictionary) -> set[int]:
    """Object numbers of the pages an element's own content is drawn on."""
    pages = set()
    for kid in element.K:
        if isinstance(kid, int):
            pages.add(element.Pg.objgen[0])
        elif isinstance(kid, pikepdf.Dictionary) and "/MCID" in kid:
            pages.add(kid.Pg.objgen[0])
        elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            pages |= _pages(kid)
    return pages


def test_the_checks_pass_on_the_rich_book(rich):
    findings, notes = check_pdf(rich["pdf"], rich["epub"])
    assert [f.message for f in findings if f.code in OURS] == []
    assert any("one structure element with the same words" in note for note in notes)


def test_a_paragraph_across_a_page_is_one_p(rich):
    with pikepdf.open(rich["pdf"]) as pdf:
        tree = Tree(pdf)
        crossing = [p for p in _elements(pdf, "/P") if len(_pages(p)) > 1]
        assert crossing, "the rich book has paragraphs that continue on the next page"
        words = tree.words(crossing[0])
        assert len(words.split()) > 40
        articles = epub_articles(rich["epub"])
        paragraphs = [p for a in articles for p in a.paragraphs]
        assert any("".join(words.split()) == "".join(p.split()) for p in paragraphs)


def test_lists_and_tables_are_one_element_each(rich):
    with pikepdf.open(rich["pdf"]) as pdf:
        lists = [[k for k in e.K if isinstance(k, pikepdf.Dictionary) and str(k.get("/S")) == "/LI"]
                 for e in _elements(pdf, "/L")]
        sizes = sorted(len(items) for items in lists)
        assert 5 in sizes and 4 in sizes and 3 in sizes  # the practices, the reminders, the kinds of rest
        tables = _elements(pdf, "/Table")
        assert len(tables) == 1 and len(_pages(tables[0])) == 2  # the table crosses a page, one element
        rows = [e for e, _ in Tree(pdf).elements if str(e.S) == "/TR"]
        assert len(rows) == 7  # the header once (its copy on the next page is an artifact) and six rows
        header_ids = {str(e.ID) for e in _elements(pdf, "/TH")}
        for cell in _elements(pdf, "/TD"):
            assert {str(h) for h in cell.A.Headers} <= header_ids


def test_footnotes_are_notes_after_their_paragraph(rich):
    with pikepdf.open(rich["pdf"]) as pdf:
        notes = _elements(pdf, "/Note")
        assert len(notes) == 3
        ids = list(pdf.Root.StructTreeRoot.IDTree.Names)[::2]
        for note in notes:
            assert str(note.ID) in {str(i) for i in ids}
            siblings = list(note.P.K)
            before = siblings[[s.objgen for s in siblings].index(note.objgen) - 1]
            assert str(before.S) in ("/P", "/Note")
        calls = _elements(pdf, "/Reference")
        assert {c.Ref[0].objgen for c in calls} == {n.objgen for n in notes}


def test_links_are_one_element_with_all_their_annotations(rich):
    with pikepdf.open(rich["pdf"]) as pdf:
        tree = Tree(pdf)
        links = _elements(pdf, "/Link")
        address = next(link for link in links if "example.org" in tree.words(link))
        assert sum(1 for k in address.K if isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/OBJR") >= 3
        contents = [link for link in links if tree.words(link).startswith("Breathing Through the Day")]
        assert len(contents) == 1
        assert all(text.strip() for text in tree.text.pieces(contents[0]))  # no empty marked content


def test_pull_quotes_languages_and_hyphens(rich):
    with pikepdf.open(rich["pdf"]) as pdf:
        tree = Tree(pdf)
        quotes = _elements(pdf, "/PullQuote")
        assert len(quotes) == 1 and str(quotes[0].T) == "Pull quote"
        assert pdf.Root.StructTreeRoot.RoleMap.PullQuote == pikepdf.Name.BlockQuote
        assert not any("It helps to tie" in tree.words(q) for q in quotes)  # the duplicate is an artifact
        assert any(str(p.get("/Lang", "")) == "fr" and tree.words(p).startswith("Une respiration")
                   for p in _elements(pdf, "/P"))
        spans = [s for s in _elements(pdf, "/Span") if "/ActualText" in s]
        assert spans, "the rich book has hyphenated lines"
        for span in spans:
            assert "\u2010" not in str(span.ActualText)


def test_small_caps_lines_read_as_written(rich):
    """All-small-caps prints "Test Practice" with one glyph for T and t; the listener gets the words as written."""
    text = subprocess.run(["pdftotext", "-l", "3", str(rich["pdf"]), "-"], capture_output=True, text=True).stdout
    assert "TesTPracTice" in "".join(text.split())  # what the glyphs map back to: the reason for /ActualText
    with pikepdf.open(rich["pdf"]) as pdf:
        written = [str(e.ActualText) for e in _elements(pdf, "/P") if "/ActualText" in e]
    assert written.count("Test Practice") == 2  # the cover and the title page


def test_the_checks_fail_on_weasyprints_own_tree(rich, tmp_path, monkeypatch):
    """Without the rebuild, the checks say what a listener would meet: cut paragraphs, hyphens, no notes."""
    import publish.pdf.tags as tags

    monkeypatch.setattr(tags, "rebuild_structure", lambda *args: None)
    assert main(["pdf", str(RICH), "-o", str(tmp_path / "plain.pdf"), "-q"]) == 0
    findings, _ = check_pdf(tmp_path / "plain.pdf", rich["epub"])
    assert {"v-019", "v-020", "v-021", "v-022"} <= {f.code for f in findings}
    book, _ = prepare(RICH)
    withheld = conformance_problems(book, claim_blockers(findings))
    assert withheld and all(problem.startswith("the tagged PDF: ") for problem in withheld)
    good, _ = check_pdf(rich["pdf"], rich["epub"])
    assert conformance_problems(book, claim_blockers(good)) == []


def test_an_unowned_mcid_is_unsound(rich, tmp_path):
    broken = tmp_path / "broken.pdf"
    with pikepdf.open(rich["pdf"]) as pdf:
        paragraph = next(p for p in _elements(pdf, "/P") if any(isinstance(k, int) for k in p.K))
        paragraph.K = pikepdf.Array([k for k in paragraph.K if not isinstance(k, int)])
        pdf.save(broken)
    findings, _ = check_pdf(broken, None)
    assert "v-018" in {f.code for f in findings}


def test_the_joined_pdf_of_a_book_in_parts_is_sound(tmp_path):
    from publish.pdf.parts.coordinator import print_book
    from publish.pipeline import prepare

    chapters = {f"{n:02d}.md": f"---\ntitle: Article {n}\n---\n\n" + "Some English words here. " * 150
                + f"\n\nA note is called here.[^1]\n\n- one item\n- two items\n\n[^1]: The note of article {n}.\n"
                for n in range(1, 7)}
    book, _ = prepare(write_book(tmp_path / "book", chapters))
    printed = print_book(book, "standard", tmp_path / "parts.pdf", part_size=3_000)
    assert printed.parts > 3
    findings, _ = check_pdf(tmp_path / "parts.pdf", None)
    assert [f.message for f in findings if f.code in OURS] == []
    with pikepdf.open(tmp_path / "parts.pdf") as pdf:
        assert len(_elements(pdf, "/Note")) == 6
        assert len({str(n.ID) for n in _elements(pdf, "/Note")}) == 6
        ids = [str(i) for i in list(pdf.Root.StructTreeRoot.IDTree.Names)[::2]]
        assert len(ids) == len(set(ids)) and {str(n.ID) for n in _elements(pdf, "/Note")} <= set(ids)


def test_nested_lists_loose_items_and_notes_called_twice(tmp_path):
    out = tmp_path / "nested"
    assert main(["build", str(Path(__file__).parent / "books" / "nested"), "--out-dir", str(out), "-q"]) == 0
    pdf_path, epub = next(out.glob("*.pdf")), next(out.glob("*.epub"))
    findings, _ = check_pdf(pdf_path, epub)
    assert [f.message for f in findings if f.code in OURS] == []
    with pikepdf.open(pdf_path) as pdf:
        nested = [e for e in _elements(pdf, "/L") if str(e.P.S) == "/LBody"]
        assert len(nested) == 1  # inside its item, not beside it
        for item in _elements(pdf, "/LI"):
            assert [str(k.S) for k in item.K if str(k.S) != "/Lbl"] == ["/LBody"]
        calls = _elements(pdf, "/Reference")
        assert [str(c.Ref[0].ID) for c in calls].count("ch01-fn-t") == 2  # both calls lead to the one note
        assert len(_elements(pdf, "/Note")) == 4  # the copy printed at the second call is not read twice
        links = _elements(pdf, "/Link")
        image = next(link for link in links if any(str(k.get("/S")) == "/Figure" for k in link.K
                                                   if isinstance(k, pikepdf.Dictionary)))
        assert sum(1 for k in image.K if isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/OBJR") == 2


def test_a_definition_list_is_read_as_terms_with_their_definitions(tmp_path):
    from conftest import write_book

    book = write_book(tmp_path / "b", {"01.md": "---\ntitle: Terms\n---\n\nSome terms follow here.\n\n"
                                       "Vagus nerve\n:   The long nerve that slows the heart after stress.\n\n"
                                       "Co-regulation\nCoregulation\n:   Calming together with another person.\n"
                                       ":   Also between a parent and a child.\n"})
    out = tmp_path / "out"
    assert main(["build", str(book), "--out-dir", str(out), "-q"]) == 0
    pdf_path, epub = next(out.glob("*.pdf")), next(out.glob("*.epub"))
    findings, _ = check_pdf(pdf_path, epub)
    assert findings == []  # the terms are read: the text is the EPUB's
    with pikepdf.open(pdf_path) as pdf:
        tree = Tree(pdf)
        (listing,) = [e for e, _ in tree.elements if str(e.S) == "/L"
                      and str(e.get("/A", {}).get("/ListNumbering", "")) == "/None"]
        items = [[(str(k.S), tree.words(k, ())) for k in _kids(item)] for item in _kids(listing)]
    assert items == [[("/Lbl", "Vagus nerve"), ("/LBody", "The long nerve that slows the heart after stress.")],
                     [("/Lbl", "Co-regulation"), ("/Lbl", "Coregulation"),
                      ("/LBody", "Calming together with another person."),
                      ("/LBody", "Also between a parent and a child.")]]


def test_the_text_read_on_every_core_is_the_text_read_here(rich, monkeypatch):
    from publish.validation import pdf_text

    with pikepdf.open(rich["pdf"]) as pdf:
        fonts: dict = {}
        here = {page.obj.objgen[0]: pdf_text.page_text(page, fonts) for page in pdf.pages}
        monkeypatch.setattr(pdf_text, "PAGES_PER_CORE", 2)
        monkeypatch.setattr(pdf_text, "cores", lambda: 2)
        assert len(pdf.pages) >= 4 and pdf_text.LogicalText(pdf).pages == here

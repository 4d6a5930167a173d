"""Page make-up of the handout and the large-print edition: notes with their calls, whole table rows, full pages."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pikepdf
import pytest

from publish.cli import main
from publish.validation.pdf_logic import Tree
from tests.conftest import require_tool

RICH = Path(__file__).parent / "books" / "rich"


@pytest.fixture(scope="module", params=["standard", "large-print"])
def edition(request, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp(request.param)
    assert main(["pdf", str(RICH), "--edition", request.param, "--out-dir", str(out), "-q"]) == 0
    return next(out.glob("*.pdf"))


def _pages(element: pikepdf.Dictionary, index: dict[int, int]) -> set[int]:
    """1-based numbers of the pages an element's content is drawn on."""
    pages = set()
    for kid in element.K:
        if isinstance(kid, int):
            pages.add(index[element.Pg.objgen[0]])
        elif isinstance(kid, pikepdf.Dictionary) and "/MCID" in kid:
            pages.add(index[kid.Pg.objgen[0]])
        elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            pages |= _pages(kid, index)
    return pages


def test_each_note_is_on_the_page_of_its_call(edition):
    with pikepdf.open(edition) as pdf:
        index = {page.obj.objgen[0]: number for number, page in enumerate(pdf.pages, start=1)}
        calls = [e for e, _ in Tree(pdf).elements if str(e.S) == "/Reference"]
        assert len(calls) == 3
        for call in calls:
            note = call.Ref[0]
            assert Tree(pdf).words(note), "the note's text is printed"
            assert _pages(note, index) == _pages(call, index)


def test_table_rows_are_never_split(edition):
    with pikepdf.open(edition) as pdf:
        index = {page.obj.objgen[0]: number for number, page in enumerate(pdf.pages, start=1)}
        rows = [e for e, _ in Tree(pdf).elements if str(e.S) == "/TR"]
        assert len(rows) == 7
        assert all(len(_pages(row, index)) == 1 for row in rows)


def test_no_page_is_left_more_than_a_third_empty(edition, tmp_path):
    """Except an article's (or the front matter's) last page, and blank versos before a right-hand opening."""
    require_tool("pdftoppm")
    from PIL import Image

    with pikepdf.open(edition) as pdf:
        index = {page.obj.objgen[0]: number for number, page in enumerate(pdf.pages, start=1)}
        document = pdf.Root.StructTreeRoot.K[0]
        last_pages = {max(_pages(part, index), default=0) for part in document.K}
        count = len(pdf.pages)
    subprocess.run(["pdftoppm", "-r", "30", "-gray", "-png", str(edition), str(tmp_path / "p")], check=True)
    empty = []
    for number in range(1, count + 1):
        if number in last_pages:
            continue
        image = Image.open(next(tmp_path.glob(f"p-*{number:0{len(str(count))}d}.png"))).convert("L")
        width, height = image.size
        top, bottom = int(height * 0.08), int(height * 0.88)  # the text block, without running head and folio
        pixels = image.load()
        inked = [y for y in range(top, bottom) if any(pixels[x, y] < 200 for x in range(width // 20, width * 19 // 20))]
        if inked and (bottom - max(inked)) / (bottom - top) > 1 / 3:
            empty.append(number)
    assert empty == []


@pytest.mark.slow
def test_a_long_table_breaks_between_rows_and_repeats_its_header(tmp_path):
    """A table over several pages, with rows of several lines: every row whole, the header on each page."""
    from conftest import write_book

    step = "A slow breath out, counted to six, then a pause before the next. "
    rows = "\n".join(f"| Practice {n} | {step * (1 + n % 3)}| {'Evening, ' * (1 + n % 2)}morning |"
                     for n in range(1, 41))
    book = write_book(tmp_path / "b", {"01.md": "---\ntitle: A Long Table\n---\n\nPractices to try.\n\n"
                                       f"| Name | What to do | When |\n|---|---|---|\n{rows}\n"})
    out = tmp_path / "out"
    assert main(["pdf", str(book), "--out-dir", str(out), "-q"]) == 0
    pdf_path = next(out.glob("*.pdf"))
    with pikepdf.open(pdf_path) as pdf:
        index = {page.obj.objgen[0]: number for number, page in enumerate(pdf.pages, start=1)}
        tables = [e for e, _ in Tree(pdf).elements if str(e.S) == "/Table"]
        rows = [e for e, _ in Tree(pdf).elements if str(e.S) == "/TR"]
        assert len(tables) == 1 and len(_pages(tables[0], index)) >= 3  # it does cross pages
        assert len(rows) == 41 and all(len(_pages(row, index)) == 1 for row in rows)
    text = subprocess.run(["pdftotext", str(pdf_path), "-"], capture_output=True, text=True, check=True).stdout
    pages = [page for page in text.split("\f") if "Practice" in page]
    assert len(pages) >= 3 and all("What to do" in page for page in pages)  # the header repeats

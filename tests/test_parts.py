"""A long book laid out in parts on several cores must give the PDF the whole-book layout gives.

The differential tests build the same synthetic series twice — as one
WeasyPrint document and in parts joined by :mod:`publish.pdf.parts.merge` — and
compare what a reader, a screen reader and the EPUB's page-list see: the
text of every page (folios and the contents' page numbers included), the
bookmarks, named destinations, links and their descriptions, the structure
tree, the page map.
"""

from __future__ import annotations

import collections
import subprocess
from pathlib import Path

import pikepdf
import pytest

from bench.corpus import make_series
from publish.pdf.parts.coordinator import plan, print_book
from publish.pdf.print_html import WHOLE
from publish.pipeline import prepare
from tests.conftest import require_tool

SMALL_PARTS = 30_000  # characters per part: three or more parts for a six-article series


def _prepared(folder: Path, articles: int, placement: str | None = None):
    book_dir = make_series(folder / "series", articles)
    if placement:
        with (book_dir / "book.yaml").open("a", encoding="utf-8") as handle:
            handle.write(f"bibliography_placement: {placement}\n")
    book, findings = prepare(book_dir)
    assert book is not None and not [f for f in findings if f.severity.name == "ERROR"], findings
    return book


@pytest.fixture(scope="module", params=["chapter", "book"])
def builds(request, tmp_path_factory) -> dict:
    """The same six-article series laid out whole and in parts (again on one worker), per reference-list placement."""
    folder = tmp_path_factory.mktemp(f"parts-{request.param}")
    book = _prepared(folder, 6, request.param)
    whole = print_book(book, "standard", folder / "whole.pdf", part_size=None)
    parts = print_book(book, "standard", folder / "parts.pdf", workers=2, part_size=SMALL_PARTS)
    again = print_book(book, "standard", folder / "again.pdf", workers=1, part_size=SMALL_PARTS)
    return {"book": book, "folder": folder, "whole": whole, "parts": parts, "again": again}


def _pages_text(path: Path) -> list[str]:
    require_tool("pdftotext")
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout
    return text.split("\f")


def _summary(path: Path) -> dict:
    """Bookmarks, destinations, links, structure elements and ParentTree coverage, by page index."""
    with pikepdf.open(path) as pdf:
        index = {page.objgen: i for i, page in enumerate(pdf.pages)}

        def walk(items, depth=0):
            found = []
            for item in items:
                found.append((depth, str(item.title), index.get(item.destination[0].objgen),
                              round(float(item.destination[3]), 1)))
                found += walk(item.children, depth + 1)
            return found

        with pdf.open_outline() as outline:
            bookmarks = walk(outline.root)
        names = pdf.Root.Names.Dests.Names
        dests = {str(names[i]): (index.get(names[i + 1][0].objgen), round(float(names[i + 1][3]), 1))
                 for i in range(0, len(names), 2)}
        links = []
        for number, page in enumerate(pdf.pages):
            for annot in page.obj.get("/Annots", []):
                target = str(annot.Dest) if "/Dest" in annot else str(annot.A.URI)
                links.append((number, target, str(annot.Contents), dests.get(target)))
        roles: collections.Counter = collections.Counter()
        stack = [pdf.Root.StructTreeRoot.K]
        while stack:
            node = stack.pop()
            if isinstance(node, pikepdf.Array):
                stack.extend(node)
            elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
                roles[str(node.S)] += 1
                if "/K" in node:
                    stack.append(node.K)
        nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        keys = {int(nums[i]) for i in range(0, len(nums), 2)}
        used = [int(p.obj.StructParents) for p in pdf.pages if "/StructParents" in p.obj]
        used += [int(a.StructParent) for p in pdf.pages for a in p.obj.get("/Annots", []) if "/StructParent" in a]
        fonts = collections.Counter()
        for page in pdf.pages:
            for font in page.obj.Resources.get("/Font", {}).values():
                fonts[(str(font.BaseFont), font.objgen)] += 1
        return {"pages": len(pdf.pages), "bookmarks": bookmarks, "dests": dests, "links": links,
                "roles": dict(roles), "unkeyed": [k for k in used if k not in keys],
                "keys_unique": len(used) == len(set(used)), "fonts": sorted(fonts)}


def test_plan_splits_at_article_boundaries(tmp_path: Path) -> None:
    book = _prepared(tmp_path, 7)
    assert plan(book, None) == [WHOLE]
    assert len(plan(book, part_size=10**9)) == 3  # the front matter and two runs at least
    parts = plan(book, part_size=SMALL_PARTS)
    front, runs = parts[0], parts[1:]
    assert front.front and front.chapters == (0, 0) and front.toc_pages == {}
    assert len(runs) >= 3 and not any(p.front for p in runs)
    assert [p.chapters[0] for p in runs] == [0] + [p.chapters[1] for p in runs[:-1]]  # contiguous, in order
    assert runs[-1].chapters[1] == 7 and all(p.chapters[0] < p.chapters[1] for p in runs)
    assert [p.references for p in runs] == [False] * (len(runs) - 1) + [True]
    assert plan(_prepared(tmp_path / "short", 2)) == [WHOLE]  # too short to be worth the parts
    assert len(runs) % 2 == 0  # two workers finish together
    assert [p.chapters[1] - p.chapters[0] for p in runs[-2:]] == [1, 1]  # nor does one wait long for the other
    two = plan(book, part_size=10**9)[1:]
    assert len(two) == 2 and all(p.chapters[1] - p.chapters[0] > 1 for p in two)  # two runs: no one-article tail


def test_parts_print_the_same_pages_as_one_document(builds) -> None:
    whole, parts = builds["folder"] / "whole.pdf", builds["folder"] / "parts.pdf"
    assert builds["parts"].parts >= 4 and builds["whole"].parts == 1  # the front matter and three or more runs
    whole_text, parts_text = _pages_text(whole), _pages_text(parts)
    assert len(whole_text) == len(parts_text) > 30
    for number, (expected, got) in enumerate(zip(whole_text, parts_text, strict=True), start=1):
        assert got == expected, f"page {number} differs"


def test_parts_render_to_the_same_pixels(builds, tmp_path: Path) -> None:
    """Glyphs from the joined font subsets draw exactly as the one document's fonts do."""
    require_tool("pdftoppm")
    images = {}
    for name in ("whole", "parts"):
        subprocess.run(["pdftoppm", "-r", "30", "-gray", str(builds["folder"] / f"{name}.pdf"), str(tmp_path / name)],
                       check=True)
        images[name] = sorted(tmp_path.glob(f"{name}-*.pgm"))
    assert len(images["whole"]) == len(images["parts"]) > 30
    differ = [a.name for a, b in zip(images["whole"], images["parts"], strict=True) if a.read_bytes() != b.read_bytes()]
    assert differ == []


def test_parts_keep_navigation_links_and_tags(builds) -> None:
    whole = _summary(builds["folder"] / "whole.pdf")
    parts = _summary(builds["folder"] / "parts.pdf")
    for key in ("pages", "bookmarks", "dests", "links", "roles"):
        assert parts[key] == whole[key], key
    assert len(parts["links"]) > 50 and all(target for _, _, _, target in parts["links"] if target is not None)
    assert parts["unkeyed"] == [] and parts["keys_unique"]
    faces = [name for name, _ in parts["fonts"]]
    assert len(faces) == len(set(faces)) == len(whole["fonts"])  # one embedded font per face, as in one document


def test_parts_give_the_same_page_map(builds) -> None:
    assert builds["parts"].page_map == builds["whole"].page_map


def test_parts_build_is_reproducible(builds) -> None:
    """Same bytes from two builds, one on two workers and one on a single worker: the cut is the book's."""
    folder = builds["folder"]
    assert (folder / "parts.pdf").read_bytes() == (folder / "again.pdf").read_bytes()


def test_a_failing_worker_stops_the_build_and_leaves_nothing(tmp_path: Path, monkeypatch) -> None:
    import publish.pdf.document as pdf_module

    book = _prepared(tmp_path, 4)
    real = pdf_module.render

    def broken(book, edition="standard", part=WHOLE):
        if not part.front and part.chapters[0] > 0:
            raise ValueError("no layout for this part")
        return real(book, edition, part)

    monkeypatch.setattr(pdf_module, "render", broken)  # the forked workers inherit the patch
    out = tmp_path / "dist" / "book.pdf"
    with pytest.raises(RuntimeError, match="no layout for this part"):
        print_book(book, "standard", out, workers=2, part_size=SMALL_PARTS)
    assert list((tmp_path / "dist").iterdir()) == []


@pytest.mark.parametrize("edition", ["press", "large-print", "booklet"])
def test_print_editions_in_parts_match_one_document(tmp_path: Path, edition: str) -> None:
    """The press (PDF/X-3, untagged, crop marks), large-print and imposed booklet editions join too."""
    book = _prepared(tmp_path, 4)
    whole = print_book(book, edition, tmp_path / "whole.pdf", part_size=None)
    parts = print_book(book, edition, tmp_path / "parts.pdf", workers=2, part_size=SMALL_PARTS)
    assert parts.parts >= 3 and parts.page_map == whole.page_map
    assert _pages_text(tmp_path / "parts.pdf") == _pages_text(tmp_path / "whole.pdf")
    with pikepdf.open(tmp_path / "whole.pdf") as one, pikepdf.open(tmp_path / "parts.pdf") as joined:
        ignored = {"/Contents", "/Resources", "/Parent", "/Annots", "/StructParents", "/Tabs"}  # blank pages differ
        assert [p.obj.keys() - ignored for p in joined.pages] == [p.obj.keys() - ignored for p in one.pages]
        assert [list(map(float, p.obj.get("/TrimBox", p.obj.MediaBox))) for p in joined.pages] == \
            [list(map(float, p.obj.get("/TrimBox", p.obj.MediaBox))) for p in one.pages]
        assert ("/OutputIntents" in joined.Root) == ("/OutputIntents" in one.Root)
        assert ("/StructTreeRoot" in joined.Root) == ("/StructTreeRoot" in one.Root)


def test_without_fork_the_book_is_laid_out_whole_in_process(tmp_path: Path, monkeypatch) -> None:
    """Where processes cannot be forked, the one-document layout runs in this process: same bytes."""
    import publish.pdf.parts.coordinator as pdf_parts

    book = _prepared(tmp_path, 4)
    pooled = print_book(book, "standard", tmp_path / "pooled.pdf", part_size=None)
    monkeypatch.setattr(pdf_parts, "fork_available", lambda: False)
    local = print_book(book, "standard", tmp_path / "local.pdf")
    assert local.parts == 1 and local.page_map == pooled.page_map
    assert (tmp_path / "local.pdf").read_bytes() == (tmp_path / "pooled.pdf").read_bytes()

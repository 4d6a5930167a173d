"""What a screen reader announces: names of headings, links and captions hold no page numbers; a citation is one
link named by whose work it is."""

from __future__ import annotations

import re
import zipfile

import pytest
from conftest import write_book

from publish.cli import main

NAMING = ("h1", "h2", "h3", "h4", "h5", "h6", "a", "figcaption", "caption", "th")


def _documents(epub) -> dict[str, str]:
    with zipfile.ZipFile(epub) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist() if name.endswith(".xhtml")}


def _marked_names(documents: dict[str, str]) -> list[str]:
    found = []
    for name, text in documents.items():
        for tag in NAMING:
            for match in re.finditer(rf"<{tag}\b[^>]*>(.*?)</{tag}>", text, re.S):
                if "doc-pagebreak" in match.group(1):
                    found.append(f"{name}: <{tag}> {match.group(1)[:60]}")
    return found


@pytest.mark.slow
def test_no_heading_link_or_caption_name_holds_a_page_number(built):
    documents = _documents(built["epub"])
    assert sum(text.count('role="doc-pagebreak"') for text in documents.values()) > 10  # the markers are there
    assert _marked_names(documents) == []


@pytest.mark.slow
def test_a_page_that_begins_inside_a_long_link_is_marked_before_it(tmp_path):
    words = " ".join(f"word{i}" for i in range(400))
    text = f"---\ntitle: One\n---\n\n{words} [{words}](https://example.org/long) {words}\n"
    book = write_book(tmp_path / "book", {"01.md": text})
    assert main(["build", str(book), "--out-dir", str(tmp_path / "out"), "-q"]) == 0
    documents = _documents(next((tmp_path / "out").glob("*.epub")))
    assert documents["EPUB/ch01.xhtml"].count('role="doc-pagebreak"') >= 3
    assert _marked_names(documents) == []


REFS = ('[{"id": "ving", "type": "book", "title": "Why only humans weep", "author": [{"family": "Vingerhoets",'
        ' "given": "A."}], "issued": {"date-parts": [[2013]]}, "publisher": "Oxford University Press"}]')


def test_a_narrative_citation_is_one_link_and_a_year_alone_is_named_by_its_author(tmp_path):
    text = "---\ntitle: One\n---\n\nAs @ving argues, and as shown [-@ving].\n"
    book = write_book(tmp_path / "book", {"01.md": text}, REFS)
    assert main(["epub", str(book), "-o", str(tmp_path / "x.epub"), "-q"]) == 0
    chapter = _documents(tmp_path / "x.epub")["EPUB/ch01.xhtml"]
    links = re.findall(r'<a href="#ref-ving" role="doc-biblioref"([^>]*)>([^<]*)</a>', chapter)
    assert links[0] == ("", "Vingerhoets (2013)")
    assert links[1] == (' aria-label="Vingerhoets, 2013"', "2013")  # the name contains the visible text


TABLE = """---
title: Emotions
---

Some words before the table.

| Emotion | Physiological response | Regulation strategy |
|---|---|---|
| Sadness | Parasympathetic activation and muscle tension release | Emotional regulation through self-soothing |
| Fear | Heightened vigilance, cortisol release | Grounding, breathing, interoceptive awareness |
"""


@pytest.mark.slow
def test_a_table_reflows_at_200_percent_on_a_phone(tmp_path):
    """At 390 CSS px and 200 % text nothing overflows sideways (a paginated reader cannot scroll to it)."""
    import subprocess

    from conftest import require_tool

    require_tool("chromium")
    book = write_book(tmp_path / "book", {"01.md": TABLE})
    assert main(["epub", str(book), "-o", str(tmp_path / "x.epub"), "-q"]) == 0
    with zipfile.ZipFile(tmp_path / "x.epub") as archive:
        archive.extractall(tmp_path / "x")
    page = tmp_path / "x" / "EPUB" / "ch01.xhtml"
    probe = ('<script>document.body.setAttribute("data-overflow", String(document.documentElement.scrollWidth'
             ' - document.documentElement.clientWidth))</script>')
    text = page.read_text(encoding="utf-8").replace("</head>", "<style>html{font-size:200%}</style></head>")
    page.write_text(text.replace("</body>", probe + "</body>"), encoding="utf-8")
    done = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                           "--no-first-run", "--disable-background-networking", "--disable-component-update",
                           "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", "--window-size=390,1400",
                           "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    overflow = re.search(r'data-overflow="(-?\d+)"', done.stdout)
    assert overflow is not None, done.stderr[-500:]
    assert int(overflow.group(1)) <= 0  # 35 px of the third column were cut off before

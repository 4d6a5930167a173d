"""The names check sees what a listener would hear: page numbers in names, links cut in two."""

from __future__ import annotations

import zipfile

from publish.validation.epub_names import check_names

DOC = """<?xml version="1.0" encoding="utf-8"?>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"><head><title>t</title></head>
<body><section>
<h1><span epub:type="pagebreak" role="doc-pagebreak" id="page-7" aria-label="7"/>The Healing Power of Tears</h1>
<p><span epub:type="pagebreak" role="doc-pagebreak" id="page-8" aria-label="8"/>Text before
<a href="#ref-v">Vingerhoets</a> (<a href="#ref-v">2013</a>) and <a href="#ref-g">Gross</a> and
<a href="#ref-v">one more</a>.</p>
<table><tr><th>Cell <span role="doc-pagebreak" id="page-9" aria-label="9"/>head</th></tr></table>
</section></body></html>"""


def _epub(tmp_path, body: str):
    path = tmp_path / "book.epub"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/epub+zip")
        zf.writestr("EPUB/ch01.xhtml", body)
    return path


def test_page_numbers_in_names_and_split_links_are_found(tmp_path):
    findings = check_names(_epub(tmp_path, DOC))
    said = sorted((f.code, f.location.line, f.message) for f in findings)
    assert [(code, line) for code, line, _ in said] == [("v-007", 4), ("v-007", 8), ("v-008", 6)]
    assert "page number 7 is part of the name of a <h1>" in said[0][2]
    assert "one link cut in two: 'Vingerhoets (2013' is two links to #ref-v" in said[2][2]
    assert all(f.location.path == "book.epub/EPUB/ch01.xhtml" for f in findings)


def test_a_marker_before_the_heading_and_one_link_pass(tmp_path):
    clean = (DOC.replace('<h1><span epub:type="pagebreak" role="doc-pagebreak" id="page-7" aria-label="7"/>',
                         '<span epub:type="pagebreak" role="doc-pagebreak" id="page-7" aria-label="7"/><h1>')
             .replace('<a href="#ref-v">Vingerhoets</a> (<a href="#ref-v">2013</a>)',
                      '<a href="#ref-v">Vingerhoets (2013)</a>')
             .replace('Cell <span role="doc-pagebreak" id="page-9" aria-label="9"/>head', "Cell head"))
    assert check_names(_epub(tmp_path, clean)) == []

"""The APA manual's rules where the CSL style and citeproc-js print something else.

Each test names the section of the *Publication Manual* (7th ed.) it holds the
engine to; the fixture-wide comparison lives in test_citations_apa.py and
tests/fixtures/apa7-manual.json.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from citation_report import STYLE
from conftest import write_book

from publish.citations.apa import publisher_is_author
from publish.citations.engine import CitationProcessor
from publish.cli import main
from publish.model import SHORT_AUTHOR, CiteItem, Cluster


def _book(key: str, family: str | list[str], year: int, title: str = "A title", **extra) -> dict:
    families = [family] if isinstance(family, str) else family
    return {"id": key, "type": "book", "author": [{"family": f, "given": "Ann"} for f in families],
            "issued": {"date-parts": [[year]]}, "title": title, "publisher": "Press", **extra}


def _texts(refs: list[dict], clusters: list[Cluster]) -> list[str]:
    return [c.text for c in CitationProcessor(refs, STYLE).process(clusters).clusters]


def test_narrative_citations_spell_out_and():
    """8.17: "Gross and John (2003)" in running text; "&" stays inside parentheses."""
    refs = [_book("gj", ["Gross", "John"], 2003), _book("abc", ["Ames", "Berg", "Cole"], 2001)]
    got = _texts(refs, [Cluster((CiteItem("gj"),), narrative=True), Cluster((CiteItem("gj"),)),
                        Cluster((CiteItem("abc"),), narrative=True)])
    assert got == ["Gross and John (2003)", "(Gross & John, 2003)", "Ames et al. (2001)"]


def test_one_authors_works_in_date_order_with_letters_in_order():
    """8.12 and 9.47: letters by title, "A", "An", "The" passed over; the citation lists them in order."""
    refs = [_book("late", "Smith", 2021), _book("zebra", "Smith", 2019, "A zebra"),
            _book("apple", "Smith", 2019, "The apple"),
            {"id": "nd2", "type": "webpage", "author": [{"literal": "Sleep Council"}], "title": "Second",
             "URL": "https://example.org/2"},
            {"id": "nd1", "type": "webpage", "author": [{"literal": "Sleep Council"}], "title": "A first",
             "URL": "https://example.org/1"}]
    got = _texts(refs, [Cluster((CiteItem("late"), CiteItem("zebra"), CiteItem("apple"))),
                        Cluster((CiteItem("nd2"), CiteItem("nd1")))])
    assert got == ["(Smith, 2019a, 2019b, 2021)", "(Sleep Council, n.d.-a, n.d.-b)"]
    bib = CitationProcessor(refs, STYLE).process([Cluster((CiteItem("zebra"), CiteItem("apple")))]).bibliography
    assert [e.key for e in bib] == ["apple", "zebra"] and "(2019a). The apple" in bib[0].text


def test_a_prefix_stays_with_its_own_work():
    """8.11 (pandoc's rule): when a later cite has a prefix, the typed order is kept."""
    refs = [_book("gross", "Gross", 1998), _book("beck", "Beck", 1976)]
    got = _texts(refs, [Cluster((CiteItem("gross"), CiteItem("beck", prefix="see also "))),
                        Cluster((CiteItem("gross"), CiteItem("beck")))])
    assert got == ["(Gross, 1998; see also Beck, 1976)", "(Beck, 1976; Gross, 1998)"]


def test_publisher_left_out_when_it_is_the_author():
    """9.29 and 10.2: no second "American Psychological Association."; also initials and a publishing arm."""
    apa = {"id": "apa", "type": "book", "author": [{"literal": "American Psychological Association"}],
           "issued": {"date-parts": [[2020]]}, "title": "Publication manual of the American Psychological "
           "Association", "edition": "7", "publisher": "American Psychological Association",
           "DOI": "10.1037/0000165-000"}
    result = CitationProcessor([apa], STYLE).process([Cluster((CiteItem("apa"),))])
    assert result.bibliography[0].text == (
        "American Psychological Association. (2020). Publication manual of the American Psychological "
        "Association (7th ed.). https://doi.org/10.1037/0000165-000")
    who = {"author": [{"literal": "World Health Organization"}]}
    assert publisher_is_author("WHO", who) and publisher_is_author("World Health Organization", who)
    samhsa = {"author": [{"literal": "Substance Abuse and Mental Health Services Administration"}]}
    assert publisher_is_author("SAMHSA", samhsa)
    dsm = {"author": [{"literal": "American Psychiatric Association"}]}
    assert publisher_is_author("American Psychiatric Association Publishing", dsm)
    assert not publisher_is_author("Oxford University Press", dsm)
    assert not publisher_is_author("Smith", {"author": [{"family": "Smith", "given": "A."}]})


def test_report_number_is_singular():
    """10.4: "(NIH Publication No. 18-2059)", never "Nos." because the number holds a hyphen."""
    report = {"id": "r", "type": "report", "author": [{"literal": "National Cancer Institute"}],
              "issued": {"date-parts": [[2018]]}, "title": "Taking time", "genre": "NIH Publication",
              "number": "18-2059", "publisher": "U.S. Department of Health and Human Services"}
    entry = CitationProcessor([report], STYLE).process([Cluster((CiteItem("r"),))]).bibliography[0]
    assert "(NIH Publication No. 18" in entry.text and "Nos." not in entry.text


def test_group_abbreviation_introduced_once():
    """8.21: the full name with the abbreviation at the first citation, the abbreviation after."""
    refs = [{"id": "n", "type": "report", "author": [{"literal": "National Sleep Wellness Agency"}],
             "issued": {"date-parts": [[2021]]}, "title": "Insomnia at work", SHORT_AUTHOR: "NSWA"}]
    got = _texts(refs, [Cluster((CiteItem("n"),)), Cluster((CiteItem("n", locator="6", label="page"),)),
                        Cluster((CiteItem("n"),), narrative=True)])
    assert got == ["(National Sleep Wellness Agency [NSWA], 2021)", "(NSWA, 2021, p. 6)", "NSWA (2021)"]
    first = _texts(refs, [Cluster((CiteItem("n"),), narrative=True), Cluster((CiteItem("n"),))])
    assert first == ["National Sleep Wellness Agency (NSWA, 2021)", "(NSWA, 2021)"]
    bib = CitationProcessor(refs, STYLE).process([Cluster((CiteItem("n"),))]).bibliography
    assert bib[0].text.startswith("National Sleep Wellness Agency. (2021).")


def test_et_al_never_stands_for_one_name_and_no_comma_after_a_question():
    """8.18: two of three names needed -> all three; 8.14: (“Is It Burnout?” 2021)."""
    refs = [_book("a", ["Varga", "Ashworth", "Ibsen"], 2017), _book("b", ["Varga", "Thorne", "Ibsen"], 2017),
            {"id": "q", "type": "article-magazine", "title": "Is it burnout?", "container-title": "Mag",
             "issued": {"date-parts": [[2021]]}}]
    got = _texts(refs, [Cluster((CiteItem("a"),)), Cluster((CiteItem("b"),)), Cluster((CiteItem("q"),))])
    assert got == ["(Varga, Ashworth, & Ibsen, 2017)", "(Varga, Thorne, & Ibsen, 2017)", "(“Is It Burnout?” 2021)"]


def test_elided_year_takes_an_apostrophe():
    refs = [{"id": "chi", "type": "paper-conference", "author": [{"family": "Lee", "given": "A."}],
             "title": "Calm", "container-title": "Proceedings of CHI '21", "issued": {"date-parts": [[2021]]}}]
    entry = CitationProcessor(refs, STYLE).process([Cluster((CiteItem("chi"),))]).bibliography[0]
    assert "CHI \u201921" in entry.text


PERSONAL = """[
 {"id": "nguyen", "type": "personal_communication", "author": [{"family": "Nguyen", "given": "Tam"}],
  "issued": {"date-parts": [[2020, 3, 3]]}},
 {"id": "gross", "type": "book", "author": [{"family": "Gross", "given": "James"}],
  "issued": {"date-parts": [[1998]]}, "title": "Emotion", "publisher": "Press"}
]"""


def test_personal_communication_in_the_text_only(tmp_path, capsys):
    """8.9: cited in the text with no entry, and so with no link; nothing is said about it."""
    book = tmp_path / "book"
    write_book(book, {"01.md": "---\ntitle: One\n---\n\nAs told [@nguyen; @gross]. @nguyen said so.\n"},
               PERSONAL)
    out = tmp_path / "out.epub"
    assert main(["epub", str(book), "-o", str(out)]) == 0
    assert "c-004" not in capsys.readouterr().err
    from publish.epub.package import read_back

    chapter = read_back(out)["EPUB/ch01.xhtml"]
    xhtml = "".join(chapter.itertext())
    assert "(Gross, 1998; T. Nguyen, personal communication, March 3, 2020)" in xhtml
    assert "T. Nguyen (personal communication, March 3, 2020)" in xhtml
    hrefs = [a.get("href") for a in chapter.iter("{http://www.w3.org/1999/xhtml}a")]
    assert "#ref-nguyen" not in hrefs and "#ref-gross" in hrefs
    ids = {e.get("id") for e in chapter.iter() if e.get("id")}
    assert "ref-gross" in ids and "ref-nguyen" not in ids


def test_a_citation_that_would_link_to_nothing_is_a_finding():
    """c-004: a cited work the reference list leaves out (here: the style printed no entry)."""
    from types import SimpleNamespace

    from publish.citations.resolve import _unlisted
    from publish.findings import Location
    from publish.model import FormattedCluster

    where = Location("chapters/01.md", 3, 5)
    chapter = SimpleNamespace(clusters=[Cluster((CiteItem("x"),), location=where),
                                        Cluster((CiteItem("pc"), CiteItem("x")))])
    book = SimpleNamespace(chapters=[chapter], references=[{"id": "x", "type": "book"},
                                                           {"id": "pc", "type": "personal_communication"}])
    result = SimpleNamespace(bibliography=[], clusters=[FormattedCluster("", "", ("x",)),
                                                        FormattedCluster("", "", ("pc", "x"))])
    found = _unlisted(book, result, [(0, 0), (0, 1)])
    assert [(f.code, f.location) for f in found] == [("c-004", where)]
    assert "'@x'" in found[0].message


@pytest.mark.slow
def test_personal_communication_passes_epubcheck_and_pdf_links(tmp_path, caplog):
    """No link to a missing entry: EPUBCheck finds nothing (RSC-012 before) and WeasyPrint no missing anchor."""
    import logging

    from conftest import require_tool

    require_tool("java")
    from publish.validation.validators import run_epubcheck

    book = tmp_path / "book"
    write_book(book, {"01.md": "---\ntitle: One\n---\n\nAs told [@nguyen; @gross]. @nguyen said so.\n"},
               PERSONAL)
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        assert main(["build", str(book), "--out-dir", str(tmp_path / "out"), "-q"]) == 0
    assert not [r.getMessage() for r in caplog.records if "anchor" in r.getMessage().lower()]
    run = run_epubcheck(next((tmp_path / "out").glob("*.epub")))
    assert run.status == "pass", [str(f) for f in run.findings]


def test_episode_number_and_kind():
    """10.12: "(No. 57) [Audio podcast episode]", not "(Audio Podcast Episode No. 57)"."""
    ref = {"id": "p", "type": "broadcast", "author": [{"family": "Delacourt", "given": "Simone"}],
           "issued": {"date-parts": [[2022, 4, 7]]}, "title": "Sleep and stress", "genre": "Audio podcast episode",
           "number": "57", "container-title": "Mindful Minutes", "publisher": "Larkspur Audio"}
    entry = CitationProcessor([ref], STYLE).process([Cluster((CiteItem("p"),))]).bibliography[0]
    assert "Sleep and stress (No. 57) [Audio podcast episode]. In Mindful Minutes." in entry.text


def test_a_thesis_found_nowhere_is_unpublished():
    """10.6: "[Unpublished doctoral dissertation]. University of Virginia."; one in an archive is not."""
    thesis = {"id": "h", "type": "thesis", "author": [{"family": "Harris", "given": "Lee"}],
              "issued": {"date-parts": [[2014]]}, "title": "Instructional leadership", "genre": "Doctoral dissertation",
              "publisher": "University of Virginia"}
    archived = {**thesis, "id": "a", "archive": "ProQuest Dissertations and Theses Global"}
    entries = CitationProcessor([thesis, archived], STYLE).process(
        [Cluster((CiteItem("h"),)), Cluster((CiteItem("a"),))]).bibliography
    texts = {e.key: e.text for e in entries}
    assert "Instructional leadership [Unpublished doctoral dissertation]. University of Virginia." in texts["h"]
    assert "[Doctoral dissertation, University of Virginia]. ProQuest" in texts["a"]


def test_group_abbreviation_is_introduced_once_for_all_its_works():
    refs = [{"id": k, "type": "report", "author": [{"literal": "National Sleep Wellness Agency"}],
             "issued": {"date-parts": [[y]]}, "title": f"Report {y}", SHORT_AUTHOR: "NSWA"}
            for k, y in (("a", 2019), ("b", 2021))]
    got = _texts(refs, [Cluster((CiteItem("a"), CiteItem("b"))), Cluster((CiteItem("b"),))])
    assert got == ["(National Sleep Wellness Agency [NSWA], 2019, 2021)", "(NSWA, 2021)"]
    got = _texts(refs, [Cluster((CiteItem("a"),)), Cluster((CiteItem("b"),))])
    assert got == ["(National Sleep Wellness Agency [NSWA], 2019)", "(NSWA, 2021)"]


def test_a_subtitle_starts_with_a_capital():
    """6.17: "Male alexithymia: A critical review"; "iPhone", "p53" and non-English titles stay as written."""
    refs = [_book("m", "Levant", 2003, "Male alexithymia: a critical review"),
            _book("i", "Ames", 2010, "Phones: iPhone use and p53: a study"),
            _book("d", "Bauer", 2012, "Tränen: eine Studie", language="de")]
    entries = {e.key: e.text for e in CitationProcessor(refs, STYLE).process(
        [Cluster((CiteItem(k),)) for k in "mid"]).bibliography}
    assert "Male alexithymia: A critical review." in entries["m"]
    assert "Phones: iPhone use and p53: A study." in entries["i"]
    assert "Tränen: eine Studie." in entries["d"]


def test_a_database_address_is_left_out():
    """9.30: no URL of an academic research database; a DOI or the work's own address stays."""
    base = {"type": "article-journal", "author": [{"family": "Lee", "given": "Ann"}], "title": "T",
            "container-title": "J", "volume": "3", "page": "1-9", "issued": {"date-parts": [[2020]]}}
    refs = [{**base, "id": "d", "URL": "https://search.ebscohost.com/login.aspx?direct=true&db=pdh&AN=1"},
            {**base, "id": "w", "URL": "https://example.org/journal/3/1"}]
    entries = {e.key: e.text for e in CitationProcessor(refs, STYLE).process(
        [Cluster((CiteItem("d"),)), Cluster((CiteItem("w"),))]).bibliography}
    assert entries["d"].endswith("J, 3, 1–9.") and entries["w"].endswith("https://example.org/journal/3/1")

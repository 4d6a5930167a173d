"""A Zotero library gives the same APA references whether it comes as Better BibTeX's .bib or Zotero's CSL JSON.

tests/fixtures/zotero/ (see its README) holds one invented library in both
exports, written from the exporters' documented conventions, and the APA 7
forms both must give (expected.json, checked by hand against the manual).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from publish.bibliography import load_bibliography
from publish.bibliography.latex import convert
from publish.citations.engine import CitationProcessor
from publish.model import CiteItem, Cluster

BASE = Path(__file__).parent / "fixtures" / "zotero"
STYLE = Path(__file__).resolve().parents[1] / "styles" / "csl" / "apa.csl"
EXPECTED = json.loads((BASE / "expected.json").read_text(encoding="utf-8"))


def _process(name: str):
    refs, _locations, findings = load_bibliography(BASE / name, name)
    keys = [r["id"] for r in refs]
    clusters = [Cluster((CiteItem(k),)) for k in keys] + [Cluster((CiteItem(k),), narrative=True) for k in keys]
    return keys, CitationProcessor(refs, STYLE).process(clusters), findings


@pytest.fixture(scope="module", params=["library.bib", "library.json"])
def library(request):
    return request.param, *_process(request.param)


def test_entries_are_apa(library):
    name, _keys, result, _findings = library
    got = {e.key: e.text for e in result.bibliography}
    wrong = {k: (got.get(k), v) for k, v in EXPECTED["entries"].items() if got.get(k) != v}
    assert not wrong, (name, wrong)
    assert "nguyen2020" not in got  # a personal communication has no entry (8.9)
    html = {e.key: e.html for e in result.bibliography}
    for key, want in EXPECTED["html"].items():
        assert html[key] == want, (name, key)


def test_citations_are_apa(library):
    name, keys, result, _findings = library
    half = len(keys)
    got = dict(zip(keys, (c.text for c in result.clusters[:half]), strict=True))
    assert got == EXPECTED["parenthetical"], name
    got = dict(zip(keys, (c.text for c in result.clusters[half:]), strict=True))
    assert got == EXPECTED["narrative"], name


def test_bib_and_csl_json_give_the_same_output():
    bib_keys, bib, bib_findings = _process("library.bib")
    json_keys, csl, json_findings = _process("library.json")
    assert sorted(bib_keys) == sorted(json_keys)
    assert [(e.key, e.html) for e in bib.bibliography] == [(e.key, e.html) for e in csl.bibliography]
    by_key = dict(zip(json_keys, csl.clusters[:len(json_keys)], strict=True))
    assert all(by_key[k].html == c.html for k, c in zip(bib_keys, bib.clusters, strict=False))
    assert json_findings == []
    assert [(f.code, f.location.line) for f in bib_findings] == [("b-009", 68)]
    assert "{{World Health Organization}}" in bib_findings[0].hint


@pytest.mark.parametrize(("latex", "english", "want"), [
    # Better BibTeX's title case back to sentence case; braces protect; a subtitle keeps its capital
    (r"Emotion Regulation in {{Adulthood}}: {{Timing}} Is Everything", True,
     "Emotion regulation in Adulthood: Timing is everything"),
    (r"What I Learned from {{ADHD}}, the {iPhone} and {{McDonald}}'s Self-Report", True,
     "What I learned from ADHD, the iPhone and McDonald's self-report"),
    (r"Why? {{A}} Question -- and an Answer", True, "Why? A question – and an answer"),
    (r"Die {{Psychologie}} der Tr{\"a}nen", False, "Die Psychologie der Tränen"),  # not English: as written
    (r"{\em Emphasis} and {\bf Bold} and \textsc{Caps}", True,
     '<i>Emphasis</i> and <b>bold</b> and <span style="font-variant:small-caps;">caps</span>'),
    (r"H$_{\textrm{2}}$O, x$^{2}$ and 10$^{-3}$", False, "H<sub>2</sub>O, x² and 10⁻³"),
    (r"\textexclamdown{}Hola! {\textperthousand} {\textdegree}C {\textsection}2 {\textonehalf} \textdiv", False,
     "¡Hola! ‰ °C §2 ½ ÷"),
    (r"$\alpha$ $\leq$ $\beta$ $\times$ $\gamma$", False, "α ≤ β × γ"),  # Zotero maps each character
    (r"\{braces\vphantom{\}}\vphantom{\{}\}", False, "{braces}"),
])
def test_latex_in_titles(latex, english, want):
    text, unknown = convert(latex, rich=True, english=english)
    assert text == want and unknown == []


def test_unknown_command_is_named(tmp_path):
    bib = tmp_path / "refs.bib"
    bib.write_text("@book{k,\n  title = {A \\frobnicate{Strange} Title},\n  author = {Ames, Ann},\n"
                   "  date = {2020},\n  publisher = {Press}\n}\n", encoding="utf-8")
    refs, _locations, findings = load_bibliography(bib, "refs.bib")
    assert refs[0]["title"] == "A strange title"
    assert [(f.code, f.location.line) for f in findings] == [("b-008", 2)]
    assert "\\frobnicate" in findings[0].message and "'title'" in findings[0].message


def test_zotero_csl_json_conventions(tmp_path):
    """language as a word, an ordinal edition, "in press" as the date, the key in citation-key or Extra."""
    path = tmp_path / "refs.json"
    path.write_text(json.dumps([
        {"id": "http://zotero.org/users/1/items/AAAA", "type": "book", "title": "T", "language": "English",
         "edition": "2nd ed.", "issued": {"literal": "in press"}, "note": "Citation Key: smith2024\nfoo: bar",
         "author": [{"family": "Organization", "given": "World Health"}]},
    ]), encoding="utf-8")
    refs, _locations, findings = load_bibliography(path, "refs.json")
    ref = refs[0]
    assert ref["id"] == "smith2024" and ref["language"] == "en" and ref["edition"] == "2"
    assert ref["status"] == "in press" and "issued" not in ref
    assert ref["author"] == [{"literal": "World Health Organization"}]
    assert [f.code for f in findings] == ["b-006"] and "group" in findings[0].message


def test_biblatex_type_keys_become_words(tmp_path):
    bib = tmp_path / "refs.bib"
    bib.write_text("@thesis{t, title = {Sleep and Mood}, author = {Quinlan, Rory}, date = {2016},\n"
                   "  type = {phdthesis}, institution = {University of Somewhere}}\n"
                   "@report{r, title = {Waiting Times}, author = {Nakamura, Aiko}, date = {2021},\n"
                   "  type = {techreport}, number = {TR-7}, institution = {Institute}}\n", encoding="utf-8")
    refs, _locations, findings = load_bibliography(bib, "refs.bib")
    assert [r["genre"] for r in refs] == ["Doctoral dissertation", "Technical report"] and findings == []


def test_group_abbreviation_from_the_name_or_a_field(tmp_path):
    """APA 8.21 needs the abbreviation from the data: "Name [ABBR]", a shortauthor field, or Extra."""
    path = tmp_path / "refs.json"
    path.write_text(json.dumps([
        {"id": "a", "type": "report", "title": "T", "author": [{"literal": "National Sleep Wellness Agency [NSWA]"}]},
        {"id": "b", "type": "report", "title": "T", "author": [{"literal": "Office for Wellbeing"}],
         "shortauthor": "OfW"},
        {"id": "c", "type": "report", "title": "T", "author": [{"literal": "Child Mind Institute (CMI)"}],
         "note": "tex.shortauthor: CHMI"},
    ]), encoding="utf-8")
    refs, _locations, findings = load_bibliography(path, "refs.json")
    assert findings == []
    assert [(r["author"][0]["literal"], r.get("publish:short-author")) for r in refs] == [
        ("National Sleep Wellness Agency", "NSWA"), ("Office for Wellbeing", "OfW"),
        ("Child Mind Institute (CMI)", "CHMI")]
    assert "shortauthor" not in refs[1]


def test_in_press_takes_the_place_of_the_year(tmp_path):
    """APA 9.14: "(in press)", not the year the exporter also wrote."""
    bib = tmp_path / "refs.bib"
    bib.write_text("@article{k, title = {T}, author = {Lee, Ann}, date = {2024}, journaltitle = {J},\n"
                   "  pubstate = {inpress}}\n", encoding="utf-8")
    refs, _locations, _findings = load_bibliography(bib, "refs.bib")
    assert refs[0]["status"] == "in press" and "issued" not in refs[0]
    result = CitationProcessor(refs, STYLE).process([Cluster((CiteItem("k"),))])
    assert result.clusters[0].text == "(Lee, in press)"
    assert result.bibliography[0].text == "Lee, A. (in press). T. J."


def test_a_presentation_is_a_speech(tmp_path):
    """Better BibTeX writes Zotero's presentation as @unpublished with an eventtitle; its CSL JSON says speech."""
    bib = tmp_path / "refs.bib"
    bib.write_text("@unpublished{o, title = {Sleep Debt in Nurses}, author = {Oyelaran, Tomi},\n"
                   "  date = {2022-06-15/2022-06-17}, eventtitle = {Annual Meeting of the Sleep Research Society},\n"
                   "  venue = {Lisbon, Portugal}, type = {Paper presentation}, langid = {english}}\n", encoding="utf-8")
    refs, _locations, _findings = load_bibliography(bib, "refs.bib")
    entry = CitationProcessor(refs, STYLE).process([Cluster((CiteItem("o"),))]).bibliography[0]
    assert refs[0]["type"] == "speech"
    assert entry.text == ("Oyelaran, T. (2022, June 15–17). Sleep debt in nurses [Paper presentation]. "
                          "Annual Meeting of the Sleep Research Society, Lisbon, Portugal.")

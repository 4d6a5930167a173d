"""Tests for publish.bibliography: the three formats load to the same CSL, findings name their line."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from conftest import FIXTURES, require_shared
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from publish.bibliography import load_bibliography
from publish.bibliography.latex import latex_to_text
from publish.bibliography.names import parse_names
from publish.findings import Finding, Location, Severity

SEED = FIXTURES / "seed-refs.json"

SEED_BIB = r"""
% Exported by Better BibTeX (BibLaTeX) and touched up by hand; the seed prints four titles in Title Case,
% so they are protected whole, as Better BibTeX writes a title Zotero holds in Title Case
@comment{jabref-meta: databaseType:biblatex;}
@preamble{"\newcommand{\noop}[1]{}"}
@string{fp = "Frontiers in " # {Psychology}}

@article{gracanin2014,
  author = {Gra{\v{c}}anin, A. and Bylsma, L. M. and Vingerhoets, A. J. J. M.},
  title = {Is crying a self-soothing behavior?},
  journaltitle = fp,
  volume = {5},
  eid = {502},
  date = {2014},
  doi = {10.3389/fpsyg.2014.00502},
}

@Article{levant2013,
  author = {Levant, R. F. and Hall, R. J. and Rankin, T. J.},
  title = {Male alexithymia: {A} critical review and reformulation},
  journal = {Journal of Men’s Studies},
  volume = 21, number = {2}, pages = {111--130}, year = 2013,
  doi = {10.3149/jms.2102.111}
}

@article{levant2003,
  author = "Levant, R. F. and Richmond, K. and Cook, S. and House, A. and Aupont, M.",
  title = "{The Male Role: An Investigation of Contemporary Norms}",
  journal = {Journal of Mental Health Counseling},
  volume = {25}, number = {3}, pages = {224--238}, year = {2003}}

@article{mahalik2003,
  author = {J. R. Mahalik and S. M. Burns and M. Syzdek},
  title = {Masculinity and perceived normative health behaviors as predictors of men’s health behaviors},
  journal = {Social Science \& Medicine},
  volume = {64}, number = {11}, pages = {2201--2209}, year = {2003},
  doi = {10.1016/S0277-9536(02)00403-4},
}

@book{porges2011,
  author = {Porges, S. W.},
  title = {{The Polyvagal Theory}: {Neurophysiological Foundations of Emotions, Attachment,
           Communication, and Self-Regulation}},
  publisher = {W. W. Norton \& Company},
  year = {2011},
}

@article{rottenberg2008,
  author = {Rottenberg, J. and Bylsma, L. M. and Vingerhoets, A. J. J. M.},
  title = {Is crying beneficial?},
  journaltitle = {Current Directions in Psychological Science},
  volume = {17}, number = {6}, pages = {400--404}, date = {2008},
  doi = {10.1111/j.1467-8721.2008.00614.x},
}

@book{siegel2010,
  author = {Siegel, D. J.},
  title = {{The Developing Mind}},
  subtitle = {{How Relationships and the Brain Interact to Shape Who We Are}},
  edition = {2},
  publisher = {Guilford Press},
  year = {2010},
}

@book{vanderkolk2014,
  author = {van der Kolk, B. A.},
  title = {{The Body Keeps the Score: Brain, Mind, and Body in the Healing of Trauma}},
  langid = {english},
  publisher = {Viking},
  year = {2014},
}
"""

SEED_YAML = """
---
references:
- id: gracanin2014
  type: article-journal
  author:
    - {family: Gračanin, given: A.}
    - {family: Bylsma, given: L. M.}
    - {family: Vingerhoets, given: A. J. J. M.}
  issued: 2014
  title: Is crying a self-soothing behavior?
  container-title: Frontiers in Psychology
  volume: "5"
  number: "502"
  DOI: 10.3389/fpsyg.2014.00502
- id: levant2013
  type: article-journal
  author: [{family: Levant, given: R. F.}, {family: Hall, given: R. J.}, {family: Rankin, given: T. J.}]
  issued: {date-parts: [[2013]]}
  title: "Male alexithymia: A critical review and reformulation"
  container-title: Journal of Men’s Studies
  volume: "21"
  issue: "2"
  page: 111–130
  doi: 10.3149/jms.2102.111
- id: levant2003
  type: article-journal
  author:
    - {family: Levant, given: R. F.}
    - {family: Richmond, given: K.}
    - {family: Cook, given: S.}
    - {family: House, given: A.}
    - {family: Aupont, given: M.}
  issued: {raw: "2003"}
  title: "The Male Role: An Investigation of Contemporary Norms"
  container-title: Journal of Mental Health Counseling
  volume: "25"
  issue: "3"
  page: 224–238
- id: mahalik2003
  type: article-journal
  author:
    - {family: Mahalik, given: J. R.}
    - {family: Burns, given: S. M.}
    - {family: Syzdek, given: M.}
  issued: 2003
  title: Masculinity and perceived normative health behaviors as predictors of men’s health behaviors
  container-title: Social Science & Medicine
  volume: "64"
  issue: "11"
  page: 2201–2209
  DOI: 10.1016/S0277-9536(02)00403-4
- id: porges2011
  type: book
  author: [{family: Porges, given: S. W.}]
  issued: 2011
  title: "The Polyvagal Theory: Neurophysiological Foundations of Emotions, Attachment, Communication,
    and Self-Regulation"
  publisher: W. W. Norton & Company
- id: rottenberg2008
  type: article-journal
  author:
    - {family: Rottenberg, given: J.}
    - {family: Bylsma, given: L. M.}
    - {family: Vingerhoets, given: A. J. J. M.}
  issued: 2008
  title: Is crying beneficial?
  container-title: Current Directions in Psychological Science
  volume: "17"
  issue: "6"
  page: 400–404
  DOI: 10.1111/j.1467-8721.2008.00614.x
- id: siegel2010
  type: book
  author: [{family: Siegel, given: D. J.}]
  issued: 2010
  title: "The Developing Mind: How Relationships and the Brain Interact to Shape Who We Are"
  edition: "2"
  publisher: Guilford Press
- id: vanderkolk2014
  type: book
  author: [{family: Kolk, given: B. A., non-dropping-particle: van der}]
  issued: 2014
  title: "The Body Keeps the Score: Brain, Mind, and Body in the Healing of Trauma"
  publisher: Viking
...
"""

KEY_FIELDS = ("type", "author", "issued", "title", "container-title", "volume", "issue", "number", "page",
              "DOI", "publisher", "edition")


Result = tuple[list[dict], dict[str, Location], list[Finding]]


def load(tmp_path: Path, name: str, content: str | bytes) -> Result:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return load_bibliography(path, name)


def codes(findings: list[Finding]) -> list[tuple[str, int | None]]:
    return [(f.code, f.location.line if f.location else None) for f in findings]


def by_id(references: list[dict]) -> dict[str, dict]:
    return {ref["id"]: ref for ref in references}


# --- the seed references in three formats -------------------------------------------------------

def test_seed_csl_json_loads_to_itself() -> None:
    references, locations, findings = load_bibliography(require_shared(SEED), "seed-refs.json")
    assert references == json.loads(SEED.read_text(encoding="utf-8"))
    assert findings == []
    assert locations["gracanin2014"] == Location("seed-refs.json", 2, 2)
    assert list(locations) == [ref["id"] for ref in references]


@pytest.mark.parametrize(("name", "content"), [("seed.bib", SEED_BIB), ("seed.yaml", SEED_YAML)])
def test_seed_in_other_formats_equals_csl(tmp_path: Path, name: str, content: str) -> None:
    expected = by_id(json.loads(require_shared(SEED).read_text(encoding="utf-8")))
    references, locations, findings = load(tmp_path, name, content)
    assert findings == []
    got = by_id(references)
    assert list(got) == list(expected)
    for key, reference in expected.items():
        for field in KEY_FIELDS:
            assert got[key].get(field) == reference.get(field), (key, field)
    assert all(location.path == name and location.line for location in locations.values())


def test_bibtex_locations_point_at_the_at_sign(tmp_path: Path) -> None:
    _, locations, _ = load(tmp_path, "seed.bib", SEED_BIB)
    lines = textwrap.dedent(SEED_BIB).lstrip("\n").splitlines()
    for key, location in locations.items():
        assert lines[location.line - 1].lower().startswith("@"), key
        assert key in lines[location.line - 1]


def test_yaml_locations_point_at_the_entry(tmp_path: Path) -> None:
    _, locations, _ = load(tmp_path, "seed.yaml", SEED_YAML)
    assert locations["gracanin2014"] == Location("seed.yaml", 3, 3)


# --- BibTeX details -----------------------------------------------------------------------------

def test_latex_conversion() -> None:
    assert latex_to_text(r"Gra{\v{c}}anin {\"o} \'e \o{} \ss{} S\o ren \'{\i}") == "Gračanin ö é ø ß Søren í"
    converted = latex_to_text(r"1--2 a---b x~y \& {DNA} \emph{it} \unknown{kept}")
    assert converted == "1–2 a—b x\u00a0y & DNA it kept"
    assert latex_to_text(r"{\v c}") == "č"


def test_names() -> None:
    assert parse_names("van der Kolk, Bessel A.") == [
        {"family": "Kolk", "given": "Bessel A.", "non-dropping-particle": "van der"}]
    assert parse_names("Bessel A. van der Kolk and {World Health Organization} and others") == [
        {"family": "Kolk", "given": "Bessel A.", "non-dropping-particle": "van der"},
        {"literal": "World Health Organization"}]
    assert parse_names("King, Jr., Martin Luther") == [{"family": "King", "given": "Martin Luther",
                                                        "suffix": "Jr."}]
    assert parse_names("{Barnes and Noble} and Smith, J.") == [{"literal": "Barnes and Noble"},
                                                               {"family": "Smith", "given": "J."}]


def test_bibtex_types_and_fields(tmp_path: Path) -> None:
    references, _, findings = load(tmp_path, "more.bib", r"""
        @incollection{ch, author = {A, B}, editor = {C, D and E, F}, title = {Ch}, booktitle = {Book},
          pages = {1--10}, publisher = {P}, location = {Berlin}, year = {2001}, month = {mar}}
        @phdthesis{th, author = {A, B}, title = {T}, school = {Uni}, year = 2019}
        @techreport{rep, author = {{Agency}}, title = {R}, institution = {Inst}, number = {12},
          date = {2020-06}}
        @online{web, title = {W}, url = {https://example.org/a\_b}, urldate = {2023-01-02},
          date = {2022-06-15/2022-06-17}}
        @misc{m, title = {M}, howpublished = {\url{https://example.org}}, year = {2020}, langid = {ngerman}}
        @book{bk, title = {B}, origdate = {1900}, translator = {Doe, J.}, edition = {3}, isbn = {123},
          series = {S}, number = {4}, note = {N}}
    """)
    assert findings == []
    refs = by_id(references)
    assert refs["ch"]["type"] == "chapter" and refs["ch"]["container-title"] == "Book"
    assert refs["ch"]["editor"] == [{"family": "C", "given": "D"}, {"family": "E", "given": "F"}]
    assert refs["ch"]["page"] == "1–10" and refs["ch"]["publisher-place"] == "Berlin"
    assert refs["ch"]["issued"] == {"date-parts": [[2001, 3]]}
    assert refs["th"]["type"] == "thesis" and refs["th"]["publisher"] == "Uni"
    assert refs["th"]["genre"] == "Doctoral dissertation"
    assert refs["rep"]["type"] == "report" and refs["rep"]["number"] == "12"
    assert refs["rep"]["issued"] == {"date-parts": [[2020, 6]]} and refs["rep"]["publisher"] == "Inst"
    assert refs["web"]["type"] == "webpage" and refs["web"]["URL"] == "https://example.org/a_b"
    assert refs["web"]["accessed"] == {"date-parts": [[2023, 1, 2]]}
    assert refs["web"]["issued"] == {"date-parts": [[2022, 6, 15], [2022, 6, 17]]}
    assert refs["m"]["type"] == "webpage" and refs["m"]["URL"] == "https://example.org"
    assert refs["m"]["language"] == "de"
    assert refs["bk"]["original-date"] == {"date-parts": [[1900]]}
    assert refs["bk"]["collection-title"] == "S" and refs["bk"]["collection-number"] == "4"
    assert refs["bk"]["translator"] == [{"family": "Doe", "given": "J."}]


def test_keys_keep_their_case(tmp_path: Path) -> None:
    references, locations, findings = load(tmp_path, "case.bib", """
        @book{Smith2020, title = {A}}
        @book{smith2020, title = {B}}
    """)
    assert [ref["id"] for ref in references] == ["Smith2020", "smith2020"]
    assert set(locations) == {"Smith2020", "smith2020"}
    assert findings == []


# --- findings, each with its line --------------------------------------------------------------

def test_b001_json_syntax_error_has_line_and_column(tmp_path: Path) -> None:
    _, _, findings = load(tmp_path, "refs.json", '[\n  {"id": "a", "type": "book"},\n  {"id": "b",, }\n]\n')
    assert codes(findings) == [("b-001", 3)]
    assert findings[0].location == Location("refs.json", 3, 14)
    assert findings[0].hint and findings[0].severity is Severity.ERROR


def test_b001_yaml_syntax_error(tmp_path: Path) -> None:
    _, _, findings = load(tmp_path, "refs.yaml", "- id: a\n  type: book\n  title: [unclosed\n")
    assert [f.code for f in findings] == ["b-001"]
    assert findings[0].location and findings[0].location.line == 4


def test_b001_entries_without_mapping_id_or_type(tmp_path: Path) -> None:
    references, _, findings = load(tmp_path, "refs.json", """
        [
          "just text",
          {"type": "book", "title": "no id"},
          {"id": "t", "title": "no type"},
          {"id": "ok", "type": "book"}
        ]
    """)
    assert codes(findings) == [("b-001", 2), ("b-001", 3), ("b-001", 4)]
    assert "no 'type'" in findings[2].message
    assert [ref["id"] for ref in references] == ["t", "ok"]


def test_b001_bibtex_unbalanced_braces_and_missing_comma(tmp_path: Path) -> None:
    references, _, findings = load(tmp_path, "refs.bib", """
        @article{a,
          title = {Foo {Bar},
          year = 2020,
        }

        @book{b,
          title = {X}
          year = {2020},
        }

        @book{c, title = {Fine}}
        @book{d,
          title = {Never closed,

        @book{e, title = {Fine too}}
    """)
    assert codes(findings) == [("b-001", 2), ("b-001", 8), ("b-001", 13)]
    assert "unbalanced braces" in findings[0].message and "'}'" in findings[0].hint
    assert "missing comma" in findings[1].message and "line 7" in findings[1].hint
    assert "unbalanced braces" in findings[2].message and "line 13" in findings[2].message
    assert {"b", "c", "e"} <= {ref["id"] for ref in references}


def test_b001_bibtex_missing_key_and_extra_brace(tmp_path: Path) -> None:
    references, _, findings = load(tmp_path, "refs.bib", """
        @book{title = {No key}}
        @book{c,
          title = {Y}}},
          year = {2000}}
    """)
    assert codes(findings) == [("b-001", 1), ("b-001", 3)]
    assert "no citation key" in findings[0].message
    assert "extra '}'" in findings[1].message
    assert [ref["id"] for ref in references] == ["c"]


def test_b002_duplicate_key_names_both_lines(tmp_path: Path) -> None:
    references, locations, findings = load(tmp_path, "refs.json", """
        [
          {"id": "dup", "type": "book", "title": "First"},
          {"id": "other", "type": "book"},
          {"id": "dup", "type": "book", "title": "Second"}
        ]
    """)
    assert codes(findings) == [("b-002", 4)]
    assert "lines 2 and 4" in findings[0].message
    assert by_id(references)["dup"]["title"] == "First"
    assert locations["dup"].line == 2


@pytest.mark.parametrize("name", ["refs.bib", "refs.yaml"])
def test_b002_in_bibtex_and_yaml(tmp_path: Path, name: str) -> None:
    content = ("@book{k, title={A}}\n\n@book{k, title={B}}\n" if name.endswith(".bib")
               else "- id: k\n  type: book\n\n- id: k\n  type: book\n")
    _, _, findings = load(tmp_path, name, content)
    assert codes(findings) == [("b-002", 3 if name.endswith(".bib") else 4)]


def test_b003_unsupported_extension(tmp_path: Path) -> None:
    references, _, findings = load(tmp_path, "refs.ris", "TY  - JOUR\n")
    assert references == [] and [f.code for f in findings] == ["b-003"]
    assert ".json" in findings[0].hint and ".bib" in findings[0].hint and ".yaml" in findings[0].hint


@pytest.mark.parametrize("doi", ["https://doi.org/10.1000/xyz", "http://dx.doi.org/10.1000/xyz",
                                 "doi:10.1000/xyz", "DOI: 10.1000/xyz"])
def test_b004_doi_normalised(tmp_path: Path, doi: str) -> None:
    references, _, findings = load(tmp_path, "refs.json",
                                   f'[\n{{"id": "a", "type": "book",\n "DOI": {json.dumps(doi)}}}\n]')
    assert references[0]["DOI"] == "10.1000/xyz"
    assert codes(findings) == [("b-004", 3)]
    assert findings[0].severity is Severity.WARNING and "10.1000/xyz" in findings[0].hint


def test_b004_in_bibtex_and_yaml(tmp_path: Path) -> None:
    refs, _, findings = load(tmp_path, "a.bib", "@article{a,\n  doi = {https://doi.org/10.1/x}}\n")
    assert refs[0]["DOI"] == "10.1/x" and codes(findings) == [("b-004", 2)]
    refs, _, findings = load(tmp_path, "a.yaml", "- id: a\n  type: book\n  doi: doi:10.1/x\n")
    assert refs[0]["DOI"] == "10.1/x" and codes(findings) == [("b-004", 3)]


def test_b005_not_utf8_names_line_and_byte(tmp_path: Path) -> None:
    references, _, findings = load(tmp_path, "refs.bib", b"@book{a, title={ok}}\n@book{b, title={caf\xe9}}\n")
    assert codes(findings) == [("b-005", 2)]
    assert "0xE9" in findings[0].message and "UTF-8" in findings[0].hint
    assert findings[0].location == Location("refs.bib", 2, 20)
    assert [ref["id"] for ref in references] == ["a", "b"]
    _, _, findings = load(tmp_path, "refs.json", "[]".encode("utf-16"))
    assert [f.code for f in findings] == ["b-005"]


def test_b006_unknown_type_and_wrong_shapes_keep_the_entry(tmp_path: Path) -> None:
    references, _, findings = load(tmp_path, "refs.json", """
        [
          {"id": "a",
           "type": "journal-article",
           "author": "Smith, J. and Doe, A.",
           "issued": {"year": "nope"},
           "accessed": {"date-parts": "2020"},
           "title": {"nested": true}
          }
        ]
    """)
    assert [f.code for f in findings] == ["b-006"] * 5
    assert [f.location.line for f in findings if f.location] == [3, 4, 5, 6, 7]
    ref = references[0]
    assert ref["type"] == "article-journal"
    assert ref["author"] == [{"family": "Smith", "given": "J."}, {"family": "Doe", "given": "A."}]
    assert "title" not in ref and "accessed" not in ref


def test_b006_in_bibtex(tmp_path: Path) -> None:
    references, _, findings = load(tmp_path, "refs.bib",
                                   "@weird{a,\n  title = {T},\n  publisher = undefinedmacro}\n")
    assert codes(findings) == [("b-006", 1), ("b-006", 3)]
    assert references[0]["type"] == "document"


def test_dates_are_normalised(tmp_path: Path) -> None:
    references, _, findings = load(tmp_path, "refs.yaml", """
        - {id: a, type: book, issued: 2022-06-15}
        - {id: b, type: book, issued: {raw: 2022-06-15/2022-06-17}}
        - {id: c, type: book, issued: {literal: in press}}
        - {id: d, type: book, issued: {season: 2, date-parts: [["2020"]]}}
        - {id: e, type: book, issued: {circa: true, raw: "1850"}}
        - {id: f, type: book, issued: [{year: 2011, month: 3}]}
    """)
    assert findings == []
    issued = {ref["id"]: ref["issued"] for ref in references if "issued" in ref}
    # "in press" in the date (Zotero's CSL JSON writes it so) is the status APA prints in the date's place
    assert references[2]["status"] == "in press"
    assert issued == {
        "a": {"date-parts": [[2022, 6, 15]]},
        "b": {"date-parts": [[2022, 6, 15], [2022, 6, 17]]},
        "d": {"season": 2, "date-parts": [[2020]]},
        "e": {"circa": True, "date-parts": [[1850]]},
        "f": {"date-parts": [[2011, 3]]},
    }


def test_numbers_as_strings_are_kept(tmp_path: Path) -> None:
    references, _, _ = load(tmp_path, "refs.json", '[{"id": 7, "type": "book", "volume": "05", "page": 12}]')
    assert references == [{"id": "7", "type": "book", "volume": "05", "page": 12}]


def test_yaml_mapping_without_references_is_reported(tmp_path: Path) -> None:
    _, _, findings = load(tmp_path, "refs.yaml", "title: My book\n")
    assert codes(findings) == [("b-001", 1)]


# --- robustness ---------------------------------------------------------------------------------

_ROBUST = settings(max_examples=150, deadline=None,
                   suppress_health_check=[HealthCheck.function_scoped_fixture])
_BIB_ALPHABET = st.sampled_from([*'@{}(),="#%\\ \n\tabcAB01-~\'`^.:', "@article{", "title = ", "and "])


def _check_result(result: Result) -> None:
    references, locations, findings = result
    assert isinstance(references, list) and isinstance(findings, list)
    assert all(isinstance(ref, dict) and isinstance(ref["id"], str) and ref["type"] for ref in references)
    assert set(locations) == {ref["id"] for ref in references}
    assert all(f.location is not None and f.hint for f in findings)


@pytest.mark.parametrize("name", ["refs.json", "refs.yaml", "refs.bib"])
@_ROBUST
@given(data=st.binary(max_size=300))
def test_arbitrary_bytes_never_raise(tmp_path: Path, name: str, data: bytes) -> None:
    _check_result(load(tmp_path, name, data))


@pytest.mark.parametrize("name", ["refs.json", "refs.yaml", "refs.bib"])
@_ROBUST
@given(text=st.text(max_size=300))
def test_arbitrary_text_never_raises(tmp_path: Path, name: str, text: str) -> None:
    _check_result(load(tmp_path, name, text.encode("utf-8", "surrogatepass")))


@_ROBUST
@given(text=st.lists(_BIB_ALPHABET, max_size=80).map("".join))
def test_bibtex_like_text_never_raises(tmp_path: Path, text: str) -> None:
    _check_result(load(tmp_path, "refs.bib", text.encode()))


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["id", "type", "author", "issued", "DOI", "title", "page", "date-parts", "raw",
                         "literal", "family", "accessed", "volume", "x"]), inner, max_size=5),
    max_leaves=20)


@_ROBUST
@given(value=st.lists(_JSON_VALUES, max_size=4))
def test_structured_json_and_yaml_never_raise(tmp_path: Path, value: list) -> None:
    text = json.dumps(value)
    _check_result(load(tmp_path, "refs.json", text.encode()))
    _check_result(load(tmp_path, "refs.yaml", text.encode()))  # JSON is YAML too

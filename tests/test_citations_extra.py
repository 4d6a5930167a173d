"""Differential tests on our own invented APA 7 set: references and clusters the engine was not tuned on.

tests/fixtures/apa7-extra/ (see its README) covers what the shared fixtures do
not: chapters with 1, 2 and 4 editors, multivolume works, reprints, reports,
theses, conference posters, preprints, data, software, podcasts, videos,
encyclopedia entries, particles, suffixes, single names, 23 authors,
non-Latin scripts, letter pages, every locator term and syntax form.  The
expected output was made once with citeproc-js (tools/citeproc-js/goldens.js);
the tests read the committed JSON and never need Node.

Two paths are measured: the engine on the structured clusters, and the whole
author path (pandoc Markdown in a chapter, bibliography named in book.yaml,
built to EPUB and read back), so the syntax parser counts too.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from citation_report import EXTRA, compare, load_clusters, load_manual, percent
from test_citations_book import score_book

from publish.source.citation_syntax import parse_bracketed
from publish.text import ref_id

THRESHOLD = 100.0

MANUAL = load_manual(EXTRA / "manual.json")  # the APA manual's forms where citeproc-js differs


@pytest.fixture(scope="module")
def report():
    return compare("refs.json", "cases.json", "expected.json", manual=MANUAL, base=EXTRA)


def _listing(report, attr: str) -> str:
    wanted = set(getattr(report, attr))
    return "mismatches:\n" + "\n".join(d for d in report.details if d.split(" ", 1)[0] in wanted)


@pytest.mark.parametrize("attr", ["cluster_text", "cluster_html"])
def test_clusters_match_citeproc_js(report, attr):
    score = percent(getattr(report, attr), report.total_clusters)
    assert score >= THRESHOLD, f"{attr}: {score:.1f}%\n" + _listing(report, attr)


@pytest.mark.parametrize("attr", ["bib_text", "bib_html"])
def test_bibliography_matches_citeproc_js(report, attr):
    score = percent(getattr(report, attr), report.total_entries)
    assert score >= THRESHOLD, f"{attr}: {score:.1f}%\n" + _listing(report, attr)


def test_bibliography_order(report):
    assert report.order_ok, "\n".join(d for d in report.details if d.startswith("order"))


def test_manual_forms_are_documented_and_differ_from_citeproc_js():
    want = json.loads((EXTRA / "expected.json").read_text(encoding="utf-8"))
    clusters = {c["id"]: c for c in want["clusters"]}
    entries = dict(zip(want["bibliography"]["ids"], want["bibliography"]["text"], strict=True))
    for kind, golden in (("clusters", clusters), ("entries", entries)):
        for key, form in MANUAL[kind].items():
            assert re.fullmatch(r"\d+\.\d+", form["section"]) and form["rule"], key
            assert form["text"] != (golden[key]["text"] if kind == "clusters" else golden[key]), key


def test_goldens_belong_to_these_inputs():
    """expected.json names the sha256 of the inputs it was made from: regenerate it after an edit."""
    import hashlib

    want = json.loads((EXTRA / "expected.json").read_text(encoding="utf-8"))
    for name, field in (("refs.json", "refs_sha256"), ("cases.json", "cases_sha256")):
        assert hashlib.sha256((EXTRA / name).read_bytes()).hexdigest() == want[field], name
    style = Path(__file__).resolve().parents[1] / "styles" / "csl" / "apa.csl"
    assert hashlib.sha256(style.read_bytes()).hexdigest() == want["style_sha256"]


def test_markdown_parses_to_the_structured_clusters():
    """The ``markdown`` of each parenthetical cluster means exactly its structured fields."""
    wrong = []
    for case, cluster in load_clusters(EXTRA / "cases.json"):
        if cluster.narrative:
            continue
        parsed = parse_bracketed(case["markdown"][1:-1])
        if parsed != cluster.items:
            wrong.append((case["id"], parsed, cluster.items))
    assert not wrong, wrong


def test_extra_clusters_through_the_book(tmp_path):
    score = score_book(tmp_path, "refs.json", "cases.json", "expected.json", MANUAL,
                       base=EXTRA)
    total = score["clusters"]
    assert 100.0 * (total - len(score["bad_text"])) / total >= THRESHOLD, score["bad_text"]
    assert 100.0 * (total - len(score["bad_html"])) / total >= THRESHOLD, score["bad_html"]
    # XHTML ids hold no ":" ("sato:2021" -> "ref-sato_2021"), so compare through the same mapping
    assert score["ids"] == [ref_id(key)[len("ref-"):] for key in score["want_ids"]]
    entries = len(score["ids"])
    assert 100.0 * (entries - len(score["bib_bad"])) / entries >= THRESHOLD, score["bib_bad"]

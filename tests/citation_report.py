"""Print how closely our citations match citeproc-js on the APA 7 fixtures.

Run ``.venv/bin/python tests/citation_report.py [-v]``; ``-v`` lists every mismatch.
The comparison rules are those of the fixtures' README (whitespace and
entities normalised, our links removed).
"""

from __future__ import annotations

import html
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from publish.citations.engine import CitationProcessor  # noqa: E402
from publish.model import CiteItem, Cluster  # noqa: E402

FIXTURES = ROOT.parent / "shared" / "fixtures" / "apa7"
EXTRA = ROOT / "tests" / "fixtures" / "apa7-extra"  # our own invented set (see its README)
MANUAL = ROOT / "tests" / "fixtures" / "apa7-manual.json"  # the manual's forms for the shared set
STYLE = ROOT / "styles" / "csl" / "apa.csl"
_LINK = re.compile(r"</?a\b[^>]*>")


def normalise(fragment: str) -> str:
    """Entities decoded, links dropped, whitespace (nbsp included) collapsed."""
    text = html.unescape(_LINK.sub("", fragment)).replace("\xa0", " ")
    return " ".join(text.split())


def html_normalise(fragment: str) -> str:
    """Like :func:`normalise` but markup kept, with ``&`` written one way."""
    text = _LINK.sub("", fragment).replace("&#38;", "&amp;").replace("\xa0", " ")
    return " ".join(text.split())


def load_clusters(path: Path) -> list[tuple[dict, Cluster]]:
    out = []
    for case in json.loads(path.read_text(encoding="utf-8"))["clusters"]:
        items = tuple(
            CiteItem(key=i["id"], prefix=i.get("prefix", ""), suffix=i.get("suffix", ""),
                     locator=i.get("locator"), label=i.get("label"),
                     suppress_author=bool(i.get("suppress_author", False)))
            for i in case["items"])
        out.append((case, Cluster(items=items, narrative=bool(case.get("narrative", False)))))
    return out


@dataclass
class Report:
    """Mismatches per aspect, and the totals."""

    total_clusters: int = 0
    total_entries: int = 0
    cluster_text: list[str] = field(default_factory=list)
    cluster_html: list[str] = field(default_factory=list)
    bib_text: list[str] = field(default_factory=list)
    bib_html: list[str] = field(default_factory=list)
    order_ok: bool = True
    details: list[str] = field(default_factory=list)


def load_manual(path: Path) -> dict:
    """The manual's forms of one fixture set (``apa7-manual.json`` format): where the APA manual and
    citeproc-js differ, the cluster or entry is compared with the manual's text and HTML instead."""
    if not path.exists():
        return {"clusters": {}, "entries": {}}
    return json.loads(path.read_text(encoding="utf-8"))


def compare(refs: str, cases: str, expected: str, manual: dict | None = None,
            base: Path = FIXTURES) -> Report:
    """Run our processor on one fixture set in ``base``; ``manual`` (see :func:`load_manual`) holds
    the clusters and entries whose target is the APA manual's form, not citeproc-js's."""
    manual = manual or {"clusters": {}, "entries": {}}
    references = json.loads((base / refs).read_text(encoding="utf-8"))
    want = json.loads((base / expected).read_text(encoding="utf-8"))
    pairs = load_clusters(base / cases)
    result = CitationProcessor(references, STYLE).process([c for _, c in pairs])
    report = Report(total_clusters=len(pairs), total_entries=len(want["bibliography"]["ids"]))
    expected_clusters = {c["id"]: c for c in want["clusters"]}
    for (case, _), got in zip(pairs, result.clusters, strict=True):
        cid = case["id"]
        exp = manual["clusters"].get(cid) or expected_clusters[cid]
        if normalise(got.text) != normalise(exp["text"]):
            report.cluster_text.append(cid)
            report.details.append(f"{cid} text\n   want {exp['text']}\n   got  {got.text}")
        if html_normalise(got.html) != html_normalise(exp["html"]):
            report.cluster_html.append(cid)
            report.details.append(f"{cid} html\n   want {exp['html']}\n   got  {got.html}")
    bib = want["bibliography"]
    ours = {e.key: e for e in result.bibliography}
    for key, text, markup in zip(bib["ids"], bib["text"], bib["html"], strict=True):
        if key in manual["entries"]:
            text, markup = manual["entries"][key]["text"], manual["entries"][key]["html"]
        entry = ours.get(key)
        if entry is None or normalise(entry.text) != normalise(text):
            report.bib_text.append(key)
            report.details.append(f"{key} text\n   want {text}\n   got  {entry.text if entry else None}")
        if entry is None or html_normalise(entry.html) != html_normalise(markup):
            report.bib_html.append(key)
            report.details.append(f"{key} html\n   want {markup}\n   got  {entry.html if entry else None}")
    report.order_ok = [e.key for e in result.bibliography] == bib["ids"]
    if not report.order_ok:
        report.details.append(f"order\n   want {bib['ids']}\n   got  {[e.key for e in result.bibliography]}")
    return report


def percent(bad: list[str], total: int) -> float:
    return 100.0 * (total - len(bad)) / total if total else 100.0


def summary(name: str, report: Report) -> str:
    c, b = report.total_clusters, report.total_entries
    return (f"{name}: clusters text {percent(report.cluster_text, c):.1f}% "
            f"html {percent(report.cluster_html, c):.1f}% ({c}); "
            f"bibliography text {percent(report.bib_text, b):.1f}% html {percent(report.bib_html, b):.1f}% "
            f"({b}); order {'equal' if report.order_ok else 'DIFFERENT'}")


def main() -> None:
    verbose = "-v" in sys.argv
    main = ("refs.json", "cases.json", "expected.json")
    for name, files, manual, base in (
        ("citeproc-js parity", main, None, FIXTURES),
        ("by the APA manual", main, load_manual(MANUAL), FIXTURES),
        ("seed", ("seed-refs.json", "seed-cases.json", "seed-expected.json"), None, FIXTURES),
        ("extra set, citeproc-js parity", main, None, EXTRA),
        ("extra set by the APA manual", main, load_manual(EXTRA / "manual.json"), EXTRA),
    ):
        report = compare(*files, manual=manual, base=base)
        print(summary(name, report))
        if verbose:
            print("\n".join("  " + d for d in report.details))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main()

"""A synthetic article series in the book format, made from a seed so every run measures the same input.

Each article has about 2,000 words in four sections, eight citations in
every pandoc syntax form, two pull quotes (one repeating the text, one
not), a footnote and an image; the series shares one CSL-JSON bibliography
with six references per article.
"""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

from PIL import Image

WORDS = (
    "tears regulation nervous system vagal tone safety connection grief relief therapy client therapist "
    "emotion expression body tension release calm breath heart rate stress response attachment trust "
    "shame vulnerability resilience memory trauma healing process feeling sensation awareness practice "
    "research study evidence pattern culture gender norms silence comfort support presence listening "
    "change growth insight rhythm sleep appetite energy movement rest recovery balance boundary voice"
).split()
TYPES = ("book", "article-journal", "chapter", "report", "webpage", "article-journal")
FAMILIES = ("Adams", "Brennan", "Chen", "Dubois", "Eriksen", "Fischer", "García", "Hughes", "Ito", "Jansen",
            "Kowalski", "Larsen", "Moreau", "Nakamura", "Okafor", "Petrov", "Quinn", "Rossi", "Singh", "Tanaka")


def _sentence(rng: random.Random, length: int | None = None) -> str:
    words = [rng.choice(WORDS) for _ in range(length or rng.randint(12, 24))]
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random, sentences: int = 5) -> str:
    return " ".join(_sentence(rng) for _ in range(sentences))


def reference(index: int, article: int, slot: int) -> dict:
    """One CSL-JSON entry; the type cycles so the style's every branch is exercised."""
    kind = TYPES[slot]
    family = FAMILIES[index % len(FAMILIES)]
    entry: dict = {
        "id": f"{family.lower()}{2000 + index % 25}a{article}s{slot}",
        "type": kind,
        "title": f"On {WORDS[index % len(WORDS)]} and {WORDS[(index * 7) % len(WORDS)]} in practice",
        "author": [{"family": family, "given": "A. B."}, {"family": FAMILIES[(index + 3) % 20], "given": "C."}],
        "issued": {"date-parts": [[2000 + index % 25]]},
    }
    if kind == "article-journal":
        entry.update({"container-title": "Journal of Emotion Studies", "volume": str(1 + index % 40),
                      "issue": str(1 + index % 4), "page": f"{10 + index}-{30 + index}",
                      "DOI": f"10.5555/jes.{index:05d}"})
    elif kind == "chapter":
        entry.update({"container-title": "Handbook of Feeling", "publisher": "Academic Press",
                      "page": f"{index}-{index + 20}", "editor": [{"family": "Editor", "given": "E."}]})
    elif kind == "webpage":
        entry.update({"container-title": "Practice Notes", "URL": f"https://example.org/notes/{index}"})
    else:
        entry["publisher"] = "Norton" if kind == "book" else "Institute of Practice"
    return entry


def article(rng: random.Random, number: int, keys: list[str]) -> str:
    """One article: ~2,000 words, eight citations (every form), two pull quotes, a footnote, an image."""
    k = keys
    cites = [f"[@{k[0]}]", f"[@{k[1]}; @{k[2]}]", f"[see @{k[3]}, p. 33, for a review]", f"[@{k[4]}, chap. 2]",
             f"@{k[5]}", f"@{k[0]} [p. 12; see also @{k[2]}]", f"[-@{k[1]}]", f"[@{k[3]}, pp. 4-5]"]
    repeated = _sentence(rng, 10)
    sections = []
    for s in range(4):
        paragraphs = [_paragraph(rng) for _ in range(5)]
        for p in range(2):
            paragraphs[p * 2] += f" As shown {cites[s * 2 + p]}, {_sentence(rng).lower()}"
        if s == 0:
            paragraphs[1] += f" {repeated} The effect is well known.[^1]"
            paragraphs.insert(2, f"::: pullquote\n{repeated[:-1]}\n:::")
        if s == 1:
            paragraphs.insert(3, f"::: pullquote\n{_sentence(rng, 9)}\n:::")
            paragraphs.insert(4, f"![A chart of {rng.choice(WORDS)} over time in article {number}]"
                                 f"(../images/figure-{number:02d}.png \"Figure {number}: the pattern\")")
        if s == 2:
            paragraphs.insert(2, "### A closer look")
        sections.append(f"## {_sentence(rng, 4)[:-1]}\n\n" + "\n\n".join(paragraphs))
    front = (f'---\ntitle: "Article {number}: {_sentence(rng, 5)[:-1]}"\nsubtitle: "{_sentence(rng, 6)[:-1]}"\n'
             f'date: "2026-01-{1 + number % 28:02d}"\n---\n\n')
    return front + _paragraph(rng) + "\n\n" + "\n\n".join(sections) + "\n\n[^1]: " + _sentence(rng) + "\n"


def _png(number: int) -> bytes:
    image = Image.new("RGB", (600, 400), (40 + number * 4 % 200, 90, 160))
    for x in range(0, 600, 40):
        for y in range(400 - (x * number) % 380, 400):
            image.putpixel((x, y), (250, 250, 250))
    out = io.BytesIO()
    image.save(out, "PNG", optimize=False)
    return out.getvalue()


def make_series(root: Path, articles: int, seed: int = 6) -> Path:
    """Write a book folder with ``articles`` articles into ``root``; return it."""
    rng = random.Random(seed)
    (root / "chapters").mkdir(parents=True, exist_ok=True)
    (root / "images").mkdir(exist_ok=True)
    references: list[dict] = []
    names = []
    for number in range(1, articles + 1):
        refs = [reference(len(references) + slot, number, slot) for slot in range(6)]
        references.extend(refs)
        name = f"chapters/{number:02d}-article.md"
        (root / name).write_text(article(rng, number, [r["id"] for r in refs]), encoding="utf-8")
        (root / "images" / f"figure-{number:02d}.png").write_bytes(_png(number))
        names.append(name)
    (root / "references.json").write_text(json.dumps(references, indent=1, ensure_ascii=False), encoding="utf-8")
    chapters = "".join(f"  - {n}\n" for n in names)
    (root / "book.yaml").write_text(
        'title: "Benchmark Series"\nlanguage: en-GB\nidentifier: "urn:uuid:6b3c1f5e-2d4a-4b8e-9c7d-1a2b3c4d5e6f"\n'
        'date: "2026-11-26"\nauthors: ["A. Author"]\npublisher: "Bench Practice"\n'
        f"chapters:\n{chapters}bibliography: references.json\n", encoding="utf-8")
    return root

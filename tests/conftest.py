"""Shared fixtures: the real book built once per session, and paths to shared data."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from publish.cli import main

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
SHARED = ROOT.parent / "shared"
FIXTURES = SHARED / "fixtures" / "apa7"
SEED = SHARED / "seed" / "the-healing-power-of-tears.txt"
IN_CI = os.environ.get("CI", "").lower() == "true"


# The fast tier (``make test-fast``) leaves these out: modules that lay out PDFs for byte or pixel comparisons,
# run validators (EPUBCheck, Ace, pdftotext) or start processes; and any test using the built real book.
SLOW_MODULES = {"test_accessibility", "test_cli", "test_epub", "test_libraries", "test_output", "test_parallel",
                "test_parts", "test_pdf", "test_pdf_languages", "test_press", "test_print", "test_reproducible",
                "test_safety", "test_speedups", "test_engine", "test_pdf_structure", "test_makeup"}
SLOW_FIXTURES = {"built", "checked"}


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        module = item.module.__name__.rsplit(".", 1)[-1] if item.module else ""
        if module in SLOW_MODULES or SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


def said(line: str, expected: str) -> bool:
    """Whether a printed finding line begins as ``expected`` does ("…" stands for any text).

    The CLI prints paths from the working directory, so a book in a temporary folder is named by its
    full path: the line may begin with the folders above the book (or with ``publish:`` for a finding
    without a place).
    """
    pattern = ".*?".join(re.escape(part) for part in expected.split("\u2026"))
    return re.match(rf"(?:.*/|publish: )?{pattern}", line) is not None


def require_tool(name: str) -> None:
    """Skip on a developer machine without the tool; under CI a missing tool is a failure."""
    if shutil.which(name) is None:
        if IN_CI:
            pytest.fail(f"{name} is required under CI (.ci/run installs it)")
        pytest.skip(f"{name} is not installed")


def require_shared(path: Path) -> Path:
    """A file of ../shared (fixtures, seed): skipped without it on a developer's clone, required under CI."""
    if not path.exists():
        if IN_CI:
            pytest.fail(f"{path} is required under CI (../shared beside the repository)")
        pytest.skip(f"{path} is not available (../shared is not beside this clone)")
    return path


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("dist")
    code = main(["build", str(BOOK), "--out-dir", str(out), "-q"])
    assert code == 0
    epub = next(out.glob("*.epub"))
    pdf = next(out.glob("*.pdf"))
    return {"epub": epub, "pdf": pdf, "dir": out}


@pytest.fixture(scope="session")
def checked(built) -> dict:
    """``publish check`` on the built real book, once: the suite's one Ace run on it."""
    import contextlib
    import io

    stream = io.StringIO()
    with contextlib.redirect_stderr(stream):
        code = main(["check", str(BOOK), "-q", "--out-dir", str(built["dir"])])
    reports = list(built["dir"].glob("*-accessibility.html"))
    return {"code": code, "stderr": stream.getvalue(), "report": reports[0] if reports else None}


def write_book(root: Path, chapters: dict[str, str], refs: str | None = None, extra_yaml: str = "",
               bib_name: str = "references.json") -> Path:
    """Make a small complete book in ``root`` (tests build variations of it)."""
    (root / "chapters").mkdir(parents=True, exist_ok=True)
    names = []
    for name, text in chapters.items():
        (root / "chapters" / name).write_text(text, encoding="utf-8")
        names.append(f"  - chapters/{name}")
    bib = ""
    if refs is not None:
        (root / bib_name).write_text(refs, encoding="utf-8")
        bib = f"bibliography: {bib_name}\n"
    (root / "book.yaml").write_text(
        "title: Test Book\nlanguage: en-GB\nidentifier: urn:uuid:12345678-1234-4234-8234-123456789abc\n"
        "date: '2026-01-02'\npublisher: Test Practice\nauthors: [A. Author]\n"
        f"chapters:\n{chr(10).join(names)}\n{bib}{extra_yaml}",
        encoding="utf-8",
    )
    return root

"""In a real browser (headless Chromium through tools/ace's puppeteer): the preview refreshes an open page on
a save and shows a citation typo's finding over it; axe-core finds no WCAG 2.2 A/AA violation in the web
edition, which reflows at 320 CSS px and turns dark under a dark colour scheme."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest
from conftest import BOOK, ROOT, require_tool

from publish.cli import main

pytestmark = pytest.mark.slow
SCRIPT = ROOT / "tests" / "browser" / "web.js"


def _browser(*args: str) -> dict:
    require_tool("chromium")
    require_tool("node")
    if not (ROOT / "tools" / "ace" / "node_modules" / "puppeteer").is_dir():
        pytest.skip("puppeteer is not installed (make tools/ace/node_modules/.installed)")
    done = subprocess.run(["node", str(SCRIPT), *args], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_web_edition_has_no_wcag_violation_reflows_and_follows_a_dark_scheme(tmp_path):
    dist = tmp_path / "dist"
    dist.mkdir()
    for kind in ("epub", "pdf"):  # the download links are checked too (their files need not be real here)
        (dist / f"mental-health-matters.{kind}").write_bytes(b"x" * 2048)
    assert main(["html", str(BOOK), "--out-dir", str(dist / "web"), "--downloads", str(dist), "-q"]) == 0
    pages = sorted((dist / "web").glob("*.html"))
    assert [p.name for p in pages] == ["ch01.html", "index.html"]
    index = (dist / "web" / "index.html").read_text(encoding="utf-8")
    assert 'href="mental-health-matters.epub"' in index and 'href="mental-health-matters.pdf"' in index
    results = _browser("axe", *(page.as_uri() for page in pages))
    for url, schemes in results.items():
        for scheme, seen in schemes.items():
            assert seen["violations"] == [], (url, scheme)
            assert seen["overflow"] <= 0 and seen["overflowAt200"] <= 0, (url, scheme, seen)
        light = [int(n) for n in re.findall(r"\d+", schemes["light"]["background"])]
        dark = [int(n) for n in re.findall(r"\d+", schemes["dark"]["background"])]
        assert min(light[:3]) > 200 and max(dark[:3]) < 50, (url, schemes)


def test_the_open_page_follows_an_edit_and_shows_a_typos_finding(tmp_path):
    book = tmp_path / "book"
    shutil.copytree(BOOK, book)
    chapter = book / "chapters" / "01-the-healing-power-of-tears.md"
    server = subprocess.Popen([sys.executable, "-m", "publish", "serve", str(book), "--port", "0",
                               "--downloads", str(tmp_path / "dist")], cwd=ROOT,
                              stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        address = None
        for line in server.stderr:
            found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
            if found:
                address = found.group(0)
                break
        assert address is not None
        seen = _browser("edit", address + "ch01.html", str(chapter))
        assert seen["typo"] and "c-001" in seen["overlay"] and "01-the-healing-power-of-tears.md:" in seen["overlay"]
        assert seen["recovered"]
        assert server.poll() is None  # the server kept running through the bad input
    finally:
        server.terminate()
        server.wait(30)
    assert server.returncode == 0

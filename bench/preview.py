"""The preview's latency: from saving a one-article edit to the new page being served, on the real book and a
synthetic 50-article series (``python -m bench.preview``; ``make bench`` runs it too).

For each book it starts ``publish serve`` in this process on a free port,
measures the time to the first page, opens the event stream the page's
script listens to, then saves an edit to one article EDITS times and times,
for each, the save → the ``state`` event that makes the browser reload →
the changed page fetched.  What is left to the browser (reloading and
painting one page) is not in these numbers: the test in tests/test_preview_browser.py
sees a whole round trip in Chromium.  Reported, never asserted.
"""

from __future__ import annotations

import argparse
import http.client
import io
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path

from .corpus import make_series

ROOT = Path(__file__).resolve().parent.parent
EDITS = 7


def _get(port: int, path: str) -> bytes:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path)
    data = connection.getresponse().read()
    connection.close()
    return data


def _next_state(stream) -> None:
    """Read the event stream up to the next ``state`` event."""
    while True:
        line = stream.readline()
        if not line:
            raise SystemExit("the event stream closed")
        if line.startswith(b"event: state"):
            stream.readline()
            return


def measure(book: Path, article: str) -> dict[str, float]:
    """Time to the first page, and the save → new page times of EDITS one-sentence edits to ``article``."""
    from publish.preview.server import serve

    started: list = []
    start = time.perf_counter()
    thread = threading.Thread(target=serve, args=(book, "127.0.0.1", 0, book / "no-downloads", io.StringIO(),
                                                  lambda findings: None, started.append), daemon=True)
    thread.start()
    while not started:
        time.sleep(0.005)
    server = started[0]
    port = server.server_address[1]
    _get(port, "/")
    first = time.perf_counter() - start
    events = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    events.request("GET", "/__publish/events")
    stream = events.getresponse()
    _next_state(stream)
    source = book / "chapters" / article
    page = "/" + _page_of(book, article)
    times = []
    for n in range(EDITS):
        marker = f"Edit number {n} of the benchmark."
        text = source.read_text(encoding="utf-8").rstrip("\n") + f"\n\n{marker}\n"
        time.sleep(0.3)  # apart, as an author's saves are
        begin = time.perf_counter()
        source.write_text(text, encoding="utf-8")
        _next_state(stream)
        if marker.encode() not in _get(port, page):
            raise SystemExit(f"the edit did not reach {page}")
        times.append(time.perf_counter() - begin)
    events.close()
    server.shutdown()
    return {"first": first, "median": statistics.median(times), "worst": max(times)}


def _page_of(book: Path, article: str) -> str:
    from publish.source.schema import read_config

    config, _ = read_config(book)
    names = [str(Path(name).name) for name in config.get("chapters")]
    return f"ch{names.index(article) + 1:02d}.html"


def report(results: dict[str, dict[str, float]]) -> str:
    lines = ["Preview (publish serve): save → the page reloaded with the edit served "
             f"(median and worst of {EDITS} edits; the browser's own reload not included)", "",
             f"{'book':<28}{'first page s':>14}{'median s':>10}{'worst s':>10}"]
    for name, result in results.items():
        lines.append(f"{name:<28}{result['first']:>14.2f}{result['median']:>10.3f}{result['worst']:>10.3f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=50, help="articles in the synthetic series (default 50)")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="publish-bench-preview-"))
    try:
        real = work / "book"
        shutil.copytree(ROOT / "book", real)
        series = make_series(work / "series", args.articles)
        chapters = sorted(p.name for p in (series / "chapters").glob("*.md"))
        results = {
            "the real book": measure(real, "01-the-healing-power-of-tears.md"),
            f"series of {args.articles}, one article": measure(series, chapters[len(chapters) // 2]),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(report(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

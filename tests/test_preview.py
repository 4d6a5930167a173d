"""``publish serve``: only the book's pages on 127.0.0.1, a save shows in the page, a finding shows over it,
and the server outlives bad input (in this process; tests/test_preview_browser.py drives Chromium)."""

from __future__ import annotations

import http.client
import io
import json
import threading
import time

import pytest
from conftest import write_book

from publish.preview.server import serve
from publish.preview.state import Preview

REFS = json.dumps([
    {"id": "smith2020", "type": "book", "title": "A Book", "author": [{"family": "Smith", "given": "Jo"}],
     "issued": {"date-parts": [[2020]]}, "publisher": "Press"},
    {"id": "jones2019", "type": "book", "title": "Another", "author": [{"family": "Jones", "given": "Al"}],
     "issued": {"date-parts": [[2019]]}, "publisher": "Press"},
])
FIRST = "---\ntitle: First\n---\n\nThe first article cites [@smith2020].\n"
SECOND = "---\ntitle: Second\n---\n\nThe second article cites [@jones2019].\n"


class Running:
    """A preview server in a thread, its port, what it printed, and a reader of its event stream."""

    def __init__(self, book, host="127.0.0.1"):
        self.out = io.StringIO()
        self.reported: list = []
        started: list = []
        self.thread = threading.Thread(target=serve, args=(book, host, 0, book.parent / "dist", self.out,
                                                           self.reported.append, started.append), daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 60
        while not started and time.monotonic() < deadline:
            time.sleep(0.01)
        self.server = started[0]
        self.port = self.server.server_address[1]
        self.events = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        self.events.request("GET", "/__publish/events")
        self.stream = self.events.getresponse()
        self.state = self.next_state()

    def get(self, path: str) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        connection.request("GET", path)  # sent as written: http.client does not tidy "/../"
        response = connection.getresponse()
        data = response.read()
        connection.close()
        return response.status, data

    def next_state(self) -> dict:
        while True:
            line = self.stream.readline()
            assert line, "the event stream closed"
            if line.startswith(b"data: {"):
                return json.loads(line[6:])

    def stop(self) -> None:
        self.events.close()
        self.server.shutdown()
        self.thread.join(10)


@pytest.fixture
def running(tmp_path):
    book = write_book(tmp_path / "book", {"01.md": FIRST, "02.md": SECOND}, REFS)
    server = Running(book)
    yield server, book
    server.stop()


def test_it_answers_on_this_computer_only_and_serves_the_books_pages(running):
    server, _ = running
    assert server.server.server_address[0] == "127.0.0.1"
    status, page = server.get("/")
    assert status == 200 and b"ch01.html" in page and b"/__publish/preview.js" in page
    assert server.get("/ch02.html")[0] == 200 and server.get("/css/web.css")[0] == 200
    assert server.get("/__publish/preview.js")[0] == 200
    assert "ready in" in server.out.getvalue()


ESCAPES = ["/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/%252e%252e/etc/passwd", "/..%2f..%2fetc%2fpasswd",
           "/.%2e/.%2e/etc/passwd", "//etc/passwd", "/css/", "/css", "/chapters/01.md", "/chapters/",
           "/book.yaml", "/references.json", "/ch01.html/..", "/%00", "/index.html%00.md"]


def test_nothing_outside_the_books_pages_is_served(running):
    server, _ = running
    for path in ESCAPES:
        status, data = server.get(path)
        assert status == 404 and b"root:" not in data and b"title:" not in data, path


def test_a_request_for_another_host_is_refused(running):
    """A web page that rebinds its own name to 127.0.0.1 cannot read the book through the browser."""
    server, _ = running
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("GET", "/ch01.html", headers={"Host": f"evil.example:{server.port}"})
    assert connection.getresponse().status == 403
    connection.close()
    connection = http.client.HTTPConnection("localhost", server.port, timeout=10)
    connection.request("GET", "/ch01.html")
    assert connection.getresponse().status == 200
    connection.close()


def test_a_save_shows_in_the_page_a_typo_shows_its_finding_and_the_server_recovers(running):
    server, book = running
    chapter = book / "chapters" / "01.md"
    chapter.write_text(FIRST.replace("The first article", "The edited article"), encoding="utf-8")
    state = server.next_state()
    assert state["version"] > server.state["version"]
    assert b"The edited article" in server.get("/ch01.html")[1]
    chapter.write_text(FIRST.replace("@smith2020", "@smiht2020"), encoding="utf-8")
    state = server.next_state()
    lines = [f["where"] + ": " + f["text"] for f in state["findings"]]
    assert any(line.startswith("chapters/01.md:5:") and "error c-001 unknown citation key '@smiht2020'; did you "
               "mean '@smith2020'?" in line for line in lines), lines
    assert b"The edited article" in server.get("/ch01.html")[1]  # the last good page stays
    assert any(f.code == "c-001" for f in server.reported[-1])  # and the terminal said it
    chapter.write_text(FIRST.replace("The first article", "The fixed article"), encoding="utf-8")
    state = server.next_state()
    assert not [f for f in state["findings"] if "error" in f["text"]]
    assert b"The fixed article" in server.get("/ch01.html")[1]


def test_a_chapter_that_cannot_be_read_is_a_finding_not_the_end(running):
    server, book = running
    chapter = book / "chapters" / "02.md"
    chapter.write_bytes(b"---\ntitle: Second\n---\n\nBad \xff byte.\n")
    state = server.next_state()
    assert any("f-002" in f["text"] for f in state["findings"])
    assert server.get("/ch02.html")[0] == 200
    (book / "book.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    state = server.next_state()
    assert any("y-001" in f["text"] for f in state["findings"])
    assert server.get("/")[0] == 200


def _preview(tmp_path) -> tuple[Preview, object]:
    book = write_book(tmp_path / "book", {"01.md": FIRST, "02.md": SECOND}, REFS)
    preview = Preview(book, tmp_path / "dist")
    assert preview.load() == "loaded the whole book"
    return preview, book


def test_an_edit_loads_only_its_article_and_reuses_the_books_citations(tmp_path):
    preview, book = _preview(tmp_path)
    before = dict(preview.files)
    chapter = book.resolve() / "chapters" / "01.md"
    chapter.write_text(FIRST + "\nA new paragraph, citing again [@smith2020].\n", encoding="utf-8")
    assert preview.update({chapter}) == "updated ch01.html"
    assert b"A new paragraph" in preview.files["ch01.html"] and preview.files["ch01.html"].count(b"Smith") >= 3
    assert preview.files["ch02.html"] is before["ch02.html"]  # not rendered again
    assert preview.update({chapter}) == ""  # saved again unchanged: nothing to do


def test_an_image_new_to_an_article_is_served_with_it(tmp_path):
    import shutil

    from conftest import BOOK

    preview, book = _preview(tmp_path)
    picture = next(p for p in (BOOK.parent / "tests" / "books" / "figure").rglob("*.png"))
    (book / "images").mkdir()
    shutil.copy(picture, book / "images" / "new.png")
    preview.load()  # the new file is known to the book folder
    chapter = book.resolve() / "chapters" / "01.md"
    chapter.write_text(FIRST + "\n![A picture of something](../images/new.png)\n", encoding="utf-8")
    assert preview.update({chapter}) == "updated ch01.html"
    names = [name for name in preview.files if name.startswith("images/")]
    assert names and preview.files[names[0]] == picture.read_bytes()
    assert f'src="{names[0]}"'.encode() in preview.files["ch01.html"]


def test_citing_another_work_formats_the_citations_again(tmp_path):
    preview, book = _preview(tmp_path)
    chapter = book.resolve() / "chapters" / "01.md"
    chapter.write_text(FIRST + "\nAnd [@jones2019, p. 4].\n", encoding="utf-8")
    assert preview.update({chapter}) == "updated ch01.html, and the book's citations"
    assert b'id="ref-jones2019"' in preview.files["ch01.html"]


def test_a_newly_cited_work_shows_at_once_then_as_the_book_formats_it(tmp_path, monkeypatch):
    """The article alone first (fast in a long series), then the book's pass: two versions, both with the work."""
    preview, book = _preview(tmp_path)
    served = []
    publish = preview._publish

    def record(files, findings):
        served.append(dict(files) if files is not None else None)
        publish(files, findings)

    monkeypatch.setattr(preview, "_publish", record)
    before = dict(preview.files)
    chapter = book.resolve() / "chapters" / "01.md"
    chapter.write_text(FIRST + "\nAnd [@jones2019, p. 4].\n", encoding="utf-8")
    assert preview.update({chapter}) == "updated ch01.html, and the book's citations"
    assert len(served) == 2 and all(b'id="ref-jones2019"' in files["ch01.html"] for files in served)
    assert served[0]["ch02.html"] is before["ch02.html"]  # the first pass renders the edited article only


def test_a_new_title_renders_the_index_and_the_neighbours_again(tmp_path):
    preview, book = _preview(tmp_path)
    chapter = book.resolve() / "chapters" / "02.md"
    chapter.write_text(SECOND.replace("title: Second", "title: Renamed"), encoding="utf-8")
    assert preview.update({chapter}) == "updated ch02.html"
    assert b"Renamed" in preview.files["index.html"] and b"Next: Renamed" in preview.files["ch01.html"]


def test_book_yaml_loads_the_whole_book_again(tmp_path):
    preview, book = _preview(tmp_path)
    yaml = book.resolve() / "book.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace("Test Book", "Other Title"), encoding="utf-8")
    assert preview.update({yaml}) == "loaded the whole book"
    assert b"Other Title" in preview.files["index.html"]


def test_polling_sees_a_save_without_watchfiles(tmp_path):
    from publish.preview.watch import poll

    (tmp_path / "a.md").write_text("one", encoding="utf-8")
    stop = threading.Event()
    seen: list = []

    def collect():
        for batch in poll(tmp_path, stop, interval=0.02):
            seen.append(batch)
            stop.set()

    thread = threading.Thread(target=collect, daemon=True)
    thread.start()
    time.sleep(0.1)
    (tmp_path / ".hidden.swp").write_text("editor", encoding="utf-8")
    (tmp_path / "a.md").write_text("two, longer", encoding="utf-8")
    thread.join(5)
    assert seen == [{tmp_path / "a.md"}]


def test_the_server_works_when_polling(tmp_path, monkeypatch):
    monkeypatch.setenv("PUBLISH_WATCH", "poll")
    book = write_book(tmp_path / "book", {"01.md": FIRST}, REFS)
    server = Running(book)
    try:
        (book / "chapters" / "01.md").write_text(FIRST.replace("first", "polled"), encoding="utf-8")
        server.next_state()
        assert b"The polled article" in server.get("/ch01.html")[1]
    finally:
        server.stop()


def test_a_book_with_errors_from_the_start_shows_them_and_builds_once_fixed(tmp_path):
    book = write_book(tmp_path / "book", {"01.md": FIRST.replace("@smith2020", "@nobody")}, REFS)
    server = Running(book)
    try:
        assert any("c-001" in f["text"] for f in server.state["findings"])
        status, page = server.get("/")
        assert status == 200 and b"/__publish/preview.js" in page  # a page to show the findings on
        assert server.get("/ch01.html")[0] == 404
        (book / "chapters" / "01.md").write_text(FIRST, encoding="utf-8")
        state = server.next_state()
        assert not any("error" in f["text"] for f in state["findings"])
        assert b"The first article" in server.get("/ch01.html")[1]
    finally:
        server.stop()

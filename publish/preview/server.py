"""``publish serve``: an HTTP server for the web edition in memory, and a watcher that keeps it current.

* It answers on 127.0.0.1 unless ``--host`` names another address.
* It serves exactly the files of the web edition (a path is looked up in
  that mapping, never on the disk: ``/../../etc/passwd``, encoded or not, is
  simply not one of them), and the EPUB and PDF offered for download; no
  folder is ever listed.
* Every page carries one script, only here: it listens to
  ``/__publish/events`` (server-sent events), reloads the page when the book
  changed, and shows the findings over it with their file, line and message.
* A save is seen by :mod:`publish.preview.watch`, the pages are brought up
  to date by :class:`publish.preview.state.Preview`, and the terminal says
  what was done and how long it took.  Bad input is a finding, never the
  end of the server; it recovers when the source is fixed.
"""

from __future__ import annotations

import contextlib
import json
import logging
import mimetypes
import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files as package_files
from pathlib import Path
from urllib.parse import unquote, urlsplit

from publish.findings import Finding, Severity
from publish.i18n import strings
from publish.preview.state import Preview, internal_error, timed
from publish.preview.watch import changes
from publish.web.html import Head, document

log = logging.getLogger(__name__)
EVENTS, SCRIPT_PATH = "/__publish/events", "/__publish/preview.js"
KEEP_ALIVE = 15.0  # seconds between comments on an idle event stream (proxies close silent ones)
TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8", ".xml": "application/xml",
         ".svg": "image/svg+xml", ".epub": "application/epub+zip", ".pdf": "application/pdf"}


def _state(preview: Preview, version: int, findings: list[Finding]) -> str:
    """What the page's script is told: the version, the findings as lines, and the overlay's words."""
    language = preview.book.metadata.language if preview.book else "en"
    words = strings(language)
    shown = sorted((f for f in findings if f.severity > 0), key=lambda f: -f.severity)  # errors first
    lines = [{"where": str(f.location or ""), "text": f.render("").lstrip(": ")} for f in shown]
    errors = sum(f.severity is Severity.ERROR for f in shown)
    counts = (("web.errors_count", errors), ("web.warnings_count", len(shown) - errors))
    summary = " ".join(words(key, count=count) for key, count in counts if count)
    return json.dumps({"version": version, "findings": lines, "errors": errors, "title": words("web.problems"),
                       "summary": summary, "dismiss": words("web.dismiss")})


class Handler(BaseHTTPRequestHandler):
    """GET and HEAD on the site's own files; everything else is 404 or 405."""

    preview: Preview
    server_version = "publish-preview"

    def log_message(self, format: str, *args: object) -> None:  # the standard library's names
        log.debug("%s %s", self.address_string(), format % args)

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def do_GET(self) -> None:
        self._answer(body=True)

    def _send(self, status: int, content_type: str, data: bytes, body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _foreign_host(self) -> bool:
        """On a loopback address, a request naming another host is a web page's DNS rebinding: refused."""
        bound = self.server.server_address[0]
        if bound not in ("127.0.0.1", "::1", "localhost"):
            return False
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0].strip("[]").lower()
        return host not in ("127.0.0.1", "::1", "localhost")

    def _answer(self, body: bool) -> None:
        if self._foreign_host():
            return self._send(HTTPStatus.FORBIDDEN, "text/plain; charset=utf-8", b"forbidden\n", body)
        path = urlsplit(self.path).path
        if path == EVENTS and body:
            return self._events()
        if path == SCRIPT_PATH:
            script = (package_files("publish.preview") / "preview.js").read_bytes()
            return self._send(HTTPStatus.OK, "text/javascript; charset=utf-8", script, body)
        site = self.preview.snapshot()[1]
        name = unquote(path).removeprefix("/") or "index.html"
        data = site.get(name)
        if data is None:
            data = self._download(name)
        if data is None and not site and name == "index.html":  # nothing built yet: a page to show the findings on
            data = _placeholder(self.preview)
        if data is None:
            return self._send(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"not found\n", body)
        kind = TYPES.get(Path(name).suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
        self._send(HTTPStatus.OK, kind, data, body)

    def _download(self, name: str) -> bytes | None:
        offered = {path.name: path for path in self.preview.offered.values()}
        if name in offered:
            with contextlib.suppress(OSError):
                return offered[name].read_bytes()
        return None

    def _events(self) -> None:
        """Server-sent events: the state now, then again whenever it changes, until the page goes away."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        version = -1
        try:
            self.wfile.write(b"retry: 300\n\n")
            while not getattr(self.server, "stopping", False):
                now = self.preview.wait(version, KEEP_ALIVE)
                if now == version:
                    self.wfile.write(b": still here\n\n")
                else:
                    version, _, findings = self.preview.snapshot()
                    self.wfile.write(f"event: state\ndata: {_state(self.preview, version, findings)}\n\n".encode())
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            return

    def do_POST(self) -> None:
        self._send(HTTPStatus.METHOD_NOT_ALLOWED, "text/plain; charset=utf-8", b"method not allowed\n", True)

    do_PUT = do_DELETE = do_POST


def _placeholder(preview: Preview) -> bytes:
    """A page with nothing but the preview's script, shown until the book first builds without errors."""
    return document("en", Head(title="publish serve", scripts=(SCRIPT_PATH,)), [], "")


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True
    stopping = False


def make_server(preview: Preview, host: str, port: int) -> PreviewServer:
    handler = type("BoundHandler", (Handler,), {"preview": preview})
    return PreviewServer((host, port), handler)


def watch(preview: Preview, stop: threading.Event, say: Callable[[str], None],
          report: Callable[[list[Finding]], None]) -> None:
    """Apply every change the watcher sees; a bug becomes an x-001 shown in the page, never the end."""
    shown = list(preview.findings)
    for paths in changes(preview.root, stop):
        try:
            what, seconds = timed(preview.update, paths)
        except Exception as exc:  # the server outlives a bug in one update
            log.debug("update failed", exc_info=True)
            preview._publish(None, [*preview.findings, internal_error(exc)])
            what, seconds = "", 0.0
        findings = preview.snapshot()[2]
        if findings != shown:
            report(findings)
            shown = findings
        if what:
            say(f"… {what}: {seconds:.2f} s")


def serve(book_dir: Path, host: str, port: int, downloads: Path, out, report: Callable[[list[Finding]], None],
          ready: Callable[[PreviewServer], None] | None = None) -> int:
    """Run the preview until Ctrl-C; 0 then, 1 when the address cannot be taken."""
    def say(text: str) -> None:
        print(text, file=out, flush=True)

    start = time.perf_counter()
    preview = Preview(book_dir, downloads)
    try:
        server = make_server(preview, host, port)
    except OSError as exc:
        say(f"publish: error f-006 cannot answer on {host}:{port}: {exc.strerror or exc}; "
            "choose another port with --port")
        return 1
    stop = threading.Event()
    what, _ = timed(preview.load)
    report(preview.snapshot()[2])
    address = f"[{host}]" if ":" in host else host
    say(f"… {what}; ready in {time.perf_counter() - start:.2f} s: http://{address}:{server.server_address[1]}/ "
        "(Ctrl-C stops)")
    watcher = threading.Thread(target=watch, args=(preview, stop, say, report), daemon=True, name="publish-watch")
    watcher.start()
    if ready is not None:
        ready(server)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        say("… stopped")
    finally:
        stop.set()
        server.stopping = True
        with preview.changed:
            preview.changed.notify_all()
        server.server_close()
    return 0

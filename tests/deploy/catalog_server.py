"""A real loopback server in the Microsoft Update Catalog's URL layout, serving update files with
HTTP Range, and the faults downloads must survive. For tests and benchmarks.

    with CatalogServer() as server:                 # http://127.0.0.1:PORT/
        server.put_search("4022233", html)           # GET  Search.aspx?q=KB4022233
        server.put_dialog(update_id, html)           # POST DownloadDialog.aspx (form updateIDs=[{...}])
        server.put_file("/c/msdownload/a.cab", b"…") # GET with Range; a Path is served with sendfile
        server.cut("/c/msdownload/a.cab", after=1000)     # close the connection after 1000 bytes, once
        server.ignore_range("/c/msdownload/a.cab")        # answer 200 with the whole file to a Range
        server.raw("/c/msdownload/a.cab", 200, b"<html>…", "text/html")  # any answer instead
        server.fail("/c/msdownload/a.cab", 503, times=2)  # then the file
        server.redirect("/old.cab", "http://127.0.0.1:PORT/new.cab")
        server.hold("/c/msdownload/a.cab", gate)           # answer only once the threading.Event is set
        server.count("/c/msdownload/a.cab"), server.requests

Standard library only: a `ThreadingHTTPServer` on a free loopback port, in a daemon thread, quiet.
"""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Self
from urllib.parse import parse_qs, unquote, urlsplit

_RANGE = re.compile(r"bytes=(\d+)-(\d*)$")


class CatalogServer:
    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict[str, str], str]] = []  # (method, path, headers, body)
        self._lock = threading.Lock()
        self._searches: dict[str, str] = {}
        self._dialogs: dict[str, str] = {}
        self._files: dict[str, bytes | Path] = {}
        self._raw: dict[str, tuple[int, bytes, str]] = {}
        self._cuts: dict[str, list[int]] = {}
        self._no_range: set[str] = set()
        self._fails: dict[str, list[int]] = {}
        self._redirects: dict[str, str] = {}
        self._delays: dict[str, float] = {}
        self._holds: dict[str, threading.Event] = {}
        self.active = 0  # file answers in progress, and the most at once
        self.max_active = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- content

    def put_search(self, kb: str, html: str) -> None:
        self._searches[kb.upper().removeprefix("KB")] = html

    def put_dialog(self, update_id: str, html: str) -> None:
        self._dialogs[update_id.lower()] = html

    def put_file(self, path: str, data: bytes | Path) -> None:
        self._files[path] = data

    def raw(self, path: str, status: int, body: bytes | str, content_type: str = "text/html; charset=utf-8") -> None:
        self._raw[path] = (status, body.encode("utf-8") if isinstance(body, str) else body, content_type)

    def cut(self, path: str, *, after: int, times: int = 1) -> None:
        """The next `times` answers for `path` stop after `after` bytes of the body (the connection closes)."""
        self._cuts[path] = [after] * times

    def fail(self, path: str, status: int, *, times: int = 1) -> None:
        self._fails[path] = [status] * times

    def delay(self, path: str, seconds: float) -> None:
        """Wait before answering `path` (so answers overlap in time)."""
        self._delays[path] = seconds

    def hold(self, path: str, gate: threading.Event) -> None:
        """Answers for `path` wait until `gate` is set (a download stays in flight as long as a test needs)."""
        self._holds[path] = gate

    def redirect(self, path: str, location: str) -> None:
        self._redirects[path] = location

    def ignore_range(self, path: str) -> None:
        self._no_range.add(path)

    def clear(self, path: str) -> None:
        """Forget every fault and raw answer set for `path`: it serves its file again."""
        for faults in (self._raw, self._cuts, self._fails, self._redirects, self._delays, self._holds):
            faults.pop(path, None)
        self._no_range.discard(path)

    def count(self, path: str, method: str = "GET") -> int:
        with self._lock:
            return sum(1 for m, p, _h, _b in self.requests if m == method and p == path)

    # --- lifecycle

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    def __enter__(self) -> Self:
        owner = self

        class Handler(_Handler):
            server_owner = owner

        self._server = _QuietServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        pass  # a client that hangs up mid-file (cancel, a refused answer) is part of the tests


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_owner: CatalogServer

    def log_message(self, *args) -> None:
        pass

    def _record(self, body: str = "") -> str:
        path = unquote(urlsplit(self.path).path)
        with self.server_owner._lock:
            self.server_owner.requests.append((self.command, path, {k.lower(): v for k, v in self.headers.items()}, body))
        return path

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        path = self._record()
        owner = self.server_owner
        with owner._lock:
            fails = owner._fails.get(path)
            failing = fails.pop(0) if fails else None
        if failing is not None:
            return self._send(failing, b"<html><body>busy</body></html>", "text/html")
        if path in owner._redirects:
            self.send_response(302)
            self.send_header("Location", owner._redirects[path])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if path in owner._raw:
            status, body, kind = owner._raw[path]
            return self._send(status, body, kind)
        if path.lower().endswith("/search.aspx"):
            query = parse_qs(urlsplit(self.path).query).get("q", [""])[0]
            html = owner._searches.get(query.strip().upper().removeprefix("KB"))
            if html is None:
                return self._send(200, _NO_RESULTS.replace("{q}", query).encode(), "text/html; charset=utf-8")
            return self._send(200, html.encode("utf-8"), "text/html; charset=utf-8")
        data = owner._files.get(path)
        if data is None:
            return self._send(404, b"<html><body>404 not found</body></html>", "text/html")
        with owner._lock:
            owner.active += 1
            owner.max_active = max(owner.max_active, owner.active)
        try:
            if path in owner._delays:
                time.sleep(owner._delays[path])
            if path in owner._holds:
                owner._holds[path].wait(30)
            self._serve_file(path, data)
        finally:
            with owner._lock:
                owner.active -= 1

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace")
        path = self._record(body)
        owner = self.server_owner
        if path in owner._raw:
            status, raw, kind = owner._raw[path]
            return self._send(status, raw, kind)
        if path.lower().endswith("/downloaddialog.aspx"):
            form = parse_qs(body)
            try:
                ids = [item["updateID"].lower() for item in json.loads(form.get("updateIDs", ["[]"])[0])]
            except (ValueError, KeyError, TypeError):
                return self._send(500, b"<html><head><title>Error</title></head><body>Error number: 8DDD0010</body></html>", "text/html")
            for update_id in ids:
                if update_id in owner._dialogs:
                    return self._send(200, owner._dialogs[update_id].encode("utf-8"), "text/html; charset=utf-8")
        self._send(404, b"<html><body>404 not found</body></html>", "text/html")

    def _serve_file(self, path: str, data: bytes | Path) -> None:
        owner = self.server_owner
        size = data.stat().st_size if isinstance(data, Path) else len(data)
        start, end = 0, size - 1
        match = _RANGE.match(self.headers.get("Range", "").strip())
        partial = bool(match) and path not in owner._no_range
        if partial:
            start = int(match.group(1))
            end = int(match.group(2)) if match.group(2) else size - 1
            if start >= size:
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{size}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
        length = end - start + 1
        with owner._lock:
            cuts = owner._cuts.get(path)
            cut = cuts.pop(0) if cuts else None
        self.send_response(206 if partial else 200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(length))
        self.send_header("Accept-Ranges", "bytes")
        if partial:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.end_headers()
        send = length if cut is None else max(0, min(length, cut - start))
        if isinstance(data, Path):
            with open(data, "rb") as fh:
                self.wfile.flush()
                self.connection.sendfile(fh, offset=start, count=send)
        else:
            self.wfile.write(data[start:start + send])
        if cut is not None:
            self.wfile.flush()
            self.close_connection = True
            try:
                self.connection.shutdown(2)
            except OSError:
                pass


_NO_RESULTS = """<html><head><title>Microsoft Update Catalog</title></head><body>
<div id="contentSection"><span id="ctl00_catalogBody_noResultText">We did not find any results for "{q}".</span></div>
</body></html>"""

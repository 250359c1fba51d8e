"""A loopback upstream that misbehaves in time and size, for the download deadline and size-limit tests.

`GET /updates` answers the index for the months given; `GET /cvrf/<ID>` answers as `mode` says:
- "drip": Content-Length `total`, then one byte every `interval` seconds (a server that never finishes
  in time, but never lets any single read wait long);
- "chunked": a chunked body of `total` bytes with no Content-Length, sent as fast as the client reads;
- "announce": a Content-Length of `total` but only a few bytes, then the connection stays open.
It counts the body bytes it managed to send, so a test can see that the client hung up early.
Standard library only; a daemon thread per connection.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.mirror import index_entry


class SlowUpstream:
    def __init__(self, months: list[str], *, mode: str, total: int, interval: float = 0.1) -> None:
        self.months, self.mode, self.total, self.interval = months, mode, total, interval
        self.sent = 0
        self.finished = threading.Event()  # set when a body was sent to the end
        self._stop = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.upstream = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    def __enter__(self) -> SlowUpstream:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        upstream: SlowUpstream = self.server.upstream  # type: ignore[attr-defined]
        try:
            if self.path.rstrip("/").endswith("/updates"):
                body = json.dumps({"value": [index_entry(m) for m in upstream.months]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            if upstream.mode == "chunked":
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                self._chunked(upstream)
            else:
                self.send_header("Content-Length", str(upstream.total))
                self.end_headers()
                if upstream.mode == "drip":
                    self._drip(upstream)
                else:
                    self.wfile.write(b"{")
                    self.wfile.flush()
                    upstream._stop.wait(60)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client hung up: what the tests expect

    def _drip(self, upstream: SlowUpstream) -> None:
        for _ in range(upstream.total):
            if upstream._stop.is_set():
                return
            self.wfile.write(b" ")
            self.wfile.flush()
            upstream.sent += 1
            time.sleep(upstream.interval)
        upstream.finished.set()

    def _chunked(self, upstream: SlowUpstream) -> None:
        chunk = b" " * 65536
        while upstream.sent < upstream.total and not upstream._stop.is_set():
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            upstream.sent += len(chunk)
        self.wfile.write(b"0\r\n\r\n")
        upstream.finished.set()

    def log_message(self, format: str, *args) -> None:
        pass

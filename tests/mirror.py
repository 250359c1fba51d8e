"""A real local HTTP server in the MSRC CVRF API layout, for tests and benchmarks.

    with MirrorServer(root) as mirror:          # root: a folder with `updates`, `cvrf/<ID>`, `cvrf/<ID>.xml`
        mirror.put_month("2024-Jul", doc)       # or documents held in memory
        mirror.fail("/cvrf/2024-Jul", status=503, times=2)
        client = MsrcClient(mirror.url)         # "http://127.0.0.1:PORT/"
        ...
        assert mirror.count("/cvrf/") == 3

It answers `GET updates` and `GET cvrf/<ID>` like the real API: JSON when the Accept header asks for
it, the XML document otherwise (JSON again when there is no XML). Faults are per path: fail N times
(or always) with a status, delay before answering (to trip client timeouts), hold the answer until the
test releases it (`hold`: a request in flight for as long as the test needs, whatever the machine's
speed), or serve any raw body (malformed, truncated, empty). Every request is recorded, faulted or not. Standard library only: a
`ThreadingHTTPServer` on a free loopback port, in a daemon thread, logging nothing.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "application/xml; charset=utf-8"
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


@dataclass
class _Fault:
    status: int
    remaining: int | None  # None: fail every time


def _path(path: str) -> str:
    """'cvrf/2024-Jul?x=1' → '/cvrf/2024-Jul': how faults and documents are keyed."""
    path = unquote(urlsplit(path).path)
    return path if path.startswith("/") else "/" + path


def _as_bytes(body: bytes | str | dict | list) -> bytes:
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    return json.dumps(body, separators=(",", ":")).encode("utf-8")


def index_entry(month_id: str, current: str | None = None) -> dict:
    """An index entry for a month ID, in the API's shape (dates on the 10th: enough for tests)."""
    year, abbr = month_id.split("-")
    month = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec").index(abbr) + 1
    released = f"{year}-{month:02d}-10T08:00:00Z"
    return {"ID": month_id, "Alias": month_id, "DocumentTitle": f"{_MONTHS[month - 1]} {year} Security Updates",
            "Severity": None, "InitialReleaseDate": released, "CurrentReleaseDate": current or released,
            "CvrfUrl": f"https://api.msrc.microsoft.com/cvrf/v3.0/cvrf/{month_id}"}


class MirrorServer:
    """Serve `root` (optional) plus in-memory documents on http://127.0.0.1:<free port>/."""

    def __init__(self, root: Path | str | None = None) -> None:
        self.root = Path(root) if root is not None else None
        self.requests: list[tuple[str, str, dict[str, str]]] = []  # (method, raw path, lower-cased headers)
        self._lock = threading.Lock()
        self._json: dict[str, bytes] = {}
        self._xml: dict[str, bytes] = {}
        self._raw: dict[str, tuple[int, bytes, str]] = {}
        self._faults: dict[str, _Fault] = {}
        self._delays: dict[str, float] = {}
        self._holds: dict[str, threading.Event] = {}
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle

    def start(self) -> MirrorServer:
        if self._server is not None:
            return self
        self._stopping.clear()
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True  # a handler still sleeping in a delay must not hold up stop()
        server.mirror = self  # type: ignore[attr-defined]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="mirror-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._stopping.set()  # wakes delayed handlers
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> MirrorServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the mirror is not running: use start() or `with MirrorServer(...)`")
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        """The API base, with a trailing slash: `url + "updates"`, `url + "cvrf/2024-Jul"`."""
        return f"http://127.0.0.1:{self.port}/"

    # --- documents

    def put_index(self, entries: dict | list, *, bare: bool = False) -> None:
        """The `updates` document. A dict is served as is; a list is wrapped as the API does
        ({"value": [...]}) unless bare=True. List items may be month IDs ("2024-Jul"): they become
        full index entries."""
        if isinstance(entries, list):
            entries = [index_entry(e) if isinstance(e, str) else e for e in entries]
            if not bare:
                entries = {"@odata.context": "https://api.msrc.microsoft.com/$metadata#Updates", "value": entries}
        with self._lock:
            self._json["/updates"] = _as_bytes(entries)

    def put_month(self, month_id: str, document: bytes | str | dict, xml: bytes | str | None = None) -> None:
        """`cvrf/<month_id>`: the JSON document, and optionally the XML one for non-JSON requests."""
        path = _path(f"cvrf/{month_id}")
        with self._lock:
            self._json[path] = _as_bytes(document)
            if xml is not None:
                self._xml[path] = _as_bytes(xml)

    def serve_raw(self, path: str, body: bytes | str, status: int = 200, content_type: str = JSON_TYPE) -> None:
        """Answer `path` with exactly this body and status, whatever the Accept header."""
        with self._lock:
            self._raw[_path(path)] = (status, _as_bytes(body), content_type)

    # --- faults

    def fail(self, path: str, status: int = 500, times: int | None = None) -> None:
        """Answer `path` with `status` the next `times` requests (None: every request), then normally."""
        with self._lock:
            self._faults[_path(path)] = _Fault(status, times)

    def delay(self, path: str, seconds: float) -> None:
        """Wait `seconds` before answering `path` (0 removes the delay)."""
        with self._lock:
            if seconds > 0:
                self._delays[_path(path)] = seconds
            else:
                self._delays.pop(_path(path), None)

    def hold(self, path: str) -> threading.Event:
        """Answer `path` only once the returned event is set (stopping the server releases it too)."""
        gate = threading.Event()
        with self._lock:
            self._holds[_path(path)] = gate
        return gate

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()
            self._delays.clear()
            self._raw.clear()
            for gate in self._holds.values():
                gate.set()
            self._holds.clear()

    # --- what was asked

    def count(self, prefix: str = "/") -> int:
        """GET requests whose path starts with `prefix` ("/cvrf/" counts every month fetched)."""
        prefix = _path(prefix) if prefix else "/"
        with self._lock:
            return sum(1 for method, path, _ in self.requests if method == "GET" and _path(path).startswith(prefix))

    def reset_requests(self) -> None:
        with self._lock:
            self.requests.clear()

    # --- answering (called from handler threads)

    def _answer(self, method: str, raw_path: str, headers: dict[str, str]) -> tuple[int, bytes, str]:
        path = _path(raw_path)
        with self._lock:
            self.requests.append((method, raw_path, headers))
            delay = self._delays.get(path, 0.0)
            gate = self._holds.get(path)
        if delay:
            self._stopping.wait(delay)
        while gate is not None and not gate.wait(0.05) and not self._stopping.is_set():
            pass
        with self._lock:
            fault = self._faults.get(path)
            if fault is not None and fault.remaining != 0:
                if fault.remaining is not None:
                    fault.remaining -= 1
                return fault.status, _as_bytes({"error": {"code": str(fault.status), "message": "injected fault"}}), JSON_TYPE
            if path in self._raw:
                return self._raw[path]
            wants_json = "json" in headers.get("accept", "").lower()
            if not wants_json and path in self._xml:
                return 200, self._xml[path], XML_TYPE
            if path in self._json:
                return 200, self._json[path], JSON_TYPE
        return self._from_root(path, wants_json)

    def _from_root(self, path: str, wants_json: bool) -> tuple[int, bytes, str]:
        if self.root is not None and ".." not in path.split("/"):
            file = self.root / path.lstrip("/")
            xml = file.with_name(file.name + ".xml")
            if not wants_json and xml.is_file():
                return 200, xml.read_bytes(), XML_TYPE
            if file.is_file():
                return 200, file.read_bytes(), JSON_TYPE
        return 404, _as_bytes({"error": {"code": "NotFound", "message": f"no document at {path}"}}), JSON_TYPE


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the real API and httpx use

    def do_GET(self) -> None:
        self._reply(send_body=True)

    def do_HEAD(self) -> None:
        self._reply(send_body=False)

    def _reply(self, send_body: bool) -> None:
        mirror: MirrorServer = self.server.mirror  # type: ignore[attr-defined]
        headers = {name.lower(): value for name, value in self.headers.items()}
        status, body, content_type = mirror._answer(self.command, self.path, headers)
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if send_body:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test): nothing to answer

    def log_message(self, format: str, *args) -> None:  # quiet: tests read `requests` instead
        pass

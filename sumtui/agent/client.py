"""The agent's HTTP side: calls to the management point with retries and backoff on network
failures and 5xx, so a server that is down for a while costs nothing but time.

A 2xx answer that is not JSON (a proxy's HTML page, a captive portal) is an error, never taken for
an acknowledgement; what the JSON must hold is checked by the caller (`agent/answers.py`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from sumtui import __version__


class ServerError(Exception):
    """The management point refused a call (4xx) or stayed unreachable; `status` is None when unreachable."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class NotProtocol(ServerError):
    """Something answered, but not as a sumtui management point does: nothing it says is acknowledged."""


class AgentClient:
    def __init__(self, server: str, *, token: str | None = None, retries: int = 4, backoff: float = 1.0,
                 timeout: float = 30.0, sleep: Callable[[float], None] = time.sleep,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.server = server.rstrip("/") + "/"
        self.token = token
        self.retries = retries
        self.backoff = backoff
        self.sleep = sleep
        self._http = httpx.Client(base_url=self.server, timeout=timeout, transport=transport,
                                  headers={"User-Agent": f"sumtui-agent/{__version__}"})

    def close(self) -> None:
        self._http.close()

    def call(self, method: str, path: str, *, json: dict | None = None) -> tuple[int, Any]:
        """(status, decoded JSON) of a 2xx answer; ServerError for a refusal or when unreachable."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        last = ""
        for attempt in range(self.retries + 1):
            try:
                response = self._http.request(method, path, json=json, headers=headers)
            except httpx.HTTPError as exc:
                last = f"{method} {self.server}{path}: {type(exc).__name__}: {str(exc).strip()[:120] or 'no answer'}"
            else:
                if response.status_code < 300:
                    try:
                        return response.status_code, response.json()
                    except ValueError:
                        kind = response.headers.get("content-type", "no content type").split(";")[0]
                        raise NotProtocol(f"{method} {path}: HTTP {response.status_code} with {kind}, not a "
                                          f"management point's JSON: {_snippet(response.text)}", response.status_code) from None
                message = _error_text(response)
                if response.status_code < 500:
                    raise ServerError(f"{method} {path}: HTTP {response.status_code}: {message}", response.status_code)
                last = f"{method} {path}: HTTP {response.status_code}: {message}"
            if attempt < self.retries:
                self.sleep(self.backoff * (2**attempt))
        raise ServerError(f"{last} (gave up after {self.retries + 1} attempts)")


    def fetch(self, path: str, target, *, offset: int = 0, chunk: int = 1024 * 1024) -> int:
        """Download `path` into the open binary file `target`, from byte `offset` (HTTP Range) when it is
        not 0; returns the HTTP status (200: from the start, 206: resumed). ServerError for a refusal or
        a network failure (the caller keeps what it has and resumes later)."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        if offset:
            headers["Range"] = f"bytes={offset}-"
        try:
            with self._http.stream("GET", path, headers=headers) as response:
                if response.status_code >= 300:
                    response.read()
                    raise ServerError(f"GET {path}: HTTP {response.status_code}: {_error_text(response)}", response.status_code)
                if response.status_code == 200 and offset:
                    target.seek(0)
                    target.truncate()
                for block in response.iter_bytes(chunk):
                    target.write(block)
                return response.status_code
        except httpx.HTTPError as exc:
            raise ServerError(f"GET {self.server}{path}: {type(exc).__name__}: {str(exc).strip()[:120] or 'no answer'}") from None


def _snippet(text: str) -> str:
    return " ".join(text.split())[:80].encode("unicode_escape").decode("ascii") or "(empty)"


def _error_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return _snippet(response.text)
    return str(body.get("error") or body)[:300] if isinstance(body, dict) else str(body)[:300]

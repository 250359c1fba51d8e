"""MSRC CVRF API client (httpx, async): the index of monthly documents and one month at a time.

Month URLs are built from the configured base and the month ID, never from the index's CvrfUrl, so a
mirror or an upstream sumtui works the same. Timeouts, connection errors and 5xx are retried with
exponential backoff; anything else fails at once with a one-line reason.

`timeout` is a deadline for a whole download (connect, headers and every byte of the body), not for
each read: a server that drips a byte a second is cut off. Bodies are streamed and refused as soon as
they pass `max_size` (announced by Content-Length or counted while reading), so a huge or endless body
never sits in memory beyond the limit.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

import httpx

from sumtui import __version__
from sumtui.catalog.cvrf import MAX_DOCUMENT_BYTES, too_large
from sumtui.catalog.errors import BadDocument, UpstreamError
from sumtui.catalog.settings import parse_month

_MONTHLY_ID = re.compile(r"^\d{4}-[A-Za-z]{3}$")


@dataclass(frozen=True)
class IndexEntry:
    id: str
    alias: str | None
    title: str | None
    initial_release: str | None
    current_release: str | None  # what tells a sync whether to re-fetch the month

    @property
    def month(self) -> date | None:
        try:
            return parse_month(self.id)
        except ValueError:
            return None

    @property
    def is_monthly_security(self) -> bool:
        """Monthly security update documents only: not "Mariner Release Notes", not empty "-B" extras."""
        return bool(_MONTHLY_ID.match(self.id)) and "security update" in (self.title or "").lower()


def parse_index(data: bytes, *, name: str) -> list[IndexEntry]:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise BadDocument(f"{name}: the index is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise BadDocument(f"{name}: malformed index JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    items = doc.get("value") if isinstance(doc, dict) else doc
    if not isinstance(items, list):
        raise BadDocument(f'{name}: not an MSRC index (expected {{"value": [...]}} or a list of documents)')
    entries = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("ID"), str):
            continue
        entries.append(
            IndexEntry(
                id=item["ID"].strip(),
                alias=_s(item.get("Alias")),
                title=_s(item.get("DocumentTitle")),
                initial_release=_s(item.get("InitialReleaseDate")),
                current_release=_s(item.get("CurrentReleaseDate")),
            )
        )
    return entries


def _s(value) -> str | None:
    return value.strip() if isinstance(value, str) else None


@dataclass(frozen=True)
class Answer:
    body: bytes
    content_type: str | None


class MsrcClient:
    """Use as `async with MsrcClient(url) as client:`."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 1.0,
        max_size: int = MAX_DOCUMENT_BYTES,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_size = max_size
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            headers={"User-Agent": f"sumtui/{__version__}"},
            follow_redirects=True,
            transport=transport,
        )

    async def __aenter__(self) -> MsrcClient:
        return self

    async def __aexit__(self, *exc) -> None:
        await self._client.aclose()

    def month_url(self, month_id: str) -> str:
        return f"{self.base_url}cvrf/{quote(month_id)}"

    async def index(self) -> list[IndexEntry]:
        url = f"{self.base_url}updates"
        answer = await self._get(url)
        return parse_index(answer.body, name=url)

    async def month(self, month_id: str) -> tuple[bytes, str | None, str]:
        """One month's document: (body, content type, url)."""
        url = self.month_url(month_id)
        answer = await self._get(url)
        return answer.body, answer.content_type, url

    async def _get(self, url: str) -> Answer:
        attempts = self.retries + 1
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                async with asyncio.timeout(self.timeout):
                    answer = await self._download(url)
            except (TimeoutError, httpx.TimeoutException):
                if last:
                    raise UpstreamError(
                        f"GET {url}: timed out after {attempts} attempt{'s' if attempts > 1 else ''} (each "
                        f"allowed {self.timeout:g} s for the whole document)"
                    ) from None
            except httpx.TransportError as exc:
                if last:
                    raise UpstreamError(f"GET {url}: cannot connect ({_reason(exc)}) after {attempts} attempts") from None
            except _HttpStatus as status:
                retryable = status.code >= 500 or status.code == 429
                if not retryable or last:
                    tries = f" after {attempts} attempts" if retryable else ""
                    raise UpstreamError(f"GET {url}: HTTP {status.code} {status.reason}{tries}") from None
            else:
                return answer
            await asyncio.sleep(self.backoff * (2**attempt))
        raise AssertionError("unreachable")

    async def _download(self, url: str) -> Answer:
        async with self._client.stream("GET", url, headers={"Accept": "application/json"}) as response:
            if response.status_code >= 400:
                raise _HttpStatus(response.status_code, response.reason_phrase)
            announced = response.headers.get("content-length")
            if announced and announced.isdigit() and int(announced) > self.max_size:
                raise too_large(url, int(announced), self.max_size)
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > self.max_size:
                    raise too_large(url, None, self.max_size)
            return Answer(bytes(body), response.headers.get("content-type"))


class _HttpStatus(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"HTTP {code}")
        self.code, self.reason = code, reason


def _reason(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]

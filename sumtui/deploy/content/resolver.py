"""Resolving KBs to their files through the Microsoft Update Catalog (httpx, async), the way real
tools do it: `GET Search.aspx?q=KB…` for the update rows, then for each row wanted
`POST DownloadDialog.aspx` with `updateIDs=[{"size":0,"updateID":…,"uidInfo":…}]` for its files.

Rows are kept when they show one of the update's products (`matching`); files when they are in one
of the site's languages and of the product's architecture. Every KB gets its own answer: its files,
or the one-line reason it has none (no such update, none for this product, none in these languages,
a page the parser no longer understands), so one bad KB never hides the others.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Self
from urllib.parse import quote

import httpx

from sumtui import __version__
from sumtui.deploy.content.catalog_pages import (
    DialogFile,
    SearchRow,
    parse_dialog,
    parse_search,
)
from sumtui.deploy.content.errors import CatalogUnavailable, ContentError
from sumtui.deploy.content.matching import (
    architecture,
    architecture_matches,
    language_matches,
    rows_for_products,
)
from sumtui.deploy.content.names import check_file_name
from sumtui.deploy.content.urls import CATALOG_URL
from sumtui.errors import one_line
from sumtui.text import escape_controls


@dataclass(frozen=True)
class Wanted:
    """A KB to resolve, and the catalog products (id, name) it is wanted for; none: every row."""

    kb: str
    products: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ResolvedFile:
    kb: str
    update_id: str
    title: str
    products: str  # the catalog row's Products column
    classification: str
    file_name: str
    url: str  # as the catalog gave it; `UrlPolicy.fetch_url` says what is fetched
    sha1: str
    sha256: str | None
    size: int | None
    languages: tuple[str, ...]
    architectures: tuple[str, ...]
    product_ids: tuple[str, ...] = ()  # the wanted products this file serves

    def as_row(self) -> dict:
        """The CLI contract's row (`sumtui content resolve --format json`)."""
        return {"kb": self.kb, "update_id": self.update_id, "title": self.title, "products": self.products,
                "classification": self.classification, "file_name": self.file_name, "url": self.url,
                "sha1": self.sha1, "sha256": self.sha256, "size": self.size, "languages": list(self.languages),
                "architectures": list(self.architectures), "product_ids": list(self.product_ids)}


@dataclass
class KbResolution:
    kb: str
    files: list[ResolvedFile] = field(default_factory=list)
    error: str | None = None
    notes: list[str] = field(default_factory=list)
    # For each wanted product id, the reason it got no file (the KB itself may still have files).
    unmatched: dict[str, str] = field(default_factory=dict)


class CatalogClient:
    """`async with CatalogClient(url) as catalog:` then `await catalog.search(kb)`, `await catalog.dialog(id)`."""

    def __init__(self, base_url: str = CATALOG_URL, *, timeout: float = 30.0, retries: int = 3, backoff: float = 1.0,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.retries, self.backoff = retries, backoff
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            headers={"User-Agent": f"sumtui/{__version__}"}, follow_redirects=True, transport=transport,
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc) -> None:
        await self._client.aclose()

    def search_url(self, kb: str) -> str:
        return f"{self.base_url}Search.aspx?q=KB{quote(kb)}"

    async def search(self, kb: str):
        url = self.search_url(kb)
        response = await self._request("GET", url)
        return parse_search(_text(response), name=_where(url, response))

    async def dialog(self, update_id: str):
        url = f"{self.base_url}DownloadDialog.aspx"
        body = json.dumps([{"size": 0, "languages": "", "uidInfo": update_id, "updateID": update_id}], separators=(",", ":"))
        response = await self._request("POST", url, data={"updateIDs": body})
        return parse_dialog(_text(response), name=f"{_where(url, response)} (update {update_id})")

    async def _request(self, method: str, url: str, **kwargs) -> httpx.Response:
        attempts = self.retries + 1
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                response = await self._client.request(method, url, **kwargs)
            except httpx.TimeoutException:
                if last:
                    raise CatalogUnavailable(f"{method} {url}: timed out after {attempts} attempts") from None
            except httpx.TransportError as exc:
                if last:
                    raise CatalogUnavailable(f"{method} {url}: cannot connect ({one_line(exc)}) after {attempts} attempts") from None
            else:
                if response.status_code < 400:
                    return response
                retryable = response.status_code >= 500 or response.status_code == 429
                if not retryable or last:
                    tries = f" after {attempts} attempts" if retryable else ""
                    raise CatalogUnavailable(f"{method} {url}: HTTP {response.status_code} {response.reason_phrase}{tries}")
            await asyncio.sleep(self.backoff * (2**attempt))
        raise AssertionError("unreachable")


def _text(response: httpx.Response) -> str:
    try:
        return response.text
    except (UnicodeDecodeError, LookupError):
        return response.content.decode("utf-8", "replace")


def _where(url: str, response: httpx.Response) -> str:
    final = str(response.url)
    return url if final == url else f"{url} (redirected to {final})"


async def resolve(
    wanted: Sequence[Wanted],
    *,
    catalog_url: str = CATALOG_URL,
    languages: Sequence[str] | None = None,
    concurrency: int = 4,
    timeout: float = 30.0,
    retries: int = 3,
    backoff: float = 1.0,
    transport: httpx.AsyncBaseTransport | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> list[KbResolution]:
    """One KbResolution per wanted KB, in order. `languages`: the site's language names (None: all).
    `progress(done, total)` after each KB; `cancel()` true makes the KBs not yet asked for answer
    "cancelled"."""
    cancelled = cancel or (lambda: False)
    limit = asyncio.Semaphore(max(1, concurrency))
    done = [0]
    async with CatalogClient(catalog_url, timeout=timeout, retries=retries, backoff=backoff, transport=transport) as catalog:

        async def one(item: Wanted) -> KbResolution:
            try:
                if cancelled():
                    return KbResolution(kb=item.kb, error=f"KB{item.kb}: cancelled")
                return await _resolve_kb(catalog, item, languages=languages, limit=limit)
            except ContentError as exc:
                return KbResolution(kb=item.kb, error=str(exc))
            finally:
                done[0] += 1
                if progress is not None:
                    progress(done[0], len(wanted))

        return list(await asyncio.gather(*(one(item) for item in wanted)))


async def _resolve_kb(catalog: CatalogClient, item: Wanted, *, languages, limit: asyncio.Semaphore) -> KbResolution:
    kb = item.kb
    async with limit:
        page = await catalog.search(kb)
    result = KbResolution(kb=kb)
    if not page.rows:
        result.error = f"KB{kb}: the catalog has no update for it ({catalog.search_url(kb)})"
        return result
    if page.pages and page.pages > 1:
        result.notes.append(f"KB{kb}: the catalog lists {page.total} updates on {page.pages} pages; only the first page was read")
    # Which rows, and for which products.
    targets: dict[str, tuple[SearchRow, list[tuple[str, str]]]] = {}
    if item.products:
        by_name = rows_for_products(page.rows, [name for _pid, name in item.products])
        for product_id, name in item.products:
            rows = by_name.get(name, [])
            if not rows:
                shown = "; ".join(escape_controls(r.title) for r in page.rows[:5])
                result.unmatched[product_id] = f"none of the catalog's {len(page.rows)} row(s) for KB{kb} is for {name} ({shown})"
            for row in rows:
                targets.setdefault(row.update_id, (row, []))[1].append((product_id, name))
    else:
        targets = {row.update_id: (row, []) for row in page.rows}
    if not targets:
        result.error = "; ".join(result.unmatched.values())
        return result

    async def files_of(row: SearchRow):
        async with limit:
            return row, await catalog.dialog(row.update_id)

    answers = await asyncio.gather(*(files_of(row) for row, _products in targets.values()))
    reasons = []
    for row, updates in answers:
        products = targets[row.update_id][1]
        entry = next((u for u in updates if u.update_id == row.update_id), None)
        if entry is None:
            reasons.append(f"KB{kb}: the download dialog for update {row.update_id} describes other updates "
                           f"({', '.join(u.update_id for u in updates)})")
            continue
        if not entry.files:
            reasons.append(f"KB{kb}: the download dialog lists no files for {escape_controls(row.title)} ({row.update_id})")
            continue
        wanted_arch = _wanted_architecture(row, products)
        kept = [f for f in entry.files if language_matches(f, languages) and architecture_matches(f, wanted_arch)]
        if not kept:
            offered = sorted({lang for f in entry.files for lang in (f.long_languages or f.languages)})
            reasons.append(f"KB{kb}: none of the {len(entry.files)} file(s) of {escape_controls(row.title)} is in the "
                           f"site's languages ({', '.join(languages or ())}); offered: {', '.join(offered)}")
            continue
        only = len(entry.files) == 1
        for f in kept:
            result.files.append(_resolved(kb, row, f, size=row.size if only else None, products=products))
    if not result.files:
        result.error = "; ".join(reasons) or f"KB{kb}: no files"
    else:
        result.notes.extend(reasons)
    return result


def _wanted_architecture(row: SearchRow, products: list[tuple[str, str]]) -> str | None:
    for _pid, name in products:
        arch = architecture(name)
        if arch:
            return arch
    return architecture(row.title)


def _resolved(kb: str, row: SearchRow, f: DialogFile, *, size: int | None, products) -> ResolvedFile:
    check_file_name(f.file_name, where=f"KB{kb} ({row.update_id})")
    return ResolvedFile(
        kb=kb, update_id=row.update_id, title=row.title, products=row.products, classification=row.classification,
        file_name=f.file_name, url=f.url, sha1=f.sha1, sha256=f.sha256, size=size, languages=f.languages,
        architectures=f.architectures, product_ids=tuple(pid for pid, _name in products),
    )

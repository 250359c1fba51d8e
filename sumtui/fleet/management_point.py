"""The management point as the site sees it: where agents reach it (a setting), whether it answers
(a probe of its health endpoint), and the command lines that start it and point agents at it.

The console's Management point screen and the prerequisite check both use this, so the verdict an
operator reads is the same in both places. The probe is async (httpx) with a short timeout; callers
in threads wrap it in `asyncio.run`.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from urllib.parse import urlsplit

from pydantic import BaseModel, field_validator
from sqlmodel import Session

from sumtui.db.site_settings import load_setting, save_setting
from sumtui.errors import one_line

KEY = "management_point"
DEFAULT_URL = "http://127.0.0.1:8530/"
PROBE_TIMEOUT = 3.0
HEALTH_PATH = "api/v1/health"


class ManagementPointSettings(BaseModel):
    """The URL agents use for the management point (also what the console probes)."""

    url: str = DEFAULT_URL

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        value = value.strip()
        if not value.startswith(("http://", "https://")):
            raise ValueError("the management point URL must start with http:// or https://")
        if not urlsplit(value).hostname:
            raise ValueError("the management point URL names no host")
        try:
            urlsplit(value).port  # noqa: B018 - raises on a port that is not a number
        except ValueError:
            raise ValueError("the management point URL has a port that is not a number") from None
        # Paths are joined onto it ("api/v1/health"): a base URL always ends in a slash.
        return value if value.endswith("/") else value + "/"


def load(session: Session) -> tuple[ManagementPointSettings, bool]:
    return load_setting(session, key=KEY, model=ManagementPointSettings)


def save(session: Session, settings: ManagementPointSettings) -> None:
    save_setting(session, key=KEY, value=settings)


@dataclass(frozen=True)
class MpStatus:
    """What one probe found. `verdict` is one line for a screen; the figures are set when it answered."""

    url: str
    reachable: bool
    verdict: str
    site: str | None = None
    version: str | None = None
    catalog_updates: int | None = None
    clients: int | None = None
    batches: int | None = None
    reports: int | None = None
    error: str | None = None


def _base(url: str) -> str:
    return url if url.endswith("/") else url + "/"


async def probe(url: str, *, timeout: float = PROBE_TIMEOUT, transport=None) -> MpStatus:
    """GET {url}api/v1/health: is a sumtui management point answering there, and what does it say?"""
    import httpx

    base = _base(url.strip())
    target = base + HEALTH_PATH
    try:
        async with httpx.AsyncClient(timeout=timeout, transport=transport, follow_redirects=True) as client:
            response = await client.get(target, headers={"Accept": "application/json"})
    except httpx.TimeoutException:
        return MpStatus(base, False, f"GET {target}: no answer within {timeout:g} s", error="timeout")
    except httpx.HTTPError as exc:
        return MpStatus(base, False, f"GET {target}: {one_line(exc)}", error=one_line(exc))
    if response.status_code >= 400:
        # Something listens there, but not a management point of this version (or a proxy refuses).
        return MpStatus(base, False, f"GET {target}: HTTP {response.status_code} {response.reason_phrase}",
                        error=f"HTTP {response.status_code}")
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict) or body.get("status") != "ok":
        return MpStatus(base, False, f"{target} answers, but not as a sumtui management point", error="not a management point")

    def number(key: str) -> int | None:
        value = body.get(key)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    status = MpStatus(
        base, True, "", site=str(body.get("site") or "") or None, version=str(body.get("version") or "") or None,
        catalog_updates=number("catalog_updates"), clients=number("clients"), batches=number("batches"),
        reports=number("reports"),
    )
    return _with_verdict(status)


def _with_verdict(status: MpStatus) -> MpStatus:
    from dataclasses import replace

    host = urlsplit(status.url).netloc
    parts = [f"sumtui {status.version}" if status.version else "sumtui", f"site {status.site}" if status.site else None]
    if status.clients is not None:
        parts.append(f"{status.clients:,} client{'s' if status.clients != 1 else ''}")
    if status.reports is not None and status.batches is not None:
        parts.append(f"{status.reports:,} reports in {status.batches:,} batches since it started")
    return replace(status, verdict=f"{host} answers: " + ", ".join(p for p in parts if p))


def host_and_port(url: str) -> tuple[str, int]:
    """Where `sumtui serve` should listen for agents to reach `url`."""
    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return host, port


def serve_command(url: str, *, database: str | None = None) -> str:
    """`sumtui serve …` that answers at `url`. `database`: the site's SQLite file, when it is one, so the
    command opens the same site from any folder."""
    host, port = host_and_port(url)
    db = f"--db {shlex.quote(database)} " if database else ""
    return f"sumtui {db}serve --host {shlex.quote(host)} --port {port}"


def agent_command(url: str, key: str) -> str:
    """The line to run on a client (quoted for a POSIX shell; PowerShell takes it as is for these characters)."""
    return f"sumtui agent --server {shlex.quote(_base(url))} --enroll-key {shlex.quote(key)}"

"""Prerequisite checks (checklist stage 1): can this site store, sync and serve?

Each check gives a one-line verdict and, when it fails, a hint saying what to do. The last report
is kept in the site database so the checklist can tell whether stage 1 is done without re-running
anything. Blocking checks are plain functions; the upstream and management point checks are async (httpx).
"""

from __future__ import annotations

import asyncio
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field
from sqlalchemy import Engine, text
from sqlmodel import Session

from sumtui.db.site_settings import load_setting, save_setting
from sumtui.errors import one_line
from sumtui.timeutil import utcnow

KEY = "prereqs"
UPSTREAM_TIMEOUT = 5.0
OFFLINE_DEMO = "skipped: offline demo"
Status = Literal["ok", "failed", "unavailable"]


class CheckResult(BaseModel):
    key: str
    title: str
    status: Status
    verdict: str
    fix: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"


class PrereqReport(BaseModel):
    checked_at: datetime | None = None
    checks: list[CheckResult] = Field(default_factory=list)

    @property
    def failed(self) -> list[CheckResult]:
        return [c for c in self.checks if c.status == "failed"]

    @property
    def all_green(self) -> bool:
        """Every check that exists today passed; checks for later features don't hold the stage back."""
        return bool(self.checks) and not self.failed and any(c.ok for c in self.checks)


def check_database(engine: Engine) -> CheckResult:
    """Reachable and writable: write a probe row inside a transaction, then roll it back."""
    title = "Site database"
    where = engine.url.database if engine.dialect.name == "sqlite" else engine.url.render_as_string(hide_password=True)
    try:
        with engine.connect() as connection:
            transaction = connection.begin()
            try:
                connection.execute(
                    text("INSERT INTO site_setting (key, value, saved_at) VALUES (:k, '{}', :t)"),
                    {"k": "__prereq_probe__", "t": utcnow()},
                )
            finally:
                transaction.rollback()
    except Exception as exc:
        return CheckResult(
            key="database", title=title, status="failed", verdict=f"cannot write to {where}: {one_line(exc)}",
            fix="check --db / SUMTUI_DB, that the server runs and that this user may write to the database",
        )
    return CheckResult(key="database", title=title, status="ok", verdict=f"{engine.dialect.name} {where}: reachable and writable")


def check_schema(engine: Engine) -> CheckResult:
    from sumtui.db.migrate import current_revision
    from sumtui.db.migrations_head import HEAD

    title = "Database schema"
    try:
        revision = current_revision(engine)
    except Exception as exc:
        return CheckResult(key="schema", title=title, status="failed", verdict=f"cannot read the schema revision: {one_line(exc)}",
                           fix="open the site again with sumtui so that migrations run")
    if revision != HEAD:
        return CheckResult(key="schema", title=title, status="failed",
                           verdict=f"schema at revision {revision or 'none'}, this sumtui expects {HEAD}",
                           fix="restart sumtui: opening a site upgrades its schema (upgrade sumtui if the site is newer)")
    return CheckResult(key="schema", title=title, status="ok", verdict=f"at revision {HEAD} (newest)")


def check_folder(path: Path, *, key: str, title: str) -> CheckResult:
    """Create the folder if needed and prove it is writable with a temporary file."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".sumtui-probe-"):
            pass
    except OSError as exc:
        return CheckResult(key=key, title=title, status="failed", verdict=f"{path}: {exc.strerror or one_line(exc)}",
                           fix="create the folder and give this user write access, or move it in the config file")
    return CheckResult(key=key, title=title, status="ok", verdict=f"{path}: exists and is writable")


async def check_upstream(url: str, *, upstream: str = "msrc", timeout: float = UPSTREAM_TIMEOUT, transport=None) -> CheckResult:
    """GET {url}updates with a short timeout; only the status line is read, not the index."""
    import httpx

    title = "Upstream"
    if upstream == "files":
        return CheckResult(key="upstream", title=title, status="ok", verdict="offline files: nothing to reach (import documents on the Sync screen)")
    target = f"{url if url.endswith('/') else url + '/'}updates"
    host = urlsplit(url).netloc or url
    try:
        async with httpx.AsyncClient(timeout=timeout, follow_redirects=True, transport=transport) as client:
            async with client.stream("GET", target, headers={"Accept": "application/json"}) as response:
                status = response.status_code
                reason = response.reason_phrase
    except httpx.TimeoutException:
        return CheckResult(key="upstream", title=title, status="failed", verdict=f"GET {target}: no answer within {timeout:g} s",
                           fix="check the proxy/firewall, or switch the update point to offline files")
    except httpx.HTTPError as exc:
        return CheckResult(key="upstream", title=title, status="failed", verdict=f"GET {target}: {one_line(exc)}",
                           fix="check the URL in Update point settings, DNS and the network")
    if status >= 400:
        return CheckResult(key="upstream", title=title, status="failed", verdict=f"GET {target}: HTTP {status} {reason}",
                           fix="check the URL in Update point settings (it should end in /cvrf/v3.0/)")
    return CheckResult(key="upstream", title=title, status="ok", verdict=f"{host} answers: HTTP {status} {reason}")


def skipped_offline(key: str, title: str) -> CheckResult:
    """A check of something out on the network that the offline demo cannot reach: not run, not failed."""
    return CheckResult(key=key, title=title, status="unavailable", verdict=OFFLINE_DEMO)


async def check_management_point(url: str, *, timeout: float | None = None, transport=None,
                                 database: str | None = None) -> CheckResult:
    """Probe the management point agents report to (its health endpoint); the fix says how to start it,
    naming this site (`database`: its SQLite file) as the Management point screen does."""
    from sumtui.fleet.management_point import PROBE_TIMEOUT, probe, serve_command

    title = "Management point"
    status = await probe(url, timeout=timeout or PROBE_TIMEOUT, transport=transport)
    if status.reachable:
        return CheckResult(key="management_point", title=title, status="ok", verdict=status.verdict)
    # Without the site named, `sumtui serve` would open the default site, not this one.
    site = "" if database else " with --db or SUMTUI_DB naming this site's database"
    return CheckResult(
        key="management_point", title=title, status="failed", verdict=status.verdict,
        fix=f"start it with `{serve_command(status.url, database=database)}` on the site server{site}, or set its URL "
            "on the Management point screen (:mp)",
    )


async def run_checks_async(
    engine: Engine, *, folders: dict[str, Path], url: str, upstream: str = "msrc", timeout: float = UPSTREAM_TIMEOUT,
    transport=None, mp_url: str | None = None, mp_transport=None, database: str | None = None, offline: bool = False,
) -> PrereqReport:
    """All checks; the blocking ones in threads so they overlap the two HTTP requests.
    `mp_url`: the management point to probe (default: the site's setting). `database`: the site's SQLite
    file, for the fix hints. `offline` (the demo): the upstream out on the internet is not checked, and says
    so, rather than failing in a way a newcomer cannot fix."""
    if mp_url is None:
        mp_url = await asyncio.to_thread(_stored_mp_url, engine)
    skip_upstream = offline and upstream != "files"
    upstream_task = None if skip_upstream else asyncio.ensure_future(
        check_upstream(url, upstream=upstream, timeout=timeout, transport=transport))
    mp_task = asyncio.ensure_future(check_management_point(mp_url, transport=mp_transport, database=database))
    database_check = await asyncio.to_thread(check_database, engine)
    schema = await asyncio.to_thread(check_schema, engine)
    folder_checks = [
        await asyncio.to_thread(check_folder, path, key=f"folder_{name.replace(' ', '_')}", title=f"{name.capitalize()} folder")
        for name, path in folders.items()
    ]
    upstream_check = skipped_offline("upstream", "Upstream") if upstream_task is None else await upstream_task
    checks = [database_check, schema, *folder_checks, upstream_check, await mp_task]
    return PrereqReport(checked_at=utcnow(), checks=checks)


def _stored_mp_url(engine: Engine) -> str:
    from sumtui.fleet.management_point import DEFAULT_URL, load

    try:
        with Session(engine) as session:
            return load(session)[0].url
    except Exception:
        return DEFAULT_URL  # the database check says what is wrong with the database


def run_checks(
    engine: Engine, *, folders: dict[str, Path], url: str, upstream: str = "msrc", timeout: float = UPSTREAM_TIMEOUT,
    transport=None, mp_url: str | None = None, mp_transport=None, database: str | None = None, offline: bool = False,
) -> PrereqReport:
    """Blocking form, for threads with no event loop (console workers, the CLI)."""
    return asyncio.run(
        run_checks_async(engine, folders=folders, url=url, upstream=upstream, timeout=timeout, transport=transport,
                         mp_url=mp_url, mp_transport=mp_transport, database=database, offline=offline)
    )


def save_report(session: Session, report: PrereqReport) -> None:
    save_setting(session, key=KEY, value=report)


def load_report(session: Session) -> PrereqReport | None:
    report, saved = load_setting(session, key=KEY, model=PrereqReport)
    return report if saved else None

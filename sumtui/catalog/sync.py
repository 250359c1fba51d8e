"""Catalog synchronization from the MSRC CVRF API (or a mirror), and offline import of the same documents.

Both record a run; both report progress through a callback so the console (a worker), the CLI (a
rich progress bar) and the server reuse the same code. A month that fails (a bad document, an
upstream error, a database that refuses the write, such as a full disk) is recorded and the run goes
on; nothing already stored is deleted, and a month is stored whole or not at all. Every run ends by
completing the derived data, also what an earlier run that was killed left pending (catalog/versions.py).
Documents over the size limit (catalog/cvrf.py, `max_size`) are refused before they are read whole.
"""

from __future__ import annotations

import asyncio
import contextlib
import stat
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from sumtui.catalog import settings as update_point
from sumtui.catalog.cvrf import MAX_DOCUMENT_BYTES, too_large
from sumtui.catalog.errors import CatalogError
from sumtui.catalog.ingest import finish_pending, ingest_document
from sumtui.catalog.models import Document, SyncRun
from sumtui.catalog.msrc import IndexEntry, MsrcClient
from sumtui.catalog.runs import finish_run, heartbeat, record_error, start_run
from sumtui.catalog.settings import UpdatePointSettings
from sumtui.catalog.store import StoreResult
from sumtui.errors import one_line

# Months downloaded ahead of the one being stored: overlaps network and database, bounds memory.
PREFETCH = 2


@dataclass
class SyncProgress:
    phase: str  # "index" | "month" | "finishing" | "done"
    months_done: int = 0
    months_total: int = 0
    month: str | None = None
    updates_new: int = 0
    updates_revised: int = 0
    failed: int = 0
    message: str = ""


ProgressCallback = Callable[[SyncProgress], None]


@dataclass
class _Tally:
    fetched: int = 0
    unchanged: int = 0
    failed: int = 0
    new: int = 0
    revised: int = 0
    errors: list[tuple[str | None, str]] = field(default_factory=list)

    def stored(self, result: StoreResult) -> None:
        self.fetched += 1
        self.new += result.updates_new
        self.revised += result.updates_revised

    def failure(self, where: str | None, reason: str) -> None:
        self.failed += 1
        self.errors.append((where, reason))


def _settings(engine: Engine) -> UpdatePointSettings:
    with Session(engine) as session:
        return update_point.load(session)[0]


def select_months(
    index: Sequence[IndexEntry], *, months: Sequence[str] = (), since: date | None = None
) -> list[IndexEntry]:
    """Months asked for by ID (even if not monthly security documents or not in the index), else every
    monthly security document from `since` on, oldest first."""
    if months:
        by_id = {e.id.lower(): e for e in index}
        chosen = [by_id.get(m.lower()) or IndexEntry(m, None, None, None, None) for m in dict.fromkeys(months)]
    else:
        # The real index lists some documents twice: fetch each once, as its newest revision says.
        newest: dict[str, IndexEntry] = {}
        for e in index:
            if e.is_monthly_security and (since is None or (e.month and e.month >= since)):
                seen = newest.get(e.id.lower())
                if seen is None or (e.current_release or "") > (seen.current_release or ""):
                    newest[e.id.lower()] = e
        chosen = list(newest.values())
    return sorted(chosen, key=lambda e: (e.month or date.min, e.id))


async def sync_catalog(
    engine: Engine,
    *,
    url: str | None = None,
    since: date | None = None,
    months: Sequence[str] = (),
    force: bool = False,
    progress: ProgressCallback | None = None,
    today: date | None = None,
    timeout: float = 30.0,
    retries: int = 3,
    backoff: float = 1.0,
    max_size: int = MAX_DOCUMENT_BYTES,
) -> SyncRun:
    """Sync months from the upstream. `timeout` is the deadline for each document's download (start to
    finish); bodies over `max_size` bytes are refused while they stream. Cancelling the task stops at
    once (a month being committed lands first) and records the run as cancelled. A month id that is not
    one ("2025-Fbe") is refused with ValueError before anything is fetched or recorded."""
    for month in months:
        update_point.document_id(month)
    settings = await asyncio.to_thread(_settings, engine)
    base = url or settings.url
    notify = progress or (lambda _p: None)
    run = await asyncio.to_thread(_start, engine, "sync", base)
    tally = _Tally()
    try:
        async with MsrcClient(base, timeout=timeout, retries=retries, backoff=backoff, max_size=max_size) as client:
            notify(SyncProgress("index", message=f"reading the index at {base}"))
            try:
                index = await client.index()
            except CatalogError as exc:
                tally.errors.append((None, str(exc)))
                return await asyncio.to_thread(_finish, engine, run, tally, settings, "failed", f"no index: {exc}")
            first = since or settings.first_month(today or date.today())
            wanted = select_months(index, months=months, since=None if months else first)
            stored = await asyncio.to_thread(_stored_revisions, engine)
            selection = settings.selection_key()
            todo = []
            for entry in wanted:
                revision, stored_selection = stored.get(entry.id, (None, None))
                if not force and entry.current_release and revision == entry.current_release and stored_selection == selection:
                    tally.unchanged += 1
                else:
                    todo.append(entry)
            total = len(wanted)
            notify(SyncProgress("month", tally.unchanged, total, message=f"{len(todo)} to fetch, {tally.unchanged} unchanged"))
            await _fetch_and_store(engine, client, todo, settings, tally, notify, total, run.id)
        notify(SyncProgress("finishing", total, total, None, tally.new, tally.revised, tally.failed, "updating supersedence"))
        status = "failed" if tally.failed and not tally.fetched else "partial" if tally.failed else "ok"
        return await asyncio.to_thread(_finish, engine, run, tally, settings, status, None)
    except asyncio.CancelledError:
        await asyncio.to_thread(_finish_quietly, engine, run, tally, settings, "cancelled", "cancelled by the operator")
        raise
    except RunNotRecorded:
        raise
    except Exception as exc:
        # Anything unexpected (a database error, a bug) still closes the run: a run left "running"
        # shows as a sync in progress for ever on Home and in the header.
        await asyncio.to_thread(_finish_quietly, engine, run, tally, settings, "failed", _unexpected(exc))
        raise


async def _fetch_and_store(engine, client, todo, settings, tally: _Tally, notify, total, run_id: int) -> None:
    async def download(entry: IndexEntry):
        try:
            return await client.month(entry.id)
        except CatalogError as exc:
            return exc

    pending: dict[int, asyncio.Task] = {}
    try:
        for i, entry in enumerate(todo):
            for j in range(i, min(i + PREFETCH, len(todo))):
                if j not in pending:
                    pending[j] = asyncio.create_task(download(todo[j]))
            got = await pending.pop(i)
            if isinstance(got, CatalogError):
                tally.failure(entry.id, str(got))
            else:
                body, content_type, month_url = got
                job = asyncio.ensure_future(
                    asyncio.to_thread(
                        _store, engine, body, name=month_url, settings=settings, content_type=content_type,
                        upstream_revision=entry.current_release, max_size=client.max_size,
                    )
                )
                try:
                    result = await asyncio.shield(job)
                except asyncio.CancelledError:
                    await _settle(job, entry, tally)  # the month is being committed: let it land, then stop
                    raise
                except CatalogError as exc:
                    tally.failure(entry.id, str(exc))
                else:
                    tally.stored(result)
            await asyncio.to_thread(_beat, engine, run_id)
            done = tally.unchanged + tally.fetched + tally.failed
            notify(SyncProgress("month", done, total, entry.id, tally.new, tally.revised, tally.failed, f"{entry.id} done"))
    finally:
        for task in pending.values():
            task.cancel()


def _store(engine: Engine, body: bytes, *, name: str, settings, **options) -> StoreResult:
    """One month stored; a database that refuses it (full disk, read-only file) fails that month only."""
    try:
        return ingest_document(engine, body, name=name, source=name, settings=settings, **options)
    except SQLAlchemyError as exc:
        raise CatalogError(f"{name}: not stored: {one_line(exc)}") from exc


def _beat(engine: Engine, run_id: int) -> None:
    try:
        with Session(engine) as session:
            heartbeat(session, run_id=run_id)
    except SQLAlchemyError:
        pass  # only a sign of life for other machines: never a reason to stop the run


async def _settle(job, entry, tally: _Tally) -> None:
    try:
        result = await job
    except CatalogError as exc:
        tally.failure(entry.id, str(exc))
    else:
        tally.stored(result)


def import_files(
    engine: Engine, paths: Iterable[Path | str], *, progress: ProgressCallback | None = None,
    cancelled: Callable[[], bool] | None = None, max_size: int = MAX_DOCUMENT_BYTES,
) -> SyncRun:
    """Offline import (air-gapped sites): the same documents as files, through the same code path. A
    file that cannot be read, parsed or stored is recorded and the others are still imported."""
    files = [Path(p) for p in paths]
    notify = progress or (lambda _p: None)
    settings = _settings(engine)
    run = _start(engine, "import", ", ".join(str(f) for f in files))
    tally = _Tally()
    try:
        for done, path in enumerate(files):
            if cancelled and cancelled():
                return _finish(engine, run, tally, settings, "cancelled", "cancelled by the operator")
            notify(SyncProgress("month", done, len(files), path.name, tally.new, tally.revised, tally.failed, f"importing {path.name}"))
            try:
                data = read_document(path, max_size=max_size)
                result = _import_one(engine, data, path, settings, max_size)
            except CatalogError as exc:
                tally.failure(str(path), str(exc))
            else:
                tally.stored(result)
            if done + 1 < len(files):
                _beat(engine, run.id)
    except BaseException as exc:
        # As for a sync: an interrupted or crashed import must not stay "running".
        interrupted = isinstance(exc, KeyboardInterrupt)
        _finish_quietly(engine, run, tally, settings, "cancelled" if interrupted else "failed",
                        "cancelled by the operator" if interrupted else _unexpected(exc))
        raise
    notify(SyncProgress("finishing", len(files), len(files), None, tally.new, tally.revised, tally.failed, "updating supersedence"))
    status = "failed" if tally.failed and not tally.fetched else "partial" if tally.failed else "ok"
    return _finish(engine, run, tally, settings, status, None)


def read_document(path: Path, *, max_size: int = MAX_DOCUMENT_BYTES) -> bytes:
    """A document file's bytes; one over `max_size` is refused from its size, before it is read. A file
    is read in one buffer of its own size (never one of the limit's size); a pipe or device, whose size
    is unknown, in chunks up to the limit."""
    try:
        info = path.stat()
        if stat.S_ISREG(info.st_mode):
            if info.st_size > max_size:
                raise too_large(str(path), info.st_size, max_size)
            with path.open("rb") as handle:
                data = handle.read(info.st_size)
                if handle.read(1):
                    raise CatalogError(f"{path}: changed while being read; import it again once it is complete")
            return data
        with path.open("rb") as handle:
            buffer = bytearray()
            while chunk := handle.read(min(1 << 20, max_size + 1 - len(buffer))):
                buffer += chunk
                if len(buffer) > max_size:
                    raise too_large(str(path), None, max_size)
            return bytes(buffer)
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read ({exc.strerror or exc})") from None


def _import_one(engine: Engine, data: bytes, path: Path, settings, max_size: int) -> StoreResult:
    try:
        return ingest_document(engine, data, name=str(path), source=str(path.resolve()), settings=settings, max_size=max_size)
    except SQLAlchemyError as exc:
        raise CatalogError(f"{path}: not stored: {one_line(exc)}") from exc


def _unexpected(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"unexpected error: {type(exc).__name__}: {text[0][:300] if text else ''}".rstrip(": ")


def _start(engine: Engine, kind: str, source: str) -> SyncRun:
    with Session(engine, expire_on_commit=False) as session:
        return start_run(session, kind=kind, source=source)


def _stored_revisions(engine: Engine) -> dict[str, tuple[str | None, str | None]]:
    with Session(engine) as session:
        return {d.id: (d.upstream_revision, d.selection) for d in session.exec(select(Document))}


def _finish(engine: Engine, run: SyncRun, tally: _Tally, settings, status: str, message: str | None) -> SyncRun:
    """Close the run: derived data first (this run's months, and any an earlier run left pending),
    then the run's record with its errors."""
    try:
        changes = finish_pending(engine, settings=settings)
    except SQLAlchemyError as exc:
        # The months stay stored and marked pending: the next run derives them.
        tally.errors.append((None, f"supersedence and expiry not updated: {one_line(exc)}; the next run completes them"))
        changes, status = None, "failed"
    run.months_fetched, run.months_unchanged, run.months_failed = tally.fetched, tally.unchanged, tally.failed
    run.updates_new, run.updates_revised = tally.new, tally.revised
    if changes:
        run.updates_superseded, run.updates_expired = changes.newly_superseded, changes.newly_expired
    if changes is not None and not tally.fetched and message is None and not tally.errors:
        message = "completed the supersedence and expiry an interrupted run left pending"
    try:
        with Session(engine, expire_on_commit=False) as session:
            for month, reason in tally.errors:
                record_error(session, run_id=run.id, month=month, reason=reason)
            if message is None and tally.errors:
                message = tally.errors[0][1] if len(tally.errors) == 1 else f"{len(tally.errors)} errors; first: {tally.errors[0][1]}"
            return finish_run(session, run, status=status, message=message)
    except SQLAlchemyError as exc:
        # Left "running", it is recorded as interrupted by the next run or console once this process is gone.
        raise RunNotRecorded(f"the {run.kind} could not be recorded: {one_line(exc)}") from exc


def _finish_quietly(engine: Engine, run: SyncRun, tally: _Tally, settings, status: str, message: str) -> None:
    """`_finish` on the way out of a failure: the original error is the one to report."""
    with contextlib.suppress(Exception):  # already failing; a run left open is reaped as interrupted later
        _finish(engine, run, tally, settings, status, message)


class RunNotRecorded(CatalogError):
    """The run's end could not be written (a full disk, a read-only database): what it stored is kept."""

"""Sync and import runs: the record of what each run fetched, stored and failed, and its history.

A run is "running" from `start_run` to `finish_run`. Its owner (catalog/run_owner.py) is recorded
beside it in the same transaction, so a run whose process died without finishing (kill -9, power
loss) is found and recorded as "interrupted" by the next run or console (`reap_interrupted`),
never left "running" for ever and never confused with a run that is really going on elsewhere.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from sumtui.catalog import run_owner
from sumtui.catalog.models import SyncError, SyncRun
from sumtui.db.site_settings import SiteSetting
from sumtui.timeutil import as_utc, parse_iso, utcnow

FINISHED_OK = ("ok", "partial")
INTERRUPTED = "interrupted"
# A "running" row without an owner (written before owners were recorded) is taken as dead after this.
UNOWNED_STALE_AFTER = timedelta(hours=12)


def owner_key(run_id: int) -> str:
    return f"run.{run_id}.owner"


def start_run(session: Session, *, kind: str, source: str) -> SyncRun:
    """A new run, recorded with its owner; runs left "running" by dead processes are closed first."""
    reap_interrupted(session)
    now = utcnow()
    run = SyncRun(kind=kind, source=source[:1000], started_at=now, status="running")
    session.add(run)
    session.flush()
    session.add(SiteSetting(key=owner_key(run.id), value=json.dumps(run_owner.this_process(now).to_json()), saved_at=now))
    session.commit()
    session.refresh(run)
    return run


def heartbeat(session: Session, *, run_id: int) -> None:
    """The run's process is still at work (seen from other machines, which cannot check its pid)."""
    row = session.get(SiteSetting, owner_key(run_id))
    if row is None:
        return
    owner = run_owner.Owner.from_json(_json(row.value))
    if owner is None:
        return
    now = utcnow()
    row.value, row.saved_at = json.dumps({**owner.to_json(), "beat": now.isoformat()}), now
    session.add(row)
    session.commit()


def reap_interrupted(session: Session, *, now: datetime | None = None) -> list[int]:
    """Record as interrupted every run left "running" by a process that is gone; their ids. Commits
    when it changed something. A run whose process lives (here or, by its heartbeat, elsewhere) is kept."""
    now = now or utcnow()
    reaped = []
    for run in session.exec(select(SyncRun).where(SyncRun.status == "running")).all():
        row = session.get(SiteSetting, owner_key(run.id))
        owner = run_owner.Owner.from_json(_json(row.value)) if row is not None else None
        if owner is not None:
            if run_owner.is_alive(owner, now=now):
                continue
            last_seen = parse_iso(owner.beat) or as_utc(run.started_at)
            message = (f"interrupted: its process ({owner.describe()}) stopped before the run finished; what it "
                       "stored is kept, and the next run completes the rest")
        else:
            if now - as_utc(run.started_at) < UNOWNED_STALE_AFTER:
                continue  # no owner to ask: only time tells
            last_seen = as_utc(run.started_at)
            message = "interrupted: left running by a process that stopped before the run finished"
        # Conditional: two processes reaping at once record it once, and a run that finished meanwhile stays.
        changed = session.execute(
            update(SyncRun.__table__).where(SyncRun.__table__.c.id == run.id, SyncRun.__table__.c.status == "running")
            .values(status=INTERRUPTED, ended_at=last_seen, message=message)
        ).rowcount
        if changed:
            session.execute(delete(SiteSetting.__table__).where(SiteSetting.__table__.c.key == owner_key(run.id)))
            reaped.append(run.id)
        session.expire(run)  # changed behind the ORM's back
    if reaped:
        session.commit()
    return reaped


def _json(text: str) -> object:
    try:
        return json.loads(text)
    except ValueError:
        return None


def record_error(session: Session, *, run_id: int, month: str | None, reason: str) -> None:
    session.add(SyncError(run_id=run_id, month=month, reason=reason, at=utcnow()))
    session.commit()


def finish_run(session: Session, run: SyncRun, *, status: str, message: str | None = None) -> SyncRun:
    run.status = status
    run.ended_at = utcnow()
    run.message = message
    merged = session.merge(run)
    session.execute(delete(SiteSetting.__table__).where(SiteSetting.__table__.c.key == owner_key(run.id)))
    session.commit()
    return merged


def list_runs(session: Session, *, limit: int = 50) -> list[SyncRun]:
    return list(session.exec(select(SyncRun).order_by(col(SyncRun.id).desc()).limit(limit)))


def run_errors(session: Session, *, run_id: int) -> list[SyncError]:
    return list(session.exec(select(SyncError).where(SyncError.run_id == run_id).order_by(col(SyncError.id))))


def last_run(session: Session, *, kind: str | None = None, successful: bool = False) -> SyncRun | None:
    query = select(SyncRun).where(SyncRun.ended_at.is_not(None))
    if kind:
        query = query.where(SyncRun.kind == kind)
    if successful:
        query = query.where(col(SyncRun.status).in_(FINISHED_OK))
    return session.exec(query.order_by(col(SyncRun.id).desc()).limit(1)).first()


def running_run(session: Session) -> SyncRun | None:
    return session.exec(select(SyncRun).where(SyncRun.status == "running").order_by(col(SyncRun.id).desc())).first()


def error_count(session: Session, *, run_id: int) -> int:
    return session.exec(select(func.count()).select_from(SyncError).where(SyncError.run_id == run_id)).one()


def is_due(session: Session, *, interval_hours: int, now=None) -> tuple[bool, SyncRun | None]:
    """Whether a scheduled sync should run now: never synced, or the interval has passed since the last good one."""
    last = last_run(session, kind="sync", successful=True)
    if last is None or last.ended_at is None:
        return True, last
    return (now or utcnow()) - last.ended_at >= timedelta(hours=interval_hours), last


def run_record(run: SyncRun, errors: list[SyncError]) -> dict:
    """The run as `sumtui sync --json` prints it."""
    return {
        "id": run.id,
        "kind": run.kind,
        "source": run.source,
        "status": run.status,
        "started_at": run.started_at.isoformat() if run.started_at else None,
        "ended_at": run.ended_at.isoformat() if run.ended_at else None,
        "months": {"fetched": run.months_fetched, "unchanged": run.months_unchanged, "failed": run.months_failed},
        "updates": {
            "new": run.updates_new,
            "revised": run.updates_revised,
            "superseded": run.updates_superseded,
            "expired": run.updates_expired,
        },
        "errors": [{"month": e.month, "reason": e.reason, "at": e.at.isoformat()} for e in errors],
        "message": run.message,
    }

"""Sync and import runs: the record of what each run fetched, stored and failed, and its history."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from sumtui.catalog.models import SyncError, SyncRun
from sumtui.timeutil import utcnow

FINISHED_OK = ("ok", "partial")


def start_run(session: Session, *, kind: str, source: str) -> SyncRun:
    run = SyncRun(kind=kind, source=source[:1000], started_at=utcnow(), status="running")
    session.add(run)
    session.commit()
    session.refresh(run)
    return run


def record_error(session: Session, *, run_id: int, month: str | None, reason: str) -> None:
    session.add(SyncError(run_id=run_id, month=month, reason=reason, at=utcnow()))
    session.commit()


def finish_run(session: Session, run: SyncRun, *, status: str, message: str | None = None) -> SyncRun:
    run.status = status
    run.ended_at = utcnow()
    run.message = message
    merged = session.merge(run)
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

"""Today's compliance snapshots, every kind at once: one row per collection (Home's and Collections'
trend) and one per update list (the Lists screen's trend). Every place that records the day's compliance
calls this, so a list's history has the same days as the collections'. The caller commits."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from sumtui.compliance.queries import take_snapshot
from sumtui.deploy.list_trend import take_list_snapshots


def take_snapshots(session: Session, *, day: date | None = None, lists: bool = True) -> int:
    """Record today's compliance of every collection and (unless `lists` is False) every update list; the
    number of collections. A list's snapshot reads its updates' states (about a second at 100k clients),
    a collection's only maintained summaries: a caller that snapshots often takes the lists' less often."""
    collections = take_snapshot(session, day=day)
    if lists:
        take_list_snapshots(session, day=day)
    return collections

"""A collection's compliance over time: the daily snapshots (`compliance.queries.take_snapshot`, one row
per day and collection) as percentages, oldest first, for the console's trend plots.

An update list's trend, in the same shape, is `sumtui.deploy.list_trend` (deploy may read compliance,
not the reverse).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from sumtui.compliance.models import ComplianceSnapshot

SNAP = ComplianceSnapshot.__table__


def collection_trend(session: Session, *, collection_id: int, days: int = 30) -> list[tuple[date, float | None]]:
    """(day, % of members compliant) for the last `days` snapshots of the collection, oldest first (None: a
    day the collection had no member)."""
    rows = session.execute(
        select(SNAP.c.day, SNAP.c.compliant, SNAP.c.members).where(SNAP.c.collection_id == collection_id)
        .order_by(SNAP.c.day.desc()).limit(days)).all()
    return [(day, round(100.0 * compliant / members, 1) if members else None) for day, compliant, members in reversed(rows)]

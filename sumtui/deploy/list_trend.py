"""An update list's compliance over time: one snapshot per day and list (`ListComplianceSnapshot`), taken
with the collections' daily snapshots (`sumtui.workflows.snapshots`), and read back as percentages in the
shape `sumtui.compliance.trend.collection_trend` gives, so the console's trend plot shows either.

The figures are per client in All Systems: compliant for the list is a client whose state is known and
that needs none of the list's updates (each installed or not required); required, a client that still
needs at least one. Nothing is committed here (the caller commits).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import case, distinct, func, select
from sqlmodel import Session

from sumtui.compliance.models import FAILED, REQUIRED, ComplianceState
from sumtui.compliance.queries import percent
from sumtui.db.engine import upsert
from sumtui.deploy.models import ListComplianceSnapshot, UpdateList, UpdateListItem
from sumtui.fleet.collections import ensure_all_systems
from sumtui.fleet.models import Collection
from sumtui.timeutil import utcnow

SNAP = ListComplianceSnapshot.__table__
ITEM = UpdateListItem.__table__
CS = ComplianceState.__table__
COL = Collection.__table__


def take_list_snapshots(session: Session, *, day: date | None = None) -> int:
    """Record today's compliance of every update list in All Systems (one row per day and list; a later
    call the same day updates it). Returns the number of lists recorded."""
    day = day or utcnow().date()
    list_ids = list(session.execute(select(UpdateList.id)).scalars())
    if not list_ids:
        return 0
    all_systems = ensure_all_systems(session).id
    # The maintained counts, read from the table: the ORM copy may predate this session's re-evaluation.
    members, reported = session.execute(select(COL.c.members, COL.c.reported).where(COL.c.id == all_systems)).one()
    # Only Required and Failed rows count: Installed needs nothing and Not required is never stored.
    needing = session.execute(
        select(ITEM.c.list_id, func.count(distinct(CS.c.client_id)),
               func.count(distinct(case((CS.c.state == REQUIRED, CS.c.client_id)))))
        .join(CS, CS.c.update_id == ITEM.c.update_id)
        .where(CS.c.state.in_((REQUIRED, FAILED)))
        .group_by(ITEM.c.list_id)
    ).all()
    counts = {list_id: (needs, required) for list_id, needs, required in needing}
    rows = []
    for list_id in list_ids:
        needs, required = counts.get(list_id, (0, 0))
        rows.append(dict(list_id=list_id, day=day, members=members, reported=reported,
                         compliant=max(0, reported - needs), required=required))
    upsert(session, SNAP, rows, keys=[SNAP.c.list_id, SNAP.c.day],
           update=["members", "reported", "compliant", "required"])
    return len(rows)


def list_trend(session: Session, *, list_id: int, days: int = 30) -> list[tuple[date, float | None]]:
    """(day, % of All Systems compliant for the list) for the list's last `days` snapshots, oldest first
    (None: a day the site had no client)."""
    rows = session.execute(
        select(SNAP.c.day, SNAP.c.compliant, SNAP.c.members).where(SNAP.c.list_id == list_id)
        .order_by(SNAP.c.day.desc()).limit(days)).all()
    return [(day, percent(compliant, members)) for day, compliant, members in reversed(rows)]

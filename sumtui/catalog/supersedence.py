"""Superseded and expired flags, recomputed after every sync or import.

An update is superseded when an update for the same product lists its KB in `Supercedence`; it
expires as the update point settings say: at once, or N months after its first superseding update
was released (SCCM's "expire superseded updates" choice).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlmodel import Session

from sumtui.catalog.models import Update, UpdateSupersedes
from sumtui.catalog.settings import UpdatePointSettings
from sumtui.timeutil import utcnow

U = Update.__table__
SUP = UpdateSupersedes.__table__


@dataclass
class FlagChanges:
    newly_superseded: int = 0
    newly_expired: int = 0


def months_before(moment: datetime, months: int) -> datetime:
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, 28)
    return moment.replace(year=year, month=month + 1, day=day)


def refresh_flags(session: Session, *, settings: UpdatePointSettings, now: datetime | None = None) -> FlagChanges:
    now = now or utcnow()
    cutoff = now if settings.supersedence == "immediately" else months_before(now, settings.expire_after_months)
    superseder = U.alias("superseder")
    first_superseded: dict[tuple[str, str], datetime | None] = {}
    for kb, product_id, released in session.execute(
        select(SUP.c.kb, superseder.c.product_id, superseder.c.released).join(superseder, superseder.c.id == SUP.c.update_id)
    ):
        key = (kb, product_id)
        if key not in first_superseded or (released and (first_superseded[key] is None or released < first_superseded[key])):
            first_superseded[key] = released
    changes, rows = FlagChanges(), []
    for row in session.execute(select(U.c.id, U.c.kb, U.c.product_id, U.c.superseded, U.c.expired)):
        key = (row.kb, row.product_id)
        superseded = key in first_superseded
        since = first_superseded.get(key)
        expired = superseded and (settings.supersedence == "immediately" or (since is not None and since <= cutoff))
        if (superseded, expired) != (bool(row.superseded), bool(row.expired)):
            changes.newly_superseded += superseded and not row.superseded
            changes.newly_expired += expired and not row.expired
            rows.append(dict(b_id=row.id, superseded=superseded, expired=expired))
    if rows:
        session.execute(
            U.update().where(U.c.id == bindparam("b_id")).values(superseded=bindparam("superseded"), expired=bindparam("expired")),
            rows,
        )
    return changes

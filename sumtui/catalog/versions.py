"""Durable version counters that make a catalog change and what depends on it one unit.

A sync or an import stores months one transaction at a time, then recomputes the derived data (flags,
derived supersedence) in another, and the fleet is then evaluated against the result. A process killed,
a crash or a full disk between those steps must not leave the next run reporting "unchanged, ok" over
stale derived data or stale compliance states. So the site keeps counters (rows of `site_setting`):

- `catalog.stored`: bumped in the same transaction as every month stored;
- `catalog.derived`: the stored count the derived data was last computed for, set in the derived
  data's own transaction. `stored > derived` means derived work is pending: every run does it;
- `fleet.evaluated` (kept by sumtui.workflows.catalog_changes): the stored count the fleet's states
  were last evaluated against; `evaluated < stored` means states are older than the catalog.

Counters only move through single atomic statements (an upsert that adds one, or that raises a value
to at least n), so two processes storing months or deriving at once never lose a count; a derivation
reads the stored count *before* it reads the catalog, so a month stored meanwhile is derived again by
the next run instead of being marked as done.
"""

from __future__ import annotations

import json

from sqlalchemy import Integer, String, case, cast, select
from sqlmodel import Session

from sumtui.db.engine import dialect_insert
from sumtui.db.site_settings import SiteSetting
from sumtui.timeutil import utcnow

STORED = "catalog.stored"
DERIVED = "catalog.derived"

T = SiteSetting.__table__


def read(session: Session, key: str) -> int | None:
    """The counter's value, or None when it was never written (a site from before the counters)."""
    text = session.execute(select(T.c.value).where(T.c.key == key)).scalar_one_or_none()
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, int) else None


def bump(session: Session, key: str) -> None:
    """Add one, in the caller's transaction (the caller commits)."""
    now = utcnow()
    statement = dialect_insert(session, T).values(key=key, value="1", saved_at=now)
    statement = statement.on_conflict_do_update(
        index_elements=[T.c.key], set_={"value": cast(cast(T.c.value, Integer) + 1, String), "saved_at": now}
    )
    session.execute(statement)


def raise_to(session: Session, key: str, value: int) -> None:
    """Make the counter at least `value`, in the caller's transaction: never moves it back, so of two
    processes finishing in any order, the newer value stays."""
    now = utcnow()
    statement = dialect_insert(session, T).values(key=key, value=str(value), saved_at=now)
    statement = statement.on_conflict_do_update(
        index_elements=[T.c.key],
        set_={"value": case((cast(T.c.value, Integer) < value, str(value)), else_=T.c.value), "saved_at": now},
    )
    session.execute(statement)


def stored(session: Session) -> int:
    return read(session, STORED) or 0


def derived_pending(session: Session) -> bool:
    """Months were stored after the derived data was last computed (a run stopped in between)."""
    return stored(session) > (read(session, DERIVED) or 0)

"""Maintenance windows in the scheduling rules' form (recurrence, wall-clock start, duration, UTC or
client local): what is refused, and the migration that keeps the windows of older sites."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from sumtui.catalog import versions
from sumtui.fleet.collections import (
    WINDOWS_VERSION,
    FleetError,
    add_window,
    delete_window,
    ensure_all_systems,
    windows_of,
)
from sumtui.fleet.models import MaintenanceWindowCreate


def window(**changes) -> MaintenanceWindowCreate:
    values = dict(name="w", recurrence="daily", start=datetime(2026, 12, 1, 2, 0), duration_minutes=120, utc=False)
    values.update(changes)
    return MaintenanceWindowCreate(**values)


@pytest.mark.parametrize(("changes", "message"), [
    ({"duration_minutes": 24 * 60}, "less than 24 hours, not 1440 minutes"),
    ({"duration_minutes": 1500}, "less than 24 hours"),
    ({"duration_minutes": 0}, "more than 0"),
    ({"recurrence": "hourly"}, "recurrence must be one of once, daily, weekly, monthly"),
    ({"start": datetime(2026, 12, 1, 2, 0, tzinfo=UTC)}, "wall-clock time"),
    ({"recurrence": "monthly", "start": datetime(2026, 12, 30, 2, 0)}, "day 1 to 28"),
])
def test_a_window_that_cannot_be_is_refused(sqlite_site, changes, message):
    with sqlite_site.session() as session:
        collection = ensure_all_systems(session)
        with pytest.raises(FleetError, match=message):
            add_window(session, collection, window(**changes))
        assert windows_of(session, collection.id) == []


def test_every_window_change_moves_the_counter_policy_caches_watch(sqlite_site):
    with sqlite_site.session() as session:
        collection = ensure_all_systems(session)
        added = add_window(session, collection, window())
        after_add = versions.read(session, WINDOWS_VERSION)
        with pytest.raises(FleetError, match="no maintenance window with id .* in this collection"):
            delete_window(session, added.id, collection_id=collection.id + 1)
        delete_window(session, added.id, collection_id=collection.id)
        assert versions.read(session, WINDOWS_VERSION) == after_add + 1 >= 2


def test_the_migration_keeps_existing_windows_as_utc_windows(tmp_path):
    from sqlmodel import Session

    from sumtui.db.engine import make_engine
    from sumtui.db.migrate import upgrade
    from sumtui.fleet.models import MaintenanceWindow

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, revision="0006")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO collection (id, name, kind, rule, created_at, members, reported, compliant) "
                          "VALUES (1, 'Servers', 'static', '{}', '2026-01-01 00:00:00', 0, 0, 0)"))
        conn.execute(text("INSERT INTO maintenance_window (id, collection_id, name, start_at, duration_minutes, recurrence, "
                          "enabled) VALUES (7, 1, 'Saturday night', '2026-01-03 22:00:00.000000', 240, 'weekly', 1)"))
    upgrade(engine)
    with Session(engine) as session:
        kept = session.get(MaintenanceWindow, 7)
        assert (kept.name, kept.recurrence, kept.start, kept.duration_minutes, kept.utc) == (
            "Saturday night", "weekly", datetime(2026, 1, 3, 22, 0), 240, True)

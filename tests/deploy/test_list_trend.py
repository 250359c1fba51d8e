"""An update list's daily compliance snapshot and trend: the figures per client for the whole list, one
row per day (a later snapshot the same day replaces it), the trend in the collections' shape, deleted
lists taking their history with them, and a site upgraded from 0008 taking snapshots."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select, text

from sumtui.compliance.trend import collection_trend
from sumtui.deploy import lists
from sumtui.deploy.list_trend import list_trend, take_list_snapshots
from sumtui.deploy.models import ListComplianceSnapshot
from sumtui.fleet.collections import ensure_all_systems
from sumtui.workflows.intake import ingest_inventory
from sumtui.workflows.snapshots import take_snapshots
from tests.compliance.scenario import CU, ROLLUP
from tests.deploy.fleet_fixture import ws

SNAP = ListComplianceSnapshot.__table__
DAY1, DAY2 = date(2026, 11, 30), date(2026, 12, 1)


def _figures(session, list_id, day):
    row = session.execute(select(SNAP.c.members, SNAP.c.reported, SNAP.c.compliant, SNAP.c.required)
                          .where(SNAP.c.list_id == list_id, SNAP.c.day == day)).one()
    return tuple(row)


def _make_lists(session):
    cumulative = lists.create_list(session, name="Cumulative", refs=[f"KB{CU[4]}"]).id
    both = lists.create_list(session, name="Both", refs=[f"KB{CU[4]}", f"KB{ROLLUP[4]}"]).id
    empty = lists.create_list(session, name="Empty").id
    return cumulative, both, empty


def test_a_snapshot_counts_clients_compliant_for_the_whole_list(fleet_site):
    # WS-1 needs CU[4], WS-2 has it, SRV-1 needs ROLLUP[4] (and CU[4] is not for its product).
    site, _ids = fleet_site
    with site.session() as session:
        cumulative, both, empty = _make_lists(session)
        assert take_list_snapshots(session, day=DAY1) == 3
        session.commit()
        assert _figures(session, cumulative, DAY1) == (3, 3, 2, 1)
        assert _figures(session, both, DAY1) == (3, 3, 1, 2)
        assert _figures(session, empty, DAY1) == (3, 3, 3, 0)


def test_the_trend_follows_the_days_in_the_collections_shape(fleet_site):
    site, _ids = fleet_site
    with site.session() as session:
        cumulative, both, _empty = _make_lists(session)
        take_snapshots(session, day=DAY1)
        # WS-1 installs CU[4]: the next day's snapshot shows the Cumulative list compliant everywhere.
        ingest_inventory(session, ws("WS-1", CU[4], zone="Europe/Berlin"))
        take_snapshots(session, day=DAY2)
        take_snapshots(session, day=DAY2)  # a second one the same day replaces the first
        session.commit()
        assert list_trend(session, list_id=cumulative) == [(DAY1, 66.7), (DAY2, 100.0)]
        assert list_trend(session, list_id=both) == [(DAY1, 33.3), (DAY2, 66.7)]
        assert list_trend(session, list_id=cumulative, days=1) == [(DAY2, 100.0)]
        # The same (day, percent or None) points the collection trend gives, so one screen plots both.
        all_systems = collection_trend(session, collection_id=ensure_all_systems(session).id)
        assert [day for day, _pct in all_systems] == [DAY1, DAY2]


def test_a_list_without_a_snapshot_has_an_empty_trend(fleet_site):
    site, _ids = fleet_site
    with site.session() as session:
        cumulative, _both, _empty = _make_lists(session)
        assert list_trend(session, list_id=cumulative) == []
        assert list_trend(session, list_id=cumulative + 100) == []


def test_no_client_yet_gives_days_without_a_figure(catalog_site):
    with catalog_site.session() as session:
        listed = lists.create_list(session, name="Cumulative", refs=[f"KB{CU[4]}"]).id
        take_list_snapshots(session, day=DAY1)
        assert list_trend(session, list_id=listed) == [(DAY1, None)]


def test_a_deleted_list_drops_its_snapshots(fleet_site):
    site, _ids = fleet_site
    with site.session() as session:
        cumulative, both, _empty = _make_lists(session)
        take_list_snapshots(session, day=DAY1)
        take_list_snapshots(session, day=DAY2)
        session.commit()
        lists.delete_list(session, name="Cumulative")
        session.commit()
        left = dict(session.execute(select(SNAP.c.list_id, func.count()).group_by(SNAP.c.list_id)).all())
        assert cumulative not in left and left[both] == 2


def test_a_site_upgraded_from_0008_keeps_its_lists_and_takes_their_snapshots(tmp_path):
    from sumtui.db.engine import make_engine
    from sumtui.db.migrate import current_revision, upgrade
    from sumtui.db.migrations_head import HEAD

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, revision="0008")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO update_list (id, name, name_key, created_at) VALUES (7, 'Old', 'old', '2026-11-01 00:00:00')"))
    upgrade(engine)
    assert current_revision(engine) == HEAD
    from sqlmodel import Session

    with Session(engine) as session:
        assert take_list_snapshots(session, day=DAY1) == 1
        session.commit()
        assert list_trend(session, list_id=7) == [(DAY1, None)]
    engine.dispose()

"""Catalog changes and their derived data as one unit, and runs whose process died.

- every stored month marks derived data pending in its own transaction; the derived data's transaction
  clears it; a run that fetches nothing still completes what a stopped run left pending, and says so;
- the counters never lose a count when several writers bump them at once (threads with their own
  connections; the PostgreSQL leg too);
- a run left "running" is recorded as interrupted only when its process is really gone: a dead pid on
  this machine, a silent heartbeat from another machine, or (with no owner recorded) 12 hours; a run
  whose process lives is never touched, and starting a run reaps the dead ones first.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from datetime import timedelta

from sqlalchemy import select
from sqlmodel import Session

from sumtui.catalog import run_owner, versions
from sumtui.catalog.ingest import finish_pending, ingest_document
from sumtui.catalog.models import SyncRun, Update
from sumtui.catalog.queries import export_updates
from sumtui.catalog.runs import finish_run, owner_key, reap_interrupted, running_run, start_run
from sumtui.catalog.settings import UpdatePointSettings
from sumtui.catalog.sync import import_files
from sumtui.db.site_settings import SiteSetting
from sumtui.timeutil import utcnow
from tests.catalog.test_sync import dec, nov, sync
from tests.cvrf_builder import write
from tests.mirror import MirrorServer, index_entry

SETTINGS = UpdatePointSettings()


def superseded(site) -> dict[tuple[str, str], bool]:
    with site.session() as session:
        return {(u["kb"], u["product_id"]): u["superseded"] for u in export_updates(session)}


def pending(site) -> bool:
    with site.session() as session:
        return versions.derived_pending(session)


def test_a_stored_month_leaves_derived_data_pending_until_it_is_computed(site):
    ingest_document(site.engine, json.dumps(nov()).encode(), name="nov", source="nov", settings=SETTINGS)
    assert pending(site)
    assert finish_pending(site.engine, settings=SETTINGS) is not None
    assert not pending(site)
    assert finish_pending(site.engine, settings=SETTINGS) is None  # nothing left: no work, no write
    with site.session() as session:
        assert (versions.stored(session), versions.read(session, versions.DERIVED)) == (1, 1)


def test_a_sync_that_fetches_nothing_completes_what_a_stopped_run_left(sqlite_site):
    with MirrorServer() as mirror:
        mirror.put_index([index_entry("2020-Nov"), index_entry("2020-Dec")])
        mirror.put_month("2020-Nov", nov())
        mirror.put_month("2020-Dec", dec())
        assert sync(sqlite_site, mirror).status == "ok"
        # A run that stored December again (a revision) and was killed before its derived data:
        revised = dec(current="2021-01-05T08:00:00Z")
        ingest_document(sqlite_site.engine, json.dumps(revised).encode(), name="dec", source="dec", settings=SETTINGS,
                        upstream_revision="2021-01-05T08:00:00Z")
        # ...and derived data that does not reflect the stored months (flags cleared to show it is redone).
        with Session(sqlite_site.engine) as session:
            session.execute(Update.__table__.update().values(superseded=False, expired=False))
            session.commit()
        assert not any(superseded(sqlite_site).values()) and pending(sqlite_site)

        mirror.put_index([index_entry("2020-Nov"), index_entry("2020-Dec", current="2021-01-05T08:00:00Z")])
        run = sync(sqlite_site, mirror)
    assert (run.status, run.months_fetched, run.months_unchanged) == ("ok", 0, 2)
    assert run.message == "completed the supersedence and expiry an interrupted run left pending"
    assert run.updates_superseded == 2
    assert superseded(sqlite_site)[("4586793", "11569")] is True
    assert not pending(sqlite_site)


def test_an_import_completes_pending_derived_data_even_when_every_file_fails(sqlite_site, tmp_path):
    ingest_document(sqlite_site.engine, json.dumps(nov()).encode(), name="nov", source="nov", settings=SETTINGS)
    ingest_document(sqlite_site.engine, json.dumps(dec()).encode(), name="dec", source="dec", settings=SETTINGS)
    (tmp_path / "broken.json").write_text("{not json")
    run = import_files(sqlite_site.engine, [tmp_path / "broken.json"])
    assert (run.status, run.months_failed) == ("failed", 1)
    assert run.updates_superseded == 2 and not pending(sqlite_site)


def test_counters_lose_no_count_when_writers_race(site):
    def writer() -> None:
        for _ in range(15):
            with Session(site.engine) as session:
                versions.bump(session, versions.STORED)
                session.commit()

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with Session(site.engine) as session:
        assert versions.stored(session) == 60
        versions.raise_to(session, versions.DERIVED, 40)
        versions.raise_to(session, versions.DERIVED, 25)  # an older derivation finishing late
        session.commit()
        assert versions.read(session, versions.DERIVED) == 40


# ---------------------------------------------------------------------- runs whose process died


def put_owner(site, run_id: int, **changes) -> None:
    owner = {**run_owner.this_process().to_json(), **changes}
    with Session(site.engine) as session:
        row = session.get(SiteSetting, owner_key(run_id))
        row.value = json.dumps(owner)
        session.add(row)
        session.commit()


def new_run(site) -> SyncRun:
    with site.session() as session:
        return start_run(session, kind="sync", source="test")


def status(site, run_id: int) -> SyncRun:
    with site.session() as session:
        return session.get(SyncRun, run_id)


def reap(site, **kw) -> list[int]:
    with site.session() as session:
        return reap_interrupted(session, **kw)


def test_a_run_of_this_process_is_alive_and_finishing_forgets_its_owner(site):
    run = new_run(site)
    assert reap(site) == []
    with site.session() as session:
        assert running_run(session).id == run.id
        finish_run(session, run, status="ok")
        assert session.get(SiteSetting, owner_key(run.id)) is None


def test_a_run_whose_process_is_gone_is_interrupted_and_a_live_one_is_kept(site):
    live = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    try:
        alive_run, dead_run = new_run(site), new_run(site)
        put_owner(site, alive_run.id, pid=live.pid, started=run_owner._start_time(live.pid))
        put_owner(site, dead_run.id, pid=gone.pid, started="1")
        assert reap(site) == [dead_run.id]
        dead = status(site, dead_run.id)
        assert dead.status == "interrupted" and dead.ended_at is not None
        assert f"pid {gone.pid} on " in dead.message and "next run completes the rest" in dead.message
        assert status(site, alive_run.id).status == "running"
    finally:
        live.stdin.close()
        live.wait()
    # A new run reaps first: the process is gone now.
    with site.session() as session:
        start_run(session, kind="import", source="test")
    assert status(site, alive_run.id).status == "interrupted"


def test_a_pid_reused_by_another_process_does_not_keep_a_run_alive(site):
    run = new_run(site)
    put_owner(site, run.id, started="12345")  # our own pid, but a different start time: another process
    assert reap(site) == [run.id]


def test_runs_from_another_machine_are_judged_by_their_heartbeat(site):
    fresh, silent = new_run(site), new_run(site)
    now = utcnow()
    put_owner(site, fresh.id, host="elsewhere.example", beat=(now - timedelta(minutes=5)).isoformat())
    put_owner(site, silent.id, host="elsewhere.example", beat=(now - timedelta(hours=2)).isoformat())
    assert reap(site, now=now) == [silent.id]
    assert status(site, fresh.id).status == "running"
    assert status(site, silent.id).ended_at is not None


def test_a_run_without_an_owner_is_given_twelve_hours(site):
    run = new_run(site)
    with Session(site.engine) as session:
        session.delete(session.get(SiteSetting, owner_key(run.id)))
        session.commit()
    assert reap(site, now=utcnow() + timedelta(hours=1)) == []
    assert reap(site, now=utcnow() + timedelta(hours=13)) == [run.id]
    assert "left running by a process that stopped" in status(site, run.id).message


def test_the_import_run_is_recorded_with_an_owner_while_it_works(sqlite_site, tmp_path):
    seen = []

    def progress(_report) -> None:
        with sqlite_site.session() as session:
            running = running_run(session)
            seen.append(session.get(SiteSetting, owner_key(running.id)) is not None)

    write(tmp_path / "nov.json", nov())
    import_files(sqlite_site.engine, [tmp_path / "nov.json"], progress=progress)
    assert seen and all(seen)
    with sqlite_site.session() as session:
        assert not session.execute(select(SiteSetting.key).where(SiteSetting.key.like("run.%"))).all()

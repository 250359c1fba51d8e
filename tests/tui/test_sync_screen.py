"""The Sync screen against a local mirror: a sync recorded with its updates, a failing month's error shown
in the run's details, a slow sync cancelled (what it stored kept and the fleet evaluated against it), an
import, quitting while a job runs, and a run whose process died shown as interrupted."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from sqlmodel import func, select

from sumtui.catalog import settings as update_point
from sumtui.catalog.models import Document, SyncRun, Update
from sumtui.catalog.runs import owner_key, start_run
from sumtui.compliance.queries import client_states, page_update_compliance
from sumtui.compliance.view import load_view
from sumtui.db.site_settings import SiteSetting
from sumtui.fleet.collections import get_collection
from sumtui.fleet.models import Client
from sumtui.tui.screens.confirm import ConfirmScreen
from sumtui.tui.screens.import_files import ImportScreen
from sumtui.tui.screens.sync import SyncScreen
from tests.compliance.scenario import CU
from tests.compliance.scenario import months as scenario
from tests.mirror import MirrorServer
from tests.tui.conftest import (
    december,
    fleet_clock,
    grid_loaded,
    november,
    paste,
    text_of,
    wait_for,
    write_months,
)
from tests.tui.test_reevaluation import said


@pytest.fixture
def mirror(console_site):
    with MirrorServer() as server:
        server.put_index(["2020-Nov", "2020-Dec"])
        server.put_month("2020-Nov", november())
        server.put_month("2020-Dec", december())
        with console_site.session() as session:
            update_point.save(session, update_point.UpdatePointSettings(url=server.url, start_month="2020-Nov"))
        yield server


def runs(site) -> list[SyncRun]:
    with site.session() as session:
        return list(session.exec(select(SyncRun).order_by(SyncRun.id)))


def update_count(site) -> int:
    with site.session() as session:
        return session.exec(select(func.count()).select_from(Update)).one()


async def open_sync(app, pilot) -> SyncScreen:
    app.open_page("sync")
    await wait_for(pilot, lambda: isinstance(app.screen, SyncScreen), what="the sync screen")
    await pilot.pause()
    return app.screen


async def test_sync_now_stores_the_catalog_and_shows_the_run(console_site, make_app, mirror):
    app = make_app(console_site)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_sync(app, pilot)
        await pilot.press("s")
        await wait_for(pilot, lambda: app.job is None, what="the sync to finish")
        table = screen.query_one("#runs")
        await wait_for(pilot, grid_loaded(table, 1), what="the history row")
        row = table.get_row(0).cells
        assert (row[1], row[2], row[3], row[6]) == ("sync", "ok", "2", "5")
        assert "Last sync ok" in text_of(screen.query_one("#job-title"))
        await wait_for(pilot, lambda: "last sync" in str(screen.query_one("#header-sync").content))
    [run] = runs(console_site)
    assert (run.status, run.months_fetched, run.updates_new) == ("ok", 2, 5)
    assert update_count(console_site) == 5
    assert mirror.count("/cvrf/") == 2


async def test_a_failing_month_is_shown_in_the_run_details(console_site, make_app, mirror):
    mirror.fail("/cvrf/2020-Nov", status=503)
    app = make_app(console_site)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_sync(app, pilot)
        await pilot.press("s")
        await wait_for(pilot, lambda: app.job is None, what="the sync to finish")
        await wait_for(pilot, lambda: "2020-Nov" in text_of(screen.query_one("#run-errors-text")), what="the error")
        errors = text_of(screen.query_one("#run-errors-text"))
        assert "HTTP 503" in errors and "cvrf/2020-Nov" in errors
        assert "partial, 1 error(s)" in text_of(screen.query_one("#errors-title"))
    [run] = runs(console_site)
    assert (run.status, run.months_failed, run.months_fetched) == ("partial", 1, 1)


async def test_cancelling_a_slow_sync_records_it_as_cancelled(console_site, make_app, mirror):
    mirror.delay("/cvrf/2020-Nov", 30)
    app = make_app(console_site)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_sync(app, pilot)
        await pilot.press("s")
        await wait_for(pilot, lambda: mirror.count("/cvrf/2020-Nov") == 1, what="the month request")
        assert "Cancel job" in [b.binding.description for b in app.screen.active_bindings.values()]
        await pilot.press("c")
        await wait_for(pilot, lambda: app.job is None, what="the cancelled job")
        table = screen.query_one("#runs")
        await wait_for(pilot, lambda: grid_loaded(table, 1)() and table.get_row(0).cells[2] == "cancelled", what="the row")
    [run] = runs(console_site)
    assert run.status == "cancelled" and run.ended_at is not None
    assert update_count(console_site) == 0


async def test_the_sync_goes_on_when_leaving_the_screen(console_site, make_app, mirror):
    # December is answered only when the test says so: the sync is still running after the keys, however
    # long the machine takes to process them (a fixed delay made this depend on the machine's load).
    december_sent = mirror.hold("/cvrf/2020-Dec")
    app = make_app(console_site)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_sync(app, pilot)
        await pilot.press("s", "escape")
        assert app.job is not None and not isinstance(app.screen, SyncScreen)
        header_job = app.screen.query_one("#header-job")
        await wait_for(pilot, lambda: "syncing" in str(header_job.content) or "reading" in str(header_job.content))
        december_sent.set()
        await wait_for(pilot, lambda: app.job is None, what="the sync to finish")
    assert runs(console_site)[0].status == "ok"


async def test_import_files_runs_in_the_background(console_site, make_app, tmp_path):
    files = write_months(tmp_path / "months")
    app = make_app(console_site)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_sync(app, pilot)
        await pilot.press("i")
        assert isinstance(app.screen, ImportScreen)
        await paste(pilot, f"{tmp_path / 'months'}/*.json")
        assert "2 file(s)" in text_of(app.screen.query_one("#import-preview"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.job is None and runs(console_site), what="the import")
        table = screen.query_one("#runs")
        await wait_for(pilot, grid_loaded(table, 1), what="the history row")
        assert table.get_row(0).cells[1:3] == ("import", "ok")
    assert update_count(console_site) == 5 and len(files) == 2


async def test_import_refuses_missing_files(console_site, make_app, tmp_path):
    app = make_app(console_site)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_sync(app, pilot)
        await pilot.press("i")
        await paste(pilot, str(tmp_path / "nothing.json"))
        await pilot.press("enter")
        assert isinstance(app.screen, ImportScreen)
        assert "no such file" in text_of(app.screen.query_one("#import-error"))
    assert runs(console_site) == []


async def test_quitting_during_a_sync_asks_first(console_site, make_app, mirror):
    mirror.delay("/cvrf/2020-Nov", 30)
    app = make_app(console_site)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_sync(app, pilot)
        await pilot.press("s")
        await wait_for(pilot, lambda: mirror.count("/cvrf/2020-Nov") == 1, what="the month request")
        await pilot.press("q")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert app.job is not None and app.is_running
        await pilot.press("ctrl+c")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await wait_for(pilot, lambda: not app.is_running, what="the app to exit")
    assert runs(console_site)[0].status == "cancelled"


def fleet_agrees_with_client_details(site, kb: str) -> tuple[int, int]:
    """(clients the compliance grid counts as needing `kb`, clients whose own detail says it is Required)."""
    with site.session() as session:
        all_systems = get_collection(session, "All Systems").id
        grid = sum(r.required for r in page_update_compliance(session, collection_id=all_systems, limit=1000) if r.kb == kb)
        view = load_view(session)
        detail = sum(
            any(s.kb == kb and s.state == "required" for s in client_states(session, client, view=view))
            for client in session.exec(select(Client)).all()
        )
    return grid, detail


async def test_a_cancelled_sync_keeps_what_it_stored_and_the_fleet_is_evaluated_against_it(fleet_site, make_app):
    """A sync cancelled while a month hangs: fetching stops, the months stored stay, the run is recorded as
    cancelled, and a re-evaluation follows, so the compliance grid agrees with every client's detail."""
    docs = scenario()
    ids = ["2022-Jan", "2022-Feb", "2022-Mar", "2022-Apr"]
    with MirrorServer() as slow:
        for m, month_id in enumerate(ids, start=1):
            slow.put_month(month_id, docs[m])
        slow.put_index([*ids, "2022-May"])
        slow.delay("/cvrf/2022-May", 60)  # the slow month: never arrives before the cancel
        with fleet_site.session() as session:
            update_point.save(session, update_point.UpdatePointSettings(url=slow.url, start_month="2022-Jan"))
        assert fleet_agrees_with_client_details(fleet_site, CU[4]) == (0, 0)
        app = make_app(fleet_site, clock=fleet_clock)
        messages = said(app)
        kinds: list[str] = []
        async with app.run_test(size=(80, 24)) as pilot:
            app.watch(app, "job", lambda job: job and kinds.append(job.kind), init=False)
            await open_sync(app, pilot)
            await pilot.press("s")

            def april_stored() -> bool:
                with fleet_site.session() as session:
                    return session.get(Document, "2022-Apr") is not None

            await wait_for(pilot, lambda: april_stored() and slow.count("/cvrf/2022-May") == 1, timeout=30,
                           what="April stored and May asked for")
            await pilot.press("c")
            await wait_for(pilot, lambda: "reevaluate" in kinds and app.job is None, timeout=30,
                           what="the re-evaluation after the cancelled sync")
            assert slow.count("/cvrf/2022-May") == 1  # not asked again: fetching stopped
            assert any(m.startswith("Sync cancelled") for m in messages)
            assert any(m.startswith("Re-evaluation ok: 60 clients") for m in messages)
            await wait_for(pilot, lambda: not app.site_info.states_stale, what="the states current again")
    run = runs(fleet_site)[-1]  # after the fixture's import
    assert (run.status, run.months_fetched) == ("cancelled", 4)
    with fleet_site.session() as session:
        assert session.get(Document, "2022-May") is None
    grid, detail = fleet_agrees_with_client_details(fleet_site, CU[4])
    assert grid == detail and grid > 0  # April's cumulative update, counted alike by the grid and the details


async def test_a_run_whose_process_died_is_shown_as_interrupted(console_site, make_app):
    """A run left "running" by a process that is gone (kill -9): the console records it as interrupted at
    start, and the header and the history say so instead of "a sync is running" for ever."""
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    with console_site.session() as session:
        run = start_run(session, kind="sync", source="https://mirror.example/")
        row = session.get(SiteSetting, owner_key(run.id))
        row.value = json.dumps({**json.loads(row.value), "pid": gone.pid})
        session.add(row)
        session.commit()
    app = make_app(console_site)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_sync(app, pilot)
        table = screen.query_one("#runs")
        await wait_for(pilot, lambda: grid_loaded(table, 1)() and table.get_row(0).cells[2] == "interrupted",
                       what="the interrupted run in the history")
        await wait_for(pilot, lambda: "interrupted" in str(screen.query_one("#header-sync").content), what="the header")
        assert not screen.query_one("#header-job").display  # not "a sync is running in another process"
        await wait_for(pilot, lambda: f"pid {gone.pid}" in text_of(screen.query_one("#run-errors-text")),
                       what="the run's message")
    assert runs(console_site)[0].status == "interrupted"

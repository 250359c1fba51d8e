"""The Sync screen against a local mirror: a sync recorded with its updates, a failing month's error shown
in the run's details, a slow sync cancelled, an import, and quitting while a job runs."""

from __future__ import annotations

from sqlmodel import func, select

from sumtui.catalog import settings as update_point
from sumtui.catalog.models import SyncRun, Update
from sumtui.tui.screens.confirm import ConfirmScreen
from sumtui.tui.screens.import_files import ImportScreen
from sumtui.tui.screens.sync import SyncScreen
from tests.mirror import MirrorServer
from tests.tui.conftest import december, november, paste, text_of, wait_for, write_months

import pytest


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
        await wait_for(pilot, lambda: table.row_count == 1, what="the history row")
        row = table.get_row_at(0)
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
        await wait_for(pilot, lambda: table.row_count == 1 and table.get_row_at(0)[2] == "cancelled", what="the row")
    [run] = runs(console_site)
    assert run.status == "cancelled" and run.ended_at is not None
    assert update_count(console_site) == 0


async def test_the_sync_goes_on_when_leaving_the_screen(console_site, make_app, mirror):
    mirror.delay("/cvrf/2020-Dec", 2)
    app = make_app(console_site)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_sync(app, pilot)
        await pilot.press("s", "escape")
        assert app.job is not None and not isinstance(app.screen, SyncScreen)
        header_job = app.screen.query_one("#header-job")
        await wait_for(pilot, lambda: "syncing" in str(header_job.content) or "reading" in str(header_job.content))
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
        await wait_for(pilot, lambda: table.row_count == 1, what="the history row")
        assert table.get_row_at(0)[1:3] == ["import", "ok"]
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

"""The data on screen is current: what another process writes (an agent's report, a sync from cron, a
collection made from the CLI) shows on the page in front without a key, pages left behind catch up when
shown again, `r` reads a page again at once, the newest run gets the cursor, and ages tick."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlmodel import select

from sumtui.catalog.models import SyncRun
from sumtui.catalog.sync import import_files
from sumtui.fleet.collections import CollectionRule
from sumtui.fleet.models import CollectionCreate
from sumtui.tui.screens.clients import ClientsScreen
from sumtui.tui.screens.collections import CollectionsScreen
from sumtui.tui.screens.management_point import ManagementPointScreen
from sumtui.tui.screens.sync import SyncScreen
from sumtui.tui.screens.updates import UpdatesScreen
from sumtui.tui.widgets.paged_table import PagedTable
from sumtui.workflows.collections import create_collection
from sumtui.workflows.intake import import_inventory_file
from sumtui.workflows.site_marks import CATALOG, FLEET, RUNS, read_marks
from tests.cvrf_builder import Fix, Vuln, month_doc, write
from tests.server.conftest import RunningServer
from tests.tui.conftest import WIN10, fleet_clock, grid_loaded, text_of, wait_for

INVENTORY = Path(__file__).resolve().parents[1] / "fixtures" / "inventory" / "en_2019_dc_utf16_systeminfo.txt"


def january(folder: Path) -> Path:
    """A later month with one more update, as a sync would bring it."""
    doc = month_doc(2021, 1, {"11568": WIN10}, [
        Vuln("CVE-2021-1647", [Fix("4598230", ["11568"], supersedes="4592440")], severity="Critical",
             title="Microsoft Defender Remote Code Execution Vulnerability"),
    ])
    folder.mkdir(parents=True, exist_ok=True)
    write(folder / "2021-Jan.json", doc)
    return folder / "2021-Jan.json"


async def open_page(app, pilot, name: str, screen_type):
    # The console compares what it reads with its first read, made just after start: a change made
    # before that first read is the console's starting point, not a change.
    await wait_for(pilot, lambda: app.site_marks is not None, what="the first read of the site's marks")
    app.open_page(name)
    await wait_for(pilot, lambda: isinstance(app.screen, screen_type) and app.screen.is_mounted, what=name)
    return app.screen


def test_the_marks_move_with_each_area_they_watch(fleet_site, tmp_path):
    with fleet_site.session() as session:
        before = read_marks(session)
    import_inventory_file(fleet_site, INVENTORY, name="NEW-DC-01")
    with fleet_site.session() as session:
        after_report = read_marks(session)
    assert after_report.changed_since(before) == {FLEET}
    run = import_files(fleet_site.engine, [january(tmp_path / "later")])
    assert run.status == "ok"
    with fleet_site.session() as session:
        after_sync = read_marks(session)
    assert {CATALOG, RUNS} <= after_sync.changed_since(after_report)
    with fleet_site.session() as session:
        assert read_marks(session).changed_since(after_sync) == frozenset()  # reading changes nothing


async def test_a_client_reporting_from_another_process_shows_on_clients(fleet_site, make_app):
    app = make_app(fleet_site, clock=fleet_clock)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_page(app, pilot, "clients", ClientsScreen)
        grid = screen.query_one("#grid", PagedTable)
        await wait_for(pilot, grid_loaded(grid, 60), what="the 60 clients")
        import_inventory_file(fleet_site, INVENTORY, name="NEW-DC-01")  # as `sumtui clients import` would
        await wait_for(pilot, grid_loaded(grid, 61), what="the 61st client, without a key", timeout=30)
        # The status line is read by its own worker: it follows the grid within a refresh.
        await wait_for(pilot, lambda: text_of(screen.query_one("#clients-status")).startswith("61 clients"),
                       what="the status line counting it", timeout=30)


async def test_a_page_left_behind_catches_up_when_shown_again(fleet_site, make_app):
    app = make_app(fleet_site, clock=fleet_clock)
    async with app.run_test(size=(100, 30)) as pilot:
        clients = await open_page(app, pilot, "clients", ClientsScreen)
        grid = clients.query_one("#grid", PagedTable)
        await wait_for(pilot, grid_loaded(grid, 60), what="the 60 clients")
        await open_page(app, pilot, "updates", UpdatesScreen)
        seen = app.site_changes.serial if app.site_changes else 0
        import_inventory_file(fleet_site, INVENTORY, name="NEW-DC-01")
        await wait_for(pilot, lambda: app.site_changes is not None and app.site_changes.serial > seen,
                       what="the probe to see the report", timeout=30)
        await pilot.pause()
        assert grid.row_count == 60  # not read while hidden: agents reporting cost nothing here
        await pilot.press("escape")  # back to Clients
        await wait_for(pilot, lambda: app.screen is clients)
        await wait_for(pilot, grid_loaded(grid, 61), what="the new client once shown", timeout=30)


async def test_r_reads_the_page_again_at_once(fleet_site, make_app, monkeypatch):
    from sumtui.tui import app as app_module

    monkeypatch.setattr(app_module, "PROBE_SECONDS", 3600)  # only `r` can show the change
    app = make_app(fleet_site, clock=fleet_clock)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_page(app, pilot, "collections", CollectionsScreen)
        await wait_for(pilot, lambda: screen.collections, what="the collections")
        count = len(screen.collections)
        with fleet_site.session() as session:
            create_collection(session, CollectionCreate(name="Made from the CLI"), rule=CollectionRule(tag="cli"))
            session.commit()
        await pilot.pause()
        assert len(screen.collections) == count
        await pilot.press("r")
        await wait_for(pilot, lambda: any(c.name == "Made from the CLI" for c in screen.collections), what="the new one")


async def test_the_management_point_screen_shows_the_current_catalog_size(catalog_site, make_app, tmp_path):
    from sumtui.fleet import management_point

    with RunningServer(catalog_site) as server:
        with catalog_site.session() as session:
            management_point.save(session, management_point.ManagementPointSettings(url=server.url))
        app = make_app(catalog_site)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await open_page(app, pilot, "mp", ManagementPointScreen)
            status = screen.query_one("#mp-status")
            await wait_for(pilot, lambda: "5 updates in its catalog" in text_of(status), what="the first probe")
            assert import_files(catalog_site.engine, [january(tmp_path / "later")]).status == "ok"
            await wait_for(pilot, lambda: "6 updates in its catalog" in text_of(status), what="the new size, no `p`",
                           timeout=30)


async def test_sync_history_selects_the_newest_run(catalog_site, make_app, tmp_path):
    assert import_files(catalog_site.engine, [january(tmp_path / "jan")]).status == "ok"  # a second run
    app = make_app(catalog_site)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_page(app, pilot, "sync", SyncScreen)
        runs = screen.query_one("#runs", PagedTable)
        await wait_for(pilot, grid_loaded(runs, 2), what="two runs")
        await pilot.press("j")  # the older run
        await wait_for(pilot, lambda: screen._selected_run == 1, what="the older run selected")
        assert import_files(catalog_site.engine, [january(tmp_path / "again")]).status == "ok"  # from cron, say
        with catalog_site.session() as session:
            newest = session.exec(select(SyncRun.id).order_by(SyncRun.id.desc())).first()
        await wait_for(pilot, grid_loaded(runs, 3), what="the third run", timeout=30)
        await wait_for(pilot, lambda: screen._selected_run == newest, what="the newest run selected")
        await wait_for(pilot, lambda: runs.cursor_row == 0, what="the cursor on it, once the list is in")
        await wait_for(pilot, lambda: text_of(screen.query_one("#errors-title")).startswith(f"Run {newest}:"))


async def test_ages_tick_without_a_key(catalog_site, make_app):
    with catalog_site.session() as session:
        ended = session.exec(select(SyncRun.ended_at)).one()
    elapsed = [5]
    app = make_app(catalog_site, clock=lambda: ended + timedelta(seconds=elapsed[0]))
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_page(app, pilot, "sync", SyncScreen)
        header = screen.query_one("#header-sync")
        await wait_for(pilot, lambda: "last import 5 s ago" in text_of(header), what="the age")
        await wait_for(pilot, lambda: "Last import ok 5 s ago" in text_of(screen.query_one("#job-title")))
        elapsed[0] = 40
        await wait_for(pilot, lambda: "last import 40 s ago" in text_of(header), what="the header's age to tick")
        await wait_for(pilot, lambda: "Last import ok 40 s ago" in text_of(screen.query_one("#job-title")),
                       what="the last run's age to tick")

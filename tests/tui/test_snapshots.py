"""Snapshots of the stable screens at 80×24: fixed clock, fixed site name, nothing blinking."""

from __future__ import annotations

from sumtui.tui.screens.help import HelpScreen
from sumtui.tui.screens.update_point import UpdatePointScreen
from tests.tui.conftest import wait_for


async def checklist_shown(pilot) -> None:
    def shown() -> bool:
        stages = pilot.app.screen.query("#stages")
        # The triage panel below changes the page's height (and so the scrollbar): wait for it too.
        return bool(stages) and stages.first().option_count == 13 and pilot.app.screen.triage is not None

    await wait_for(pilot, shown, what="the checklist")
    await pilot.pause()


def test_home(snap_compare, console_site, make_app):
    assert snap_compare(make_app(console_site), terminal_size=(80, 24), run_before=checklist_shown)


def test_update_point_settings(snap_compare, console_site, make_app):
    async def open_form(pilot) -> None:
        await checklist_shown(pilot)
        pilot.app.open_page("update-point")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, UpdatePointScreen), what="the form")
        await pilot.pause()

    assert snap_compare(make_app(console_site), terminal_size=(80, 24), run_before=open_form)


def test_help(snap_compare, console_site, make_app):
    async def open_help(pilot) -> None:
        await checklist_shown(pilot)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpScreen), what="the help")
        await pilot.pause()

    assert snap_compare(make_app(console_site), terminal_size=(80, 24), run_before=open_help)


def test_compliance(snap_compare, fleet_site, make_app):
    """The compliance grid of a generated fleet: counts, colours and the row detail (no clock on screen)."""
    from sumtui.tui.screens.compliance import ComplianceScreen

    async def open_compliance(pilot) -> None:
        await checklist_shown(pilot)
        pilot.app.open_page("compliance")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ComplianceScreen) and bool(pilot.app.screen.query("#grid")),
                       what="the compliance screen")
        grid = pilot.app.screen.query_one("#grid")
        await wait_for(pilot, lambda: grid.row_count and grid.get_row(0) is not None, what="the rows")
        await wait_for(pilot, lambda: "KB" in str(pilot.app.screen.query_one("#compliance-detail").content))
        await pilot.pause()

    assert snap_compare(make_app(fleet_site), terminal_size=(80, 24), run_before=open_compliance)


def test_collections(snap_compare, fleet_site, make_app):
    from sumtui.tui.screens.collections import CollectionsScreen

    async def open_collections(pilot) -> None:
        await checklist_shown(pilot)
        pilot.app.open_page("collections")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CollectionsScreen) and bool(pilot.app.screen.query("#grid")),
                       what="the collections screen")
        grid = pilot.app.screen.query_one("#grid")
        await wait_for(pilot, lambda: grid.row_count == 4 and grid.get_row(0) is not None, what="the rows")
        await pilot.pause()

    assert snap_compare(make_app(fleet_site), terminal_size=(80, 24), run_before=open_collections)


# ---------------------------------------------------------------------- Updates, Sync, Clients; NO_COLOR


def pin_runs(site, ended) -> None:
    """Every run as if it ended at `ended`: the history and the header's "last sync … ago" do not move."""
    from datetime import timedelta

    from sqlalchemy import update

    from sumtui.catalog.models import SyncError, SyncRun

    with site.engine.begin() as connection:
        connection.execute(update(SyncRun.__table__).values(started_at=ended - timedelta(seconds=3), ended_at=ended))
        connection.execute(update(SyncError.__table__).values(at=ended))


def grid_shown(pilot, screen_type, selector: str = "#grid", count: int | None = None):
    async def check() -> None:
        def shown() -> bool:
            screen = pilot.app.screen
            if not isinstance(screen, screen_type) or not screen.query(selector):
                return False
            grid = screen.query_one(selector)
            return bool(grid.row_count) and (count is None or grid.row_count == count) and grid.get_row(0) is not None

        await wait_for(pilot, shown, what=f"the rows of {screen_type.__name__}")
        await pilot.pause()

    return check()


def test_updates(snap_compare, catalog_site, make_app):
    """The catalog grid with its detail pane: KBs whole, products cut with an ellipsis at 80 columns."""
    from datetime import timedelta

    from sumtui.tui.screens.updates import UpdatesScreen
    from tests.tui.conftest import NOW

    pin_runs(catalog_site, NOW - timedelta(hours=2))

    async def open_updates(pilot) -> None:
        await checklist_shown(pilot)
        pilot.app.open_page("updates")
        await grid_shown(pilot, UpdatesScreen, count=5)
        await wait_for(pilot, lambda: "CVE" in str(pilot.app.screen.query_one("#detail-text").content), what="the detail")
        # The status line names the folder: the folders are read by a worker of their own.
        await wait_for(pilot, lambda: pilot.app.screen.query_one("#folders").option_count > 0, what="the folders")
        await wait_for(pilot, lambda: "All updates" in str(pilot.app.screen.query_one("#updates-status").render()),
                       what="the status line")
        await pilot.pause()

    assert snap_compare(make_app(catalog_site), terminal_size=(80, 24), run_before=open_updates)


def test_sync(snap_compare, catalog_site, make_app):
    """The history with four-digit counts whole, the selected run's details."""
    from datetime import timedelta

    from sumtui.catalog.runs import finish_run, start_run
    from sumtui.tui.screens.sync import SyncScreen
    from tests.tui.conftest import NOW

    with catalog_site.session() as session:
        cold = start_run(session, kind="sync", source="https://api.msrc.microsoft.com/cvrf/v3.0/")
        cold.months_fetched, cold.updates_new, cold.updates_revised = 86, 1533, 1799
        cold.updates_superseded, cold.updates_expired = 1204, 12
        finish_run(session, cold, status="ok")
        session.commit()
    pin_runs(catalog_site, NOW - timedelta(hours=2))

    async def open_sync(pilot) -> None:
        await checklist_shown(pilot)
        pilot.app.open_page("sync")
        await grid_shown(pilot, SyncScreen, "#runs", count=2)
        await wait_for(pilot, lambda: pilot.app.screen._selected_run is not None, what="the selected run")
        for field in pilot.app.screen.query("Input"):
            field.cursor_blink = False
        await pilot.pause()

    assert snap_compare(make_app(catalog_site), terminal_size=(80, 24), run_before=open_sync)


def test_clients(snap_compare, fleet_site, make_app):
    """The clients grid, worst first as Home's triage opens it: Req.(C) and missing KBs whole."""
    from datetime import timedelta

    from sumtui.tui.screens.clients import ClientsScreen
    from tests.tui.conftest import FLEET_NOW, fleet_clock

    pin_runs(fleet_site, FLEET_NOW - timedelta(hours=2))

    async def open_clients(pilot) -> None:
        await checklist_shown(pilot)
        pilot.app.open_page("clients")
        await grid_shown(pilot, ClientsScreen)
        await pilot.press("s", "s")  # name → OS product → Req.(C), worst first
        await wait_for(pilot, lambda: pilot.app.screen.sort == "critical" and pilot.app.screen.descending,
                       what="the sort by critical required")
        await grid_shown(pilot, ClientsScreen)

    assert snap_compare(make_app(fleet_site, clock=fleet_clock), terminal_size=(80, 24), run_before=open_clients)


def test_compliance_without_colour(snap_compare, fleet_site, make_app, monkeypatch):
    """NO_COLOR: "Crit" and the counts that call for attention are bold (not the dimmest grey), the cursor
    is in reverse video, and the sort arrow sits next to Req."""
    from sumtui.tui.screens.compliance import ComplianceScreen

    monkeypatch.setenv("NO_COLOR", "1")

    async def open_compliance(pilot) -> None:
        assert pilot.app.no_color
        await checklist_shown(pilot)
        pilot.app.open_page("compliance")
        await grid_shown(pilot, ComplianceScreen)
        await wait_for(pilot, lambda: "KB" in str(pilot.app.screen.query_one("#compliance-detail").content))
        await pilot.pause()

    assert snap_compare(make_app(fleet_site), terminal_size=(80, 24), run_before=open_compliance)

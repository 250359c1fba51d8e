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

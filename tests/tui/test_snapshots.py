"""Snapshots of the stable screens at 80×24: fixed clock, fixed site name, nothing blinking."""

from __future__ import annotations

from sumtui.tui.screens.help import HelpScreen
from sumtui.tui.screens.update_point import UpdatePointScreen
from tests.tui.conftest import wait_for


async def checklist_shown(pilot) -> None:
    def shown() -> bool:
        stages = pilot.app.screen.query("#stages")
        return bool(stages) and stages.first().option_count == 13

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

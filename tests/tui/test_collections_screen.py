"""The collections screen by keys: rule and static collections, members, deletion, maintenance windows."""

from __future__ import annotations

import pytest
from sqlmodel import select

from sumtui.fleet.clients import ClientFilter, count_clients
from sumtui.fleet.collections import FleetError, get_collection, member_ids, windows_of
from sumtui.fleet.models import Collection
from sumtui.tui.screens.clients import ClientsScreen
from sumtui.tui.screens.collection_form import CollectionFormScreen
from sumtui.tui.screens.collections import CollectionsScreen
from sumtui.tui.screens.confirm import ConfirmScreen
from sumtui.tui.screens.prompt import PromptScreen
from sumtui.tui.screens.window_form import WindowFormScreen, parse_start
from sumtui.tui.screens.windows import WindowsScreen
from sumtui.tui.widgets.paged_table import PagedTable
from tests.tui.conftest import (
    fleet_clock,
    grid_loaded,
    grid_rows,
    open_page,
    text_of,
    type_text,
    wait_for,
)


def collection(site, name):
    with site.session() as session:
        try:
            return get_collection(session, name)
        except FleetError:
            return None


async def open_collections(app, pilot, count=4):
    screen = await open_page(app, pilot, "collections", CollectionsScreen)
    grid = screen.query_one("#grid", PagedTable)
    await wait_for(pilot, grid_loaded(grid, count), what="the collections")
    return screen, grid


async def select_row(pilot, grid, name):
    names = [r[0] for r in grid_rows(grid)]
    grid.move_cursor(names.index(name))
    await pilot.pause()


async def fill_form(pilot, **fields):
    form = pilot.app.screen
    for selector, value in fields.items():
        field = form.query_one(f"#{selector}")
        field.value = value
    await pilot.pause()


async def test_create_then_edit_a_rule_collection(fleet_site, make_app):
    app = make_app(fleet_site, clock=fleet_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, grid = await open_collections(app, pilot)
        assert [r[0] for r in grid_rows(grid)][0] == "All Systems"
        await pilot.press("n")
        assert isinstance(app.screen, CollectionFormScreen)
        await type_text(pilot, "Lab machines")
        await fill_form(pilot, **{"rule-domain": "lab.example"})
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, CollectionsScreen), what="the form closed")
        await wait_for(pilot, grid_loaded(grid, 5), what="the new row")
        with fleet_site.session() as session:
            lab = get_collection(session, "Lab machines")
            members = count_clients(session, filter=ClientFilter(text="lab.example"))
            assert (lab.kind, lab.members, len(member_ids(session, lab.id))) == ("rule", members, members)
        row = next(r for r in grid_rows(grid) if r[0] == "Lab machines")
        assert row[1:4] == ("rule", "domain lab.example", str(members))
        await wait_for(pilot, lambda: grid.current_row is not None and grid.current_row.key == lab.id,
                       what="the cursor on the new collection")

        await pilot.press("e")
        assert isinstance(app.screen, CollectionFormScreen)
        await fill_form(pilot, **{"collection-name": "Servers", "rule-domain": "lab.example", "rule-name-pattern": "SRV-*"})
        await pilot.press("ctrl+s")
        error = app.screen.query_one("#form-error")
        await wait_for(pilot, lambda: error.display and "already exists" in text_of(error), what="the refusal")
        assert isinstance(app.screen, CollectionFormScreen)  # still open, nothing lost
        await fill_form(pilot, **{"collection-name": "Lab servers"})
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: collection(fleet_site, "Lab servers") is not None, what="the rename")
        await wait_for(pilot, lambda: any(r[0] == "Lab servers" for r in grid_rows(grid)), what="the row renamed")
    lab = collection(fleet_site, "Lab servers")
    with fleet_site.session() as session:
        servers_in_lab = count_clients(session, filter=ClientFilter(text="lab.example srv"))
    assert lab.kind == "rule" and lab.members == servers_in_lab and lab.id == lab.id


async def test_a_static_collection_with_members_added_and_removed(fleet_site, make_app):
    app = make_app(fleet_site, clock=fleet_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, grid = await open_collections(app, pilot)
        await pilot.press("n")
        await type_text(pilot, "Finance")
        await pilot.press("ctrl+s")
        await wait_for(pilot, grid_loaded(grid, 5), what="the new row")
        finance = collection(fleet_site, "Finance")
        assert finance.kind == "static" and finance.members == 0
        await wait_for(pilot, lambda: grid.current_row is not None and grid.current_row.key == finance.id)

        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ClientsScreen), what="the members view")
        members = app.screen
        member_grid = members.query_one("#grid", PagedTable)
        await wait_for(pilot, grid_loaded(member_grid, 0))
        assert {"clients.add_members", "clients.remove_member"} <= {b.binding.id for b in members.active_bindings.values()}
        await pilot.press("a")
        assert isinstance(app.screen, PromptScreen)
        await type_text(pilot, "ws-00001, SRV-00006 nosuch")
        await pilot.press("enter")
        await wait_for(pilot, grid_loaded(member_grid, 2), what="two members")
        assert [r[0] for r in grid_rows(member_grid)] == ["SRV-00006", "WS-00001"]
        assert any("no client named nosuch" in n.message for n in app._notifications)

        await pilot.press("x")
        assert isinstance(app.screen, ConfirmScreen)
        assert "Remove SRV-00006 from 'Finance'" in text_of(app.screen.query_one("#confirm-question"))
        await pilot.press("n")
        assert collection(fleet_site, "Finance").members == 2
        await pilot.press("x", "y")
        await wait_for(pilot, grid_loaded(member_grid, 1), what="one member left")
        await pilot.press("escape")
        assert app.screen is screen
        await wait_for(pilot, lambda: any(r[0] == "Finance" and r[3] == "1" for r in grid_rows(grid)), what="the count")
    with fleet_site.session() as session:
        finance = get_collection(session, "Finance")
        assert finance.members == 1 and len(member_ids(session, finance.id)) == 1


async def test_rule_members_cannot_be_edited_by_hand(fleet_site, make_app):
    app = make_app(fleet_site, clock=fleet_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, grid = await open_collections(app, pilot)
        await select_row(pilot, grid, "Servers")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ClientsScreen))
        shown = {b.binding.id for b in app.screen.active_bindings.values()}
        assert "clients.add_members" not in shown and "clients.remove_member" not in shown
        assert "members follow the rule: os product Windows Server" in text_of(app.screen.query_one("#clients-hint"))
        await wait_for(pilot, grid_loaded(app.screen.query_one("#grid"), collection(fleet_site, "Servers").members))


async def test_delete_asks_with_the_member_count_and_refuses_all_systems(fleet_site, make_app):
    workstations = collection(fleet_site, "Workstations")
    app = make_app(fleet_site, clock=fleet_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, grid = await open_collections(app, pilot)
        await select_row(pilot, grid, "All Systems")
        await pilot.press("delete")
        assert app.screen is screen
        assert any("built in and cannot be deleted" in n.message for n in app._notifications)

        await select_row(pilot, grid, "Workstations")
        await pilot.press("delete")
        assert isinstance(app.screen, ConfirmScreen)
        question = text_of(app.screen.query_one("#confirm-question"))
        assert f"Delete the collection 'Workstations'? Its {workstations.members} members leave it" in question
        await pilot.press("n")
        assert collection(fleet_site, "Workstations") is not None
        await pilot.press("delete", "y")
        await wait_for(pilot, grid_loaded(grid, 3), what="the row gone")
    assert collection(fleet_site, "Workstations") is None
    with fleet_site.session() as session:
        assert member_ids(session, workstations.id) == set()


async def test_maintenance_windows_added_refused_and_deleted(fleet_site, make_app):
    servers = collection(fleet_site, "Servers")
    app = make_app(fleet_site, clock=fleet_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, grid = await open_collections(app, pilot)
        await select_row(pilot, grid, "Servers")
        assert next(r for r in grid_rows(grid) if r[0] == "Servers")[6] == "1"
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, WindowsScreen))
        windows = app.screen
        wgrid = windows.query_one("#grid", PagedTable)
        await wait_for(pilot, grid_loaded(wgrid, 1))
        assert grid_rows(wgrid)[0][:4][0] == "Saturday night" and grid_rows(wgrid)[0][2] == "4 h"

        await pilot.press("a")
        assert isinstance(app.screen, WindowFormScreen)
        form = app.screen
        await type_text(pilot, "Patch Tuesday")
        await fill_form(pilot, **{"window-start": "2030-01-08 20:00", "window-duration": "1500"})
        await pilot.press("ctrl+s")
        error = form.query_one("#form-error")
        await wait_for(pilot, lambda: error.display and "less than 24 hours" in text_of(error), what="the refusal")
        with fleet_site.session() as session:
            assert len(windows_of(session, servers.id)) == 1
        await fill_form(pilot, **{"window-start": "2030-13-08", "window-duration": "90"})
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "not a date and time" in text_of(form.query_one("#error-start")) and app.screen is form
        await fill_form(pilot, **{"window-start": "2030-01-08 20:00"})
        form.query_one("#window-recurrence").value = "monthly"
        await pilot.press("ctrl+s")
        await wait_for(pilot, grid_loaded(wgrid, 2), what="two windows")
        with fleet_site.session() as session:
            added = next(w for w in windows_of(session, servers.id) if w.name == "Patch Tuesday")
            assert (added.duration_minutes, added.recurrence) == (90, "monthly")
            assert added.start == parse_start("2030-01-08 20:00").replace(tzinfo=None) and added.utc
        row = next(r for r in grid_rows(wgrid) if r[0] == "Patch Tuesday")
        assert row[1:] == ("2030-01-08 20:00", "1 h 30", "monthly", "2030-01-08 20:00")

        rows = [r[0] for r in grid_rows(wgrid)]
        wgrid.move_cursor(rows.index("Saturday night"))
        await pilot.press("delete")
        assert isinstance(app.screen, ConfirmScreen)
        assert "'Saturday night' (weekly, 4 h) of 'Servers'" in text_of(app.screen.query_one("#confirm-question"))
        await pilot.press("y")
        await wait_for(pilot, grid_loaded(wgrid, 1), what="one window left")
        await pilot.press("escape")
        await wait_for(pilot, lambda: next(r for r in grid_rows(grid) if r[0] == "Servers")[6] == "1")
    with fleet_site.session() as session:
        assert [w.name for w in windows_of(session, servers.id)] == ["Patch Tuesday"]


async def test_readonly_lists_collections_and_windows_without_changing_them(fleet_site, make_app):
    app = make_app(fleet_site, clock=fleet_clock, readonly=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, grid = await open_collections(app, pilot)
        shown = {b.binding.id for b in screen.active_bindings.values()}
        assert {"collections.new", "collections.edit", "collections.delete"}.isdisjoint(shown)
        assert "collections.windows" in shown
        await pilot.press("n", "e", "delete")
        assert app.screen is screen
        await select_row(pilot, grid, "Servers")
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, WindowsScreen))
        shown = {b.binding.id for b in app.screen.active_bindings.values()}
        assert {"windows.add", "windows.delete"}.isdisjoint(shown)
    with fleet_site.session() as session:
        assert len(session.exec(select(Collection)).all()) == 4


@pytest.mark.parametrize("text, ok", [("2030-01-08 20:00", True), (" 2030-01-08   20:00 ", True), ("2030-01-08", False),
                                      ("08/01/2030 20:00", False)])
def test_window_start_format(text, ok):
    assert (parse_start(text) is not None) == ok

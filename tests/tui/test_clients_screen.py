"""The clients screen by keys: search, filters, sort, the detail, and importing inventory files."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlmodel import func, select

from sumtui.fleet.clients import ClientFilter, count_clients, find_client
from sumtui.fleet.collections import get_collection
from sumtui.fleet.models import Client
from sumtui.tui.screens.client_detail import ClientDetailScreen
from sumtui.tui.screens.client_filter import ClientFilterScreen
from sumtui.tui.screens.clients import ClientsScreen, name_list
from sumtui.tui.screens.inventory_import import InventoryImportScreen
from sumtui.tui.widgets.paged_table import PagedTable
from tests.tui.conftest import (
    fleet_clock,
    grid_loaded,
    grid_rows,
    open_page,
    paste,
    text_of,
    type_text,
    wait_for,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "inventory"


def db_count(site, **filter_fields) -> int:
    with site.session() as session:
        return count_clients(session, filter=ClientFilter(**filter_fields))


async def open_clients(app, pilot, site):
    screen = await open_page(app, pilot, "clients", ClientsScreen)
    grid = screen.query_one("#grid", PagedTable)
    await wait_for(pilot, grid_loaded(grid, db_count(site)), what="every client")
    return screen, grid


def test_member_names_split_on_commas_and_spaces():
    assert name_list(" ws-1, ws-2  srv-9,") == ["ws-1", "ws-2", "srv-9"]


async def test_search_sort_and_filters(fleet_site, make_app):
    app = make_app(fleet_site, clock=fleet_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, grid = await open_clients(app, pilot, fleet_site)
        names = [r[0] for r in grid_rows(grid)]
        assert names == sorted(names)
        await pilot.press("slash")
        await type_text(pilot, "lab.example")
        await wait_for(pilot, grid_loaded(grid, db_count(fleet_site, text="lab.example")), what="the search")
        assert {r[7] for r in grid_rows(grid)} == {"lab.example"}  # the Domain column
        await pilot.press("enter")  # back to the grid
        assert app.focused is grid

        await pilot.press("s", "s", "s")  # name → OS product → Req.(C) (worst first) → Last
        await wait_for(pilot, lambda: screen.sort == "last_inventory")
        await pilot.press("r")  # reset: filters and search
        await wait_for(pilot, grid_loaded(grid, db_count(fleet_site)))

        await pilot.press("f")
        assert isinstance(app.screen, ClientFilterScreen)
        await pilot.press("tab", "tab", "tab")  # collection, OS product, unmapped → out of support
        assert app.focused.id == "cf-oos"
        await pilot.press("enter", "down", "enter")  # any → yes
        await pilot.press("tab")
        await type_text(pilot, "7")
        await pilot.press("ctrl+s")
        expected = db_count(fleet_site, out_of_support=True, not_reported_days=7)
        await wait_for(pilot, grid_loaded(grid, expected), what="silent clients out of support")
        assert expected and all(r[2] == "EoS" for r in grid_rows(grid))
        status = text_of(screen.query_one("#clients-status"))
        assert "out of support, silent 7+ days" in status and status.startswith(f"{expected} client")


async def test_the_collection_and_non_compliant_filters(fleet_site, make_app):
    with fleet_site.session() as session:
        servers = get_collection(session, "Servers").id
    app = make_app(fleet_site, clock=fleet_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, grid = await open_clients(app, pilot, fleet_site)
        await pilot.press("f")
        form = app.screen
        form.query_one("#cf-collection").value = servers
        form.query_one("#cf-noncompliant").value = True
        await pilot.press("ctrl+s")
        expected = db_count(fleet_site, collection_id=servers, non_compliant=True)
        await wait_for(pilot, grid_loaded(grid, expected), what="non-compliant servers")
        assert all(r[0].startswith("SRV-") and r[3] != "0" for r in grid_rows(grid))
        assert "in Servers, non-compliant" in text_of(screen.query_one("#clients-status"))


async def test_enter_opens_the_client_detail(fleet_site, make_app):
    app = make_app(fleet_site, clock=fleet_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, grid = await open_clients(app, pilot, fleet_site)
        name = grid_rows(grid)[0][0]
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ClientDetailScreen) and app.screen.detail is not None)
        assert text_of(app.screen.query_one("#client-facts")).startswith(name)
        await pilot.press("escape")
        assert app.screen is screen


async def test_importing_a_good_and_a_bad_inventory(fleet_site, make_app, tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    shutil.copy(FIXTURES / "agent_pc044.json", drop / "pc044.json")
    (drop / "notes.txt").write_text("Quarterly patching notes: nothing to see here\n")
    with fleet_site.session() as session:
        before = session.exec(select(func.count()).select_from(Client)).one()
    app = make_app(fleet_site, clock=fleet_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, grid = await open_clients(app, pilot, fleet_site)
        await pilot.press("i")
        assert isinstance(app.screen, InventoryImportScreen)
        dialog = app.screen
        await paste(pilot, str(drop))
        assert "2 file(s)" in text_of(dialog.query_one("#inventory-preview"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: dialog.summary is not None, what="the import")
        assert (dialog.summary.imported, dialog.summary.failed) == (1, 1)
        results = dialog.query_one("#inventory-results", PagedTable)
        await wait_for(pilot, grid_loaded(results, 2))
        rows = {r[0]: r for r in grid_rows(results)}
        good = rows["PC044 (new)"]
        assert good[1] == "agent-json" and good[2] == "Win 10 1809 x64"
        bad = rows["notes.txt"]
        assert "not a systeminfo, wmic qfe or Get-HotFix output, nor agent JSON" in bad[5]
        assert "1 imported, 1 refused" in text_of(dialog.query_one("#inventory-counts"))
        await pilot.press("escape")
        assert app.screen is screen
        await wait_for(pilot, grid_loaded(grid, before + 1), what="the new client listed")
    with fleet_site.session() as session:
        assert session.exec(select(func.count()).select_from(Client)).one() == before + 1
        client = find_client(session, "pc044")
        assert client.source == "imported" and client.os_product.startswith("Windows 10 Version 1809")
        assert client.evaluated_at is not None
        assert find_client(session, "notes") is None


async def test_an_import_that_names_nothing_stays_open(fleet_site, make_app, tmp_path):
    app = make_app(fleet_site, clock=fleet_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_clients(app, pilot, fleet_site)
        await pilot.press("i")
        await paste(pilot, str(tmp_path / "missing" / "*.txt"))
        await pilot.press("enter")
        assert isinstance(app.screen, InventoryImportScreen)
        assert "nothing matches" in text_of(app.screen.query_one("#inventory-error"))
        await pilot.press("escape")
        assert isinstance(app.screen, ClientsScreen)


async def test_readonly_offers_no_import(fleet_site, make_app):
    app = make_app(fleet_site, clock=fleet_clock, readonly=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, _ = await open_clients(app, pilot, fleet_site)
        shown = {b.binding.id for b in screen.active_bindings.values()}
        assert "clients.import" not in shown and "clients.filter" in shown
        await pilot.press("i")
        await pilot.pause()
        assert app.screen is screen


async def test_a_hotfix_list_imported_under_a_machine_name(fleet_site, make_app, tmp_path):
    """The console's counterpart of `clients import --name`: a wmic qfe list joins a known machine."""
    drop = tmp_path / "drop"
    drop.mkdir()
    shutil.copy(FIXTURES / "agent_pc044.json", drop / "pc044.json")
    shutil.copy(FIXTURES / "qfe_pc044_utf16.txt", tmp_path / "qfe.txt")
    app = make_app(fleet_site, clock=fleet_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_clients(app, pilot, fleet_site)
        for paths, name in ((str(drop), ""), (str(tmp_path / "qfe.txt"), "pc044")):
            await pilot.press("i")
            dialog = app.screen
            await paste(pilot, paths)
            if name:
                dialog.query_one("#inventory-name").focus()
                await pilot.pause()
                await paste(pilot, name)
            await pilot.press("enter")
            await wait_for(pilot, lambda dialog=dialog: dialog.summary is not None, what="the import")
            assert (dialog.summary.imported, dialog.summary.failed) == (1, 0)
            await pilot.press("escape")
    with fleet_site.session() as session:
        client = find_client(session, "PC044")
        kbs = set(client.installed_kbs.split())
        assert {"5005030", "4100347"} <= kbs  # the agent's KBs and the qfe list's, on one client
        assert client.os_product.startswith("Windows 10 Version 1809")

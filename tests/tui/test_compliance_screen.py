"""The compliance screen by keys: the drill-down update → clients → client → why, sorting, filters, collections."""

from __future__ import annotations

from sqlmodel import select

from sumtui.catalog.queries import UpdateFilter
from sumtui.compliance.models import REQUIRED
from sumtui.compliance.queries import (
    client_states,
    count_clients_for_update,
    count_update_compliance,
    page_update_compliance,
)
from sumtui.fleet.collections import get_collection
from sumtui.fleet.models import Client
from sumtui.tui.screens.client_detail import ClientDetailScreen
from sumtui.tui.screens.collection_picker import CollectionPickerScreen
from sumtui.tui.screens.compliance import ComplianceScreen
from sumtui.tui.screens.filter import FilterScreen
from sumtui.tui.screens.update_clients import UpdateClientsScreen
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


def db_rows(site, **options):
    with site.session() as session:
        all_systems = get_collection(session, "All Systems").id
        return page_update_compliance(session, collection_id=options.pop("collection_id", all_systems), limit=1000, **options)


async def open_compliance(app, pilot, site):
    screen = await open_page(app, pilot, "compliance", ComplianceScreen)
    grid = screen.query_one("#grid", PagedTable)
    expected = len(db_rows(site))
    await wait_for(pilot, grid_loaded(grid, expected), what="every update")
    return screen, grid


async def test_drill_down_from_an_update_to_why_a_client_needs_it(fleet_site, make_app):
    top = db_rows(fleet_site)[0]  # most Required first
    app = make_app(fleet_site, clock=fleet_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, grid = await open_compliance(app, pilot, fleet_site)
        first = grid_rows(grid)[0]
        assert first[0] == f"KB{top.kb}" and first[3] == str(top.required)
        assert "All Systems: 60 clients" in text_of(screen.query_one("#compliance-collection"))
        await wait_for(pilot, lambda: f"KB{top.kb}" in text_of(screen.query_one("#compliance-detail")))

        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, UpdateClientsScreen), what="the update's clients")
        clients = app.screen.query_one("#grid", PagedTable)
        await wait_for(pilot, grid_loaded(clients, top.required), what="the clients that need it")
        assert f"Required: {top.required} clients in All Systems" in text_of(app.screen.query_one("#update-clients-status"))
        await pilot.press("i")
        await wait_for(pilot, grid_loaded(clients, top.installed), what="the clients that have it")
        assert text_of(app.screen.query_one("#update-clients-status")).startswith("Installed:")
        await pilot.press("f")
        await wait_for(pilot, grid_loaded(clients, 0), what="no failures")
        await pilot.press("r")
        await wait_for(pilot, grid_loaded(clients, top.required))
        name = grid_rows(clients)[0][0]

        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ClientDetailScreen), what="the client")
        detail = app.screen
        await wait_for(pilot, lambda: detail.detail is not None and detail.query_one("#grid").get_row(0) is not None,
                       what="the client's updates")
        with fleet_site.session() as session:
            client = session.exec(select(Client).where(Client.name == name)).one()
            expected = next(s for s in client_states(session, client) if s.update_id == top.update_id)
        assert expected.state == "required"
        facts = text_of(detail.query_one("#client-facts"))
        assert name in facts and "Member of All Systems" in facts and "build" in facts
        states = detail.query_one("#grid", PagedTable)
        keys = [states.get_row(i).key for i in range(states.row_count)]
        states.move_cursor(keys.index(top.update_id))
        await wait_for(pilot, lambda: expected.reason in text_of(detail.query_one("#client-reason")), what="the sentence")
        assert expected.reason.startswith("Required:")

        await pilot.press("escape")
        assert isinstance(app.screen, UpdateClientsScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, ComplianceScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, ComplianceScreen)


async def test_enter_typed_before_the_collections_are_read_opens_the_update(fleet_site, make_app, monkeypatch):
    """The collections are read after the first rows; an enter pressed in between is not lost."""
    import threading

    import sumtui.tui.screens.compliance as compliance_module

    release = threading.Event()
    real = compliance_module.post_collection_context

    def slow_context(*args, **kwargs):
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(compliance_module, "post_collection_context", slow_context)
    app = make_app(fleet_site, clock=fleet_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, grid = await open_compliance(app, pilot, fleet_site)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen  # not yet: the collection the update's clients are counted in is unknown
        release.set()
        await wait_for(pilot, lambda: isinstance(app.screen, UpdateClientsScreen), what="the update's clients")


async def test_client_detail_filters_by_state_and_shows_the_not_applicable_ones(fleet_site, make_app):
    with fleet_site.session() as session:
        client = session.exec(select(Client).where(Client.required_count > 0).order_by(Client.id)).first()
        applicable = client_states(session, client)
        everything = client_states(session, client, include_not_applicable=True)
    app = make_app(fleet_site, clock=fleet_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(ClientDetailScreen(client.id))
        await wait_for(pilot, lambda: isinstance(app.screen, ClientDetailScreen) and bool(app.screen.query("#grid")))
        screen = app.screen
        grid = screen.query_one("#grid", PagedTable)
        await wait_for(pilot, grid_loaded(grid, len(applicable)), what="the applicable updates")
        assert grid_rows(grid)[0][0] == "required"  # Required first
        await pilot.press("R")  # `r` re-reads, as on every page
        await wait_for(pilot, grid_loaded(grid, sum(s.state == "required" for s in applicable)))
        assert {r[0] for r in grid_rows(grid)} == {"required"}
        await pilot.press("a", "n")
        await wait_for(pilot, grid_loaded(grid, len(everything)), what="every update")
        assert len(everything) > len(applicable)
        assert "n hides them" in text_of(screen.query_one("#client-states-status"))


async def test_sorting_by_keys_and_the_needed_only_toggle(fleet_site, make_app):
    app = make_app(fleet_site, clock=fleet_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, grid = await open_compliance(app, pilot, fleet_site)
        required = [int(r[3].replace(",", "")) for r in grid_rows(grid)]
        assert required == sorted(required, reverse=True)
        await pilot.press("s")  # the next sortable column after Req.: Inst., a count: largest first
        await wait_for(pilot, lambda: screen.sort == "installed" and screen.descending and grid_loaded(grid)())
        installed = [int(r[4].replace(",", "")) for r in grid_rows(grid)]
        assert installed == sorted(installed, reverse=True)
        assert "by installed ▼" in text_of(screen.query_one("#compliance-query"))
        await pilot.press("S")
        await wait_for(pilot, lambda: not screen.descending and grid_loaded(grid)()
                       and int(grid_rows(grid)[0][4]) == min(installed), what="ascending")

        needed = len(db_rows(fleet_site, only_needed=True))
        await pilot.press("n")
        await wait_for(pilot, grid_loaded(grid, needed), what="only the needed updates")
        assert all(int(r[3]) + int(r[7]) > 0 for r in grid_rows(grid))
        assert "only needed ones" in text_of(screen.query_one("#compliance-query"))
        await pilot.press("r")
        await wait_for(pilot, grid_loaded(grid, len(db_rows(fleet_site))), what="all updates again")


async def test_search_and_the_filter_form_narrow_the_grid(fleet_site, make_app):
    app = make_app(fleet_site, clock=fleet_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, grid = await open_compliance(app, pilot, fleet_site)
        await pilot.press("slash")
        await type_text(pilot, "server 2012")
        found = db_rows(fleet_site, filter=UpdateFilter(text="server 2012"))
        await wait_for(pilot, grid_loaded(grid, len(found)), what="the search")
        assert 0 < len(found) < len(db_rows(fleet_site))
        assert [r[0] for r in grid_rows(grid)] == [f"KB{u.kb}" for u in found]
        await pilot.press("escape", "r")  # leave the search, reset
        await wait_for(pilot, grid_loaded(grid, len(db_rows(fleet_site))))

        await pilot.press("f")
        assert isinstance(app.screen, FilterScreen)
        await pilot.press("tab", "tab", "tab", "tab", "enter", "down", "enter")  # severity: Critical
        await pilot.press("ctrl+s")
        critical = db_rows(fleet_site, filter=UpdateFilter(severity="Critical"))
        await wait_for(pilot, grid_loaded(grid, len(critical)), what="the critical updates")
        assert {r[1] for r in grid_rows(grid)} == {"Crit"}
        assert "severity=Critical" in text_of(screen.query_one("#compliance-query"))


async def test_another_collection_changes_every_figure(fleet_site, make_app):
    with fleet_site.session() as session:
        servers = get_collection(session, "Servers")
        needed = count_update_compliance(session, collection_id=servers.id, only_needed=True)
        top = db_rows(fleet_site, collection_id=servers.id)[0]
        in_servers = count_clients_for_update(session, update_id=top.update_id, collection_id=servers.id, state=REQUIRED)
    app = make_app(fleet_site, clock=fleet_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, grid = await open_compliance(app, pilot, fleet_site)
        await pilot.press("c")
        assert isinstance(app.screen, CollectionPickerScreen)
        await pilot.press("g", "j", "j", "enter")  # All Systems, Pilot ring, Servers
        await wait_for(pilot, lambda: screen.collection_id == servers.id)
        await pilot.press("n")
        await wait_for(pilot, grid_loaded(grid, needed), what="what Servers need")
        assert text_of(screen.query_one("#compliance-collection")).startswith("Servers: 12 clients")
        assert grid_rows(grid)[0][3] == str(top.required)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, UpdateClientsScreen))
        await wait_for(pilot, grid_loaded(app.screen.query_one("#grid"), in_servers), what="only the servers")
        assert "in Servers" in text_of(app.screen.query_one("#update-clients-status"))
        assert in_servers


async def test_a_site_without_clients_says_where_they_come_from(catalog_site, make_app):
    app = make_app(catalog_site)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_page(app, pilot, "compliance", ComplianceScreen)
        grid = screen.query_one("#grid", PagedTable)
        await wait_for(pilot, grid_loaded(grid, 0), what="an empty grid")
        head = screen.query_one("#compliance-collection")
        await wait_for(pilot, lambda: text_of(head).startswith("No clients yet"), what="the explanation")
        await pilot.press("c")
        assert isinstance(app.screen, ComplianceScreen)  # no collection to pick

"""Triage in a few keys: "which servers miss a Critical update, and why?" is one key from Home (the Clients
screen filtered and sorted worst first, each row naming its worst missing KBs), and the Clients filter
form offers the severity and role filters on their own."""

from __future__ import annotations

from sqlalchemy import select

from sumtui.catalog.models import SEVERITY_RANK
from sumtui.compliance.missing import count_filtered_clients
from sumtui.compliance.queries import client_states
from sumtui.fleet.clients import ClientFilter
from sumtui.fleet.models import Client
from sumtui.tui.screens.client_detail import ClientDetailScreen
from sumtui.tui.screens.clients import ClientsScreen
from sumtui.tui.widgets.paged_table import PagedTable
from sumtui.tui.widgets.triage import TriageList
from tests.tui.conftest import (
    fleet_clock,
    grid_loaded,
    grid_rows,
    open_page,
    text_of,
    wait_for,
)


def servers_missing_critical(site) -> list[Client]:
    """Read straight from the client rows, worst first (critical, then failed, then required)."""
    with site.session() as session:
        rows = session.execute(select(Client).where(Client.is_server.is_(True), Client.critical_missing > 0)).scalars().all()
        session.expunge_all()
    return sorted(rows, key=lambda c: (c.critical_missing, c.failed_count, c.required_count, c.id), reverse=True)


def required_kbs(site, client_id: int) -> dict[str, int]:
    """KB → severity rank of what the client misses, from its explained states (not the grid's code path)."""
    with site.session() as session:
        client = session.get(Client, client_id)
        out: dict[str, int] = {}
        for s in client_states(session, client):
            if s.state == "required":
                out[s.kb] = max(out.get(s.kb, 0), SEVERITY_RANK.get(s.severity or "", 0))
    return out


async def home_triage(app, pilot) -> TriageList:
    options = app.screen.query_one("#triage-list", TriageList)
    await wait_for(pilot, lambda: options.option_count > 3, what="the triage panel")
    return options


async def test_one_key_from_home_lists_the_servers_missing_a_critical_update_worst_first(fleet_site, make_app):
    expected = servers_missing_critical(fleet_site)
    assert len(expected) >= 3  # the generated fleet has several: the order below means something
    app = make_app(fleet_site, clock=fleet_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        options = await home_triage(app, pilot)
        line = options.get_option("1|view:servers-critical")
        assert str(line.prompt).strip().startswith(f"{len(expected)} servers miss a Critical update (s lists them)")
        await pilot.press("s")  # the one key
        await wait_for(pilot, lambda: isinstance(app.screen, ClientsScreen), what="the Clients screen")
        screen = app.screen
        grid = screen.query_one("#grid", PagedTable)
        await wait_for(pilot, grid_loaded(grid, len(expected)), what="the servers missing a Critical update")
        rows = grid_rows(grid)
        assert [r[0] for r in rows] == [c.name for c in expected]
        for row, client in zip(rows, expected):
            assert row[3] == f"{client.required_count} ({client.critical_missing})"  # Req.(C)
            missing = required_kbs(fleet_site, client.id)
            shown = row[4].split()
            kbs = [word.removeprefix("KB") for word in shown if word.startswith("KB")]
            more = int(shown[-1].removeprefix("+")) if shown[-1].startswith("+") else 0
            assert 1 <= len(kbs) <= 2 and set(kbs) <= set(missing)
            assert len(kbs) + more == len(missing)
            assert missing[kbs[0]] == 4  # the worst first: a Critical one
        status = text_of(screen.query_one("#clients-status"))
        assert f"{len(expected)} clients" in status and "servers, missing Critical" in status
        assert "by critical required ▼" in status

        await pilot.press("enter")  # and why: the first server's updates, each with its sentence
        await wait_for(pilot, lambda: isinstance(app.screen, ClientDetailScreen) and app.screen.detail is not None)
        assert text_of(app.screen.query_one("#client-facts")).startswith(expected[0].name)


async def test_enter_on_the_triage_line_opens_the_same_view(fleet_site, make_app):
    expected = servers_missing_critical(fleet_site)
    app = make_app(fleet_site, clock=fleet_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        options = await home_triage(app, pilot)
        await pilot.press("t")
        options.highlighted = options.get_option_index("1|view:servers-critical")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ClientsScreen), what="the Clients screen")
        grid = app.screen.query_one("#grid", PagedTable)
        await wait_for(pilot, grid_loaded(grid, len(expected)), what="the servers missing a Critical update")
        assert grid.sort_key == "critical" and grid.sort_descending


async def test_the_clients_filter_form_has_role_and_severity(fleet_site, make_app):
    wanted = ClientFilter(role="workstation", missing_severity="Moderate")
    with fleet_site.session() as session:
        expected = count_filtered_clients(session, filter=wanted)
        everyone = count_filtered_clients(session, filter=ClientFilter())
    assert 0 < expected < everyone
    app = make_app(fleet_site, clock=fleet_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_page(app, pilot, "clients", ClientsScreen)
        grid = screen.query_one("#grid", PagedTable)
        await wait_for(pilot, grid_loaded(grid, everyone), what="every client")
        await pilot.press("f")
        form = app.screen
        form.query_one("#cf-role").value = "workstation"
        form.query_one("#cf-missing").value = "Moderate"
        await pilot.press("ctrl+s")
        await wait_for(pilot, grid_loaded(grid, expected), what="workstations missing Moderate or worse")
        assert all(r[0].startswith("WS-") and r[4].startswith("KB") for r in grid_rows(grid))
        assert "workstations, missing Moderate or worse" in text_of(screen.query_one("#clients-status"))
        await pilot.press("f")  # the form shows what is applied
        assert app.screen.query_one("#cf-role").value == "workstation"
        assert app.screen.query_one("#cf-missing").value == "Moderate"

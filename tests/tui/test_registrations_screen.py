"""Registrations held for approval in the console (Clients, `p`), by keys: the client and the machine
asking side by side, approve and reject with a confirmation that names the machine, the read-only
console, hostile text in the request's facts; and resetting a client's registration (`R`)."""

from __future__ import annotations

from sqlmodel import select

from sumtui.fleet import registrations
from sumtui.fleet.enrollment import hash_token
from sumtui.fleet.models import Client
from sumtui.tui.screens.clients import ClientsScreen
from sumtui.tui.screens.confirm import ConfirmScreen
from sumtui.tui.screens.registrations import PendingRegistrationsScreen
from sumtui.tui.widgets.paged_table import PagedTable
from tests.tui.conftest import fleet_clock, grid_loaded, open_page, text_of, wait_for


def first_clients(site, count: int) -> list[Client]:
    with site.session() as session:
        return list(session.exec(select(Client).where(Client.os_product.is_not(None)).order_by(Client.name_key).limit(count)))


def hold(site, name: str, *, secret: str, os_name: str = "Microsoft Windows 11 Pro", address: str = "10.9.8.7") -> None:
    with site.session() as session:
        registrations.hold(session, name=name, secret_hash=hash_token(secret), agent_version="0.1.0", address=address,
                           inventory={"format": "sumtui-inventory/1", "name": name, "os_name": os_name,
                                      "build": "10.0.22631", "domain": "elsewhere.example",
                                      "installed_kbs": ["KB5031455", "KB5032190", "KB5033375"]})
        session.commit()


def held_states(site) -> dict[str, str]:
    with site.session() as session:
        return {view.name: view.state for view in registrations.list_held(session)}


async def open_held(app, pilot, site, waiting: int) -> PendingRegistrationsScreen:
    clients = await open_page(app, pilot, "clients", ClientsScreen)
    grid = clients.query_one("#grid", PagedTable)
    await wait_for(pilot, grid_loaded(grid), what="the clients")
    await wait_for(pilot, lambda: f"{waiting} registration" in text_of(clients.query_one("#clients-status")),
                   what="the waiting registrations counted")
    await pilot.press("p")
    await wait_for(pilot, lambda: isinstance(app.screen, PendingRegistrationsScreen) and app.screen.views is not None,
                   what="the pending registrations")
    return app.screen


def option_text(screen, index: int) -> str:
    from rich.console import Console

    option = screen.query_one("#held-list").get_option_at_index(index)
    console = Console(width=78, record=True, color_system=None)
    console.print(option.prompt)
    return console.export_text()


async def test_side_by_side_then_approve_and_reject_with_a_confirmation(fleet_site, make_app):
    one, two = first_clients(fleet_site, 2)
    hold(fleet_site, one.name.lower(), secret="s" * 20)
    hold(fleet_site, two.name, secret="t" * 20, address="10.9.8.6")
    app = make_app(fleet_site, clock=fleet_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_held(app, pilot, fleet_site, 2)
        assert text_of(screen.query_one("#held-status")).startswith("2 waiting")
        shown = option_text(screen, 0)
        assert one.name.lower() in shown and "from 10.9.8.7" in shown
        assert "The client now" in shown and "The machine asking" in shown
        assert f"OS: {one.os_product}" in shown and "OS: Microsoft Windows 11 Pro" in shown
        assert "KBs: 3" in shown and "Domain: elsewhere.example" in shown

        await pilot.press("a")
        assert isinstance(app.screen, ConfirmScreen)
        question = text_of(app.screen.query_one("#confirm-question"))
        assert question.startswith(f"Approve the registration of {one.name.lower()}?") and "10.9.8.7" in question
        await pilot.press("n")
        assert held_states(fleet_site)[one.name.lower()] == "pending"
        await pilot.press("a", "y")
        await wait_for(pilot, lambda: held_states(fleet_site)[one.name.lower()] == "approved", what="the approval")

        await pilot.press("down", "x")
        assert "10.9.8.6" in text_of(app.screen.query_one("#confirm-question"))
        await pilot.press("y")
        await wait_for(pilot, lambda: held_states(fleet_site)[two.name] == "rejected", what="the rejection")
        await wait_for(pilot, lambda: text_of(screen.query_one("#held-status")).startswith("0 waiting, 2 decided"))
    with fleet_site.session() as session:
        # Nothing about the clients changed: the identity moves only when the approved agent comes back.
        assert session.get(Client, one.id).token_hash == one.token_hash


async def test_a_request_replaced_meanwhile_is_not_decided(fleet_site, make_app):
    (one,) = first_clients(fleet_site, 1)
    hold(fleet_site, one.name, secret="s" * 20)
    app = make_app(fleet_site, clock=fleet_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_held(app, pilot, fleet_site, 1)
        hold(fleet_site, one.name, secret="u" * 20, os_name="Microsoft Windows 10 Pro")  # arrives after it was shown
        await pilot.press("a", "y")
        await wait_for(pilot, lambda: "Windows 10 Pro" in option_text(screen, 0), what="the list reloaded")
        assert held_states(fleet_site) == {one.name: "pending"}


async def test_hostile_text_in_a_request_stays_text(fleet_site, make_app):
    (one,) = first_clients(fleet_site, 1)
    hold(fleet_site, one.name, secret="s" * 20, os_name="[bold]Win[/bold] \x1b[31mred\x1b[0m \u202eexe.txt [link=http://x]y")
    app = make_app(fleet_site, clock=fleet_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_held(app, pilot, fleet_site, 1)
        shown = option_text(screen, 0)
        assert "[bold]Win[/bold]" in shown and "\\x1b[31mred" in shown and "\\u202eexe.txt" in shown
        assert "\x1b" not in shown and "\u202e" not in shown


async def test_readonly_shows_but_does_not_decide_or_reset(fleet_site, make_app):
    (one,) = first_clients(fleet_site, 1)
    hold(fleet_site, one.name, secret="s" * 20)
    app = make_app(fleet_site, clock=fleet_clock, readonly=True)
    async with app.run_test(size=(80, 24)) as pilot:
        clients = await open_page(app, pilot, "clients", ClientsScreen)
        shown = {b.binding.id for b in clients.active_bindings.values()}
        assert "clients.pending" in shown and "clients.reset_registration" not in shown
        screen = await open_held(app, pilot, fleet_site, 1)
        shown = {b.binding.id for b in screen.active_bindings.values()}
        assert {"held.approve", "held.reject"}.isdisjoint(shown)
        await pilot.press("a", "x")
        assert app.screen is screen
    assert held_states(fleet_site) == {one.name: "pending"}


async def test_resetting_a_clients_registration_asks_first(fleet_site, make_app):
    with fleet_site.session() as session:
        for client in session.exec(select(Client)):
            client.token_hash = hash_token(f"token-{client.id}")
            session.add(client)
        session.commit()
    app = make_app(fleet_site, clock=fleet_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        clients = await open_page(app, pilot, "clients", ClientsScreen)
        grid = clients.query_one("#grid", PagedTable)
        await wait_for(pilot, grid_loaded(grid), what="the clients")
        row = grid.current_row
        client_id, name = int(row.key), str(row.cells[0])
        await pilot.press("R")
        assert isinstance(app.screen, ConfirmScreen)
        question = text_of(app.screen.query_one("#confirm-question"))
        assert question.startswith(f"Reset the registration of {name}?") and "token stops working" in question
        await pilot.press("n")

        def token() -> str | None:
            with fleet_site.session() as session:
                return session.get(Client, client_id).token_hash

        assert token() is not None
        await pilot.press("R", "y")
        await wait_for(pilot, lambda: token() is None, what="the reset")
    with fleet_site.session() as session:
        assert session.get(Client, client_id).registration_reset_at is not None

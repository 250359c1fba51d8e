"""The management point screen against a real `sumtui` server on loopback and against a closed port;
enrollment key rotation; the read-only console."""

from __future__ import annotations

from sumtui.db.site_settings import load_setting
from sumtui.fleet import enrollment, management_point
from sumtui.tui.screens.confirm import ConfirmScreen
from sumtui.tui.screens.management_point import ManagementPointScreen, url_check
from sumtui.tui.screens.prereqs import PrereqsScreen
from sumtui.tui.screens.prompt import PromptScreen
from tests.server.conftest import RunningServer, free_port
from tests.tui.conftest import open_page, paste, text_of, wait_for


def set_url(site, url: str) -> None:
    with site.session() as session:
        management_point.save(session, management_point.ManagementPointSettings(url=url))


def stored_hash(site) -> str:
    with site.session() as session:
        return load_setting(session, key=enrollment.KEY, model=enrollment.Enrollment)[0].key_hash


def shown_key(screen) -> str:
    return text_of(screen.query_one("#mp-key")).split()[0]


async def open_mp(app, pilot) -> ManagementPointScreen:
    screen = await open_page(app, pilot, "mp", ManagementPointScreen)
    await wait_for(pilot, lambda: screen.status is not None, what="the probe")
    return screen


async def test_a_running_management_point_and_the_agent_command(catalog_site, make_app):
    with RunningServer(catalog_site) as server:
        set_url(catalog_site, server.url)
        app = make_app(catalog_site)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_mp(app, pilot)
            assert screen.status.reachable
            status = text_of(screen.query_one("#mp-status"))
            assert status.startswith(f"✔ reachable: 127.0.0.1:{server.port} answers: sumtui ")
            assert "site testsite" in status and "5 updates in its catalog" in status
            key = shown_key(screen)  # made on first use, as `sumtui enroll-key` does, and shown this once
            assert stored_hash(catalog_site) == enrollment.hash_token(key) and len(key) > 20
            assert "shown only now" in text_of(screen.query_one("#mp-key"))
            agent = text_of(screen.query_one("#mp-agent"))
            assert agent.startswith(f"sumtui agent --server {server.url} --enroll-key {key}")
            serve = text_of(screen.query_one("#mp-serve"))
            assert f"serve --host 127.0.0.1 --port {server.port}" in serve
            assert str(catalog_site.engine.url.database) in serve
            # Another visit: the key exists and is never shown again.
            await pilot.press("escape")
            again = await open_mp(app, pilot)
            await wait_for(pilot, lambda: text_of(again.query_one("#mp-key")).startswith("set (not shown again"),
                           what="the key hidden")
            assert key not in text_of(again.query_one("#mp-agent"))
            await pilot.press("y")
            await wait_for(pilot, lambda: any("R makes a new one" in str(n.message) for n in app._notifications),
                           what="the copy refused")


async def test_a_closed_port_says_how_to_start_it_and_the_url_can_change(console_site, make_app):
    port = free_port()
    set_url(console_site, f"http://127.0.0.1:{port}/")
    app = make_app(console_site)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_mp(app, pilot)
        assert not screen.status.reachable
        status = text_of(screen.query_one("#mp-status"))
        assert status.startswith(f"✘ not reachable: GET http://127.0.0.1:{port}/api/v1/health")
        assert f"start it with `sumtui serve --host 127.0.0.1 --port {port}`" in status

        await pilot.press("e")
        assert isinstance(app.screen, PromptScreen)
        await pilot.press("ctrl+a", "ctrl+k")
        await paste(pilot, "ftp://mp.example")
        await pilot.press("enter")
        assert "must start with http:// or https://" in text_of(app.screen.query_one("#prompt-error"))
        await pilot.press("ctrl+a", "ctrl+k")
        await paste(pilot, "http://mp.example:9100")
        await pilot.press("enter")

        def saved() -> str:
            with console_site.session() as session:
                return management_point.load(session)[0].url

        await wait_for(pilot, lambda: saved() == "http://mp.example:9100/", what="the new URL")
        await wait_for(pilot, lambda: "--port 9100" in text_of(screen.query_one("#mp-serve")), what="the new command")


async def test_rotating_the_key_asks_first(console_site, make_app):
    set_url(console_site, f"http://127.0.0.1:{free_port()}/")
    app = make_app(console_site)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_mp(app, pilot)
        first = stored_hash(console_site)
        await pilot.press("R")  # shift: `r` re-reads the page, as on every page
        assert isinstance(app.screen, ConfirmScreen)
        assert "Agents already registered keep working" in text_of(app.screen.query_one("#confirm-question"))
        await pilot.press("n")
        assert stored_hash(console_site) == first
        await pilot.press("R", "y")
        await wait_for(pilot, lambda: stored_hash(console_site) != first, what="a new key")
        second = stored_hash(console_site)
        await wait_for(pilot, lambda: enrollment.hash_token(shown_key(screen)) == second, what="the new key, shown")
        assert shown_key(screen) in text_of(screen.query_one("#mp-agent"))


async def test_readonly_shows_but_neither_edits_rotates_nor_creates(console_site, make_app):
    set_url(console_site, f"http://127.0.0.1:{free_port()}/")
    app = make_app(console_site, readonly=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_mp(app, pilot)
        shown = {b.binding.id for b in screen.active_bindings.values()}
        assert {"mp.rotate", "mp.edit"}.isdisjoint(shown) and {"mp.probe", "mp.copy"} <= shown
        await pilot.press("R", "e")
        assert app.screen is screen
        assert "none yet" in text_of(screen.query_one("#mp-key"))
    assert stored_hash(console_site) == ""


async def test_prerequisites_probe_the_management_point_and_lead_to_it(console_site, make_app):
    port = free_port()
    set_url(console_site, f"http://127.0.0.1:{port}/")
    app = make_app(console_site)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_page("prereqs")
        await wait_for(pilot, lambda: isinstance(app.screen, PrereqsScreen) and app.screen.report is not None)
        check = text_of(app.screen.query_one("#check-management_point .check-text"))
        assert f"GET http://127.0.0.1:{port}/api/v1/health" in check
        # The command names this site, as the Management point screen's does.
        site = console_site.engine.url.database
        assert f"start it with `sumtui --db {site} serve --host 127.0.0.1 --port {port}`" in check
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, ManagementPointScreen))


def test_url_check_reads_the_settings_rules():
    assert url_check("http://mp.example:8530") is None
    assert "must start with http" in url_check("mp.example")

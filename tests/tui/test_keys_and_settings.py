"""Keys and settings that do what they say: the config file's keymap rebinds keys (help and footers show
the keys in effect), its theme is applied, esc on a changed form asks first, `/` filters every list and
enter on a client's state opens the update."""

from __future__ import annotations

import pytest
from sqlmodel import select

from sumtui import paths
from sumtui.compliance.queries import client_states
from sumtui.errors import CommandError
from sumtui.fleet.models import Client, Collection
from sumtui.tui.app import console_app
from sumtui.tui.screens.client_agent import ClientAgentScreen
from sumtui.tui.screens.client_detail import ClientDetailScreen
from sumtui.tui.screens.collection_form import CollectionFormScreen
from sumtui.tui.screens.collections import CollectionsScreen
from sumtui.tui.screens.confirm import ConfirmScreen
from sumtui.tui.screens.filter import FilterScreen
from sumtui.tui.screens.help import HelpScreen
from sumtui.tui.screens.home import HomeScreen
from sumtui.tui.screens.jump import JumpScreen
from sumtui.tui.screens.update_view import UpdateViewScreen
from sumtui.tui.screens.updates import UpdatesScreen
from sumtui.tui.widgets.paged_table import PagedTable
from tests.tui.conftest import (
    fixed_clock,
    fleet_clock,
    grid_loaded,
    grid_rows,
    text_of,
    type_text,
    wait_for,
)


def write_config(text: str) -> None:
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def said(app) -> list[str]:
    from tests.tui.test_reevaluation import said as record

    return record(app)


def help_rows(screen) -> dict[str, tuple[str, str]]:
    """binding id → (key shown, what it does), from the help table."""
    table = screen.query_one("#help-table")
    rows = [table.get_row_at(i) for i in range(table.row_count)]
    return {str(r[2]): (str(r[0]), str(r[1])) for r in rows}


async def test_the_config_files_keymap_rebinds_keys_and_help_shows_the_keys_in_effect(console_site):
    write_config('[keymap]\n"app.help" = "f1"\n"app.jump" = ";"\n')
    app = console_app(console_site, clock=fixed_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")  # the old key does nothing now
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        rows = help_rows(app.screen)
        assert rows["app.help"] == ("f1", "Keys (remapped)")
        assert rows["app.jump"] == (";", "Jump (remapped)")
        assert rows["app.quit"] == ("q", "Quit")
        await pilot.press("escape")
        keys = {b.binding.id: key for key, b in app.screen.active_bindings.items()}
        assert keys["app.help"] == "f1"  # what the footer shows
        await pilot.press("semicolon")
        assert isinstance(app.screen, JumpScreen)


async def test_a_keymap_naming_no_binding_or_giving_one_key_twice_is_said(console_site, make_app):
    app = make_app(console_site, keymap={"sync.strat": "ctrl+s", "sync.start": "i"})
    messages = said(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: any("'sync.strat'" in m for m in messages), what="the unknown id")
        # Textual would keep one of the two and drop the other without a word.
        await wait_for(pilot, lambda: any("sync.import and sync.start share the key 'i'" in m for m in messages),
                       what="the clash")


async def test_a_bad_keymap_stops_the_console_with_one_line_naming_the_file(console_site):
    write_config('[keymap]\n"sync.start" = ""\n')
    with pytest.raises(CommandError) as caught:
        console_app(console_site)
    assert str(paths.config_file()) in str(caught.value) and "sync.start" in str(caught.value)


async def test_the_theme_setting_is_applied(console_site, monkeypatch):
    monkeypatch.setenv("SUMTUI_THEME", "textual-light")
    app = console_app(console_site, clock=fixed_clock)
    async with app.run_test(size=(80, 24)):
        assert app.theme == "textual-light" and not app.current_theme.dark
        assert app.screen.styles.background != console_app(console_site).get_theme("textual-dark").background


async def test_an_unknown_theme_is_said_and_the_default_kept(console_site, make_app):
    app = make_app(console_site, theme="no-such-theme")
    messages = said(app)
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.theme == "textual-dark"
        await wait_for(pilot, lambda: any("Unknown theme 'no-such-theme'" in m for m in messages))


async def test_a_theme_with_no_color_stays_colourless(console_site, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("SUMTUI_THEME", "textual-light")
    app = console_app(console_site, clock=fixed_clock)
    async with app.run_test(size=(80, 24)):
        assert app.no_color and app.theme == "textual-light"


# ---------------------------------------------------------------------- forms


async def open_collections(app, pilot) -> CollectionsScreen:
    app.open_page("collections")
    await wait_for(pilot, lambda: isinstance(app.screen, CollectionsScreen) and app.screen.collections,
                   what="the collections")
    return app.screen


async def test_escape_on_a_changed_form_asks_before_throwing_it_away(fleet_site, make_app):
    app = make_app(fleet_site, clock=fleet_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_collections(app, pilot)
        await pilot.press("n", "escape")  # nothing typed: closes at once
        assert app.screen is screen
        await pilot.press("n")
        form = app.screen
        assert isinstance(form, CollectionFormScreen)
        await type_text(pilot, "Finance")
        await pilot.press("escape")
        assert isinstance(app.screen, ConfirmScreen)
        assert "New collection: throw away your changes?" in text_of(app.screen.query_one("#confirm-question"))
        await pilot.press("n")  # keep editing
        assert app.screen is form and form.query_one("#collection-name").value == "Finance"
        await pilot.press("escape", "y")
        assert app.screen is screen
    with fleet_site.session() as session:
        assert session.exec(select(Collection).where(Collection.name == "Finance")).first() is None


async def test_escape_on_changed_settings_asks_too(console_site, make_app):
    app = make_app(console_site)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_page("client-agent")
        await wait_for(pilot, lambda: isinstance(app.screen, ClientAgentScreen), what="the form")
        form = app.screen
        await pilot.pause()
        await pilot.press("escape")  # unchanged: closes
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
        app.open_page("client-agent")
        await wait_for(pilot, lambda: isinstance(app.screen, ClientAgentScreen), what="the form again")
        form = app.screen
        await pilot.pause()
        field = form.query_one("#enforce-within-days")
        field.value = field.value + "1"
        await pilot.press("escape")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        assert isinstance(app.screen, HomeScreen)


async def test_escape_on_a_changed_filter_asks_too(catalog_site, make_app):
    app = make_app(catalog_site)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_page("updates")
        await wait_for(pilot, lambda: isinstance(app.screen, UpdatesScreen) and app.screen.is_mounted)
        updates = app.screen
        await pilot.press("f")
        assert isinstance(app.screen, FilterScreen)
        await type_text(pilot, "hyper")
        await pilot.press("escape")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        assert app.screen is updates and updates.extra.text is None


# ---------------------------------------------------------------------- `/` and enter on every list


async def test_slash_filters_the_collections(fleet_site, make_app):
    app = make_app(fleet_site, clock=fleet_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_collections(app, pilot)
        grid = screen.query_one("#grid", PagedTable)
        await wait_for(pilot, grid_loaded(grid, len(screen.collections)), what="every collection")
        await pilot.press("slash")
        await type_text(pilot, "server")
        await wait_for(pilot, grid_loaded(grid, 1), what="one collection")
        assert grid_rows(grid)[0][0] == "Servers"
        assert text_of(screen.query_one("#collections-status")).startswith(f"1 of {len(screen.collections)}")
        await pilot.press("enter")  # from the box to the list, then the members
        assert screen.focused is grid
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is not screen, what="the members")


async def test_a_clients_states_filter_by_words_and_enter_opens_the_update(fleet_site, make_app):
    with fleet_site.session() as session:
        client = session.exec(select(Client).where(Client.required_count > 0).order_by(Client.id)).first()
        states = client_states(session, client)
    required = next(s for s in states if s.state == "required")
    same_kb = [s for s in states if s.kb == required.kb]
    app = make_app(fleet_site, clock=fleet_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(ClientDetailScreen(client.id))
        await wait_for(pilot, lambda: isinstance(app.screen, ClientDetailScreen) and app.screen.detail is not None)
        screen = app.screen
        grid = screen.query_one("#grid", PagedTable)
        await wait_for(pilot, grid_loaded(grid, len(states)), what="the states")
        await pilot.press("r")  # reads again; does not narrow to Required (that is R)
        await wait_for(pilot, grid_loaded(grid, len(states)))
        await pilot.press("slash")
        await type_text(pilot, f"kb{required.kb}")
        await wait_for(pilot, grid_loaded(grid, len(same_kb)), what="the rows of that KB")
        await pilot.press("enter", "enter")  # the box, then the row
        await wait_for(pilot, lambda: isinstance(app.screen, UpdateViewScreen), what="the update")
        view = app.screen
        detail = view.query_one("#detail-text")
        await wait_for(pilot, lambda: text_of(detail).startswith(f"KB{required.kb}"), what="its detail")
        assert f"{client.name}: required" in text_of(view.query_one("#update-context"))
        await pilot.press("escape")
        assert app.screen is screen and grid_loaded(grid, len(same_kb))()

"""Moving around as an operator does over SSH: keys typed ahead in one burst land where they would have
landed typed slowly, `:` ranks the pages a prefix may mean, esc goes back through the pages opened and
leaves a text box before it leaves a page."""

from __future__ import annotations

import pytest

from sumtui.tui.screens.client_agent import ClientAgentScreen
from sumtui.tui.screens.clients import ClientsScreen
from sumtui.tui.screens.collections import CollectionsScreen
from sumtui.tui.screens.home import HomeScreen
from sumtui.tui.screens.import_files import ImportScreen
from sumtui.tui.screens.sync import SyncScreen
from sumtui.tui.screens.updates import UpdatesScreen
from sumtui.tui.widgets.paged_table import PagedTable
from tests.tui.conftest import (
    burst,
    grid_loaded,
    input_done,
    paste,
    type_text,
    wait_for,
)


def typed(text: str) -> list[str]:
    return [{":": "colon", " ": "space"}.get(ch, ch) for ch in text]


async def send(pilot, *keys: str) -> None:
    """A burst (`burst`), then every key of it received and run its course (nothing waits on time)."""
    before = pilot.app._typeahead.received
    await input_done(pilot, before, burst(pilot.app, *keys))


@pytest.mark.parametrize("delivery", ["burst", "press"])
async def test_a_jump_typed_ahead_lands_on_the_page_it_names(console_site, make_app, delivery):
    app = make_app(console_site)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()

        async def jump(text: str) -> None:
            keys = [*typed(text), "enter"]
            if delivery == "burst":  # one read, as SSH delivers it: nothing waits between the keys
                await send(pilot, *keys)
            else:
                await pilot.press(*keys)

        await jump(":sync")
        await wait_for(pilot, lambda: isinstance(app.screen, SyncScreen), what="the sync screen")
        await jump(":updates")
        await wait_for(pilot, lambda: isinstance(app.screen, UpdatesScreen), what="the updates screen")
        assert [type(s) for s in app.screen_stack] == [HomeScreen, UpdatesScreen]


async def test_keys_typed_after_the_jump_reach_the_page_opened(catalog_site, make_app):
    app = make_app(catalog_site)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        # `/` and the words are for the Updates page, which is not open yet when they arrive.
        await send(pilot, *typed(":updates"), "enter", "slash", *typed("office"))
        screen = app.screen
        assert isinstance(screen, UpdatesScreen)
        assert screen.query_one("#search").value == "office"
        grid = screen.query_one("#grid", PagedTable)
        await wait_for(pilot, grid_loaded(grid, 1), what="the one Office update")


async def test_keys_typed_before_a_settings_form_appears_are_for_the_form(console_site, make_app):
    app = make_app(console_site)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        # The form appears once a worker has read the settings: the esc after enter must close it, not
        # fall on Home before the form is there.
        await send(pilot, *typed(":client-agent"), "enter", "escape")
        assert not any(isinstance(s, ClientAgentScreen) for s in app.screen_stack)
        assert isinstance(app.screen, HomeScreen)


async def test_a_paste_into_a_dialog_still_mounting_lands_in_its_input(catalog_site, make_app, tmp_path):
    app = make_app(catalog_site)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_page("sync")
        await wait_for(pilot, lambda: isinstance(app.screen, SyncScreen) and app.screen.is_mounted)
        # `i` opens the import dialog; the paste arrives before the dialog has mounted its input.
        before = app._typeahead.received
        burst(app, "i")
        await paste(pilot, str(tmp_path / "nothing-here.json"))
        await input_done(pilot, before, 2)
        assert isinstance(app.screen, ImportScreen)
        assert app.screen.query_one("#import-paths").value == str(tmp_path / "nothing-here.json")


async def test_a_prefix_opens_the_most_used_page_and_the_candidates_show_as_you_type(console_site, make_app):
    app = make_app(console_site)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("colon", "c", "l", "enter")  # Clients, not Client agent (listed before it)
        await wait_for(pilot, lambda: isinstance(app.screen, ClientsScreen), what="the clients page")
        await pilot.press("colon", "c", "l")
        jump = app.screen
        options = jump.query_one("#jump-list")
        await wait_for(pilot, lambda: options.get_option_at_index(0).id == "clients", what="the best candidate first")
        assert options.get_option_at_index(1).id == "client-agent"
        await wait_for(pilot, lambda: jump.query_one("#jump-input")._suggestion == "clients", what="the completion")
        await pilot.press("escape", "colon", "c", "o")
        await wait_for(pilot, lambda: app.screen.shown[:2] == ["compliance", "collections"], what="the candidates")
        await pilot.press("down", "enter")  # the second line: the operator picks it
        await wait_for(pilot, lambda: isinstance(app.screen, CollectionsScreen), what="the collections page")


async def test_escape_goes_back_through_the_pages_opened(catalog_site, make_app):
    app = make_app(catalog_site)
    async with app.run_test(size=(80, 24)) as pilot:
        for name in ("updates", "clients", "sync"):
            app.open_page(name)
            await pilot.pause()
        app.open_page("clients")  # again: the history keeps the order pages were left in
        await wait_for(pilot, lambda: isinstance(app.screen, ClientsScreen))
        assert app.page_history == ["home", "updates", "clients", "sync"]
        for expected in (SyncScreen, ClientsScreen, UpdatesScreen, HomeScreen, HomeScreen):
            await pilot.press("escape")
            await wait_for(pilot, lambda shown=expected: isinstance(app.screen, shown), what=expected.__name__)
        assert len(app.screen_stack) == 1


async def test_escape_closes_what_a_page_opened_before_going_back(fleet_site, make_app):
    app = make_app(fleet_site)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_page("updates")
        await pilot.pause()
        collections = await _open(app, pilot, "collections", CollectionsScreen)
        grid = collections.query_one("#grid", PagedTable)
        await wait_for(pilot, lambda: grid.row_count, what="the collections")
        await pilot.press("enter")  # the members of All Systems: a screen opened from the page
        await wait_for(pilot, lambda: isinstance(app.screen, ClientsScreen) and len(app.screen_stack) == 3)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is collections, what="back on collections")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, UpdatesScreen), what="back on updates")


async def test_escape_in_a_text_box_leaves_the_box_not_the_page(catalog_site, make_app):
    app = make_app(catalog_site)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_page("updates")
        await pilot.pause()
        sync = await _open(app, pilot, "sync", SyncScreen)
        await pilot.press("m")  # the months box
        assert sync.focused is sync.query_one("#months")
        await type_text(pilot, "2020-Dec")
        await pilot.press("escape")
        assert app.screen is sync and sync.focused is sync.query_one("#runs")
        assert sync.query_one("#months").value == "2020-Dec"  # left, not cleared
        await pilot.press("escape")
        assert isinstance(app.screen, UpdatesScreen)


async def _open(app, pilot, name: str, screen_type):
    app.open_page(name)
    await wait_for(pilot, lambda: isinstance(app.screen, screen_type) and app.screen.is_mounted, what=name)
    await pilot.pause()
    return app.screen

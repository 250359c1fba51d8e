"""NO_COLOR: meaning never depends on colour alone — checkboxes read `[x]` / `[ ]` (Textual draws `▐X▌`
either way), and Critical and the counts that need attention are bold, not a colour turned grey."""

from __future__ import annotations

from textual.widgets import Checkbox

from sumtui.tui.cells import CellStyles
from sumtui.tui.screens.client_filter import ClientFilterScreen
from sumtui.tui.screens.clients import ClientsScreen
from tests.tui.conftest import fleet_clock, grid_loaded, open_page, wait_for


async def test_a_checkbox_says_on_or_off_in_characters(fleet_site, make_app, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(fleet_site, clock=fleet_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_page(app, pilot, "clients", ClientsScreen)
        await wait_for(pilot, grid_loaded(screen.query_one("#grid")), what="the rows")
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, ClientFilterScreen), what="the filter form")
        box = app.screen.query_one("#cf-noncompliant", Checkbox)
        assert str(box.render()).startswith("[ ]")
        box.value = True
        await pilot.pause()
        assert str(box.render()).startswith("[x]")


def test_without_colour_attention_is_bold_not_grey():
    styles = CellStyles.from_variables(None, no_color=True)
    critical = styles.severity("Critical")
    assert critical.plain == "Crit" and critical.spans[0].style == "bold"
    assert styles.required(5, 100).spans[0].style == "bold"
    assert "bold" in styles.required(50, 100).spans[0].style
    assert styles.severity("Important") == "Imp"  # plain words: the word says it


async def test_a_selection_list_says_which_choices_are_on(console_site, make_app, monkeypatch):
    """The update point's classifications: Textual draws `▐X▌` on every line, on or off."""
    from textual.widgets import SelectionList

    from sumtui.tui.screens.update_point import UpdatePointScreen

    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(console_site)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.open_page("update-point")
        await wait_for(pilot, lambda: isinstance(app.screen, UpdatePointScreen), what="the settings form")
        await pilot.pause()
        choices = app.screen.query_one("#classifications", SelectionList)
        first = choices.get_option_at_index(0).value
        choices.select(first)
        await pilot.pause()
        shown = min(choices.option_count, choices.size.height)
        assert shown >= 2
        for index in range(shown):
            option = choices.get_option_at_index(index)
            text = choices.render_line(index).text
            assert text.startswith("[x] " if option.value == first else "[ ] "), text

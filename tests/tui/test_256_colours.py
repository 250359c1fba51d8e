"""A 256-colour terminal (TERM=xterm-256color over many SSH hops, tmux without Tc): the theme's
colours come down to the xterm palette, and what they tell must survive it: text stays readable on its
background, the cursor row stands out, Critical is not the colour of ordinary text."""

from __future__ import annotations

import io

import pytest
from rich.color import ColorSystem
from rich.console import Console
from rich.segment import Segment

from sumtui.tui.contrast import contrast_ratio
from sumtui.tui.screens.clients import ClientsScreen
from sumtui.tui.screens.compliance import ComplianceScreen
from tests.tui.conftest import fleet_clock, grid_loaded, open_page, wait_for

DECORATION = ("\u2500", "\u259f")  # box drawing and block elements
MIN_CONTRAST = 3.0  # on screen (focus tints included); WCAG's floor for large text: dim, never unreadable


def palette(color):
    """The colour a 256-colour terminal shows for `color` (truecolor is downgraded by the terminal)."""
    return color.downgrade(ColorSystem.EIGHT_BIT).get_truecolor() if color is not None else None


def screen_lines(app) -> list[list[Segment]]:
    """What the terminal is sent for the current screen, as lines of segments with their styles."""
    console = Console(width=app.size.width, height=app.size.height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", legacy_windows=False, safe_box=False)
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    return list(Segment.split_lines(console.render(update, console.options)))


def unreadable(lines) -> list[str]:
    """Text whose 256-colour foreground and background are too close to read."""
    found = []
    for number, line in enumerate(lines):
        for segment in line:
            style = segment.style
            if not segment.text.strip() or style is None or style.color is None or style.bgcolor is None:
                continue
            if all(DECORATION[0] <= ch <= DECORATION[1] for ch in segment.text.strip()):
                continue  # scrollbars, separators: drawing, not text
            fg, bg = palette(style.color), palette(style.bgcolor)
            if style.reverse:
                fg, bg = bg, fg
            if contrast_ratio(fg, bg) < MIN_CONTRAST:
                tfg, tbg = style.color.get_truecolor(), style.bgcolor.get_truecolor()
                found.append(f"line {number} {segment.text.strip()!r}: {contrast_ratio(fg, bg):.2f} true {contrast_ratio(tfg, tbg):.2f} {style}")
    return found


def styles_of(lines, text: str):
    return [segment.style for line in lines for segment in line if segment.text.strip() == text and segment.style]


def row_background(grid, lines, y: int):
    line = lines[grid.region.y + y]
    return {palette(s.style.bgcolor) for s in line[:3] if s.style and s.style.bgcolor}


def assert_readable(lines) -> None:
    found = unreadable(lines)
    assert not found, "\n".join(found)


async def grid_page(app, pilot, name: str, screen_type):
    """Open a page with a grid, wait for its rows: the grid and what the terminal shows."""
    grid = (await open_page(app, pilot, name, screen_type)).query_one("#grid")
    await wait_for(pilot, grid_loaded(grid), what=f"the {name} rows")
    await pilot.pause(0.2)
    return grid, screen_lines(app)


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
async def test_256_colours_keep_text_readable_and_meaning_visible(fleet_site, make_app, theme):
    app = make_app(fleet_site, clock=fleet_clock, theme=theme)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.screen.query_one("#stages").option_count == 13, what="the checklist")
        await pilot.pause(0.3)
        assert_readable(screen_lines(app))

        _grid, lines = await grid_page(app, pilot, "compliance", ComplianceScreen)
        assert_readable(lines)
        critical = {palette(s.color) for s in styles_of(lines, "Crit")}
        ordinary = {palette(s.color) for s in styles_of(lines, "Imp")}
        assert critical and ordinary and not critical & ordinary  # Critical keeps its own colour

        grid, lines = await grid_page(app, pilot, "clients", ClientsScreen)
        assert_readable(lines)
        # The cursor row (the first) stands out from the row under it.
        cursor, below = row_background(grid, lines, 1), row_background(grid, lines, 2)
        assert cursor and cursor != below


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light", "nord", "gruvbox", "solarized-light"])
def test_theme_text_colours_are_moved_until_they_read(theme):
    from textual.app import App
    from textual.color import Color

    from sumtui.tui.contrast import BACKGROUNDS, MIN_CONTRAST, TEXT_VARIABLES, readable_variables, worst_contrast

    app = App()
    app.theme = theme
    raw = App.get_css_variables(app)
    fixed = readable_variables(raw, dark=app.current_theme.dark)
    backgrounds = [Color.parse(fixed[name]) for name in BACKGROUNDS]
    for name in TEXT_VARIABLES:
        if name in fixed and not fixed[name].startswith("auto"):
            assert worst_contrast(Color.parse(fixed[name]), backgrounds) >= MIN_CONTRAST, (theme, name, fixed[name])
    # Only text colours move; backgrounds and the rest stay as the theme made them.
    assert all(fixed[name] == raw[name] for name in raw if name not in TEXT_VARIABLES)

"""Console grids at 80×24 and 160×48: numbers, ids and states are never cut (Sync history once showed
`153` for 1533 at 80×24), text columns give way first, and a wide terminal gives its extra width to
the text columns."""

from __future__ import annotations

import pytest

from sumtui.catalog.runs import finish_run, start_run
from sumtui.tui.screens.compliance import ComplianceScreen
from sumtui.tui.screens.sync import SyncScreen
from sumtui.tui.screens.updates import UpdatesScreen
from tests.tui.conftest import grid_loaded, open_page, wait_for

SIZES = [(80, 24), (160, 48)]


def lines(grid) -> list[str]:
    """The grid as painted: header, then one line per visible row."""
    return [grid.render_line(y).text for y in range(grid.size.height)]


def record_runs(site) -> None:
    """A cold sync's counts (four digits), and a run a killed process left behind."""
    with site.session() as session:
        cold = start_run(session, kind="sync", source="https://api.msrc.microsoft.com/cvrf/v3.0/")
        cold.months_fetched, cold.updates_new, cold.updates_revised = 86, 1533, 1799
        cold.updates_superseded, cold.updates_expired = 1204, 12
        finish_run(session, cold, status="ok")
        dead = start_run(session, kind="import", source="/srv/mirror/cvrf")
        finish_run(session, dead, status="interrupted")
        session.commit()


@pytest.mark.parametrize("size", SIZES)
async def test_sync_history_never_cuts_a_count_or_a_status(console_site, make_app, size):
    record_runs(console_site)
    app = make_app(console_site)
    async with app.run_test(size=size) as pilot:
        app.open_page("sync")
        await wait_for(pilot, lambda: isinstance(app.screen, SyncScreen) and bool(app.screen.query("#runs")))
        grid = app.screen.query_one("#runs")
        await wait_for(pilot, grid_loaded(grid, 2), what="the history")
        await pilot.pause()
        painted = lines(grid)
        cold = next(line for line in painted if " sync " in line)
        assert cold.split()[3:9] == ["ok", "86", "0", "0", "1533", "1799"]
        assert cold.split()[9:11] == ["1204", "12"]
        assert any(" interrupted " in line for line in painted)
        # All of it on screen: no column pushed past the right edge.
        assert grid.virtual_size.width <= grid.scrollable_content_region.width


async def loaded_grid(app, pilot, page: str, screen_type):
    screen = await open_page(app, pilot, page, screen_type)
    grid = screen.query_one("#grid")
    await wait_for(pilot, grid_loaded(grid), what="the rows")
    await pilot.pause()
    return grid


@pytest.mark.parametrize("size", SIZES)
async def test_compliance_grid_keeps_kbs_and_counts_whole(fleet_site, make_app, size):
    app = make_app(fleet_site)
    async with app.run_test(size=size) as pilot:
        grid = await loaded_grid(app, pilot, "compliance", ComplianceScreen)
        painted = lines(grid)[1:]
        for index in range(min(grid.row_count, len(painted))):
            row = grid.get_row(index)
            if row is None:
                continue
            kb = str(row.cells[0])
            assert painted[index].startswith(kb + " "), (kb, painted[index])
            counts = [str(c) for c in row.cells[3:8]]
            assert all(f" {count}" in painted[index] for count in counts), (counts, painted[index])


async def test_a_wide_terminal_gives_its_extra_width_to_text_columns(fleet_site, make_app):
    widths = {}
    for size in SIZES:
        app = make_app(fleet_site)
        async with app.run_test(size=size) as pilot:
            grid = await loaded_grid(app, pilot, "compliance", ComplianceScreen)
            widths[size] = {column.key: width for column, (_x, width) in zip(grid.columns, grid._layout())}
    narrow, wide = widths[(80, 24)], widths[(160, 48)]
    assert wide["product"] >= narrow["product"] + 80
    assert {k: v for k, v in wide.items() if k != "product"} == {k: v for k, v in narrow.items() if k != "product"}


async def test_updates_grid_at_80_columns_keeps_the_kb_and_cuts_text_with_an_ellipsis(catalog_site, make_app):
    app = make_app(catalog_site)
    async with app.run_test(size=(80, 24)) as pilot:
        grid = await loaded_grid(app, pilot, "updates", UpdatesScreen)
        painted = lines(grid)[1:]
        (kb_x, kb_width), (product_x, product_width) = grid._layout()[:2]
        for index in range(min(grid.row_count, len(painted))):
            row = grid.get_row(index)
            if row is None:
                continue
            assert painted[index][kb_x:kb_x + kb_width].rstrip() == str(row.cells[0])
            product, shown = str(row.cells[1]), painted[index][product_x:product_x + product_width].rstrip()
            assert shown == product or (shown.endswith("…") and product.startswith(shown[:-1]))

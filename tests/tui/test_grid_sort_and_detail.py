"""The compliance and clients grids at 80×24: the sort arrow sits next to the label of the column sorted
by, `s` sorts by a column (counts largest first) and `S` reverses; the detail under the compliance grid
shows the whole summary instead of ending mid-sentence."""

from __future__ import annotations

from sumtui.tui.screens.clients import ClientsScreen
from sumtui.tui.screens.compliance import ComplianceScreen
from tests.tui.conftest import fleet_clock, grid_loaded, grid_rows, open_page, wait_for


def header_of(grid, key: str) -> str:
    """The header text over column `key`, as painted."""
    header = grid.render_line(0).text
    for column, (x, width) in zip(grid.columns, grid._layout()):
        if column.key == key:
            return header[x:x + width]
    raise KeyError(key)


def arrow_column(grid) -> str:
    """The key of the column whose header holds the sort arrow."""
    found = [c.key for c in grid.columns if "▲" in header_of(grid, c.key) or "▼" in header_of(grid, c.key)]
    assert len(found) == 1, found
    return found[0]


async def test_compliance_arrow_follows_s_and_counts_sort_largest_first(fleet_site, make_app):
    app = make_app(fleet_site, clock=fleet_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_page(app, pilot, "compliance", ComplianceScreen)
        grid = screen.query_one("#grid")
        await wait_for(pilot, grid_loaded(grid), what="the rows")
        await pilot.pause()
        assert arrow_column(grid) == "required" and header_of(grid, "required").strip() == "▼ Req."
        await pilot.press("s")
        await wait_for(pilot, lambda: screen.sort == "installed" and grid_loaded(grid)(), what="sort by Inst.")
        await pilot.pause()
        assert arrow_column(grid) == "installed" and header_of(grid, "installed").strip() == "▼ Inst."
        installed = [int(r[4].replace(",", "")) for r in grid_rows(grid)]
        assert installed == sorted(installed, reverse=True)
        await pilot.press("S")
        await wait_for(pilot, lambda: not screen.descending and grid_loaded(grid)(), what="reversed")
        await pilot.pause()
        assert header_of(grid, "installed").strip() == "▲ Inst."


async def test_clients_arrow_sits_by_the_column_sorted(fleet_site, make_app):
    app = make_app(fleet_site, clock=fleet_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_page(app, pilot, "clients", ClientsScreen)
        grid = screen.query_one("#grid")
        await wait_for(pilot, grid_loaded(grid), what="the rows")
        await pilot.pause()
        assert arrow_column(grid) == "name" and header_of(grid, "name").startswith("Name ▲")
        await pilot.press("s", "s")  # name → OS product → Req.(C)
        await wait_for(pilot, lambda: screen.sort == "critical" and grid_loaded(grid)(), what="sort by Req.(C)")
        await pilot.pause()
        assert screen.descending  # a count: worst first
        assert arrow_column(grid) == "critical" and header_of(grid, "critical").strip() == "▼ Req.(C)"


async def test_the_compliance_detail_grows_to_the_whole_summary(fleet_site, make_app):
    app = make_app(fleet_site, clock=fleet_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_page(app, pilot, "compliance", ComplianceScreen)
        grid = screen.query_one("#grid")
        await wait_for(pilot, grid_loaded(grid), what="the rows")
        detail = screen.query_one("#compliance-detail")
        ref = grid.current_row.key
        await wait_for(pilot, lambda: f"KB{ref.kb}" in str(detail.render()), what="the detail")
        await pilot.pause()
        region = detail.region
        painted = " ".join(
            " ".join(app.screen._compositor.render_strips()[y].text[region.x:region.right].split())
            for y in range(region.y, region.bottom)
        )
        assert "…" not in painted
        # Every word of the title and of the product shows, not the first 80 columns of them.
        for word in f"{ref.title} {ref.product}".split():
            assert word in painted, (word, painted)


async def test_a_collections_long_description_shows_whole_under_the_grid(fleet_site, make_app):
    from sumtui.fleet.collections import CollectionRule
    from sumtui.fleet.models import CollectionCreate
    from sumtui.tui.screens.collections import CollectionsScreen
    from sumtui.workflows.collections import create_collection

    words = [f"word{n}" for n in range(30)]  # about 200 characters: three lines at 80 columns
    with fleet_site.session() as session:
        create_collection(session, CollectionCreate(name="AAA long", description=" ".join(words)),
                          rule=CollectionRule(tag="none-such"))
        session.commit()
    app = make_app(fleet_site, clock=fleet_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_page(app, pilot, "collections", CollectionsScreen)
        grid = screen.query_one("#grid")
        await wait_for(pilot, lambda: any(r[0] == "AAA long" for r in grid_rows(grid)), what="the collection")
        grid.move_cursor([r[0] for r in grid_rows(grid)].index("AAA long"))
        detail = screen.query_one("#collection-detail")
        await wait_for(pilot, lambda: "word29" in str(detail.render()), what="the detail")
        await pilot.pause()
        region = detail.region
        painted = " ".join(app.screen._compositor.render_strips()[y].text[region.x:region.right]
                           for y in range(region.y, region.bottom)).split()
        assert "…" not in " ".join(painted)
        assert [w for w in painted if w.startswith("word")] == words

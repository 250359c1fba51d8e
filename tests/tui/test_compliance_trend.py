"""A collection's compliance trend as a plot (`t` on Collections): one bar per daily snapshot, the figures
in words beside it; a collection without snapshots says so."""

from __future__ import annotations

from datetime import date

from textual.widgets import Sparkline

from sumtui.compliance.trend import collection_trend
from sumtui.fleet.collections import get_collection
from sumtui.tui.screens.compliance_trend import ComplianceTrendScreen, trend_lines
from sumtui.tui.screens.collections import CollectionsScreen
from sumtui.tui.widgets.paged_table import PagedTable
from tests.hostile_site import COLLECTION, COLLECTION_SHOWN
from tests.tui.conftest import fleet_clock, grid_loaded, grid_rows, open_page, text_of, wait_for


def test_trend_lines_say_the_plot_in_words():
    assert trend_lines([]) == ["No daily snapshot yet: the site takes one a day once clients report (`sumtui compliance`)."]
    assert trend_lines([(date(2026, 12, 1), 40.0)]) == ["One daily snapshot so far: 2026-12-01 40.0% compliant."]
    lines = trend_lines([(date(2026, 12, 1), 40.0), (date(2026, 12, 2), None), (date(2026, 12, 3), 35.5),
                         (date(2026, 12, 4), 61.25)])
    assert lines[0] == "2026-12-01 → 2026-12-04 (4 snapshots): 40.0% → 61.2% (+21.2 points)"
    assert lines[1] == "lowest 35.5% on 2026-12-03 · highest 61.2% on 2026-12-04"
    assert lines[2] == "last days: 12-01 40% · 12-03 36% · 12-04 61%"


async def test_t_on_collections_plots_the_selected_collections_daily_compliance(fleet_site, make_app):
    from sumtui.fleet.models import CollectionCreate
    from sumtui.workflows.collections import create_collection

    with fleet_site.session() as session:
        all_systems = get_collection(session, "All Systems")
        points = collection_trend(session, collection_id=all_systems.id)
        create_collection(session, CollectionCreate(name=COLLECTION))
        session.commit()
    assert len(points) == 5  # the fixture's five days
    app = make_app(fleet_site, clock=fleet_clock)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_page(app, pilot, "collections", CollectionsScreen)
        grid = screen.query_one("#grid", PagedTable)
        await wait_for(pilot, grid_loaded(grid, 5), what="the collections")
        names = [r[0] for r in grid_rows(grid)]
        grid.move_cursor(names.index("All Systems"))
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, ComplianceTrendScreen), what="the trend")
        plot = app.screen.query_one("#trend-plot", Sparkline)
        words = app.screen.query_one("#trend-words")
        await wait_for(pilot, lambda: "snapshots" in text_of(words), what="the snapshots read")
        assert plot.display and list(plot.data) == [pct for _day, pct in points]
        assert text_of(words).splitlines() == trend_lines(points)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, what="back on Collections")

        # A collection made today has no snapshot yet; its hostile name is shown as text.
        grid.move_cursor([r[0] for r in grid_rows(grid)].index(COLLECTION_SHOWN))
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, ComplianceTrendScreen), what="the empty trend")
        words = app.screen.query_one("#trend-words")
        await wait_for(pilot, lambda: "No daily snapshot yet" in text_of(words), what="the words for no snapshot")
        assert not app.screen.query_one("#trend-plot", Sparkline).display
        assert COLLECTION_SHOWN in text_of(app.screen.query_one(".dialog-title"))

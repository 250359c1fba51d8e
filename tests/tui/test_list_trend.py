"""An update list's compliance trend (`t` on Lists): the trend screen Collections uses, fed with the list's
daily snapshots; a list without snapshots says so."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import Sparkline

from sumtui.deploy import lists
from sumtui.deploy.list_trend import list_trend, take_list_snapshots
from sumtui.deploy.models import ListComplianceSnapshot
from sumtui.tui.screens.compliance_trend import ComplianceTrendScreen, trend_lines
from sumtui.tui.screens.lists import ListsScreen
from sumtui.tui.widgets.paged_table import PagedTable
from tests.compliance.scenario import CU
from tests.tui.conftest import FLEET_NOW, fleet_clock, grid_loaded, grid_rows, open_page, text_of, wait_for


async def test_t_on_lists_plots_the_selected_lists_daily_compliance(fleet_site, make_app):
    today = FLEET_NOW.date()
    with fleet_site.session() as session:
        march = lists.create_list(session, name="March", refs=[f"KB{CU[3]}"]).id
        new = lists.create_list(session, name="New", refs=[f"KB{CU[3]}"]).id
        take_list_snapshots(session, day=today)
        snap = session.get(ListComplianceSnapshot, (march, today))
        for back, compliant in ((2, 5), (1, 9)):
            session.add(ListComplianceSnapshot(list_id=march, day=today - timedelta(days=back), members=snap.members,
                                               reported=snap.reported, compliant=min(compliant, snap.compliant)))
        session.delete(session.get(ListComplianceSnapshot, (new, today)))  # "New": made today, no snapshot yet
        session.commit()
        points = list_trend(session, list_id=march)
    assert len(points) == 3
    app = make_app(fleet_site, clock=fleet_clock)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_page(app, pilot, "lists", ListsScreen)
        grid = screen.query_one("#grid", PagedTable)
        await wait_for(pilot, grid_loaded(grid, 2), what="the lists")
        names = [r[0] for r in grid_rows(grid)]
        grid.move_cursor(names.index("March"))
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, ComplianceTrendScreen), what="the trend")
        words = app.screen.query_one("#trend-words")
        await wait_for(pilot, lambda: "snapshots" in text_of(words), what="the snapshots read")
        plot = app.screen.query_one("#trend-plot", Sparkline)
        assert plot.display and list(plot.data) == [pct for _day, pct in points]
        assert text_of(words).splitlines() == trend_lines(points)
        assert "March" in text_of(app.screen.query_one(".dialog-title"))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, what="back on Lists")

        grid.move_cursor(names.index("New"))
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, ComplianceTrendScreen), what="the empty trend")
        words = app.screen.query_one("#trend-words")
        await wait_for(pilot, lambda: "No daily snapshot yet" in text_of(words), what="the words for no snapshot")
        assert not app.screen.query_one("#trend-plot", Sparkline).display

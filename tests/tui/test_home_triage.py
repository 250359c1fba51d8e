"""Home with a fleet: the clients-scan stage and the triage panel (compliance, trend, what to look at first)."""

from __future__ import annotations

from textual.widgets import Sparkline

from sumtui.compliance.queries import triage
from sumtui.fleet.collections import get_collection
from sumtui.tui.screens.client_detail import ClientDetailScreen
from sumtui.tui.screens.home import HomeScreen
from sumtui.tui.screens.update_clients import UpdateClientsScreen
from sumtui.tui.widgets.triage import TriageList
from tests.tui.conftest import FLEET_NOW, fleet_clock, text_of, wait_for


def expected_triage(site):
    with site.session() as session:
        return triage(session, collection_id=get_collection(session, "All Systems").id, top=5, now=FLEET_NOW)


def option_texts(options: TriageList) -> list[str]:
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def triage_shown(app, pilot) -> TriageList:
    options = app.screen.query_one("#triage-list", TriageList)
    await wait_for(pilot, lambda: options.option_count > 3, what="the triage panel")
    return options


async def test_the_triage_panel_beside_the_checklist(fleet_site, make_app):
    t = expected_triage(fleet_site)
    app = make_app(fleet_site, clock=fleet_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        options = await triage_shown(app, pilot)
        home = app.screen
        assert home.has_class("-wide")
        assert home.query_one("#triage").region.x > home.query_one("#stages").region.x  # beside, not below
        headline = text_of(home.query_one("#triage-headline"))
        c = t.collection
        assert headline == f"All Systems: {c.compliant_pct}% compliant · {c.reported} of {c.members} reported · {c.unknown} unknown"
        sparkline = home.query_one("#trend", Sparkline)
        assert list(sparkline.data) == [p for _, p in t.trend] and len(t.trend) == 5 and sparkline.display
        assert "in 5 d" in text_of(home.query_one("#trend-text"))
        texts = option_texts(options)
        for update in t.most_missing:
            assert any(line.strip().startswith(f"KB{update.kb}  {update.required} need it") for line in texts)
        assert {u.severity for u in t.most_missing} <= {"Critical", "Important"}
        for client in t.least_compliant:
            assert any(line.strip().startswith(f"{client.name}  {client.required_count} required") for line in texts)
        assert f"Silent 7+ days: {t.silent_count} clients" in texts
        assert any("never reported" in line for line in texts)

        stages = home.query_one("#stages")
        await wait_for(pilot, lambda: stages.option_count == 13)
        # Beside the triage panel the list has room for the status in a few words; the highlighted
        # stage's whole sentence is under the list.
        scan = str(stages.get_option("scan").prompt)
        assert scan.rstrip().endswith(f"{c.reported} of {c.members}") and "…" not in scan
        stages.highlighted = stages.get_option_index("scan")
        await wait_for(pilot, lambda: f"{c.reported} of {c.members} reported, {c.unknown} unknown"
                       in text_of(home.query_one("#stage-status")))
        assert not stages.get_option("scan").disabled and not stages.get_option("itmu").disabled


async def test_enter_on_a_triage_line_drills_in(fleet_site, make_app):
    t = expected_triage(fleet_site)
    app = make_app(fleet_site, clock=fleet_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        options = await triage_shown(app, pilot)
        home = app.screen
        assert not home.has_class("-wide")
        assert home.query_one("#triage").region.y > home.query_one("#home-figures").region.y  # below at 80 columns
        await pilot.press("t")
        assert app.focused is options
        assert options.get_option_at_index(options.highlighted).id == f"0|update:{t.most_missing[0].update_id}"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, UpdateClientsScreen), what="the update's clients")
        grid = app.screen.query_one("#grid")
        await wait_for(pilot, lambda: grid.row_count == t.most_missing[0].required, what="the clients that need it")
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)

        least = t.least_compliant[0]
        options.highlighted = options.get_option_index(f"1|client:{least.id}")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ClientDetailScreen) and app.screen.detail is not None)
        assert app.screen.detail.name == least.name


async def test_a_site_without_clients_says_where_they_come_from(catalog_site, make_app):
    app = make_app(catalog_site)
    async with app.run_test(size=(120, 36)) as pilot:
        headline = app.screen.query_one("#triage-headline")
        await wait_for(pilot, lambda: "No clients yet" in text_of(headline), what="the empty triage")
        assert not app.screen.query_one("#triage-list").display
        await pilot.press("t")
        assert isinstance(app.focused, type(app.screen.query_one("#stages")))

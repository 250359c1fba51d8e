"""The monitoring screens: :deployments (a progress bar per state, installed share, failures, convergence),
one deployment's (client, update) pairs with the sentences `deployments show` prints, the filters by
state, the search by client, the failure codes, the typed delete; hostile client names and agent reasons
shown as text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import select

from sumtui.deploy.status import client_states, list_deployments
from sumtui.tui.screens.deployment_detail import DeploymentDetailScreen
from sumtui.tui.screens.deployments import DeploymentsScreen
from sumtui.tui.screens.prompt import PromptScreen
from sumtui.tui.widgets.paged_table import PagedTable
from tests.hostile_site import CLIENT, CLIENT_SHOWN
from tests.tui.conftest import grid_loaded, grid_rows, text_of, wait_for

SENT = datetime(2021, 1, 14, 12, 0, tzinfo=UTC)
REASON = "failed 0x80070643 [/bold][link=https://x]boom (installation failure)"


def build_deployment_site(site, tmp_path) -> dict[str, int]:
    """The four-month scenario catalog, the deploy tests' three clients and one with a hostile name; one
    deployment ("April", its two KBs to All Systems): WS-1 installed CU[4], the hostile client failed it."""
    from sumtui.catalog.sync import import_files
    from sumtui.deploy.deployments import create_deployment
    from sumtui.deploy.messages import Message, apply_messages
    from sumtui.workflows.intake import ingest_inventory
    from tests.compliance.scenario import CU
    from tests.compliance.scenario import write_months as scenario_months
    from tests.deploy.fleet_fixture import build_fleet, spec, ws

    run = import_files(site.engine, scenario_months(tmp_path / "scenario"))
    assert run.status == "ok", run.message
    with site.session() as session:
        ids = build_fleet(session)
        ids[CLIENT] = ingest_inventory(session, ws(CLIENT, CU[1])).client.id
        row = create_deployment(session, spec=spec(deadline=datetime(2021, 1, 20, 2, 0, tzinfo=UTC)), now=SENT)
        apply_messages(session, reports=[
            (ids["WS-1"], 1, [Message(deployment_id=row.id, kb=CU[4], state="installed", at=SENT)]),
            (ids[CLIENT], 1, [Message(deployment_id=row.id, kb=CU[4], state="failed", code=0x80070643, reason=REASON,
                                      at=SENT + timedelta(minutes=5))]),
        ], now=SENT + timedelta(minutes=5))
        session.commit()
        ids["deployment"] = row.id
    return ids


@pytest.fixture
def deploy_site(console_site, tmp_path):
    build_deployment_site(console_site, tmp_path)
    return console_site


def cells(row) -> list[str]:
    return [getattr(c, "plain", str(c)) for c in row.cells]


async def open_deployments(app, pilot):
    app.open_page("deployments")
    await wait_for(pilot, lambda: isinstance(app.screen, DeploymentsScreen) and app.screen.is_mounted, what="deployments")
    grid = app.screen.query_one("#grid", PagedTable)
    await wait_for(pilot, grid_loaded(grid, 1), what="the deployment row")
    return app.screen, grid


async def test_deployments_show_progress_per_state_and_drill_into_every_pair(deploy_site, make_app):
    with deploy_site.session() as session:
        expected = list(client_states(session, name="April"))
    app = make_app(deploy_site)
    async with app.run_test(size=(140, 40)) as pilot:
        screen, grid = await open_deployments(app, pilot)
        name, collection, bar, pct, failed, deadline, available, converged, counts = cells(grid.get_row(0))
        assert (name, collection, available, deadline) == ("April", "All Systems", "at once", "20 Jan 02:00")
        assert pct == "50.0"  # 2 of the 4 pairs that need the update (pending, failed, 2 installed)
        assert len(bar) == 12 and "█" in bar and "✖" in bar  # installed and failed runs, readable without colour
        assert counts == "✔2 …0 ○1 ✖1"  # WS-1 reported it, WS-2 had it; SRV-1 pending; one failure
        assert failed == "1" and converged == "converging"
        status = text_of(screen.query_one("#deployments-status"))
        assert "1 deployment, 1 converging" in status and "NAP: no update flagged" in status

        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DeploymentDetailScreen), what="the deployment's page")
        detail = app.screen
        pairs = detail.query_one("#grid", PagedTable)
        await wait_for(pilot, lambda: "showing the targeted ones" in text_of(detail.query_one("#pairs-status")))
        targeted = [s for s in expected if s.state != "not_required"]
        assert len(targeted) < len(expected)
        await wait_for(pilot, grid_loaded(pairs, len(targeted)), what="the targeted pairs")
        assert "· not required" not in {r[3] for r in grid_rows(pairs)}
        await pilot.press("a")  # the first view leaves out the not required pairs: every one
        await wait_for(pilot, grid_loaded(pairs, len(expected)), what="every pair")
        shown = [cells(pairs.get_row(i)) for i in range(len(expected))]
        # The same pairs in the same order, with the same sentences as `sumtui deployments show`.
        assert [(r[0], r[1], r[6]) for r in shown] == [
            (s.client.replace("\u202e", "\\u202e"), f"KB{s.kb}", s.reason) for s in expected]
        failed_row = next(r for r in shown if r[3] == "✖ failed")
        assert failed_row[0] == CLIENT_SHOWN and failed_row[4] == "0x80070643"
        assert failed_row[5] == "installation failure" and "[/bold][link=https://x]boom" in failed_row[6]
        assert "✖ failed 1" in text_of(detail.query_one("#deployment-counts"))

        # Filters by state, fed as one burst of keys: f then i then back to failed.
        await pilot.press("i", "f")
        await wait_for(pilot, grid_loaded(pairs, 1), what="the one failed pair")
        assert cells(pairs.get_row(0))[0] == CLIENT_SHOWN
        pairs.focus()
        await pilot.press("enter")  # the cursor's pair in words
        detail_text = text_of(detail.query_one("#pair-detail"))
        assert CLIENT_SHOWN in detail_text and "0x80070643 (installation failure)" in detail_text

        # The failure codes, and back to the pairs of one code.
        await pilot.press("e")
        codes = detail.query_one("#codes-grid", PagedTable)
        await wait_for(pilot, grid_loaded(codes, 1), what="the one failure code")
        assert cells(codes.get_row(0)) == ["0x80070643", "✖ failed", "1", "installation failure"]
        await pilot.press("enter")
        await wait_for(pilot, lambda: pairs.display and pairs.row_count == 1, what="the pairs of that code")

        # Search by client name, over every state.
        await pilot.press("a", "slash", "w", "s", "-", "2")
        await wait_for(pilot, lambda: pairs.row_count is not None and pairs.row_count > 0 and all(
            r[0] == "WS-2" for r in grid_rows(pairs)), what="only WS-2's pairs")


async def test_delete_asks_for_a_typed_yes_and_the_new_key_opens_the_wizard(deploy_site, make_app, monkeypatch):
    app = make_app(deploy_site)
    opened = []
    monkeypatch.setattr(type(app), "open_deploy_wizard", lambda self, **kw: opened.append(kw))
    async with app.run_test(size=(120, 32)) as pilot:
        screen, grid = await open_deployments(app, pilot)
        await pilot.press("n")
        assert opened == [{}]
        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen), what="the typed confirmation")
        await pilot.press("n", "o", "enter")
        assert isinstance(app.screen, PromptScreen)  # "no" is not "yes": nothing deleted
        assert "type yes" in text_of(app.screen.query_one("#prompt-error"))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, what="back on the page")
        with deploy_site.session() as session:
            assert [s.name for s in list_deployments(session)] == ["April"]
        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen), what="the typed confirmation again")
        await pilot.press("ctrl+a", "y", "e", "s", "enter")
        await wait_for(pilot, grid_loaded(grid, 0), what="the deployment gone")
        assert "No deployment yet" in text_of(screen.query_one("#deployments-status"))


async def test_a_read_only_console_monitors_but_neither_deletes_nor_creates(deploy_site, make_app, monkeypatch):
    app = make_app(deploy_site, readonly=True)
    opened = []
    monkeypatch.setattr(type(app), "open_deploy_wizard", lambda self, **kw: opened.append(kw))
    async with app.run_test(size=(120, 32)) as pilot:
        screen, grid = await open_deployments(app, pilot)
        await pilot.press("n", "delete")
        await pilot.pause()
        assert opened == [] and app.screen is screen
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DeploymentDetailScreen), what="the deployment's page")
        detail = app.screen
        await wait_for(pilot, lambda: detail.summary is not None, what="the deployment read")
        await pilot.press("delete", "d")
        await pilot.pause()
        assert app.screen is detail  # no confirmation: nothing to delete from a read-only console


async def test_home_shows_the_alerts_with_plain_text_markers_and_a_opens_the_first(deploy_site, make_app):
    from sumtui.catalog.models import SyncRun
    from tests.tui.conftest import NOW

    with deploy_site.session() as session:
        session.add(SyncRun(kind="sync", source="https://x", started_at=NOW - timedelta(hours=2),
                            ended_at=NOW - timedelta(hours=1), status="failed", message="HTTP 503 [/bold]"))
        session.commit()
    app = make_app(deploy_site)
    async with app.run_test(size=(100, 40)) as pilot:
        panel = app.screen.query_one("#home-alerts")
        await wait_for(pilot, lambda: panel.display and "April" in text_of(panel), what="the alerts on Home")
        lines = text_of(panel).splitlines()
        assert lines == [
            "[!!] The last sync run failed 60 min ago: HTTP 503 [/bold] · :sync",
            "[!!] Deployment 'April': 1 of 4 installs failed (25%, above 10%) · :deployments",
        ]
        await pilot.press("a")
        await wait_for(pilot, lambda: app.current_page == "sync", what="the first alert's page")


async def test_home_stages_ten_to_twelve_open_the_wizard_and_the_monitoring_page(deploy_site, make_app, monkeypatch):
    app = make_app(deploy_site)
    opened = []
    monkeypatch.setattr(type(app), "open_deploy_wizard", lambda self, **kw: opened.append(kw))
    async with app.run_test(size=(100, 40)) as pilot:
        stages = app.screen.query_one("#stages")
        await wait_for(pilot, lambda: stages.option_count == 13, what="the checklist")
        home = app.screen
        stage = {s.key: s for s in home._stages}
        assert stage["deploy"].status.startswith("1 deployment; next deadline 2021-01-20 02:00 UTC (April)")
        assert stage["monitor"].status == "1 converging, 0 done; 1 failed install (:deployments)"
        stages.focus()
        stages.highlighted = stages.get_option_index("deploy")
        await pilot.press("enter")
        assert opened == [{}]
        stages.highlighted = stages.get_option_index("monitor")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DeploymentsScreen), what="the monitoring page")


async def test_an_agents_state_message_from_another_process_shows_without_a_key(deploy_site, make_app):
    from sumtui.deploy.messages import Message, apply_messages
    from sumtui.fleet.models import Client
    from tests.compliance.scenario import ROLLUP

    app = make_app(deploy_site)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: app.site_marks is not None, what="the first read of the site's marks")
        screen, grid = await open_deployments(app, pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DeploymentDetailScreen), what="the deployment's page")
        detail = app.screen
        pairs = detail.query_one("#grid", PagedTable)
        await wait_for(pilot, grid_loaded(pairs), what="the pairs")
        assert "○ pending 1" in text_of(detail.query_one("#deployment-counts"))
        await pilot.press("w")  # the pairs on their way: none yet
        await wait_for(pilot, grid_loaded(pairs, 0), what="no pair on its way")
        with deploy_site.session() as session:  # as the management point does when SRV-1's agent reports
            srv = session.exec(select(Client).where(Client.name == "SRV-1")).one()
            deployment_id = session.execute(text("SELECT id FROM deployment")).scalar_one()
            apply_messages(session, reports=[(srv.id, 1, [Message(deployment_id=deployment_id, kb=ROLLUP[4],
                                                                  state="installing", at=SENT)])], now=SENT)
            session.commit()
        await wait_for(pilot, lambda: "… installing 1" in text_of(detail.query_one("#deployment-counts")), timeout=30,
                       what="the new state, without a key")
        await wait_for(pilot, grid_loaded(pairs, 1), what="the pair on its way, in the narrowed view")
        assert [(r[0], r[3]) for r in grid_rows(pairs)] == [("SRV-1", "… installing")]
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, what="back on the deployments")
        await wait_for(pilot, lambda: "…1" in cells(grid.get_row(0))[-1], what="the deployments grid read again")


async def test_t_sets_the_alert_thresholds_and_home_follows(deploy_site, make_app):
    from sumtui.tui.screens.alert_settings import AlertSettingsScreen
    from sumtui.workflows.alerts import load_alert_settings

    app = make_app(deploy_site)
    async with app.run_test(size=(120, 36)) as pilot:
        panel = app.screen.query_one("#home-alerts")
        await wait_for(pilot, lambda: panel.display and "April" in text_of(panel), what="the deployment's alert")
        screen, _grid = await open_deployments(app, pilot)
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, AlertSettingsScreen), what="the thresholds form")
        form = app.screen
        assert (form.query_one("#error-rate-pct").value, form.query_one("#silent-days").value) == ("10", "7")
        form.query_one("#error-rate-pct").value = "101"
        await pilot.press("ctrl+s")
        assert app.screen is form  # refused: a rate is 0 to 100
        assert "error rate pct" in text_of(form.query_one("#form-errors"))
        form.query_one("#error-rate-pct").value = "30"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen, what="back on the deployments")

        def saved_rate() -> float:
            with deploy_site.session() as session:
                return load_alert_settings(session).error_rate_pct

        await wait_for(pilot, lambda: saved_rate() == 30, what="the thresholds saved")
        app.open_page("home")
        await wait_for(pilot, lambda: not app.screen.query_one("#home-alerts").display, what="no alert at 25% < 30%")

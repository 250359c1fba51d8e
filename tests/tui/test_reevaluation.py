"""After a catalog import in the console, the App re-evaluates the fleet (progress in the header), so the
compliance screens show states against the new catalog. States left older than the catalog (a sync
killed after storing a month) are re-evaluated when the console starts; a cancelled re-evaluation leaves
them marked stale (Home and Compliance say so) until "re-evaluate now" (Sync screen key, palette)."""

from __future__ import annotations

from sqlmodel import select

from sumtui.compliance.queries import page_update_compliance
from sumtui.fleet.collections import get_collection
from sumtui.fleet.models import Client
from sumtui.tui.screens.import_files import ImportScreen
from sumtui.tui.screens.sync import SyncScreen
from sumtui.tui.state import JobState
from tests.compliance.scenario import CU
from tests.compliance.scenario import write_months as scenario_months
from tests.tui.conftest import fleet_clock, paste, type_text, wait_for


def april_cu(site):
    with site.session() as session:
        all_systems = get_collection(session, "All Systems").id
        rows = page_update_compliance(session, collection_id=all_systems, limit=1000)
    return next((r for r in rows if r.kb == CU[4]), None)


async def test_an_import_in_the_console_re_evaluates_the_fleet(fleet_site, make_app, tmp_path):
    april = scenario_months(tmp_path / "later")[3]
    assert april_cu(fleet_site) is None  # not in the catalog yet
    with fleet_site.session() as session:
        before = {c.id: c.evaluated_at for c in session.exec(select(Client)).all()}
    app = make_app(fleet_site, clock=fleet_clock)
    messages = said(app)
    headlines: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        app.watch(app, "job", lambda job: job and headlines.append(job.headline()), init=False)
        app.open_page("sync")
        await wait_for(pilot, lambda: isinstance(app.screen, SyncScreen))
        await pilot.press("i")
        assert isinstance(app.screen, ImportScreen)
        await paste(pilot, str(april))
        await pilot.press("enter")
        await wait_for(pilot, lambda: any(h.startswith("re-evaluating") for h in headlines), what="the re-evaluation")
        await wait_for(pilot, lambda: app.job is None, timeout=30, what="the end of the re-evaluation")
        assert "re-evaluating 60/60 clients" in headlines
        assert any(m.startswith("Re-evaluation ok: 60 clients re-evaluated against the new catalog") for m in messages)
    cu = april_cu(fleet_site)
    assert cu is not None and cu.required > 0  # machines on 1809 now need April's cumulative update
    with fleet_site.session() as session:
        after = {c.id: c.evaluated_at for c in session.exec(select(Client)).all()}
    reported = [cid for cid, when in before.items() if when is not None]
    assert reported and all(after[cid] > before[cid] for cid in reported)


async def test_nothing_to_re_evaluate_without_clients(catalog_site, make_app, tmp_path):
    from tests.tui.conftest import write_months

    app = make_app(catalog_site)
    messages = said(app)
    kinds: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        app.watch(app, "job", lambda job: job and kinds.append(job.kind), init=False)
        # Imported documents count as changed, but there is no client to evaluate: the job ends at once, silently.
        assert app.start_import(write_months(tmp_path / "again"))
        await wait_for(pilot, lambda: "reevaluate" in kinds and app.job is None, timeout=30)
        assert not any(m.startswith("Re-evaluation") for m in messages)


def test_the_header_line_of_a_re_evaluation():
    assert JobState("reevaluate").headline() == "re-evaluating the fleet…"
    assert JobState("reevaluate", phase="clients", months_done=1200, months_total=2500).headline() == (
        "re-evaluating 1,200/2,500 clients")
    assert JobState("reevaluate", phase="cancelling").headline() == "cancelling the re-evaluation…"


def said(app) -> list[str]:
    """Every notification the app shows from now on (kept here: the app drops them when they time out,
    which on a slow machine can be before the test looks)."""
    messages: list[str] = []
    show = app.notify

    def notify(message, **options) -> None:
        messages.append(str(message))
        show(message, **options)

    app.notify = notify
    return messages


def leave_states_stale(site, tmp_path) -> None:
    """What a sync killed after storing April leaves: the month stored (derived data pending), the fleet
    evaluated against March."""
    import json as jsonlib

    from sumtui.catalog.ingest import ingest_document
    from sumtui.catalog.settings import UpdatePointSettings
    from sumtui.workflows import catalog_changes

    catalog_changes._track(site.engine)  # as the killed run did before storing anything
    april = scenario_months(tmp_path / "later")[3]
    ingest_document(site.engine, april.read_bytes(), name=str(april), source=str(april), settings=UpdatePointSettings())
    with site.session() as session:
        assert catalog_changes.freshness(session).stale
    assert jsonlib.loads(april.read_text())["DocumentTracking"]["Identification"]["ID"]["Value"] == "2022-Apr"


def is_stale(site) -> bool:
    from sumtui.workflows.freshness import freshness

    with site.session() as session:
        return freshness(session).stale


async def test_states_older_than_the_catalog_are_re_evaluated_when_the_console_starts(fleet_site, make_app, tmp_path):
    leave_states_stale(fleet_site, tmp_path)
    app = make_app(fleet_site, clock=fleet_clock)
    messages = said(app)
    kinds: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        app.watch(app, "job", lambda job: job and kinds.append(job.kind), init=False)
        await wait_for(pilot, lambda: "reevaluate" in kinds and app.job is None, timeout=30, what="the re-evaluation")
        assert any(m.startswith("Compliance states were older than the catalog") for m in messages)
        assert any(m.startswith("Re-evaluation ok: 60 clients") for m in messages)
        await wait_for(pilot, lambda: not app.site_info.states_stale, what="the header's summary")
        assert not app.screen.query_one("#home-stale").display
    assert not is_stale(fleet_site)
    cu = april_cu(fleet_site)
    assert cu is not None and cu.required > 0


async def test_a_cancelled_re_evaluation_leaves_the_states_marked_stale_until_re_evaluated(
        fleet_site, make_app, tmp_path, monkeypatch):
    import threading

    from sumtui.workflows import catalog_changes

    leave_states_stale(fleet_site, tmp_path)
    gate = threading.Event()
    real = catalog_changes.reevaluate

    def held(session, **options):
        gate.wait(30)  # until the test has asked for the cancel: the cancel lands mid-run, every time
        return real(session, **options)

    monkeypatch.setattr(catalog_changes, "reevaluate", held)
    app = make_app(fleet_site, clock=fleet_clock)
    messages = said(app)
    kinds: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        app.watch(app, "job", lambda job: job and kinds.append(job.kind), init=False)
        await wait_for(pilot, lambda: app.job is not None and app.job.kind == "reevaluate", what="the automatic start")
        assert app.cancel_job()
        gate.set()
        await wait_for(pilot, lambda: app.job is None, timeout=30, what="the cancelled re-evaluation")
        assert any(m.startswith("Re-evaluation cancelled: 60 of 60 clients re-evaluated") for m in messages)
        assert is_stale(fleet_site)  # not recorded as done: a cancelled run proves nothing about the others
        app.refresh_site_info()
        await wait_for(pilot, lambda: app.site_info.states_stale, what="the stale mark in the summary")
        line = app.screen.query_one("#home-stale")
        assert line.display and "older than the catalog" in str(line.content)
        assert "e on the Sync screen" in str(line.content)
        app.open_page("compliance")
        await wait_for(pilot, lambda: app.screen.query("#compliance-stale"), what="the compliance screen")
        assert app.screen.query_one("#compliance-stale").display

        # Re-evaluate now, from the Sync screen's key.
        kinds.clear()
        app.open_page("sync")
        await wait_for(pilot, lambda: isinstance(app.screen, SyncScreen))
        await pilot.press("e")
        await wait_for(pilot, lambda: "reevaluate" in kinds and app.job is None, timeout=30, what="the re-evaluation")
        await wait_for(pilot, lambda: not app.site_info.states_stale, what="the summary")
    assert not is_stale(fleet_site)


async def test_re_evaluate_now_is_in_the_command_palette(fleet_site, make_app):
    from textual.command import CommandList

    app = make_app(fleet_site, clock=fleet_clock)
    messages = said(app)
    kinds: list[str] = []
    async with app.run_test(size=(100, 30)) as pilot:
        app.watch(app, "job", lambda job: job and kinds.append(job.kind), init=False)
        await pilot.press("ctrl+p")
        await type_text(pilot, "re-evaluate the fleet")
        hits = app.screen.query_one(CommandList)
        await wait_for(pilot, lambda: hits.option_count > 0 and "Re-evaluate the fleet" in str(hits.get_option_at_index(0).prompt),
                       what="the palette's hit")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "reevaluate" in kinds and app.job is None, timeout=30, what="the re-evaluation")
        assert any(m.startswith("Re-evaluation ok: 60 clients") for m in messages)

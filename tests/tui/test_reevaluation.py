"""After a catalog import in the console, the App re-evaluates the fleet (progress in the header), so the
compliance screens show states against the new catalog."""

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
from tests.tui.conftest import fleet_clock, paste, wait_for


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
        messages = [n.message for n in app._notifications]
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
    kinds: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        app.watch(app, "job", lambda job: job and kinds.append(job.kind), init=False)
        # Imported documents count as changed, but there is no client to evaluate: the job ends at once, silently.
        assert app.start_import(write_months(tmp_path / "again"))
        await wait_for(pilot, lambda: "reevaluate" in kinds and app.job is None, timeout=30)
        assert not any(n.message.startswith("Re-evaluation") for n in app._notifications)


def test_the_header_line_of_a_re_evaluation():
    assert JobState("reevaluate").headline() == "re-evaluating the fleet…"
    assert JobState("reevaluate", phase="clients", months_done=1200, months_total=2500).headline() == (
        "re-evaluating 1,200/2,500 clients")
    assert JobState("reevaluate", phase="cancelling").headline() == "cancelling the re-evaluation…"

"""The setup checklist: which stages are done, what their one-line status says, which step is next."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from rich.cells import cell_len
from sqlmodel import select

from sumtui.catalog import settings as update_point
from sumtui.catalog.models import SyncRun
from sumtui.fleet import agent_settings
from sumtui.workflows.checklist import BRIEF_WIDTH, checklist, next_stage
from sumtui.workflows.prereqs import CheckResult, PrereqReport, save_report
from tests.cvrf_builder import Fix, Vuln, month_doc, write

NOW = datetime(2021, 1, 15, 12, 0, tzinfo=UTC)


def _stages(site, now=NOW):
    with site.session() as session:
        stages = {s.key: s for s in checklist(session, now=now)}
    # Whatever the site's state, each status has its few words for a narrow checklist (Home beside
    # the triage panel at 120 columns): never cut.
    for stage in stages.values():
        assert stage.brief and cell_len(stage.short_status) <= BRIEF_WIDTH, stage
    return stages


def _import_month(site, tmp_path):
    from sumtui.catalog.sync import import_files

    path = tmp_path / "2020-Dec.json"
    write(path, month_doc(2020, 12, {"11568": "Windows 10 Version 1809 for x64-based Systems"},
                          [Vuln("CVE-2020-17095", [Fix("4592440", ["11568"])], severity="Critical")]))
    return import_files(site.engine, [path])


def test_every_stage_is_listed_in_workflow_order(sqlite_site):
    with sqlite_site.session() as session:
        stages = checklist(session, now=NOW)
    assert [s.number for s in stages] == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, None]
    assert stages[-1].title.startswith("Inventory Tool")
    assert all(s.available for s in stages)
    assert [stages[i].screen for i in (9, 10, 11)] == ["deploy", "deployments", "deployments"]
    assert not any(stages[i].done for i in (9, 10, 11))
    assert stages[9].status.startswith("no deployment yet")
    assert (stages[4].screen, stages[-1].screen) == ("clients", "clients")
    assert [stages[i].screen for i in (6, 7, 8)] == ["lists", "templates", "packages"]


def test_a_new_site_has_nothing_done_and_starts_with_prerequisites(sqlite_site):
    stages = _stages(sqlite_site)
    for key in ("prereqs", "update_point", "client_agent", "sync", "determine"):
        assert not stages[key].done, key
    assert stages["prereqs"].status.startswith("never checked")
    assert stages["update_point"].status.startswith("not saved yet")
    assert stages["sync"].status.startswith("never synchronized")
    with sqlite_site.session() as session:
        assert next_stage(checklist(session, now=NOW)).key == "prereqs"


def test_saved_settings_and_a_green_report_complete_the_first_stages(sqlite_site):
    report = PrereqReport(checked_at=NOW - timedelta(minutes=5), checks=[
        CheckResult(key="database", title="Site database", status="ok", verdict="fine"),
        CheckResult(key="management_point", title="Management point", status="unavailable", verdict="later"),
    ])
    with sqlite_site.session() as session:
        save_report(session, report)
        update_point.save(session, update_point.UpdatePointSettings(start_month="2020-Dec", interval_hours=6))
        agent_settings.save(session, agent_settings.ClientAgentSettings(scan_interval_days=3))
    stages = _stages(sqlite_site)
    assert stages["prereqs"].done and stages["prereqs"].status == "1 checks green, checked 5 min ago"
    assert stages["update_point"].done and "from 2020-Dec" in stages["update_point"].status
    assert "every 6 h" in stages["update_point"].status
    assert stages["client_agent"].done and "scan every 3 d" in stages["client_agent"].status
    with sqlite_site.session() as session:
        assert next_stage(checklist(session, now=NOW)).key == "sync"


def test_a_failing_check_keeps_stage_one_open_and_names_the_check(sqlite_site):
    report = PrereqReport(checked_at=NOW, checks=[
        CheckResult(key="database", title="Site database", status="ok", verdict="fine"),
        CheckResult(key="upstream", title="Upstream", status="failed", verdict="HTTP 503", fix="later"),
    ])
    with sqlite_site.session() as session:
        save_report(session, report)
    stage = _stages(sqlite_site)["prereqs"]
    assert not stage.done
    assert stage.status.startswith("1 failing (upstream)")


def test_sync_is_done_after_a_successful_run_and_says_how_old_it_is(sqlite_site, tmp_path):
    run = _import_month(sqlite_site, tmp_path)
    assert run.status == "ok"
    ended = run.ended_at if run.ended_at.tzinfo else run.ended_at.replace(tzinfo=UTC)
    stages = _stages(sqlite_site, now=ended + timedelta(hours=2))
    assert stages["sync"].done
    assert stages["sync"].status == "last run ok 2 h ago: 1 months, 1 updates"
    assert stages["determine"].done and stages["determine"].status.startswith("1 updates in the catalog")


def test_a_failed_run_alone_does_not_complete_sync(sqlite_site):
    with sqlite_site.session() as session:
        session.add(SyncRun(kind="sync", source="http://127.0.0.1:9/", started_at=NOW - timedelta(hours=3),
                            ended_at=NOW - timedelta(hours=3), status="failed"))
        session.commit()
    stage = _stages(sqlite_site)["sync"]
    assert not stage.done
    assert stage.status == "last run failed 3 h ago; no successful run yet"


@pytest.mark.parametrize("minutes, text", [(30, "running since 30 min ago")])
def test_a_running_run_is_mentioned(sqlite_site, minutes, text):
    with sqlite_site.session() as session:
        session.add(SyncRun(kind="sync", source="x", started_at=NOW - timedelta(minutes=minutes), status="running"))
        session.commit()
    assert _stages(sqlite_site)["sync"].status.startswith(text)


def test_clients_scan_and_the_inventory_tool_on_a_site_without_clients(sqlite_site):
    stages = _stages(sqlite_site)
    scan, itmu = stages["scan"], stages["itmu"]
    assert scan.available and not scan.done and scan.status.startswith("no clients yet")
    assert "sumtui serve" in scan.status
    assert itmu.available and not itmu.done and itmu.status.startswith("import inventories on the Clients screen")


def test_the_inventory_tool_is_never_the_next_step(sqlite_site):
    from sumtui.workflows.checklist import Stage

    stages = [Stage(1, "prereqs", "P", True, "", True, "prereqs"), Stage(None, "itmu", "I", False, "", True, "clients")]
    assert next_stage(stages) is None


def _fleet(site, count, *, unreported=0):
    from sqlalchemy import update

    from sumtui.compliance.reevaluate import reevaluate
    from sumtui.fleet.models import Client
    from sumtui.workflows.demo import generate_fleet

    with site.session() as session:
        generate_fleet(session, count=count, never_share=0, silent_share=0)
        if unreported:
            ids = [c.id for c in session.exec(select(Client).order_by(Client.id).limit(unreported)).all()]
            was = {i: True for i in ids}
            session.execute(update(Client).where(Client.id.in_(ids)).values(last_inventory=None, last_report=None))
            reevaluate(session, client_ids=ids, previously_reported=was)
        session.commit()


def test_clients_reporting_complete_the_scan_stage_and_show_the_unknown_share(catalog_site):
    _fleet(catalog_site, 40, unreported=3)
    stages = _stages(catalog_site)
    assert stages["scan"].done
    assert stages["scan"].status == "37 of 40 reported, 3 unknown (8%)"
    assert "needed by a client, All Systems" in stages["determine"].status and "compliant" in stages["determine"].status
    assert not stages["itmu"].done  # generated clients are not imported inventories


def test_imported_inventories_complete_the_side_track(catalog_site):
    from sumtui.fleet.inventory import parse_inventory
    from sumtui.workflows.intake import ingest_inventory

    data = b'{"format": "sumtui-inventory/1", "name": "PC1", "os_name": "Microsoft Windows 10 Pro", "build": "10.0.17763", ' \
           b'"architecture": "x64", "is_server": false, "installed_kbs": []}'
    with catalog_site.session() as session:
        ingest_inventory(session, parse_inventory(data, name="pc1.json"))
        session.commit()
    stages = _stages(catalog_site)
    assert stages["itmu"].done and stages["itmu"].status.startswith("1 client from imported inventories")
    assert stages["scan"].done and stages["scan"].status == "1 of 1 reported, 0 unknown (0%)"


def test_lists_templates_and_a_complete_package_complete_stages_seven_to_nine(sqlite_site, tmp_path):
    import hashlib

    from sumtui.deploy.content.store import ContentStore
    from sumtui.deploy.lists import create_list
    from sumtui.deploy.package_download import (
        FolderSource,
        WantedUpdate,
        download_package,
    )
    from sumtui.deploy.packages import create_package
    from sumtui.deploy.templates import create_template

    stages = _stages(sqlite_site)
    assert [stages[k].done for k in ("lists", "templates", "download")] == [False, False, False]
    assert stages["lists"].status.startswith("no update list yet")
    assert stages["templates"].status.startswith("no deployment template yet")
    assert stages["download"].status.startswith("no deployment package yet")
    run = _import_month(sqlite_site, tmp_path)
    assert run.status == "ok"
    data = b"december cumulative update " * 100
    folder = tmp_path / "wsus"
    folder.mkdir()
    (folder / f"windows10.0-kb4592440-x64_{hashlib.sha1(data).hexdigest()}.msu").write_bytes(data)
    with sqlite_site.session() as session:
        create_list(session, name="Patch Tuesday", refs=["KB4592440"])
        create_template(session, name="Workstations")
        create_package(session, name="December")
        create_package(session, name="Empty")
        session.commit()
    stages = _stages(sqlite_site)
    assert stages["lists"].done and stages["lists"].status.startswith("1 update list saved")
    assert stages["templates"].done and stages["templates"].status.startswith("1 deployment template saved")
    assert not stages["download"].done and stages["download"].status.startswith("2 packages, none complete yet")
    with sqlite_site.session() as session:
        result = download_package(session, store=ContentStore(sqlite_site.content_dir), name="December",
                                  wanted=[WantedUpdate("4592440")], source=FolderSource(folder))
    assert result.ok
    stages = _stages(sqlite_site)
    assert stages["download"].done
    assert stages["download"].status == "1 of 2 packages complete (1 file downloaded and verified)"
    with sqlite_site.session() as session:
        assert next_stage(checklist(session, now=NOW)).key == "prereqs"  # the earlier stages still come first


def test_deployments_and_nap_flags_make_stages_ten_to_twelve_live(catalog_site):
    from sumtui.deploy.deployments import create_deployment
    from sumtui.deploy.messages import Message, apply_messages
    from sumtui.deploy.models import DeploymentUpdate
    from sumtui.deploy.nap import flag_updates
    from tests.compliance.scenario import CU
    from tests.deploy.fleet_fixture import build_fleet, spec

    now = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    with catalog_site.session() as session:
        ids = build_fleet(session)
        row = create_deployment(session, spec=spec(deadline=datetime(2026, 12, 10, 2, 0, tzinfo=UTC)), now=now)
        session.commit()
        deployment_id = row.id
    stages = _stages(catalog_site, now)
    assert stages["deploy"].done
    assert stages["deploy"].status.startswith("1 deployment; next deadline 2026-12-10 02:00 UTC (April)")
    assert not stages["nap"].done and stages["nap"].status.startswith("no update flagged")
    assert not stages["monitor"].done and stages["monitor"].status.startswith("1 converging, 0 done; 0 failed installs")
    assert [stages[k].screen for k in ("deploy", "nap", "monitor")] == ["deploy", "deployments", "deployments"]

    with catalog_site.session() as session:
        apply_messages(session, reports=[(ids["WS-1"], 1, [
            Message(deployment_id=deployment_id, kb=CU[4], state="failed", code=0x80070643, at=now)])], now=now)
        update_ids = session.exec(select(DeploymentUpdate.update_id).where(
            DeploymentUpdate.deployment_id == deployment_id)).all()
        flag_updates(session, update_ids=update_ids, effective=now - timedelta(days=1), source="April", now=now)
        session.commit()
    stages = _stages(catalog_site, now)
    assert "1 failed install" in stages["monitor"].status
    assert stages["nap"].done
    assert stages["nap"].status.startswith(f"{len(update_ids)} updates flagged ({len(update_ids)} effective); ")
    assert "unhealthy client" in stages["nap"].status

"""Deployments in the domain: what a spec resolves to, what creating one targets, how its status
follows membership and compliance (with counts that always equal a recount), deleting, and TOML."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text

from sumtui.catalog.models import Update
from sumtui.deploy.deployment_lints import lints
from sumtui.deploy.deployments import (
    DeploymentError,
    create_deployment,
    delete_deployment,
    get_deployment,
    resolve,
)
from sumtui.deploy.deployments_io import (
    apply_deployment_import,
    export_deployment,
    plan_deployment_import,
)
from sumtui.deploy.models import DeploymentCount, DeploymentEvent, DeploymentState
from sumtui.deploy.status import deployment_detail, list_deployments
from sumtui.deploy.toml_io import dump_deployment, parse_deployment
from sumtui.fleet.collections import (
    FleetError,
    add_window,
    ensure_all_systems,
    get_collection,
)
from sumtui.fleet.models import CollectionCreate, MaintenanceWindowCreate
from sumtui.workflows.collections import (
    create_collection,
    delete_collection,
    set_static_members,
)
from sumtui.workflows.intake import ingest_inventory
from tests.compliance.scenario import CU, ROLLUP
from tests.deploy.fleet_fixture import maintained, recount, spec, states_of, ws

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def test_a_deployment_targets_what_each_member_needs_and_counts_match_a_recount(fleet_site):
    site, _ids = fleet_site
    with site.session() as session:
        row = create_deployment(session, spec=spec(deadline=datetime(2026, 12, 10, 2, 0, tzinfo=UTC)), now=NOW)
        session.commit()
        assert states_of(session, row.id) == {
            ("WS-1", CU[4]): "pending", ("WS-2", CU[4]): "installed", ("SRV-1", ROLLUP[4]): "pending"}
        assert maintained(session, row.id) == recount(session, row.id) == {"pending": 2, "installed": 1}
        detail = deployment_detail(session, name="april")
        # Three clients, two updates (the rollup only for the product the fleet has): six pairs.
        assert detail["counts"]["not_required"] == 3 and sum(detail["counts"].values()) == 6
        assert (detail["deadline"], detail["available"]) == ("2026-12-10T02:00:00+00:00", None)
        pending = next(c for c in detail["clients"] if c["client"] == "WS-1" and c["kb"] == f"KB{CU[4]}")
        assert pending["reason"].startswith("not installed: client has not polled policy since")
        installed = next(c for c in detail["clients"] if c["client"] == "WS-2" and c["kb"] == f"KB{CU[4]}")
        assert installed["reason"].startswith("installed: the client's inventory or scan of")
        assert [s.name for s in list_deployments(session)] == ["April"]


def test_status_follows_membership_and_compliance(fleet_site):
    site, ids = fleet_site
    with site.session() as session:
        ring = create_collection(session, CollectionCreate(name="Ring 1"))
        set_static_members(session, ring, add=[ids["WS-1"], ids["SRV-1"]])
        row = create_deployment(session, spec=spec(collection="Ring 1"), now=NOW)
        assert states_of(session, row.id) == {("WS-1", CU[4]): "pending", ("SRV-1", ROLLUP[4]): "pending"}
        # A member joins: targeted at once; one leaves: its rows go.
        set_static_members(session, ring, add=[ids["WS-2"]], remove=[ids["SRV-1"]])
        assert states_of(session, row.id) == {("WS-1", CU[4]): "pending", ("WS-2", CU[4]): "installed"}
        # An inventory shows the update installed: the status says so without any state message.
        ingest_inventory(session, ws("WS-1", CU[4], zone="Europe/Berlin"))
        assert states_of(session, row.id)[("WS-1", CU[4])] == "installed"
        # A client that has never reported is pending for everything (whether it needs it is not known).
        session.execute(text("INSERT INTO client (name, name_key, installed_kbs, reported_products, tags, created_at, "
                             "report_serial, needs_full_resend, required_count, installed_count, failed_count, "
                             "critical_missing, important_missing, states, out_of_support, source) VALUES ('NEW-1', "
                             "'NEW-1', '', '[]', '[]', '2026-12-01 00:00:00', 0, 0, 0, 0, 0, 0, 0, '', 0, 'agent')"))
        new_id = session.execute(text("SELECT id FROM client WHERE name_key = 'NEW-1'")).scalar()
        set_static_members(session, ring, add=[new_id])
        assert {k: v for k, v in states_of(session, row.id).items() if k[0] == "NEW-1"} == {
            ("NEW-1", CU[4]): "pending", ("NEW-1", ROLLUP[4]): "pending"}
        reason = next(c["reason"] for c in deployment_detail(session, name="April")["clients"] if c["client"] == "NEW-1")
        assert "has not reported an inventory or scan yet" in reason
        assert maintained(session, row.id) == recount(session, row.id)


def test_a_collection_with_deployments_is_not_deleted(fleet_site):
    site, ids = fleet_site
    with site.session() as session:
        ring = create_collection(session, CollectionCreate(name="Ring 1"))
        set_static_members(session, ring, add=[ids["WS-1"]])
        create_deployment(session, spec=spec(collection="Ring 1"), now=NOW)
        with pytest.raises(FleetError, match="1 deployment.*'April'.*delete them first"):
            delete_collection(session, ring)
        delete_deployment(session, name="April")
        delete_collection(session, ring)
        session.commit()
        for model in (DeploymentState, DeploymentCount, DeploymentEvent):
            assert session.execute(select(model)).first() is None


@pytest.mark.parametrize(("options", "message"), [
    ({"refs": []}, "needs updates"),
    ({"refs": ["KB999"]}, "KB999 is not in the catalog"),
    ({"collection": "Nowhere"}, "no collection named 'Nowhere'"),
    ({"collection": None}, "needs a collection"),
    ({"local_time": True, "deadline": datetime(2026, 12, 10, 2, 0, tzinfo=UTC)}, "give a wall-clock time without an offset"),
    ({"available": datetime(2026, 12, 10, 2, 0), "deadline": datetime(2026, 12, 9, 2, 0)}, "must come after the available"),
    ({"suppress_restart": "laptops"}, "restart suppression is one of"),
    ({"package": "none such"}, "none such"),
    ({"name": "x" * 51}, "at most 50"),
])
def test_a_deployment_that_cannot_be_is_refused_with_a_reason(fleet_site, options, message):
    site, _ids = fleet_site
    with site.session() as session:
        with pytest.raises(DeploymentError, match=message):
            resolve(session, spec=spec(**options))


def test_names_are_unique_ignoring_case(fleet_site):
    site, _ids = fleet_site
    with site.session() as session:
        create_deployment(session, spec=spec(), now=NOW)
        with pytest.raises(DeploymentError, match="already exists"):
            create_deployment(session, spec=spec(name="APRIL"), now=NOW)


def test_local_times_are_stored_as_wall_clock_and_utc_ones_as_utc(fleet_site):
    site, _ids = fleet_site
    with site.session() as session:
        local = resolve(session, spec=spec(local_time=True, deadline=datetime(2026, 12, 10, 2, 0)))
        assert (local.local_time, local.deadline) == (True, datetime(2026, 12, 10, 2, 0))
        # An instant given in any zone is stored as UTC: 03:00 in Berlin is 02:00 UTC.
        berlin = datetime(2026, 12, 10, 3, 0, tzinfo=ZoneInfo("Europe/Berlin"))
        utc = resolve(session, spec=spec(deadline=berlin))
        assert (utc.local_time, utc.deadline) == (False, datetime(2026, 12, 10, 2, 0))


def test_lints_say_what_an_operator_should_know(fleet_site, monkeypatch):
    site, _ids = fleet_site
    with site.session() as session:
        ensure_all_systems(session)
        session.execute(Update.__table__.update().where(Update.__table__.c.kb == CU[4]).values(superseded=True))
        session.execute(Update.__table__.update().where(Update.__table__.c.kb == ROLLUP[4]).values(expired=True))
        add_window(session, get_collection(session, "All Systems"), MaintenanceWindowCreate(
            name="short", recurrence="daily", start=datetime(2026, 12, 1, 2, 0), duration_minutes=10))
        resolved = resolve(session, spec=spec(deadline=datetime(2026, 12, 1, 0, 0, tzinfo=UTC)))
        found = lints(session, resolved=resolved, now=NOW)
        kinds = [line.split(":")[0] for line in found]
        assert kinds == ["expired", "superseded", "no maintenance window of 'All Systems' is long enough",
                         "the deadline 2026-12-01 00", "content missing"]
        assert f"KB{ROLLUP[4]} was withdrawn" in found[0]
        assert "need 20 min, the longest window is 10 min" in found[2]
        # Windows overridden at the deadline: the short window does not matter.
        resolved = resolve(session, spec=spec(override_windows=True))
        assert not any("long enough" in line for line in lints(session, resolved=resolved, now=NOW))
        monkeypatch.setattr("sumtui.deploy.deployment_lints.MAX_UPDATES", 1)
        assert any("more than 1 in one deployment" in line for line in lints(session, resolved=resolved, now=NOW))
        local = resolve(session, spec=spec(local_time=True, deadline=datetime(2026, 12, 3, 20, 0)))
        assert any("has passed already in some time zones" in line for line in lints(session, resolved=local, now=NOW))


def test_a_deployment_round_trips_through_toml(fleet_site):
    site, _ids = fleet_site
    with site.session() as session:
        create_deployment(session, spec=spec(local_time=True, deadline=datetime(2026, 12, 10, 2, 0), override_windows=True,
                                             suppress_restart="servers", description="April's updates"), now=NOW)
        session.commit()
        text_out = dump_deployment(export_deployment(session, name="April"))
    assert "deadline = 2026-12-10 02:00:00\n" in text_out and "local_time = true" in text_out
    assert f'kb = "KB{CU[4]}"' in text_out and "suppress_restart_servers = true" in text_out
    document = parse_deployment(text_out, source="april.toml")
    with site.session() as session:
        unchanged = plan_deployment_import(session, document=document)
        assert not unchanged.changed and unchanged.lines() == ["deployment 'April': no changes (2 update(s))"]
        # The deadline moved, the rollup taken out (its whole [[updates]] entry).
        edited = "\n[[updates]]\n".join(part for part in text_out.split("\n[[updates]]\n") if f"KB{ROLLUP[4]}" not in part)
        changed = parse_deployment(edited.replace("2026-12-10 02:00:00", "2026-12-11 03:00:00"), source="x")
        plan = plan_deployment_import(session, document=changed)
        assert ("deadline", "2026-12-10T02:00:00", "2026-12-11T03:00:00") in plan.changes
        apply_deployment_import(session, plan=plan)
        session.commit()
        row = get_deployment(session, name="April")
        assert row.deadline == datetime(2026, 12, 11, 3, 0) and row.update_count == 1
        assert set(states_of(session, row.id)) == {("WS-1", CU[4]), ("WS-2", CU[4])}
        assert maintained(session, row.id) == recount(session, row.id)


def test_a_deployment_file_is_read_strictly(tmp_path):
    from sumtui.deploy.toml_io import TomlFileError

    head = 'format = "sumtui-deployment/1"\nname = "A"\ncollection = "All Systems"\n'
    with pytest.raises(TomlFileError, match="local_time = true takes a time without an offset"):
        parse_deployment(head + "local_time = true\ndeadline = 2026-12-10T02:00:00Z\n")
    with pytest.raises(TomlFileError, match="a UTC deployment's times carry an offset"):
        parse_deployment(head + "deadline = 2026-12-10T02:00:00\n")
    with pytest.raises(TomlFileError, match="unknown key 'deadlines'"):
        parse_deployment(head + "deadlines = 2026-12-10T02:00:00Z\n")
    with pytest.raises(TomlFileError, match="names no collection"):
        parse_deployment('format = "sumtui-deployment/1"\nname = "A"\n')

"""Stored states and the maintained summaries: every change keeps them equal to a full recount."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from sumtui.compliance import apply
from sumtui.compliance.models import INSTALLED, REQUIRED, ComplianceState, UpdateSummary
from sumtui.compliance.queries import (
    client_states,
    collection_compliance,
    page_update_compliance,
)
from sumtui.compliance.reevaluate import reevaluate
from sumtui.fleet.collections import CollectionRule, ensure_all_systems
from sumtui.fleet.inventory.model import Inventory
from sumtui.fleet.models import Client, Collection, CollectionCreate
from sumtui.workflows.collections import (
    create_collection,
    delete_collection,
    set_static_members,
)
from sumtui.workflows.intake import ScanReport, ingest_inventory, ingest_scan
from tests.compliance.scenario import CU, NET, ROLLUP


def inv(name, *kbs, os_name="Microsoft Windows 10 Enterprise", build="10.0.17763", server=False) -> Inventory:
    return Inventory(name=name, source_format="agent-json", os_name=os_name, build=build, architecture="x64",
                     is_server=server, installed_kbs=list(kbs), domain="corp.example")


def srv(name, *kbs) -> Inventory:
    return inv(name, *kbs, os_name="Microsoft Windows Server 2012 R2 Standard", build="6.3.9600", server=True)


def snapshot(session: Session):
    summaries = {(r.collection_id, r.update_id): (r.required, r.installed, r.failed)
                 for r in session.exec(select(UpdateSummary)).scalars() if (r.required, r.installed, r.failed) != (0, 0, 0)}
    counts = {c.id: (c.members, c.reported, c.compliant) for c in session.exec(select(Collection)).scalars()}
    return summaries, counts


def assert_consistent(session: Session):
    maintained = snapshot(session)
    apply.rebuild(session)
    session.flush()
    assert snapshot(session) == maintained


def test_inventory_creates_states_and_summaries(catalog_site):
    with catalog_site.session() as session:
        a = ingest_inventory(session, inv("ws-1", CU[1])).client
        ingest_inventory(session, srv("srv-1"))
        session.commit()
        all_systems = ensure_all_systems(session)
        assert (all_systems.members, all_systems.reported, all_systems.compliant) == (2, 2, 0)
        assert a.required_count == 3
        rows = session.exec(select(ComplianceState).where(ComplianceState.client_id == a.id)).scalars().all()
        assert {r.state for r in rows} == {REQUIRED, INSTALLED}
        assert_consistent(session)


def test_report_that_installs_everything_makes_the_client_compliant(catalog_site):
    with catalog_site.session() as session:
        ingest_inventory(session, inv("ws-1"))
        ingest_inventory(session, inv("ws-1", CU[4], NET[3]))
        session.commit()
        client = session.exec(select(Client)).scalars().one()
        assert client.required_count == 0
        all_systems = ensure_all_systems(session)
        assert all_systems.compliant == 1
        top = page_update_compliance(session, collection_id=all_systems.id, limit=3)
        assert top[0].required == 0
        assert_consistent(session)


def test_rule_collection_follows_clients_and_carries_their_summaries(catalog_site):
    with catalog_site.session() as session:
        ingest_inventory(session, inv("ws-1"))
        ingest_inventory(session, srv("srv-1"))
        servers = create_collection(session, CollectionCreate(name="Servers"), rule=CollectionRule(os_product="Server"))
        assert servers.members == 1
        ingest_inventory(session, srv("srv-2", ROLLUP[4]))
        session.refresh(servers)
        assert (servers.members, servers.compliant) == (2, 1)
        rows = {(r.kb, r.product): r for r in page_update_compliance(session, collection_id=servers.id, limit=500)}
        rollup = rows[(ROLLUP[4], "Windows Server 2012 R2")]
        assert (rollup.required, rollup.installed, rollup.not_required, rollup.unknown) == (1, 1, 0, 0)
        assert rows[(CU[4], "Windows 10 Version 1809 for x64-based Systems")].required == 0  # the workstation is not a member
        assert_consistent(session)
        delete_collection(session, servers)
        assert_consistent(session)


def test_static_collection_membership_moves_summaries(catalog_site):
    with catalog_site.session() as session:
        a = ingest_inventory(session, inv("ws-1")).client
        b = ingest_inventory(session, inv("ws-2", CU[4], NET[3])).client
        pilots = create_collection(session, CollectionCreate(name="Pilot"))
        set_static_members(session, pilots, add=[a.id, b.id])
        session.refresh(pilots)
        assert (pilots.members, pilots.reported, pilots.compliant) == (2, 2, 1)
        set_static_members(session, pilots, remove=[a.id])
        session.refresh(pilots)
        assert (pilots.members, pilots.compliant) == (1, 1)
        assert_consistent(session)


def test_agent_scan_wins_over_evaluation(catalog_site):
    with catalog_site.session() as session:
        client = ingest_inventory(session, inv("ws-1")).client
        cu4 = session.exec(select(ComplianceState).where(ComplianceState.client_id == client.id, ComplianceState.state == REQUIRED)).scalars().all()
        target = next(r.update_id for r in cu4)
        ingest_scan(session, client, ScanReport({target: INSTALLED}, full=True))
        states = {s.update_id: s for s in client_states(session, client)}
        assert states[target].state == "installed"
        assert states[target].source == "scan"
        assert "own scan" in states[target].reason
        ingest_scan(session, client, ScanReport({target: 0}, full=True))
        assert {s.update_id: s.state for s in client_states(session, client)}[target] == "not_required"
        assert_consistent(session)


def test_never_reported_client_is_unknown_and_not_compliant(catalog_site):
    with catalog_site.session() as session:
        from sumtui.timeutil import utcnow
        from sumtui.workflows.collections import refresh_membership

        silent = Client(name="new-pc", name_key="NEW-PC", created_at=utcnow(), source="agent")
        session.add(silent)
        session.flush()
        refresh_membership(session, client_ids=[silent.id])
        ingest_inventory(session, inv("ws-1", CU[4], NET[3]))
        (all_systems,) = [c for c in collection_compliance(session) if c.kind == "builtin"]
        assert (all_systems.members, all_systems.reported, all_systems.compliant, all_systems.unknown) == (2, 1, 1, 1)
        assert all_systems.compliant_pct == 50.0
        states = client_states(session, silent)
        assert states and {s.state for s in states} == {"unknown"}
        assert_consistent(session)


def test_reevaluation_after_a_new_month_updates_states_and_summaries(catalog_site, tmp_path):
    from sumtui.catalog.sync import import_files
    from tests.compliance.scenario import PRODUCTS, W1809
    from tests.cvrf_builder import Fix, Vuln, month_doc, write

    with catalog_site.session() as session:
        client = ingest_inventory(session, inv("ws-1", CU[4], NET[3])).client
        session.commit()
        assert client.required_count == 0
    may = tmp_path / "may.json"
    write(may, month_doc(2022, 5, PRODUCTS, [Vuln("CVE-2022-25000", [Fix("5013941", [W1809], supersedes=CU[4], fixed_build="10.0.17763.2928")], severity="Critical")]))
    assert import_files(catalog_site.engine, [may]).status == "ok"
    with catalog_site.session() as session:
        result = reevaluate(session)
        session.commit()
        client = session.get(Client, client.id)
        assert result.clients == 1 and client.required_count == 1 and client.critical_missing == 1
        assert [s.kb for s in client_states(session, client) if s.state == "required"] == ["5013941"]
        assert_consistent(session)

"""The compliance path on every supported database (SQLite always, PostgreSQL when SUMTUI_TEST_PG_URL
is set): import a catalog, report inventories, apply a scan, keep the summaries equal to a recount."""

from __future__ import annotations

from sqlmodel import select

from sumtui.catalog.sync import import_files
from sumtui.compliance import apply
from sumtui.compliance.models import INSTALLED
from sumtui.compliance.queries import (
    client_states,
    collection_compliance,
    page_update_compliance,
    triage,
)
from sumtui.compliance.reevaluate import reevaluate
from sumtui.fleet.collections import CollectionRule, ensure_all_systems
from sumtui.fleet.models import Client, CollectionCreate
from sumtui.workflows.collections import create_collection
from sumtui.workflows.demo import generate_fleet
from sumtui.workflows.intake import (
    ScanReport,
    ingest_agent_inventories,
    ingest_inventory,
    ingest_scan,
)
from tests.compliance.scenario import CU, NET, write_months
from tests.compliance.test_summaries import inv, snapshot, srv


def test_compliance_on_each_dialect(site, tmp_path):
    assert import_files(site.engine, write_months(tmp_path / "months")).status == "ok"
    with site.session() as session:
        a = ingest_inventory(session, inv("ws-1", CU[1])).client
        ingest_inventory(session, srv("srv-1"))
        create_collection(session, CollectionCreate(name="Servers"), rule=CollectionRule(os_product="Server"))
        generate_fleet(session, count=40)
        session.commit()
        ingest_agent_inventories(session, [(a.id, inv("ws-1", CU[4], NET[3]))])
        target = next(s.update_id for s in client_states(session, a) if s.state == "installed")
        ingest_scan(session, a, ScanReport({target: INSTALLED}, full=True))
        reevaluate(session)
        session.commit()
        client = session.get(Client, a.id)
        assert client.required_count == 0
        maintained = snapshot(session)
        apply.rebuild(session)
        session.flush()
        assert snapshot(session) == maintained
        all_systems = ensure_all_systems(session)
        assert all_systems.members == 42
        assert page_update_compliance(session, collection_id=all_systems.id, limit=5)
        assert {c.name for c in collection_compliance(session)} >= {"All Systems", "Servers"}
        assert triage(session, collection_id=all_systems.id).collection.members == 42
        session.rollback()
        assert session.exec(select(Client).where(Client.name_key == "WS-1")).one().required_count == 0

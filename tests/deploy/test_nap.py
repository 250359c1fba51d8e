"""NAP evaluation: flagged updates with an effective date, and each client's verdict."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from sumtui.catalog.models import Update
from sumtui.deploy.deployments import create_deployment
from sumtui.deploy.nap import flag_updates, list_flags, unflag_updates, verdicts
from tests.compliance.scenario import CU, ROLLUP
from tests.deploy.fleet_fixture import spec

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def ids_of(session, kb: str) -> list[int]:
    return list(session.execute(select(Update.id).where(Update.kb == kb)).scalars())


def test_a_client_is_healthy_when_every_nap_update_effective_by_now_that_it_needs_is_installed(fleet_site):
    site, _ids = fleet_site
    with site.session() as session:
        flag_updates(session, update_ids=ids_of(session, CU[4]), effective=NOW - timedelta(days=1), source="operator")
        flag_updates(session, update_ids=ids_of(session, ROLLUP[4]), effective=NOW + timedelta(days=1), source="operator")
        found = {v.client: v for v in verdicts(session, now=NOW)}
        assert found["WS-1"].as_row() == {"client": "WS-1", "healthy": False, "missing": [f"KB{CU[4]}"],
                                          "effective": (NOW - timedelta(days=1)).isoformat(),
                                          "reason": "needs 1 update(s) flagged for NAP evaluation and effective by now"}
        assert found["WS-2"].healthy and found["SRV-1"].healthy  # has it / does not need it; the rollup is not effective yet
        assert not found["SRV-1"].missing
        later = {v.client: v for v in verdicts(session, now=NOW + timedelta(days=2))}
        assert later["SRV-1"].missing == (f"KB{ROLLUP[4]}",)
        assert [v.client for v in verdicts(session, now=NOW, unhealthy_only=True)] == ["WS-1"]
        assert unflag_updates(session, update_ids=ids_of(session, CU[4])) == 1
        assert all(v.healthy for v in verdicts(session, now=NOW))


def test_a_nap_deployment_flags_its_updates(fleet_site):
    site, _ids = fleet_site
    with site.session() as session:
        create_deployment(session, spec=spec(nap=True, nap_effective=NOW), now=NOW)
        flags = list_flags(session)
        assert {f.kb for f in flags} == {CU[4], ROLLUP[4]} and {f.source for f in flags} == {"deployment April"}
        assert all(f.effective == NOW for f in flags)

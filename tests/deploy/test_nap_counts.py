"""The NAP counts Home and the monitoring page show (deploy.nap_counts) agree with `nap.verdicts`, the
verdicts `sumtui nap` prints: flagged, effective, unhealthy (a client whose compliance is not known
included)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sumtui.deploy.nap import flag_updates, verdicts
from sumtui.deploy.nap_counts import nap_counts
from sumtui.fleet.inventory.model import Inventory
from sumtui.workflows.intake import ingest_inventory
from tests.compliance.scenario import CU, ROLLUP
from tests.deploy.test_nap import ids_of

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def _unhealthy(session, now) -> int:
    return len(verdicts(session, now=now, unhealthy_only=True))


def test_the_counts_match_the_verdicts_as_flags_become_effective(fleet_site):
    site, _ids = fleet_site
    with site.session() as session:
        assert nap_counts(session, now=NOW) == (0, 0, 0)
        flag_updates(session, update_ids=ids_of(session, CU[4]), effective=NOW - timedelta(days=1), source="operator")
        flag_updates(session, update_ids=ids_of(session, ROLLUP[4]), effective=NOW + timedelta(days=1), source="operator")
        cu, rollup = len(ids_of(session, CU[4])), len(ids_of(session, ROLLUP[4]))
        assert nap_counts(session, now=NOW) == (cu + rollup, cu, 1) and _unhealthy(session, NOW) == 1  # WS-1
        later = NOW + timedelta(days=2)
        assert nap_counts(session, now=later) == (cu + rollup, cu + rollup, 2) and _unhealthy(session, later) == 2
        # A client of an OS no product maps to, without a scan: nothing vouches for it.
        ingest_inventory(session, Inventory(name="ODD-1", source_format="agent-json", os_name="Plan 9", build="4",
                                            architecture="x64", is_server=False, installed_kbs=[]))
        session.flush()
        assert nap_counts(session, now=later)[2] == _unhealthy(session, later) == 3

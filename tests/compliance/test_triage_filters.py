"""Triage over the fleet: clients that miss an update of a severity or worse, by OS role, worst first, each
with its worst missing KBs — all read from what the state writes maintain."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from sumtui.catalog.models import Update
from sumtui.compliance.missing import (
    count_filtered_clients,
    page_filtered_clients,
    top_missing,
)
from sumtui.compliance.models import INSTALLED, REQUIRED
from sumtui.compliance.queries import client_states
from sumtui.fleet.clients import ClientFilter, count_clients
from sumtui.workflows.intake import ScanReport, ingest_inventory, ingest_scan
from tests.compliance.scenario import DYNAMIC, NET, ROLLUP, SSU
from tests.compliance.test_summaries import inv, srv


def _update_id(session, kb: str) -> int:
    return session.execute(select(Update.__table__.c.id).where(Update.__table__.c.kb == kb)).scalars().first()


def _only_missing(session, name: str, kb: str | None) -> None:
    """A Windows 10 client whose own scan says everything it needs is installed except `kb` (Required)."""
    client = ingest_inventory(session, inv(name)).client
    states = {s.update_id: INSTALLED for s in client_states(session, client) if s.state == "required"}
    if kb is not None:
        states[_update_id(session, kb)] = REQUIRED
    ingest_scan(session, client, ScanReport(states, full=True))


@pytest.fixture
def fleet(catalog_site):
    """srv-1 misses a Critical Monthly Rollup; ws-imp only the .NET update (Important), ws-mod only the
    servicing stack update (Moderate), ws-low only a dynamic update (Low); ws-ok misses nothing."""
    with catalog_site.session() as session:
        ingest_inventory(session, srv("srv-1"))
        _only_missing(session, "ws-imp", NET[3])
        _only_missing(session, "ws-mod", SSU[3])
        _only_missing(session, "ws-low", DYNAMIC)
        _only_missing(session, "ws-ok", None)
        session.commit()
    return catalog_site


def names(site, **fields) -> set[str]:
    flt = ClientFilter(**fields)
    with site.session() as session:
        rows = page_filtered_clients(session, filter=flt, limit=100)
        assert count_filtered_clients(session, filter=flt) == len(rows)
    return {r.name for r in rows}


def test_misses_an_update_of_a_severity_or_worse(fleet):
    assert names(fleet, missing_severity="Critical") == {"srv-1"}
    assert names(fleet, missing_severity="Important") == {"srv-1", "ws-imp"}
    assert names(fleet, missing_severity="Moderate") == {"srv-1", "ws-imp", "ws-mod"}
    assert names(fleet, missing_severity="Low") == {"srv-1", "ws-imp", "ws-mod", "ws-low"}
    assert names(fleet, missing_severity="critical") == {"srv-1"}  # any case


def test_by_os_role(fleet):
    assert names(fleet, role="server") == {"srv-1"}
    assert names(fleet, role="workstation") == {"ws-imp", "ws-mod", "ws-low", "ws-ok"}
    assert names(fleet, role="workstation", missing_severity="Moderate") == {"ws-imp", "ws-mod"}


def test_the_moderate_and_low_filters_need_the_state_rows(fleet):
    # Without the compliance package's query the fleet layer refuses rather than answering from counts alone.
    with fleet.session() as session, pytest.raises(ValueError, match="state rows"):
        count_clients(session, filter=ClientFilter(missing_severity="Moderate"))
    with pytest.raises(ValueError, match="unknown severity"):
        names(fleet, missing_severity="Crit")


def test_worst_first_and_the_worst_missing_kbs(fleet):
    with fleet.session() as session:
        rows = page_filtered_clients(session, filter=ClientFilter(), sort="critical", descending=True)
        assert rows[0].name == "srv-1" and rows[0].critical_missing > 0
        assert all(r.critical_missing == 0 for r in rows[1:])
        top = top_missing(session, states={r.id: r.states for r in rows})
        by_name = {r.name: top[r.id] for r in rows}
    assert by_name["srv-1"].kbs[0] == ROLLUP[4]  # the newest Critical rollup heads the list
    assert by_name["ws-imp"].text() == f"KB{NET[3]}"
    assert by_name["ws-mod"].text() == f"KB{SSU[3]}"
    assert by_name["ws-low"].text() == f"KB{DYNAMIC}"
    assert by_name["ws-ok"].text() == ""


def test_more_than_the_limit_is_counted(catalog_site):
    with catalog_site.session() as session:
        client = ingest_inventory(session, inv("ws-new")).client  # nothing installed: several KBs Required
        session.commit()
        required = {s.kb for s in client_states(session, client) if s.state == "required"}
        top = top_missing(session, states={client.id: client.states}, limit=1)[client.id]
    assert len(required) >= 2
    assert len(top.kbs) == 1 and top.more == len(required) - 1
    assert top.text() == f"KB{top.kbs[0]} +{top.more}"

"""The one serial rule, for inventories and scans alike (workflows/agent_protocol.serial_verdict): a
serial at or below the last one is a duplicate; a gap asks for a full report unless this one is
complete (a full inventory, a full scan); a complete report closes the gap and the resend request, a
partial one only advances the serial. Driven through the protocol functions, in one transaction each."""

from __future__ import annotations

import json

import pytest

from sumtui.fleet.enrollment import hash_token
from sumtui.fleet.inventory import parse_inventory
from sumtui.fleet.models import Client
from sumtui.workflows import agent_protocol as protocol
from sumtui.workflows.agent_protocol import ProtocolError, Verdict, serial_verdict
from tests.compliance.scenario import CU

TOKEN = "t" * 32


@pytest.mark.parametrize("last, serial, complete, verdict", [
    (5, 5, True, Verdict.DUPLICATE), (5, 3, False, Verdict.DUPLICATE),
    (5, 6, False, Verdict.ACCEPT), (5, 6, True, Verdict.ACCEPT),
    (5, 8, True, Verdict.ACCEPT), (5, 8, False, Verdict.RESEND),
])
def test_the_rule(last, serial, complete, verdict):
    assert serial_verdict(last=last, serial=serial, complete=complete) is verdict


def inventory(*, partial: bool):
    doc = {"format": "sumtui-inventory/1", "name": "WS-1", "installed_kbs": [f"KB{CU[1]}"]}
    if partial:
        doc["partial"] = True
    else:
        doc.update(os_name="Microsoft Windows 10 Enterprise", build="10.0.17763", architecture="x64", is_server=False)
    return parse_inventory(json.dumps(doc).encode(), name="report")


class Reports:
    """One client's reports of one kind, each in its own transaction as the writer runs them."""

    def __init__(self, site, kind: str) -> None:
        from sumtui.fleet.enrollment import rotate_enrollment_key

        self.site, self.kind = site, kind
        with site.session() as session:
            key = rotate_enrollment_key(session)
            self.cid = protocol.register(session, enrollment=key, name="WS-1", agent_version=None, token=TOKEN).client_id
            session.commit()

    def send(self, serial: int, *, complete: bool):
        with self.site.session() as session:
            view, lookup = protocol.CatalogCache().get(session)
            if self.kind == "inventory":
                (answer,) = protocol.inventories(session, [protocol.InventoryReport(
                    client_id=self.cid, token_hash=hash_token(TOKEN), serial=serial, inventory=inventory(partial=not complete))],
                    view=view)
            else:
                answer = protocol.scan(session, client_id=self.cid, token_hash=hash_token(TOKEN), serial=serial, full=complete,
                                       items=[protocol.ScanItem(kb=CU[1], state="installed", product_id="11569")],
                                       view=view, lookup=lookup)
            session.commit()
            client = session.get(Client, self.cid)
            return answer, (client.report_serial, client.needs_full_resend)


@pytest.mark.parametrize("kind", ["inventory", "scan"])
def test_inventories_and_scans_follow_the_same_rule(catalog_site, kind):
    reports = Reports(catalog_site, kind)
    # A new registration wants a complete report first; a partial one is taken but the wish stands.
    answer, row = reports.send(1, complete=False)
    assert answer.accepted and row == (1, True)
    answer, row = reports.send(1, complete=True)
    assert answer.duplicate and not answer.accepted and row == (1, True)
    answer, row = reports.send(4, complete=False)  # reports 2 and 3 were lost
    assert (answer.accepted, answer.resend, answer.serial) == (False, "full", 1) and row == (1, True)
    answer, row = reports.send(2, complete=True)  # the agent numbers again from 1 + 1 and sends it all
    assert answer.accepted and row == (2, False)
    answer, row = reports.send(9, complete=True)  # a complete report closes a gap by itself
    assert answer.accepted and row == (9, False)
    answer, row = reports.send(10, complete=False)
    assert answer.accepted and row == (10, False)


@pytest.mark.parametrize("kind", ["inventory", "scan"])
def test_a_report_with_a_revoked_token_is_refused_in_its_transaction(catalog_site, kind):
    from sumtui.fleet import registrations

    reports = Reports(catalog_site, kind)
    with catalog_site.session() as session:
        registrations.reset_registration(session, name="ws-1")
    if kind == "inventory":
        answer, _row = reports.send(1, complete=True)
        assert isinstance(answer, ProtocolError) and answer.status == 403 and answer.credential
    else:
        with pytest.raises(ProtocolError) as caught:
            reports.send(1, complete=True)
        assert caught.value.status == 403 and caught.value.credential

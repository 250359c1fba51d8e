"""Registration over real HTTP: a known name is never handed out. Takeover attempts in any spelling end
held for the operator while the real agent keeps reporting; approval, rejection and an explicit reset;
names refused as inventories refuse them."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from sumtui.fleet import registrations
from sumtui.fleet.clients import find_client
from sumtui.fleet.inventory import parse_inventory
from sumtui.fleet.inventory.agentjson import HOST_NAME
from sumtui.fleet.models import Client, PendingRegistration
from sumtui.workflows.intake import ingest_inventory
from tests.compliance.scenario import CU, NET
from tests.server.test_api import inventory, register

SECRET = "attacker-secret-0123456789"


def report(http, cid, auth, serial, *kbs, name="SRV-01"):
    return http.post(f"api/v1/clients/{cid}/inventory", json={"serial": serial, "inventory": inventory(name, *kbs)},
                     headers=auth)


def attempt(http, key, name, secret=SECRET, **extra):
    body = {"enrollment_key": key, "name": name, "request_secret": secret, **extra}
    return http.post("api/v1/register", json=body)


@pytest.fixture
def real_agent(http, enroll, catalog_site):
    """SRV-01, registered by its agent, reported twice: exposed (3 updates required)."""
    cid, auth = register(http, enroll, "SRV-01")
    assert report(http, cid, auth, 1, CU[1]).json()["accepted"]
    assert report(http, cid, auth, 2, CU[1]).json()["required"] == 3
    return cid, auth


def client_row(site, cid) -> Client:
    with site.session() as session:
        return session.get(Client, cid)


# Any case, a long s (NFKC: "ſ" is "s"), fullwidth letters, a trailing-space-free Unicode case fold.
TAKEOVER_SPELLINGS = ["SRV-01", "srv-01", "Srv-01", "ſrv-01", "ＳＲＶ－０１", "sRv-01"]


@pytest.mark.parametrize("spelling", TAKEOVER_SPELLINGS)
def test_a_takeover_attempt_is_held_and_the_real_agent_keeps_working(http, enroll, catalog_site, real_agent, spelling):
    cid, auth = real_agent
    before = client_row(catalog_site, cid)
    answer = attempt(http, enroll, spelling, inventory=inventory(spelling, CU[4], NET[3]))
    assert answer.status_code == 202, answer.text
    body = answer.json()
    assert body["status"] == "pending" and "approval" in body["message"] and "token" not in body
    after = client_row(catalog_site, cid)
    # Nothing of the client changed: same token, serial, source, compliance.
    assert (after.token_hash, after.report_serial, after.source, after.required_count, after.states) == (
        before.token_hash, before.report_serial, before.source, before.required_count, before.states)
    with catalog_site.session() as session:
        assert len(session.exec(select(Client)).all()) == 1  # no second client under another spelling
        held = registrations.held_registration(session, "SRV-01")
        assert held.state == "pending" and held.name == spelling and held.address == "127.0.0.1"
    # The real agent keeps reporting with its token.
    assert report(http, cid, auth, 3, CU[4], NET[3]).json() == {
        "accepted": True, "serial": 3, "resend": None, "duplicate": False, "required": 0, "unknown_updates": 0}


def test_the_operator_sees_both_machines_and_approves(http, enroll, catalog_site, real_agent):
    cid, auth = real_agent
    assert attempt(http, enroll, "srv-01", inventory={**inventory("srv-01", CU[4], NET[3]), "domain": "other.example"}).status_code == 202
    with catalog_site.session() as session:
        (view,) = registrations.list_held(session)
    assert (view.name, view.state, view.attempts) == ("srv-01", "pending", 1)
    assert view.client.os == "Windows 10 Version 1809 for x64-based Systems" and view.client.kbs == 1
    assert view.request.os == "Microsoft Windows 10 Enterprise" and view.request.kbs == 2
    assert view.request.domain == "other.example"
    # Asking again before a decision: still pending, the attempt counted.
    assert attempt(http, enroll, "srv-01").status_code == 202
    with catalog_site.session() as session:
        registrations.approve(session, name="SRV-01")
    assert report(http, cid, auth, 3, CU[1]).json()["accepted"]  # approved, not yet taken: the old agent still works
    taken = attempt(http, enroll, "srv-01")
    assert taken.status_code == 201, taken.text
    body = taken.json()
    assert (body["client_id"], body["serial"]) == (cid, 0)  # the same client, serials start again
    assert report(http, cid, auth, 4, CU[1]).status_code == 403  # the old token stopped
    new = {"Authorization": f"Bearer {body['token']}"}
    assert report(http, cid, new, 1, CU[4], NET[3]).json()["accepted"]
    with catalog_site.session() as session:
        assert registrations.list_held(session) == []  # one-time: the secret is spent
    assert attempt(http, enroll, "srv-01").status_code == 202  # and a replay is just a new request


def test_a_rejected_registration_is_told_so(http, enroll, catalog_site, real_agent):
    cid, auth = real_agent
    assert attempt(http, enroll, "SRV-01").status_code == 202
    with catalog_site.session() as session:
        registrations.reject(session, name="srv-01")
    refused = attempt(http, enroll, "SRV-01")
    assert refused.status_code == 403 and "rejected" in refused.json()["error"]
    assert report(http, cid, auth, 3, CU[1]).json()["accepted"]


def test_a_new_request_replaces_a_held_one_and_a_decision_on_the_old_one_is_refused(http, enroll, catalog_site, real_agent):
    assert attempt(http, enroll, "SRV-01").status_code == 202
    with catalog_site.session() as session:
        first = registrations.held_registration(session, "SRV-01").id
    assert attempt(http, enroll, "SRV-01", secret="another-secret-0123456789").status_code == 202
    with catalog_site.session() as session, pytest.raises(registrations.RegistrationError, match="changed since it was shown"):
        registrations.approve(session, name="SRV-01", registration_id=first)
    # The first requester's secret no longer completes anything: it is simply held again.
    assert attempt(http, enroll, "SRV-01").status_code == 202


def test_reset_revokes_the_token_and_accepts_the_next_registration(http, enroll, catalog_site, real_agent):
    cid, auth = real_agent
    assert attempt(http, enroll, "SRV-01").status_code == 202
    with catalog_site.session() as session:
        registrations.reset_registration(session, name="srv-01")
        assert registrations.list_held(session) == []
    # The server cached the token: the report's own transaction still refuses it.
    assert report(http, cid, auth, 3, CU[1]).status_code == 403
    reinstalled = http.post("api/v1/register", json={"enrollment_key": enroll, "name": "SRV-01"})
    assert reinstalled.status_code == 201, reinstalled.text
    assert reinstalled.json()["client_id"] == cid
    again = http.post("api/v1/register", json={"enrollment_key": enroll, "name": "SRV-01"})
    assert again.status_code == 202  # the reset opened one registration, not every one after it


def test_a_pending_agent_completes_with_its_secret_alone(http, enroll, catalog_site, real_agent):
    """The secret came with a request that held the enrollment key: once approved it is enough (the key
    may have rotated since, or a scheduled run may not carry it)."""
    made = http.post("api/v1/register", json={"enrollment_key": enroll, "name": "SRV-01"})
    assert made.status_code == 202
    secret = made.json()["request_secret"]  # the agent sent none: the server made one
    assert secret and len(secret) >= 16
    with catalog_site.session() as session:
        registrations.approve(session, name="SRV-01")
    done = http.post("api/v1/register", json={"name": "SRV-01", "request_secret": secret})
    assert done.status_code == 201, done.text
    assert http.post("api/v1/register", json={"name": "SRV-01", "request_secret": secret}).status_code == 403


def test_an_imported_client_is_not_taken_by_a_first_registration(http, enroll, catalog_site):

    with catalog_site.session() as session:
        doc = inventory("SRV-02", CU[1])
        ingest_inventory(session, parse_inventory(json.dumps(doc).encode(), name="srv.json"))
        session.commit()
    assert http.post("api/v1/register", json={"enrollment_key": enroll, "name": "srv-02"}).status_code == 202
    with catalog_site.session() as session:
        assert find_client(session, "SRV-02").source == "imported"


def test_a_never_seen_name_registers_directly_and_a_wrong_key_never(http, enroll, catalog_site):
    assert http.post("api/v1/register", json={"enrollment_key": "nope", "name": "NEW-1"}).status_code == 403
    assert http.post("api/v1/register", json={"enrollment_key": enroll, "name": "NEW-1"}).status_code == 201
    with catalog_site.session() as session:
        assert session.exec(select(PendingRegistration)).all() == []


@pytest.mark.parametrize("name", ["two words", "back\\slash", "a:b", "x" * 256, "tab\there", ""])
def test_names_inventories_refuse_are_refused_with_the_same_reason(http, enroll, catalog_site, name):
    from sumtui.fleet.inventory import InventoryError
    from sumtui.fleet.inventory.agentjson import inventory_from_document

    with pytest.raises(InventoryError) as inventory_refusal:
        inventory_from_document(inventory(name), name="inventory")
    answer = http.post("api/v1/register", json={"enrollment_key": enroll, "name": name})
    assert answer.status_code == 422
    assert answer.json() == {"error": f"name: expected {HOST_NAME}"}
    assert HOST_NAME in str(inventory_refusal.value)
    with catalog_site.session() as session:
        assert session.exec(select(Client)).all() == []


def test_a_registration_whose_inventory_names_another_machine_is_refused(http, enroll):
    answer = attempt(http, enroll, "SRV-01", inventory=inventory("SRV-99"))
    assert answer.status_code == 422 and "SRV-99" in answer.json()["error"]
    bad = attempt(http, enroll, "SRV-01", inventory={**inventory("SRV-01"), "build": "x"})
    assert bad.status_code == 422 and "build" in bad.json()["error"]


def test_the_openapi_description_documents_the_pending_answer(http):
    spec = http.get("openapi.json").json()
    answers = spec["paths"]["/api/v1/register"]["post"]["responses"]
    assert answers["202"]["content"]["application/json"]["schema"]["$ref"].endswith("/RegistrationPending")
    assert "request_secret" in spec["components"]["schemas"]["RegisterRequest"]["properties"]
    assert "201" in answers and "403" in answers

"""The agent never drops a report it has no acknowledgement for: answers that are not the protocol's,
a malformed registration, a token refused without a way to register again, a registration held for
the operator. And a hotfix-list-only inventory is a partial report that never erases what the site knows.
Odd answers come from httpx.MockTransport; the protocol's own from a real management point."""

from __future__ import annotations

import json

import httpx
import pytest

from sumtui.agent.collect import to_document
from sumtui.agent.main import AgentError, run_agent
from sumtui.agent.state import AgentState, load_state, save_state
from sumtui.fleet import registrations
from sumtui.fleet.clients import find_client
from sumtui.fleet.inventory import parse_inventory
from tests.compliance.scenario import CU, NET
from tests.server.test_end_to_end import SYSTEMINFO

QFE = """\r
Node,Caption,CSName,Description,FixComments,HotFixID,InstallDate,InstalledBy,InstalledOn,Name,ServicePackInEffect,Status\r
WS-E2E,http://support.microsoft.com/?kbid={cu},WS-E2E,Security Update,,KB{cu},,NT AUTHORITY\\SYSTEM,4/12/2022,,,\r
WS-E2E,http://support.microsoft.com/?kbid={net},WS-E2E,Security Update,,KB{net},,NT AUTHORITY\\SYSTEM,3/8/2022,,,\r
"""
TOKEN = "tok-" + "A" * 28
REGISTERED = {"status": "registered", "client_id": 7, "token": TOKEN, "serial": 0}


@pytest.fixture
def systeminfo(tmp_path):
    path = tmp_path / "ws.txt"
    path.write_bytes(SYSTEMINFO.format(cu=CU[1]).encode("ascii"))
    return path


def run(state, inventory, *, server="http://mp.test/", key="k" * 24, transport=None, said=None):
    return run_agent(server=server, state_dir=state, enroll_key=key, inventory_file=inventory, name=None, once=True,
                     say=(said if said is not None else []).append, sleep=lambda _s: None, backoff=0.0, transport=transport)


def answering(inventory_answer: httpx.Response, register_answer: httpx.Response | None = None):
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v1/register":
            return register_answer or httpx.Response(201, json=REGISTERED)
        if request.url.path.endswith("/inventory"):
            return inventory_answer
        return httpx.Response(200, json={"client_id": 7, "server_time": "2026-12-01T00:00:00Z", "client_agent": {}})
    return httpx.MockTransport(handle)


@pytest.mark.parametrize("answer", [
    httpx.Response(200, text="<html><body>Welcome to the hotel wifi</body></html>", headers={"content-type": "text/html"}),
    httpx.Response(200, json={"ok": True}),
    httpx.Response(200, json=[{"accepted": True, "serial": 1}]),
    httpx.Response(200, json={"accepted": "yes", "serial": 1}),
    httpx.Response(200, json={"accepted": True, "serial": "1"}),
    httpx.Response(200, json={"accepted": True, "serial": 5}),  # acknowledges another report
    httpx.Response(200, json={"accepted": False, "serial": 0}),  # neither accepted, duplicate nor resend
    httpx.Response(204),
], ids=["html", "ok-true", "a-list", "text-bool", "text-serial", "other-serial", "nothing", "empty"])
def test_an_answer_that_is_not_the_protocols_keeps_the_report(tmp_path, systeminfo, answer):
    said = []
    state = tmp_path / "state"
    assert run(state, systeminfo, transport=answering(answer), said=said) == 1
    kept = load_state(state)
    assert len(kept.pending) == 1 and kept.pending[0].serial == 1 and kept.serial == 0
    assert any("kept" in line for line in said)


@pytest.mark.parametrize("answer", [
    httpx.Response(201, json={"client_id": "7", "token": TOKEN, "serial": 0}),
    httpx.Response(201, json={"client_id": 7, "serial": 0}),
    httpx.Response(201, json={"client_id": 7, "token": "<script>", "serial": 0}),
    httpx.Response(201, json=[REGISTERED]),
    httpx.Response(200, text="<html>login</html>"),
    httpx.Response(200, json=REGISTERED),  # a registration is 201 (or 202 when held)
    httpx.Response(202, json={"ok": True}),
], ids=["text-id", "no-token", "bad-token", "a-list", "html", "wrong-status", "held-without-shape"])
def test_a_malformed_registration_answer_is_never_saved(tmp_path, systeminfo, answer):
    state = tmp_path / "state"
    with pytest.raises(AgentError, match="kept"):
        run(state, systeminfo, transport=answering(httpx.Response(500), register_answer=answer))
    kept = load_state(state)
    assert (kept.token, kept.client_id, kept.server) == (None, None, None)
    assert len(kept.pending) == 1


def test_a_refused_token_without_the_enrollment_key_keeps_the_report_and_fails(tmp_path, systeminfo):
    state = tmp_path / "state"
    save_state(state, AgentState(server="http://mp.test/", client_id=7, token=TOKEN, name="WS-E2E", serial=4))
    refused = answering(httpx.Response(403, json={"error": "this token is not valid for this client"}))
    with pytest.raises(AgentError, match="--enroll-key"):
        run(state, systeminfo, key=None, transport=refused)
    kept = load_state(state)
    assert len(kept.pending) == 1 and kept.serial == 4 and kept.token == TOKEN


def test_a_report_refused_as_bad_is_kept_apart_and_the_run_fails(tmp_path, systeminfo):
    state = tmp_path / "state"
    said = []
    bad = answering(httpx.Response(422, json={"error": "inventory: field 'build': expected a string like 10.0.17763"}))
    assert run(state, systeminfo, transport=bad, said=said) == 1
    kept = load_state(state)
    assert kept.pending == [] and len(kept.refused) == 1
    assert "build" in kept.refused[0].reason and kept.refused[0].body["inventory"]["name"] == "WS-E2E"


def test_a_hotfix_list_makes_a_partial_document_without_made_up_facts(tmp_path):
    inventory = parse_inventory(QFE.format(cu=CU[4], net=NET[3]).encode(), name="qfe.txt")
    doc = to_document(inventory)
    assert doc["partial"] is True and doc["name"] == "WS-E2E"
    assert not {"os_name", "build", "ubr", "architecture", "is_server", "domain"} & set(doc)
    assert sorted(doc["installed_kbs"]) == sorted([f"KB{CU[4]}", f"KB{NET[3]}"])
    full = to_document(parse_inventory(SYSTEMINFO.format(cu=CU[1]).encode(), name="si.txt"))
    assert "partial" not in full and full["build"] == "10.0.17763"


def test_a_hotfix_list_never_turns_a_mapped_client_unknown(mp, enroll, catalog_site, tmp_path, systeminfo):
    state = tmp_path / "state"
    assert run(state, systeminfo, server=mp.url, key=enroll) == 0
    with catalog_site.session() as session:
        before = find_client(session, "WS-E2E")
    assert before.os_product == "Windows 10 Version 1809 for x64-based Systems" and before.required_count == 3
    qfe = tmp_path / "qfe.txt"
    qfe.write_bytes(QFE.format(cu=CU[4], net=NET[3]).encode())
    assert run(state, qfe, server=mp.url, key=None) == 0
    with catalog_site.session() as session:
        after = find_client(session, "WS-E2E")
    assert (after.os_product, after.os_name, after.build, after.domain) == (
        before.os_product, before.os_name, before.build, before.domain)
    assert set(after.installed_kbs.split()) == {"4486153", CU[1], CU[4], NET[3]}  # added, none dropped
    assert after.required_count == 0 and after.report_serial == 2


def test_a_held_registration_keeps_reports_and_completes_once_approved(mp, enroll, catalog_site, tmp_path, systeminfo):
    first, second = tmp_path / "first", tmp_path / "second"
    assert run(first, systeminfo, server=mp.url, key=enroll) == 0
    said = []
    # Another machine claims the name (a reinstall, or an impostor): held, its report kept.
    assert run(second, systeminfo, server=mp.url, key=enroll, said=said) == 1
    assert any("held for the site operator's approval" in line for line in said)
    waiting = load_state(second)
    assert waiting.token is None and waiting.registration_secret and waiting.held_name == "WS-E2E"
    assert len(waiting.pending) == 1
    assert run(second, systeminfo, server=mp.url, key=None) == 1  # asked again: still held, still kept
    assert len(load_state(second).pending) == 1
    with catalog_site.session() as session:
        (held,) = registrations.list_held(session)
        assert held.attempts == 2
        registrations.approve(session, name="ws-e2e")
    assert run(second, systeminfo, server=mp.url, key=None) == 0  # the secret completes it, no key needed
    done = load_state(second)
    assert done.token and done.pending == [] and done.registration_secret is None and done.serial == 1
    # The first agent's token stopped working; without the key it keeps its report and says what to do.
    with pytest.raises(AgentError, match="--enroll-key"):
        run(first, systeminfo, server=mp.url, key=None)
    assert len(load_state(first).pending) == 1


def test_after_a_reset_the_agent_registers_again_with_the_key(mp, enroll, catalog_site, tmp_path, systeminfo):
    state = tmp_path / "state"
    assert run(state, systeminfo, server=mp.url, key=enroll) == 0
    old = load_state(state).token
    with catalog_site.session() as session:
        registrations.reset_registration(session, name="WS-E2E")
    said = []
    assert run(state, systeminfo, server=mp.url, key=enroll, said=said) == 0
    renewed = load_state(state)
    assert renewed.token != old and renewed.pending == [] and renewed.serial == 1
    assert any(line.startswith("registered with") for line in said)


def test_the_agent_document_and_state_never_hold_the_enrollment_key(mp, enroll, tmp_path, systeminfo):
    state = tmp_path / "state"
    assert run(state, systeminfo, server=mp.url, key=enroll) == 0
    assert enroll not in (state / "agent.json").read_text()
    assert json.loads((state / "agent.json").read_text())["pending"] == []

"""The management point's API over real HTTP: registration, reports, policy, and every kind of bad call."""

from __future__ import annotations

import concurrent.futures
import json

from sqlmodel import select

from sumtui.fleet.models import Client
from tests.compliance.scenario import CU, NET


def inventory(name="WS-1", *kbs, build="10.0.17763", ubr=None) -> dict:
    return {"format": "sumtui-inventory/1", "name": name, "os_name": "Microsoft Windows 10 Enterprise", "build": build,
            "ubr": ubr, "architecture": "x64", "is_server": False, "installed_kbs": [f"KB{k}" for k in kbs]}


def register(http, key, name="WS-1") -> tuple[int, dict]:
    answer = http.post("api/v1/register", json={"enrollment_key": key, "name": name})
    assert answer.status_code == 201, answer.text
    body = answer.json()
    return body["client_id"], {"Authorization": f"Bearer {body['token']}"}


def test_register_report_and_policy(http, enroll, catalog_site):
    cid, auth = register(http, enroll)
    answer = http.post(f"api/v1/clients/{cid}/inventory", json={"serial": 1, "inventory": inventory("WS-1", CU[1])}, headers=auth)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"accepted": True, "serial": 1, "resend": None, "duplicate": False, "required": 3, "unknown_updates": 0}
    policy = http.get(f"api/v1/clients/{cid}/policy", headers=auth).json()
    assert policy["client_agent"]["policy_polling_minutes"] == 60
    with catalog_site.session() as session:
        client = session.get(Client, cid)
        assert (client.source, client.required_count, client.report_serial) == ("agent", 3, 1)


def test_openapi_description_lists_the_agent_calls(http):
    paths = http.get("openapi.json").json()["paths"]
    assert {"/api/v1/register", "/api/v1/clients/{client_id}/inventory", "/api/v1/clients/{client_id}/scan",
            "/api/v1/clients/{client_id}/policy"} <= set(paths)


def test_wrong_enrollment_key_is_refused(http, enroll, catalog_site):
    answer = http.post("api/v1/register", json={"enrollment_key": "nope", "name": "WS-1"})
    assert answer.status_code == 403 and "enrollment key" in answer.json()["error"]
    with catalog_site.session() as session:
        assert session.exec(select(Client)).all() == []


def test_calls_without_a_token_with_a_wrong_one_or_for_another_client(http, enroll):
    a, auth_a = register(http, enroll, "WS-A")
    b, _ = register(http, enroll, "WS-B")
    body = {"serial": 1, "inventory": inventory("WS-A")}
    assert http.post(f"api/v1/clients/{a}/inventory", json=body).status_code == 401
    assert http.post(f"api/v1/clients/{a}/inventory", json=body, headers={"Authorization": "Bearer wrong"}).status_code == 403
    other = http.post(f"api/v1/clients/{b}/inventory", json={"serial": 1, "inventory": inventory("WS-B")}, headers=auth_a)
    assert other.status_code == 403
    assert http.get(f"api/v1/clients/{b}/policy", headers=auth_a).status_code == 403
    assert http.get("api/v1/clients/999/policy", headers=auth_a).status_code == 403


def test_inventory_naming_another_machine_is_refused(http, enroll, catalog_site):
    cid, auth = register(http, enroll, "WS-A")
    answer = http.post(f"api/v1/clients/{cid}/inventory", json={"serial": 1, "inventory": inventory("WS-B")}, headers=auth)
    assert answer.status_code == 409
    with catalog_site.session() as session:
        assert session.get(Client, cid).last_inventory is None


def test_malformed_and_oversized_bodies(http, enroll, catalog_site):
    cid, auth = register(http, enroll)
    headers = {**auth, "Content-Type": "application/json"}
    bad_json = http.post(f"api/v1/clients/{cid}/inventory", content=b'{"serial": 1, "inventory": {', headers=headers)
    assert bad_json.status_code == 422 and "error" in bad_json.json()
    wrong_shape = http.post(f"api/v1/clients/{cid}/inventory", json={"serial": "x", "inventory": []}, headers=auth)
    assert wrong_shape.status_code == 422
    bad_inventory = http.post(f"api/v1/clients/{cid}/inventory", json={"serial": 1, "inventory": {**inventory(), "build": 7}}, headers=auth)
    assert bad_inventory.status_code == 422 and "build" in bad_inventory.json()["error"]
    huge = http.post(f"api/v1/clients/{cid}/inventory", content=b"{" + b" " * (3 * 1024 * 1024) + b"}", headers=headers)
    assert huge.status_code == 413
    with catalog_site.session() as session:
        assert session.get(Client, cid).last_inventory is None
    assert http.get("api/v1/health").json()["status"] == "ok"  # still serving


def test_duplicate_out_of_order_and_gap(http, enroll, catalog_site):
    cid, auth = register(http, enroll)
    url = f"api/v1/clients/{cid}/inventory"
    assert http.post(url, json={"serial": 1, "inventory": inventory("WS-1")}, headers=auth).json()["accepted"]
    assert http.post(url, json={"serial": 2, "inventory": inventory("WS-1", CU[4], NET[3])}, headers=auth).json()["required"] == 0
    again = http.post(url, json={"serial": 1, "inventory": inventory("WS-1")}, headers=auth).json()
    assert again["duplicate"] and not again["accepted"]
    with catalog_site.session() as session:
        assert session.get(Client, cid).required_count == 0  # the late report changed nothing
    scan = f"api/v1/clients/{cid}/scan"
    gap = http.post(scan, json={"serial": 5, "full": False, "states": [{"kb": CU[4], "product_id": "11569", "state": "installed"}]}, headers=auth).json()
    assert gap["resend"] == "full" and not gap["accepted"]
    full = http.post(scan, json={"serial": 6, "full": True, "states": [{"kb": f"KB{CU[4]}", "product_id": "11569", "state": "failed"},
                                                                       {"kb": "1234567", "state": "installed"}]}, headers=auth).json()
    assert full["accepted"] and full["unknown_updates"] == 1
    with catalog_site.session() as session:
        client = session.get(Client, cid)
        assert (client.failed_count, client.needs_full_resend, client.report_serial) == (1, False, 6)


def test_concurrent_reports_for_one_client_apply_once_each(http, enroll, catalog_site, mp):
    import httpx

    cid, auth = register(http, enroll)
    url = f"{mp.url}api/v1/clients/{cid}/inventory"

    def send(serial):
        kbs = (CU[4], NET[3]) if serial % 2 == 0 else ()
        return httpx.post(url, json={"serial": serial, "inventory": inventory("WS-1", *kbs)}, headers=auth, timeout=10).json()

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(send, range(1, 17)))
    assert sum(a["accepted"] for a in answers) >= 1
    assert all(a["accepted"] or a["duplicate"] for a in answers)
    with catalog_site.session() as session:
        from sumtui.compliance import apply

        client = session.get(Client, cid)
        assert client.report_serial == max(a["serial"] for a in answers)
        before = (client.required_count, client.states)
        apply.rebuild(session)
        session.flush()
        assert (session.get(Client, cid).required_count, session.get(Client, cid).states) == before


def test_reregistering_with_the_token_keeps_the_client_and_invalidates_the_old_token(http, enroll, catalog_site):
    cid, old = register(http, enroll)
    assert http.post(f"api/v1/clients/{cid}/inventory", json={"serial": 1, "inventory": inventory("WS-1", CU[1])},
                     headers=old).json()["accepted"]
    answer = http.post("api/v1/register", json={"enrollment_key": enroll, "name": "ws-1"}, headers=old)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert (body["client_id"], body["serial"], body["status"]) == (cid, 1, "registered")  # same client, serial kept
    new = {"Authorization": f"Bearer {body['token']}"}
    assert http.get(f"api/v1/clients/{cid}/policy", headers=old).status_code == 403
    assert http.get(f"api/v1/clients/{cid}/policy", headers=new).status_code == 200
    with catalog_site.session() as session:
        client = session.get(Client, cid)
        assert (client.name, client.report_serial, client.required_count) == ("WS-1", 1, 3)  # history kept


def test_tokens_are_stored_hashed(http, enroll, catalog_site):
    cid, auth = register(http, enroll)
    token = auth["Authorization"].split()[1]
    with catalog_site.session() as session:
        stored = session.get(Client, cid).token_hash
    assert stored and token not in stored and len(stored) == 64
    assert json.dumps(stored) != json.dumps(token)

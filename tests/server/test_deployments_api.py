"""Deployments through the real management point: the policy a client gets (the deployments that
target it, the updates it needs, their content, its windows), state messages over HTTP, and an agent
that enforces a deployment and whose compliance follows."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from sumtui.agent.installers import SimulatedInstaller
from sumtui.agent.main import run_agent
from sumtui.deploy.content.store import ContentStore
from sumtui.deploy.deployments import create_deployment, delete_deployment
from sumtui.deploy.package_download import FolderSource, WantedUpdate, download_package
from sumtui.deploy.packages import create_package
from sumtui.deploy.status import deployment_detail
from sumtui.fleet.clients import find_client
from sumtui.fleet.collections import add_window, ensure_all_systems
from sumtui.fleet.models import MaintenanceWindowCreate
from tests.compliance.scenario import CU
from tests.deploy.fleet_fixture import spec
from tests.server.test_api import inventory


def registered(http, enroll, name: str, *kbs: str) -> tuple[int, dict]:
    answer = http.post("api/v1/register", json={"enrollment_key": enroll, "name": name})
    assert answer.status_code == 201, answer.text
    cid, auth = answer.json()["client_id"], {"Authorization": f"Bearer {answer.json()['token']}"}
    sent = http.post(f"api/v1/clients/{cid}/inventory", json={"serial": 1, "inventory": inventory(name, *kbs)}, headers=auth)
    assert sent.status_code == 200 and sent.json()["accepted"], sent.text
    return cid, auth


def test_the_policy_carries_what_targets_the_client_and_follows_changes(mp, http, enroll, catalog_site, tmp_path):
    cid, auth = registered(http, enroll, "WS-1", CU[1])
    assert http.get(f"api/v1/clients/{cid}/policy", headers=auth).json()["deployments"] == []
    data = b"april cumulative update " * 500
    folder = tmp_path / "files"
    folder.mkdir()
    name = f"windows10.0-kb{CU[4]}-x64_{hashlib.sha1(data).hexdigest()}.msu"
    (folder / name).write_bytes(data)
    with catalog_site.session() as session:
        create_package(session, name="P")
        session.commit()
        download_package(session, store=ContentStore(catalog_site.content_dir), name="P", wanted=[WantedUpdate(CU[4])],
                         source=FolderSource(folder))
        add_window(session, ensure_all_systems(session), MaintenanceWindowCreate(
            name="nightly", recurrence="daily", start=datetime(2026, 12, 1, 2, 0), duration_minutes=120))
        # A window stored before the 24-hour rule (or edited by hand) is left out of policies, never served.
        session.execute(text("INSERT INTO maintenance_window (collection_id, name, recurrence, start, duration_minutes, utc, "
                             "enabled) VALUES (:c, 'broken', 'daily', '2026-12-01 00:00:00', 1500, 0, 1)"),
                        {"c": ensure_all_systems(session).id})
        create_deployment(session, spec=spec(package="P", local_time=True, deadline=datetime(2026, 12, 10, 2, 0)))
        session.commit()
    policy = http.get(f"api/v1/clients/{cid}/policy", headers=auth).json()
    [deployment] = policy["deployments"]
    assert (deployment["name"], deployment["deadline"], deployment["local_time"]) == ("April", "2026-12-10T02:00:00", True)
    [update] = deployment["updates"]  # the client needs the cumulative update, not the server rollup
    assert (update["kb"], update["max_run_minutes"], update["restart"]) == (f"KB{CU[4]}", 20, True)
    assert update["files"] == [{"sha1": hashlib.sha1(data).hexdigest(), "name": name, "size": len(data), "sha256": None}]
    assert [(w["recurrence"], w["start"], w["duration_minutes"], w["utc"]) for w in policy["windows"]] == [
        ("daily", "2026-12-01T02:00:00", 120, False)]
    with catalog_site.session() as session:
        assert find_client(session, "WS-1").last_policy_at is not None
        delete_deployment(session, name="April")
        session.commit()
    assert http.get(f"api/v1/clients/{cid}/policy", headers=auth).json()["deployments"] == []


def test_state_messages_over_http(mp, http, enroll, catalog_site):
    cid, auth = registered(http, enroll, "WS-1", CU[1])
    with catalog_site.session() as session:
        did = create_deployment(session, spec=spec(deadline=datetime(2026, 12, 1, tzinfo=UTC))).id
        session.commit()
    at = datetime.now(UTC).isoformat()
    body = {"serial": 2, "messages": [
        {"deployment_id": did, "kb": f"KB{CU[4]}", "state": "failed", "code": -2147023293, "reason": "failed", "at": at},
        {"deployment_id": 999, "kb": f"KB{CU[4]}", "state": "installed", "at": at}]}
    answer = http.post(f"api/v1/clients/{cid}/state", json=body, headers=auth)
    assert answer.status_code == 200, answer.text
    assert answer.json()["accepted"] and [i["deployment_id"] for i in answer.json()["ignored"]] == [999]
    with catalog_site.session() as session:
        row = next(c for c in deployment_detail(session, name="April")["clients"] if c["client"] == "WS-1"
                   and c["kb"] == f"KB{CU[4]}")
        assert (row["state"], row["code"]) == ("failed", "0x80070643")
    for bad in ({"serial": 3, "messages": [{"deployment_id": did, "kb": "KB1", "state": "exploded"}]},
                {"serial": 3, "messages": []}, {"serial": 3, "messages": [{"deployment_id": did, "kb": "KB1", "state": "failed",
                                                                           "code": 2**33}]}):
        refused = http.post(f"api/v1/clients/{cid}/state", json=body | bad, headers=auth)
        assert refused.status_code == 422 and "error" in refused.json()
    assert http.post(f"api/v1/clients/{cid}/state", json=body, headers={"Authorization": "Bearer wrong"}).status_code == 403


def test_an_agent_enforces_a_deployment_and_compliance_follows(mp, enroll, catalog_site, tmp_path):
    from tests.server.test_end_to_end import SYSTEMINFO

    systeminfo = tmp_path / "ws.txt"
    systeminfo.write_bytes(SYSTEMINFO.format(cu=CU[1]).encode("ascii"))
    said: list[str] = []

    def agent(**options):
        return run_agent(server=mp.url, state_dir=tmp_path / "agent", enroll_key=enroll, inventory_file=systeminfo, name=None,
                         once=True, say=said.append, sleep=lambda _s: None, backoff=0.0,
                         installer=SimulatedInstaller(), boot="b", **options)

    assert agent() == 0
    with catalog_site.session() as session:
        before = find_client(session, "WS-E2E").required_count
        create_deployment(session, spec=spec(deadline=datetime.now(UTC) - timedelta(minutes=1), override_windows=True))
        session.commit()
    assert agent() == 0
    assert any(f"KB{CU[4]} (installed): installed at" in line for line in said), said
    with catalog_site.session() as session:
        client = find_client(session, "WS-E2E")
        assert client.required_count < before and CU[4] in client.installed_kbs.split()
        states = {(c["client"], c["kb"]): c["state"] for c in deployment_detail(session, name="April")["clients"]}
        assert states[("WS-E2E", f"KB{CU[4]}")] == "installed"
    # The next runs report the KB in the inventory (from a file: the agent adds what it installed) and nothing more.
    assert agent() == 0
    with catalog_site.session() as session:
        assert CU[4] in find_client(session, "WS-E2E").installed_kbs.split()


def test_changed_client_agent_settings_reach_the_next_poll(mp, http, enroll, catalog_site):
    from sumtui.fleet import agent_settings

    cid, auth = registered(http, enroll, "WS-1", CU[1])
    assert http.get(f"api/v1/clients/{cid}/policy", headers=auth).json()["client_agent"]["policy_polling_minutes"] == 60
    with catalog_site.session() as session:
        agent_settings.save(session, agent_settings.ClientAgentSettings(policy_polling_minutes=15))
    assert http.get(f"api/v1/clients/{cid}/policy", headers=auth).json()["client_agent"]["policy_polling_minutes"] == 15

"""End to end with real processes: `sumtui serve` on a free loopback port, `sumtui agent --once`
against it, then the client's states in the database and in `sumtui compliance`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.compliance.scenario import CU
from tests.server.conftest import free_port

SYSTEMINFO = """\r
Host Name:                 WS-E2E\r
OS Name:                   Microsoft Windows 10 Enterprise\r
OS Version:                10.0.17763 N/A Build 17763\r
OS Manufacturer:           Microsoft Corporation\r
OS Configuration:          Member Workstation\r
OS Build Type:             Multiprocessor Free\r
System Type:               x64-based PC\r
Domain:                    corp.example\r
Hotfix(s):                 2 Hotfix(s) Installed.\r
                           [01]: KB4486153\r
                           [02]: KB{cu}\r
Network Card(s):           1 NIC(s) Installed.\r
"""


def sumtui(*args, env, **kw):
    return subprocess.run([sys.executable, "-m", "sumtui", *args], env=env, capture_output=True, text=True, timeout=120, **kw)


def test_agent_reports_through_a_real_management_point(catalog_site, tmp_path):
    env = {**os.environ, "SUMTUI_DB": catalog_site.url, "HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path / "state")}
    made = sumtui("enroll-key", env=env)
    assert made.returncode == 0, made.stderr
    key = made.stdout.splitlines()[-1].split()[-1]  # as scripts read it: the last word of the last line
    assert len(key) > 20
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "sumtui", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(url + "api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "sumtui serve did not come up"
            time.sleep(0.1)
        inventory = tmp_path / "ws.txt"
        inventory.write_bytes(SYSTEMINFO.format(cu=CU[1]).encode("ascii"))
        state = tmp_path / "agent-state"
        first = sumtui("agent", "--server", url, "--enroll-key", key, "--once", "--inventory", str(inventory),
                       "--state-dir", str(state), env=env)
        assert first.returncode == 0, first.stderr
        assert "registered" in first.stdout and "accepted" in first.stdout
        again = sumtui("agent", "--server", url, "--once", "--inventory", str(inventory), "--state-dir", str(state), env=env)
        assert again.returncode == 0, again.stderr
        saved = json.loads((state / "agent.json").read_text())
        assert saved["serial"] == 2 and saved["pending"] == []
        assert oct((state / "agent.json").stat().st_mode & 0o777) == "0o600"
    finally:
        server.terminate()
        server.wait(timeout=20)

    from sumtui.fleet.clients import find_client

    with catalog_site.session() as session:
        client = find_client(session, "ws-e2e")
        assert client is not None and client.source == "agent"
        assert client.os_product == "Windows 10 Version 1809 for x64-based Systems"
        assert client.required_count == 3
    listed = sumtui("compliance", "--client", "WS-E2E", "--format", "json", env=env)
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    required = {r["kb"] for r in rows if r["state"] == "required"}
    assert CU[4] in required and all(r["reason"] for r in rows)
    assert {r["state"] for r in rows if r["kb"] == CU[1]} == {"installed"}


def test_agent_keeps_reports_while_the_server_is_down(tmp_path, catalog_site):
    from sumtui.agent.main import run_agent
    from sumtui.agent.state import load_state

    said = []
    inventory = tmp_path / "ws.txt"
    inventory.write_bytes(SYSTEMINFO.format(cu=CU[1]).encode("ascii"))
    state = tmp_path / "agent-state"
    from sumtui.agent.state import AgentState, save_state

    save_state(state, AgentState(server=f"http://127.0.0.1:{free_port()}/", client_id=1, token="t", name="WS-E2E"))
    down = load_state(state).server
    code = run_agent(server=down, state_dir=state, enroll_key=None, inventory_file=inventory, name=None, once=True,
                     say=said.append, sleep=lambda _s: None, backoff=0.0)
    assert code == 1
    assert len(load_state(state).pending) == 1
    assert any("unreachable" in line for line in said)
    assert Path(state / "agent.json").exists()

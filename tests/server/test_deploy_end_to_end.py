"""The whole deployment loop with real processes: `sumtui serve`, three `sumtui agent` processes with
the simulated installer polling every second, a deployment made with `sumtui deploy create` whose
deadline is a few seconds ahead, then every client installed in `sumtui deployments show`, compliant
in `sumtui compliance`, and installed in the console's monitoring screen (Pilot)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import httpx

from tests.compliance.scenario import CU
from tests.server.conftest import free_port
from tests.server.test_end_to_end import SYSTEMINFO, sumtui

SERVER_2012R2 = """\r
Host Name:                 SRV-E2E\r
OS Name:                   Microsoft Windows Server 2012 R2 Standard\r
OS Version:                6.3.9600 N/A Build 9600\r
OS Configuration:          Member Server\r
System Type:               x64-based PC\r
Time Zone:                 (UTC-05:00) Eastern Time (US & Canada)\r
Domain:                    corp.example\r
Logon Server:              \\\\DC01\r
Hotfix(s):                 1 Hotfix(s) Installed.\r
                           [01]: KB2919355\r
Network Card(s):           1 NIC(s) Installed.\r
"""
CONVERGE_WITHIN = 120  # seconds: a bound on waiting, far above the few seconds it takes


def wait_until(check, *, within: float, what: str):
    deadline = time.monotonic() + within
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, f"{what} did not happen within {within:g} s"
        time.sleep(0.5)


def test_a_deployment_converges_on_real_agents(catalog_site, tmp_path):
    env = {**os.environ, "SUMTUI_DB": catalog_site.url, "HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path / "state")}
    key = sumtui("enroll-key", env=env).stdout.splitlines()[-1].split()[-1]
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    processes = [subprocess.Popen([sys.executable, "-m", "sumtui", "serve", "--port", str(port)], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        wait_until(lambda: _healthy(url), within=30, what="sumtui serve answering")
        inventories = {"WS-A": SYSTEMINFO.format(cu=CU[1]).replace("WS-E2E", "WS-A"),
                       "WS-B": SYSTEMINFO.format(cu=CU[2]).replace("WS-E2E", "WS-B"), "SRV-E2E": SERVER_2012R2}
        for name, content in inventories.items():
            path = tmp_path / f"{name}.txt"
            path.write_bytes(content.encode("ascii"))
            log = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "sumtui", "agent", "--server", url, "--enroll-key", key, "--inventory", str(path),
                 "--installer", "simulated", "--poll-seconds", "1", "--state-dir", str(tmp_path / name)],
                env=env, stdout=log, stderr=subprocess.STDOUT))
        wait_until(lambda: _inventoried(env) >= 3, within=60, what="three agents reporting")
        needed = json.loads(sumtui("compliance", "--format", "json", env=env).stdout)
        kbs = sorted({f"KB{r['kb']}" for r in needed if r["required"]})
        assert kbs, "the fleet needs nothing to deploy"
        deadline = (datetime.now(UTC) + timedelta(seconds=5)).isoformat(timespec="seconds")
        made = sumtui("deploy", "create", "E2E", "--collection", "All Systems", "--updates", ",".join(kbs), "--available",
                      "now", "--deadline", deadline, "--override-windows", "--yes", env=env)
        assert made.returncode == 0, made.stderr
        detail = wait_until(lambda: _converged(env), within=CONVERGE_WITHIN, what="the deployment converging")
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)
    # Installed by the agents (their sentences say the installer was simulated), or before the deployment.
    by_agents = [c for c in detail["clients"] if c["state"] == "installed" and c["reason"].startswith("installed at")]
    assert by_agents and all(c["reason"].endswith("(simulated)") for c in by_agents)
    assert {c["client"] for c in by_agents} == {"WS-A", "WS-B", "SRV-E2E"}
    # Every client is compliant: what the deployment installed is no longer required anywhere.
    by_client = json.loads(sumtui("compliance", "--by", "client", "--format", "json", env=env).stdout)
    assert {c["name"]: c["state"] for c in by_client} == {"WS-A": "compliant", "WS-B": "compliant", "SRV-E2E": "compliant"}
    with open(tmp_path / "WS-A.log") as log:
        assert "(installed): installed at" in log.read()
    zones = {c["name"]: c["time_zone"] for c in json.loads(sumtui("clients", "--format", "json", env=env).stdout)}
    assert zones["SRV-E2E"] == "America/New_York"
    # The console's monitoring screen on the same site shows the same: converged, every client installed.
    asyncio.run(_console_sees_every_client_installed(catalog_site, detail))


async def _console_sees_every_client_installed(site, detail: dict) -> None:
    from sumtui.tui.app import SumtuiApp
    from sumtui.tui.screens.deployment_detail import DeploymentDetailScreen
    from sumtui.tui.screens.deployments import DeploymentsScreen
    from sumtui.tui.widgets.paged_table import PagedTable
    from tests.tui.conftest import grid_loaded, grid_rows, text_of, wait_for

    site.name = "e2e"
    app = SumtuiApp(site)
    async with app.run_test(size=(140, 40)) as pilot:
        app.open_page("deployments")
        await wait_for(pilot, lambda: isinstance(app.screen, DeploymentsScreen) and app.screen.is_mounted, what="deployments")
        grid = app.screen.query_one("#grid", PagedTable)
        await wait_for(pilot, grid_loaded(grid, 1), what="the E2E deployment")
        [row] = grid_rows(grid)
        name, _collection, _bar, pct, failed, *_times, converged, _counts = row
        assert (name, pct, failed) == ("E2E", "100", "0") and converged != "converging"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DeploymentDetailScreen), what="the deployment's clients")
        pairs = app.screen.query_one("#grid", PagedTable)
        await pilot.press("a")  # every pair, the not required ones too, as `deployments show` lists them
        await wait_for(pilot, grid_loaded(pairs, len(detail["clients"])), what="every pair")
        shown = grid_rows(pairs)
        installed = {"✔ installed", "✔ pending restart"}  # settled as `_converged` has it
        assert {r[3] for r in shown} <= installed | {"· not required"}
        assert {r[0] for r in shown if r[3] in installed} == {"WS-A", "WS-B", "SRV-E2E"}
        assert [r[6] for r in shown] == [c["reason"] for c in detail["clients"]]  # the CLI's sentences
        assert "converged in" in text_of(app.screen.query_one("#deployment-counts"))


def _healthy(url: str) -> bool:
    try:
        return httpx.get(url + "api/v1/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _inventoried(env) -> int:
    done = sumtui("clients", "--format", "json", env=env)
    return sum(1 for c in json.loads(done.stdout or "[]") if c.get("last_inventory")) if done.returncode == 0 else 0


def _converged(env) -> dict | None:
    done = sumtui("deployments", "show", "E2E", "--format", "json", env=env)
    if done.returncode != 0:
        return None
    detail = json.loads(done.stdout)
    counts = detail["counts"]
    settled = ("installed", "pending_restart", "not_required")
    return detail if counts["installed"] and not any(n for state, n in counts.items() if state not in settled) else None

"""Deployments at fleet scale (DESIGN.md §5): on a copy of the 100,000-client site, a deployment of the
ten updates the fleet needs most to All Systems, then

- creating it: targeting 100,000 clients (rows for every pair that is not "not required");
- the deployment status summary (counts per state) the console and `deployments` read;
- policy polls through the real management point (`sumtui serve` in its own process, a load
  generator here over loopback HTTP): each poll authenticated, the client's policy computed (its
  deployments, the updates it needs among them, content and windows) and its poll time written;
- state messages through the real management point: each agent sends its four reports in order
  (downloading, downloaded, installing, installed), each acknowledged only after its commit (the
  status row, the counts and the history written in the batch's transaction);
- the what-if of a deployment to the 10,000-client site's All Systems, with a daily window in client
  local time.

    .venv/bin/python bench/bench_deploy.py [--clients 100000] [--agents 4000] [--polls 20000] [--concurrency 64]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _fleet_site import copy_site, fleet_site  # noqa: E402
from bench_reports import RawConnection, free_port  # noqa: E402


def timed(fn, repeat: int = 1):
    runs = []
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - started)
    return result, runs


def most_needed(session, count: int) -> list[str]:
    from sqlalchemy import select

    from sumtui.catalog.models import Update
    from sumtui.compliance.models import UpdateSummary
    from sumtui.fleet.collections import ensure_all_systems

    all_systems = ensure_all_systems(session).id
    query = (select(Update.kb).join(UpdateSummary, UpdateSummary.update_id == Update.id)
             .where(UpdateSummary.collection_id == all_systems, UpdateSummary.required > 0)
             .order_by(UpdateSummary.required.desc()))
    return list(dict.fromkeys(session.execute(query).scalars()))[:count]


async def drive(url: str, work: list[tuple[str, str, dict, list[bytes]]], concurrency: int):
    """Each item: one agent's requests in order, each after the previous answer. Returns (seconds, latencies, errors)."""
    host, port = url.split("//", 1)[1].rstrip("/").split(":")
    connections = [RawConnection(host, int(port)) for _ in range(concurrency)]
    await asyncio.gather(*(c.open() for c in connections))
    latencies: list[float] = []
    errors = [0]
    queue = list(work)

    async def worker(connection):
        while queue:
            method, path, headers, bodies = queue.pop()
            for body in bodies:
                t0 = time.perf_counter()
                status, payload = await connection.request(method, path, body, headers)
                latencies.append((time.perf_counter() - t0) * 1000)
                if status != 200 or (method == "POST" and b'"accepted":true' not in payload):
                    errors[0] += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker(c) for c in connections))
    elapsed = time.perf_counter() - started
    for c in connections:
        c.writer.close()
    return elapsed, latencies, errors[0]


def describe(what: str, count: int, elapsed: float, latencies: list[float], errors: int) -> None:
    latencies.sort()
    print(f"{what}: {count:,} in {elapsed:.1f} s = {count / elapsed:,.0f}/s ({errors} failed); latency ms p50 "
          f"{latencies[len(latencies) // 2]:.1f}, p95 {latencies[int(len(latencies) * 0.95)]:.1f}, max {latencies[-1]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--agents", type=int, default=4000)
    parser.add_argument("--polls", type=int, default=20000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--whatif-clients", type=int, default=10_000)
    args = parser.parse_args()

    from sqlalchemy import select, update

    from sumtui.compliance.models import FAILED, REQUIRED
    from sumtui.compliance.states import decode
    from sumtui.deploy.deployments import DeploymentSpec, create_deployment, get_deployment, resolve
    from sumtui.deploy.models import DeploymentUpdate
    from sumtui.deploy.status import list_deployments, summary_of
    from sumtui.deploy.whatif import what_if
    from sumtui.fleet.collections import add_window, ensure_all_systems
    from sumtui.fleet.enrollment import rotate_enrollment_key
    from sumtui.fleet.models import Client, MaintenanceWindowCreate
    from sumtui.timeutil import utcnow

    print(f"load average before: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        site = copy_site(args.clients, Path(tmp))
        with site.session() as session:
            kbs = most_needed(session, 10)
            spec = DeploymentSpec(name="Bench", collection="All Systems", refs=[f"KB{kb}" for kb in kbs],
                                  deadline=datetime.now(UTC) - timedelta(hours=1), override_windows=True)
            add_window(session, ensure_all_systems(session), MaintenanceWindowCreate(
                name="nightly", recurrence="daily", start=datetime(2026, 1, 1, 2, 0), duration_minutes=180))
            row, [made] = timed(lambda: create_deployment(session, spec=spec))
            session.commit()
            print(f"deployment of {row.update_count} updates to {ensure_all_systems(session).members:,} clients created "
                  f"(targets written) in {made:.2f} s")
            deployment = get_deployment(session, name="Bench")
            summary, runs = timed(lambda: summary_of(session, deployment), repeat=50)
            print(f"deployment status summary (counts per state of one deployment): median {statistics.median(runs) * 1000:.2f} ms, "
                  f"max {max(runs) * 1000:.2f} ms; counts {dict((k, v) for k, v in summary.counts.items() if v)}")
            _rows, runs = timed(lambda: list_deployments(session), repeat=20)
            print(f"`deployments` list (every deployment's summary): median {statistics.median(runs) * 1000:.2f} ms")
            key = rotate_enrollment_key(session)
            agents = session.execute(select(Client).where(Client.os_product.is_not(None)).limit(args.agents)).scalars().all()
            session.execute(update(Client).where(Client.id.in_([c.id for c in agents]))
                            .values(token_hash=None, registration_reset_at=utcnow()))
            wanted = dict(session.execute(select(DeploymentUpdate.update_id, DeploymentUpdate.kb)
                                          .where(DeploymentUpdate.deployment_id == deployment.id)).all())
            needs = {}
            for c in agents:
                mine = [wanted[u] for u, v in decode(c.states).items() if u in wanted and v & 3 in (REQUIRED, FAILED)]
                needs[c.name] = mine[0] if mine else next(iter(wanted.values()))
            deployment_id = deployment.id
            session.commit()
        db_url = site.url
        site.close()

        port = free_port()
        url = f"http://127.0.0.1:{port}/"
        log = open(Path(tmp) / "serve.log", "w")
        server = subprocess.Popen([sys.executable, "-m", "sumtui", "serve", "--port", str(port)],
                                  env={**os.environ, "SUMTUI_DB": db_url}, stdout=log, stderr=log)
        try:
            import httpx

            for _ in range(300):
                try:
                    httpx.get(url + "api/v1/health", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            tokens = {}
            with httpx.Client(base_url=url, timeout=30) as http:
                for name in needs:
                    answer = http.post("api/v1/register", json={"enrollment_key": key, "name": name}).json()
                    tokens[name] = (answer["client_id"], {"Authorization": f"Bearer {answer['token']}"})
                sample = http.get(f"api/v1/clients/{tokens[next(iter(tokens))][0]}/policy",
                                  headers=tokens[next(iter(tokens))][1])
                print(f"a policy answer: {len(sample.content)} bytes, {len(sample.json()['deployments'])} deployment(s)")
            per_agent = max(1, args.polls // len(tokens))
            polls = [("GET", f"/api/v1/clients/{cid}/policy", auth, [b""] * per_agent) for cid, auth in tokens.values()]
            elapsed, latencies, errors = asyncio.run(drive(url, polls, args.concurrency))
            describe(f"policy polls ({len(tokens):,} agents of {args.clients:,} clients)", len(latencies), elapsed, latencies, errors)
            states = []
            for name, (cid, auth) in tokens.items():
                bodies = [json.dumps({"serial": serial, "messages": [
                    {"deployment_id": deployment_id, "kb": f"KB{needs[name]}", "state": state, "reason": f"bench: {state}",
                     "at": (datetime.now(UTC) + timedelta(seconds=serial)).isoformat()}]}).encode()
                    for serial, state in enumerate(("downloading", "downloaded", "installing", "installed"), 1)]
                states.append(("POST", f"/api/v1/clients/{cid}/state", auth, bodies))
            elapsed, latencies, errors = asyncio.run(drive(url, states, args.concurrency))
            describe("state reports (one message each: downloading, downloaded, installing, installed per agent, in order)",
                     len(latencies), elapsed, latencies, errors)
            health = httpx.get(url + "api/v1/health", timeout=10).json()
            print(f"group commit: {health['reports']} writes in {health['batches']} transactions")
        except Exception:
            log.flush()
            print((Path(tmp) / "serve.log").read_text()[-3000:])
            raise
        finally:
            server.terminate()
            server.wait(timeout=30)
        from sumtui.site import open_site

        after = open_site(db_url)
        with after.session() as session:
            summary = summary_of(session, get_deployment(session, name="Bench"))
            print(f"after the state reports: {dict((k, v) for k, v in summary.counts.items() if v)}")
        after.close()

    small, _ = fleet_site(args.whatif_clients)
    with small.session() as session:
        kbs = most_needed(session, 10)
        resolved = resolve(session, spec=DeploymentSpec(name="What if", collection="All Systems", refs=[f"KB{kb}" for kb in kbs],
                                                        deadline=datetime(2027, 1, 10, 2, 0), local_time=True))
        result, runs = timed(lambda: what_if(session, resolved=resolved, now=datetime(2027, 1, 1, tzinfo=UTC)), repeat=3)
        members = ensure_all_systems(session).members
        session.rollback()
    print(f"what-if for {members:,} clients, {len(resolved.updates)} updates: median {statistics.median(runs):.2f} s "
          f"({len(result.installs):,} planned installs)")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

"""Agent reports through the real management point (DESIGN.md §5): `sumtui serve` in its own process
on a copy of the 100,000-client site, a load generator here sending inventory reports over loopback
HTTP, each acknowledged only after its commit. Meanwhile a third process reads summaries the way
the console does, and the write-ahead log's size is sampled.

    .venv/bin/python bench/bench_reports.py [--clients 100000] [--agents 4000] [--reports 20000] [--concurrency 64]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _fleet_site import copy_site  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def reader(db_url: str, stop, samples) -> None:
    """The console's side: short read transactions on the summaries, over and over."""
    from sumtui.compliance.queries import collection_compliance, page_update_compliance
    from sumtui.fleet.collections import ensure_all_systems
    from sumtui.site import open_site

    site = open_site(db_url, migrate=False)
    with site.session() as session:
        all_systems = ensure_all_systems(session).id
    while not stop.is_set():
        started = time.perf_counter()
        with site.session() as session:
            page_update_compliance(session, collection_id=all_systems, limit=60)
            collection_compliance(session)
        samples.append((time.perf_counter() - started) * 1000)
        time.sleep(0.1)


class RawConnection:
    """A bare HTTP/1.1 keep-alive connection: the load generator must cost far less CPU than the
    server it measures (httpx costs about as much per request as the server does)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def request(self, method: str, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}", f"Content-Length: {len(body)}",
                "Content-Type: application/json", *(f"{k}: {v}" for k, v in headers.items()), "", ""]
        self.writer.write("\r\n".join(head).encode() + body)
        status_line = await self.reader.readline()
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        payload = await self.reader.readexactly(length)
        return int(status_line.split()[1]), payload


async def load(url: str, key: str, names: list[str], reports: int, concurrency: int, inventories: dict[str, dict]):
    import json

    host, port = url.split("//", 1)[1].rstrip("/").split(":")
    connections = [RawConnection(host, int(port)) for _ in range(concurrency)]
    await asyncio.gather(*(c.open() for c in connections))
    agents: list[tuple[int, dict, str]] = []
    pending = list(names)

    async def register(connection: RawConnection) -> None:
        while pending:
            name = pending.pop()
            status, payload = await connection.request("POST", "/api/v1/register", json.dumps({"enrollment_key": key, "name": name}).encode(), {})
            answer = json.loads(payload)
            if status != 201:
                raise RuntimeError(f"registration of {name}: HTTP {status}: {answer}")
            agents.append((answer["client_id"], {"Authorization": f"Bearer {answer['token']}"}, name))

    started = time.perf_counter()
    await asyncio.gather(*(register(c) for c in connections))
    registered = time.perf_counter() - started
    per_agent = max(1, reports // len(agents))
    # Bodies prepared up front: the generator only writes bytes and reads answers while measuring.
    work = []
    for cid, auth, name in agents:
        inventory = inventories[name]
        bodies = [json.dumps({"serial": serial, "inventory": {**inventory, "installed_kbs": inventory["installed_kbs"][: len(inventory["installed_kbs"]) - (serial % 2)]}}).encode()
                  for serial in range(1, per_agent + 1)]
        work.append((f"/api/v1/clients/{cid}/inventory", auth, bodies))
    latencies: list[float] = []
    errors = 0

    async def worker(connection: RawConnection) -> None:
        nonlocal errors
        while work:
            path, auth, bodies = work.pop()
            for body in bodies:  # one agent's reports in order, each after the previous is acknowledged
                t0 = time.perf_counter()
                status, payload = await connection.request("POST", path, body, auth)
                latencies.append((time.perf_counter() - t0) * 1000)
                if status != 200 or b'"accepted":true' not in payload:
                    errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker(c) for c in connections))
    elapsed = time.perf_counter() - started
    for connection in connections:
        connection.writer.close()
    return registered, elapsed, latencies, errors


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--agents", type=int, default=4000)
    parser.add_argument("--reports", type=int, default=20000)
    parser.add_argument("--concurrency", type=int, default=64)
    args = parser.parse_args()

    from sqlalchemy import select, update

    from sumtui.fleet.enrollment import rotate_enrollment_key
    from sumtui.fleet.models import Client
    from sumtui.timeutil import utcnow

    with tempfile.TemporaryDirectory() as tmp:
        site = copy_site(args.clients, Path(tmp))
        with site.session() as session:
            key = rotate_enrollment_key(session)
            rows = session.execute(select(Client).where(Client.os_product.is_not(None)).limit(args.agents)).scalars().all()
            # The agents take over known clients: reset their registrations first, as an operator does
            # (`sumtui clients reset-registration`), or every registration would be held for approval.
            session.execute(update(Client).where(Client.id.in_([c.id for c in rows]))
                            .values(token_hash=None, registration_reset_at=utcnow()))
            session.commit()
            inventories = {
                c.name: {"format": "sumtui-inventory/1", "name": c.name, "os_name": c.os_name, "build": c.build,
                         "ubr": c.ubr, "architecture": c.architecture, "is_server": bool(c.is_server),
                         "installed_kbs": [f"KB{k}" for k in (c.installed_kbs or "").split()] or ["KB5000001"]}
                for c in rows
            }
        db_url = site.url
        database = Path(db_url.split(":///", 1)[1])
        site.close()
        port = free_port()
        env = {**os.environ, "SUMTUI_DB": db_url}
        server_log = open(Path(tmp) / "serve.log", "w")
        server = subprocess.Popen([sys.executable, "-m", "sumtui", "serve", "--port", str(port)], env=env,
                                  stdout=server_log, stderr=server_log)
        manager = multiprocessing.Manager()
        stop, samples = manager.Event(), manager.list()
        console = multiprocessing.Process(target=reader, args=(db_url, stop, samples))
        try:
            import httpx

            for _ in range(300):
                try:
                    httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            console.start()
            wal = Path(f"{database}-wal")
            wal_max = [0]

            async def watch_wal(done: asyncio.Event):
                while not done.is_set():
                    wal_max[0] = max(wal_max[0], wal.stat().st_size if wal.exists() else 0)
                    await asyncio.sleep(0.05)

            async def run():
                done = asyncio.Event()
                watcher = asyncio.create_task(watch_wal(done))
                result = await load(f"http://127.0.0.1:{port}/", key, list(inventories), args.reports, args.concurrency, inventories)
                done.set()
                await watcher
                return result

            registered, elapsed, latencies, errors = asyncio.run(run())
            health = httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=10).json()
        except Exception:
            server_log.flush()
            print((Path(tmp) / "serve.log").read_text()[-3000:])
            raise
        finally:
            stop.set()
            if console.is_alive():
                console.join(timeout=10)
            server.terminate()
            server.wait(timeout=30)
        count = len(latencies)
        latencies.sort()
        print(f"{len(inventories)} agents registered in {registered:.1f} s ({len(inventories) / registered:,.0f}/s)")
        print(f"{count} inventory reports in {elapsed:.1f} s = {count / elapsed:,.0f} reports/s "
              f"(concurrency {args.concurrency}, {errors} not accepted), each acknowledged after its commit")
        print(f"latency ms: p50 {latencies[count // 2]:.1f}, p95 {latencies[int(count * 0.95)]:.1f}, p99 {latencies[int(count * 0.99)]:.1f}, max {latencies[-1]:.1f}")
        print(f"group commit: {health['reports']} writes in {health['batches']} transactions "
              f"({health['reports'] / max(1, health['batches']):.1f} per commit)")
        reads = list(samples)
        if reads:
            print(f"console reads meanwhile: {len(reads)} summary reads, median {statistics.median(reads):.1f} ms, max {max(reads):.1f} ms")
        print(f"write-ahead log: max {wal_max[0] / 1e6:.1f} MB while the console read (budget 64 MB)")


if __name__ == "__main__":
    main()

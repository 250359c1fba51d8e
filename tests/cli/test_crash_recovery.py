"""A sync killed with kill -9 right after it stored its last month, then run again (`python -m sumtui`
subprocesses against the loopback mirror).

The killed run stored February and March, then hung on April (the mirror never answers it) and was
killed there: its derived data (flags, derived supersedence) was never computed and the fleet never
re-evaluated. The next run fetches nothing (April is withdrawn, the rest unchanged), yet it must
complete the derived data, re-evaluate the fleet, and show the killed run as interrupted. Nothing
here is timed: the kill happens when March is in the database and April has been asked for.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

from sqlalchemy import select

from sumtui.catalog import versions
from sumtui.catalog.models import Document, SupersedenceEdge, SyncRun
from sumtui.catalog.queries import export_updates
from sumtui.compliance.queries import client_states, page_update_compliance
from sumtui.fleet.collections import get_collection
from sumtui.fleet.inventory.model import Inventory
from sumtui.fleet.models import Client
from sumtui.site import open_site
from sumtui.workflows.freshness import freshness
from sumtui.workflows.intake import ingest_inventory
from tests.cli.test_catalog_cli import Cli
from tests.compliance.scenario import CU
from tests.compliance.scenario import months as scenario
from tests.mirror import MirrorServer

IDS = {1: "2022-Jan", 2: "2022-Feb", 3: "2022-Mar", 4: "2022-Apr"}


def wait_until(condition, what: str, *, limit: float = 60.0) -> None:
    """Poll until `condition()`; the limit only turns a hang into a failure, it is not what is tested."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


def derived_facts(url: str) -> tuple[list, list]:
    """What derived data decides: each update's flags and successors, and the derived edges."""
    site = open_site(url)
    try:
        with site.session() as session:
            updates = sorted((u["kb"], u["product_id"], u["superseded"], u["expired"], tuple(u["superseded_by"]))
                             for u in export_updates(session))
            edges = sorted(tuple(str(v) for v in row) for row in session.execute(select(SupersedenceEdge.__table__)))
        return updates, edges
    finally:
        site.close()


def test_a_sync_killed_after_its_last_month_is_completed_by_the_next_run(tmp_path):
    docs = scenario()
    with MirrorServer() as mirror:
        for m, month_id in IDS.items():
            mirror.put_month(month_id, docs[m])
        cli = Cli(tmp_path / "site")
        mirror.put_index([IDS[1]])
        first = cli("sync", "--url", mirror.url, "--since", "2022-Jan")
        assert first.returncode == 0, first.stderr

        # One client on Windows 10 1809 with January's cumulative update installed.
        site = open_site(cli.db)
        with site.session() as session:
            inventory = Inventory(name="ws-1", source_format="agent-json", os_name="Microsoft Windows 10 Enterprise",
                                  build="10.0.17763", architecture="x64", is_server=False, installed_kbs=[CU[1]])
            client_id = ingest_inventory(session, inventory).client.id
            session.commit()
            assert not freshness(session).stale

        # The run to kill: February and March are stored, April never arrives.
        mirror.put_index(list(IDS.values()))
        mirror.delay(f"/cvrf/{IDS[4]}", 3600)  # woken when the mirror stops
        doomed = subprocess.Popen([sys.executable, "-m", "sumtui", "sync", "--url", mirror.url, "--since", "2022-Jan",
                                   "--timeout", "3600", "--retries", "0"],
                                  env=cli.env, cwd=cli.root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            def march_stored() -> bool:
                with site.session() as session:
                    return session.get(Document, IDS[3]) is not None

            wait_until(lambda: march_stored() and mirror.count(f"/cvrf/{IDS[4]}") >= 1, "March stored, April asked for")
            # Still alive: another process must not take its run for a dead one.
            listed = cli.json("runs", "--format", "json")
            assert listed[0]["status"] == "running"
            doomed.send_signal(signal.SIGKILL)
        finally:
            doomed.kill()
            doomed.wait()

        with site.session() as session:
            left = freshness(session)
            assert left.derived_pending and left.stale  # what the next run has to finish
            assert session.execute(select(SyncRun.status).order_by(SyncRun.id.desc())).scalars().first() == "running"

        # April is withdrawn: the next run has nothing to fetch, and must still finish the job.
        mirror.clear_faults()
        mirror.put_index([IDS[1], IDS[2], IDS[3]])
        again = cli("sync", "--url", mirror.url, "--since", "2022-Jan", "--json")
        assert again.returncode == 0, again.stderr
        record = json.loads(again.stdout)
        assert record["months"] == {"fetched": 0, "unchanged": 3, "failed": 0}
        assert record["status"] == "ok" and record["updates"]["superseded"] > 0
        assert "interrupted run left pending" in record["message"]
        assert "re-evaluated 1 client(s)" in again.stderr

        runs = cli.json("runs", "--format", "json")
        killed = runs[1]
        assert killed["status"] == "interrupted" and f"pid {doomed.pid}" in killed["message"]
        assert killed["ended_at"] is not None

        # The derived data is what one clean sync of the same months computes.
        reference = Cli(tmp_path / "reference")
        clean = reference("sync", "--url", mirror.url, "--since", "2022-Jan")
        assert clean.returncode == 0, clean.stderr
    assert derived_facts(cli.db) == derived_facts(reference.db)

    # The fleet is evaluated against March: the grid and the client's own detail agree.
    with site.session() as session:
        assert not freshness(session).stale
        client = session.get(Client, client_id)
        required = {s.kb for s in client_states(session, client) if s.state == "required"}
        assert CU[3] in required and CU[1] not in required
        assert client.required_count == len(required)
        all_systems = get_collection(session, "All Systems").id
        grid = {r.kb for r in page_update_compliance(session, collection_id=all_systems, limit=1000) if r.required}
        assert grid == required
        assert versions.stored(session) == 3
    site.close()

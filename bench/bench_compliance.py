"""Compliance at fleet scale (DESIGN.md §5): 100,000 generated clients against 2,000+ updates.

Prints: fleet-wide re-evaluation with nothing changed and after a new month arrives (the sync case),
the state rows written and rows/s with summaries kept current in the same transactions (change sets
of 20,000 clients mixing inserts, deletes and updates about equally, as a month's re-evaluation
writes them: new updates' states appear, superseded ones go, others flip between Required and
Installed), every summary the console shows, and one client's report evaluated end to end.

    .venv/bin/python bench/bench_compliance.py [--clients 100000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _fleet_site import bench_months, copy_site, fleet_site  # noqa: E402


def timed(fn, repeat: int = 7) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), max(samples)


WRITE_SETS = 3  # change sets timed, each on other clients
WRITE_CLIENTS = 20_000


def mixed_changes(rows, update_ids: list[int], *, seed: int):
    """A change per client mixing the three kinds of state-row writes a new month's re-evaluation makes:
    about a quarter of each client's states go (superseded, no longer applicable: deletes), a quarter change
    (Required <-> Installed: updates), and as many new states appear (the month's new updates: inserts).
    Returns (changes, {kind: rows})."""
    import random

    from sumtui.compliance.apply import ClientChange
    from sumtui.compliance.models import INSTALLED, REQUIRED
    from sumtui.compliance.states import decode

    rng = random.Random(seed)
    changes, mix = [], {"insert": 0, "delete": 0, "update": 0}
    for row in rows:
        old = decode(row.states)
        new = dict(old)
        for uid in list(old):
            draw = rng.random()
            if draw < 0.25:
                del new[uid]
                mix["delete"] += 1
            elif draw < 0.5:
                value = old[uid]
                new[uid] = (INSTALLED if value & 3 == REQUIRED else REQUIRED) | (value & ~3)
                mix["update"] += 1
        wanted = max(1, len(old) // 4)
        for uid in rng.sample(update_ids, min(len(update_ids), wanted * 2)):
            if wanted and uid not in old:
                new[uid] = REQUIRED
                mix["insert"] += 1
                wanted -= 1
        changes.append(ClientChange(row.id, old, new, True, True))
    return changes, mix


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=100_000)
    args = parser.parse_args()

    from sqlalchemy import func, select

    from sumtui.catalog.models import Update
    from sumtui.catalog.queries import UpdateFilter
    from sumtui.catalog.sync import import_files
    from sumtui.compliance.models import ComplianceState
    from sumtui.compliance.queries import (
        clients_for_update,
        collection_compliance,
        count_clients_for_update,
        count_update_compliance,
        page_update_compliance,
        triage,
    )
    from sumtui.compliance.reevaluate import reevaluate
    from sumtui.compliance.view import load_view
    from sumtui.fleet.clients import count_clients, page_clients
    from sumtui.fleet.collections import ensure_all_systems
    from sumtui.fleet.inventory.model import Inventory
    from sumtui.fleet.models import Client
    from sumtui.workflows.intake import ingest_inventory

    site, built = fleet_site(args.clients)
    with site.session() as session:
        updates = session.execute(select(func.count()).select_from(Update)).scalar_one()
        rows = session.execute(select(func.count()).select_from(ComplianceState)).scalar_one()
    print(f"site: {args.clients} clients, {updates} updates, {rows} stored state rows (built/opened in {built:.1f} s)")

    with tempfile.TemporaryDirectory() as tmp:
        work = copy_site(args.clients, Path(tmp))
        with work.session() as session:
            started = time.perf_counter()
            view = load_view(session)
            loaded = time.perf_counter() - started
            result = reevaluate(session, view=view, commit_batches=True)
            session.commit()
        print(f"re-evaluation, nothing changed: {result.seconds:.1f} s for {result.clients} clients "
              f"({result.profiles} distinct profiles, {result.rows_written} rows written; view loaded in {loaded * 1000:.0f} ms)")

        month = bench_months()[-1]
        started = time.perf_counter()
        run = import_files(work.engine, [month])
        imported = time.perf_counter() - started
        with work.session() as session:
            result = reevaluate(session, commit_batches=True)
            session.commit()
            after = session.execute(select(func.count()).select_from(ComplianceState)).scalar_one()
        print(f"new month {month.name} imported in {imported:.2f} s ({run.updates_new} new updates); "
              f"fleet re-evaluation {result.seconds:.1f} s: {result.rows_written} state rows written "
              f"({result.rows_written / result.seconds:,.0f} rows/s overall incl. evaluation), {after} rows now")

        # Raw state-write rate with summaries: mixed change sets as a month's re-evaluation produces them
        # (states that appear, states that go, states that change), each set one transaction.
        from sumtui.compliance.apply import apply_changes, memberships

        with work.session() as session:
            update_ids = list(session.execute(select(Update.id)).scalars())
            picked = list(session.execute(select(Client.id, Client.states).where(Client.states != "")
                                          .order_by(Client.id).limit(WRITE_SETS * WRITE_CLIENTS)))
        rates = []
        for n in range(WRITE_SETS):
            batch = picked[n * WRITE_CLIENTS:(n + 1) * WRITE_CLIENTS]
            with work.session() as session:
                member_of = memberships(session, [r.id for r in batch])
                changes, mix = mixed_changes(batch, update_ids, seed=n)
                started = time.perf_counter()
                written = apply_changes(session, changes, member_of=member_of)
                session.commit()
                elapsed = time.perf_counter() - started
            rates.append(written / elapsed)
            print(f"state writes with summaries in the same transaction, {len(batch):,} clients: {written:,} rows "
                  f"({mix['insert']:,} inserts, {mix['delete']:,} deletes, {mix['update']:,} updates) in {elapsed:.2f} s "
                  f"= {written / elapsed:,.0f} rows/s")
        print(f"state writes, mixed: best {max(rates):,.0f} rows/s, median {statistics.median(rates):,.0f} rows/s")
        work.close()

    with site.session() as session:
        all_systems = ensure_all_systems(session).id
        top = page_update_compliance(session, collection_id=all_systems, limit=1)[0]
        some_client = session.execute(select(Client).where(Client.required_count > 0).limit(1)).scalars().first()
    checks = {
        "updates by compliance (All Systems, first page, sort by required)": lambda s: page_update_compliance(s, collection_id=all_systems, limit=60),
        "updates by compliance, count": lambda s: count_update_compliance(s, collection_id=all_systems),
        "updates by compliance, Critical only": lambda s: page_update_compliance(s, collection_id=all_systems, filter=UpdateFilter(severity="Critical"), limit=60),
        "collections with members/compliant": collection_compliance,
        "Home triage panel": lambda s: triage(s, collection_id=all_systems),
        "clients needing the most-missing update (count)": lambda s: count_clients_for_update(s, update_id=top.update_id),
        "clients needing the most-missing update (first page)": lambda s: clients_for_update(s, update_id=top.update_id, limit=60),
        "clients grid, first page by name": lambda s: page_clients(s, limit=60),
        "clients grid, count": lambda s: count_clients(s),
        "clients grid, least compliant first": lambda s: page_clients(s, sort="critical", descending=True, limit=60),
        "clients grid, page at offset 90,000": lambda s: page_clients(s, offset=min(90_000, args.clients - 60), limit=60),
    }
    print("summaries (median / max of 7, ms; budget < 100):")
    with site.session() as session:
        for name, fn in checks.items():
            median, worst = timed(lambda fn=fn: fn(session))
            print(f"  {median:7.1f} / {worst:7.1f}  {name}")
        view = load_view(session)

        def one_report():
            inventory = Inventory(name=some_client.name, source_format="agent-json", os_name=some_client.os_name,
                                  build=some_client.build, architecture=some_client.architecture,
                                  is_server=some_client.is_server, installed_kbs=(some_client.installed_kbs or "").split())
            ingest_inventory(session, inventory, view=view)
            session.rollback()

        median, worst = timed(one_report, repeat=21)
        print(f"one client's report evaluated and applied (in one transaction, not committed): {median:.1f} ms median, {worst:.1f} ms max")
    site.close()


if __name__ == "__main__":
    main()

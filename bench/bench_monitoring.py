"""The console's monitoring reads at fleet scale, on a copy of the 100,000-client site with a deployment of
the ten KBs the fleet needs most (one row per KB and product: some 60 updates, 6M client × update pairs,
most of them "not required" and without a row) and three of them flagged for NAP evaluation:

- a deployment's pairs as the monitoring page pages them (deploy.status_pages): the index of a view (its
  clients in order with their pair counts; read once per filter or search) and a page at the start, the
  middle and the end;
- the failure codes, the deployments page's read, Home's alerts, the NAP counts and the checklist.

    .venv/bin/python bench/bench_monitoring.py [--clients 100000] [--kbs 10]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _fleet_site import copy_site  # noqa: E402
from bench_deploy import most_needed  # noqa: E402


def median_ms(fn, repeat: int = 3):
    runs, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - started)
    return result, statistics.median(runs) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--kbs", type=int, default=10)
    args = parser.parse_args()

    from sqlalchemy import select

    from sumtui.catalog.models import Update
    from sumtui.deploy.deployments import DeploymentSpec, create_deployment
    from sumtui.deploy.nap import flag_updates
    from sumtui.deploy.nap_counts import nap_counts
    from sumtui.deploy.status import list_deployments
    from sumtui.deploy.status_pages import PairQuery, convergence, error_codes, page_pairs, pair_index
    from sumtui.workflows.alerts import alerts
    from sumtui.workflows.checklist import checklist

    with tempfile.TemporaryDirectory() as tmp:
        site = copy_site(args.clients, Path(tmp))
        with site.session() as session:
            kbs = most_needed(session, args.kbs)
            row = create_deployment(session, spec=DeploymentSpec(name="Bench", collection="All Systems",
                                                                 refs=[f"KB{kb}" for kb in kbs]))
            flagged = session.execute(select(Update.id).where(Update.kb.in_(kbs[:3]))).scalars().all()
            flag_updates(session, update_ids=flagged, effective=datetime.now(UTC) - timedelta(days=1), source="bench")
            session.commit()
            deployment_id, updates = row.id, row.update_count
        print(f"deployment of {updates} updates to {args.clients:,} clients")
        with site.session() as session:
            for states in ((), ("pending",), ("not_required",), ("failed", "download_failed")):
                query = PairQuery(deployment_id, states=states)
                index, took = median_ms(lambda q=query: pair_index(session, q))
                total = index.total
                pages = []
                for offset in (0, total // 2, max(0, total - 100)):
                    _rows, page = median_ms(lambda o=offset, q=query, i=index: page_pairs(session, q, offset=o, limit=100,
                                                                                          index=i))
                    pages.append(page)
                print(f"pairs {'/'.join(states) or 'all'}: {total:,}; index {took:.0f} ms; pages of 100 at start, "
                      f"middle, end: {', '.join(f'{p:.1f}' for p in pages)} ms")
            query = PairQuery(deployment_id, search="00012")
            index, took = median_ms(lambda: pair_index(session, query))
            print(f"search by client name: {index.total:,} pairs, index {took:.0f} ms")
            _codes, took = median_ms(lambda: error_codes(session, deployment_id=deployment_id))
            print(f"failure codes: {took:.1f} ms")
            _lines, took = median_ms(lambda: [convergence(session, deployment_id=s.id, counts=s.counts, pairs=s.pairs)
                                              for s in list_deployments(session)])
            print(f"deployments page read (summaries and convergence): {took:.1f} ms")
            _found, took = median_ms(lambda: alerts(session))
            print(f"Home's alerts: {took:.1f} ms")
            counts, took = median_ms(lambda: nap_counts(session))
            print(f"NAP counts (flagged, effective, unhealthy) {counts}: {took:.0f} ms")
            _stages, took = median_ms(lambda: checklist(session))
            print(f"checklist (stages 10-12 included): {took:.0f} ms")
        site.close()


if __name__ == "__main__":
    main()

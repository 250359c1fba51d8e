"""The console's "what changed" probe (sumtui.workflows.site_marks) on the 100,000-client benchmark site.

    .venv/bin/python bench/bench_site_marks.py [--clients 100000] [--runs 500] [--db URL]

The console reads these marks every PROBE_SECONDS to decide which screens must re-read the site; the
budget is ~1 ms a read whatever the fleet's size (DESIGN.md §5: refresh probes must not add visible
cost). The site is bench/_fleet_site.py's (built once and cached under bench/out/), or `--db`. Prints
the median and 95th percentile of `read_marks` through a session (what the console's worker does),
and of the bare statement on the DBAPI connection. Not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return f"median {statistics.median(ordered) * 1000:.3f} ms, p95 {p95 * 1000:.3f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--db", help="an existing site instead of the cached benchmark site")
    args = parser.parse_args()

    from sumtui.workflows.site_marks import _marks_statement, read_marks

    if args.db:
        from sumtui.site import open_site

        site = open_site(args.db)
    else:
        from _fleet_site import fleet_site

        site, _ = fleet_site(args.clients)
    with site.session() as session:
        read_marks(session)  # warm: the statement is built and compiled once
        timed = []
        for _ in range(args.runs):
            started = time.perf_counter()
            read_marks(session)
            timed.append(time.perf_counter() - started)
        statement, _, _ = _marks_statement()
        raw = str(statement.compile(site.engine, compile_kwargs={"literal_binds": True}))
        connection = session.connection().connection.dbapi_connection
        bare = []
        for _ in range(args.runs):
            started = time.perf_counter()
            connection.execute(raw).fetchone()
            bare.append(time.perf_counter() - started)
    print(f"site: {site.display_url()}")
    print(f"read_marks (session):  {percentiles(timed)}   (budget ~1 ms)")
    print(f"statement (DBAPI):     {percentiles(bare)}")


if __name__ == "__main__":
    main()

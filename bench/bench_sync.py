"""Benchmark: a 12-month cold catalog sync and a re-sync of the unchanged upstream (DESIGN.md §5:
"12 months cold sync (network excluded) < 15 s, peak memory < 400 MB, one month at a time";
"re-sync of an unchanged upstream < 0.5 s, zero documents downloaded, zero writes").

Run by hand from the checkout: `.venv/bin/python bench/bench_sync.py [--months 12]`.

- The months are real-sized generated ones (scripts/samplecatalog.py `write_bench_mirror`, 1.5–2 MB
  each), served from disk by tests/mirror.py's `MirrorServer` on loopback, in this (parent) process.
- Each sync runs in a child process on a fresh SQLite site, so its peak RSS
  (`resource.getrusage(RUSAGE_SELF).ru_maxrss`) counts the sync only, not the generator or the server.
  The child's wall time excludes interpreter start and opening the site.
- "network" is the time spent inside `MsrcClient.month` (downloads run ahead of the store, so it
  overlaps the catalog work); "ingest" is the time in `ingest_document` (parse + store + commit,
  month by month); "finish" is the flags and derived supersedence at the end. ingest + finish is the
  catalog work with the network excluded.
- Documents downloaded: counted from the mirror's request log, in the parent, around each child.
- Catalog rows written by the re-sync: every INSERT/UPDATE/DELETE statement the child's engine sends
  is counted by table (a SQLAlchemy `before_cursor_execute` hook), and every catalog table is
  checksummed before and after. A sync run record (sync_run) is written by design; it is reported
  apart from the catalog tables.

With SUMTUI_TEST_PG_URL set, the same two syncs also run on a fresh PostgreSQL schema.
Not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout

CATALOG_TABLES = ("cvrf_document", "product", "vulnerability", "catalog_update", "update_source",
                  "update_supersedes", "supersedence_edge")
RUN_TABLES = ("sync_run", "sync_error")


# --- child: one sync, measured from the inside


def _table_digest(engine) -> dict[str, tuple[int, str]]:
    from sqlalchemy import text

    out = {}
    with engine.connect() as conn:
        for table in CATALOG_TABLES + RUN_TABLES:
            rows = sorted(repr(tuple(r)) for r in conn.execute(text(f"SELECT * FROM {table}")))
            out[table] = (len(rows), hashlib.sha1("\n".join(rows).encode()).hexdigest()[:12])
    return out


def child(url: str, db: str, since: str) -> None:
    import resource

    from sqlalchemy import event

    import sumtui.catalog.ingest as ingest_module
    import sumtui.catalog.sync as sync_module
    from sumtui.catalog.msrc import MsrcClient
    from sumtui.catalog.settings import parse_month
    from sumtui.site import open_site

    site = open_site(db, content_dir=Path(tempfile.gettempdir()) / "bench-sync-content")
    spent = Counter()

    real_month = MsrcClient.month

    async def timed_month(self, month_id):
        t = time.perf_counter()
        try:
            return await real_month(self, month_id)
        finally:
            spent["network"] += time.perf_counter() - t

    def timed(name, fn):
        def wrapper(*args, **kwargs):
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - t
        return wrapper

    MsrcClient.month = timed_month
    sync_module.ingest_document = timed("ingest", ingest_module.ingest_document)
    sync_module.finish_catalog_change = timed("finish", ingest_module.finish_catalog_change)

    writes: Counter = Counter()

    @event.listens_for(site.engine, "before_cursor_execute")
    def count_writes(conn, cursor, statement, parameters, context, executemany):
        words = statement.lstrip().split(None, 3)
        verb = words[0].upper() if words else ""
        if verb in ("INSERT", "UPDATE", "DELETE"):
            target = words[2] if verb in ("INSERT", "DELETE") and len(words) > 2 else words[1] if len(words) > 1 else "?"
            writes[target.strip('"').split("(")[0]] += len(parameters) if executemany and isinstance(parameters, (list, tuple)) else 1

    before = _table_digest(site.engine)
    t0 = time.perf_counter()
    run = asyncio.run(sync_module.sync_catalog(site.engine, url=url, since=parse_month(since)))
    wall = time.perf_counter() - t0
    after = _table_digest(site.engine)
    changed = sorted(t for t in CATALOG_TABLES if before[t] != after[t])
    print(json.dumps({
        "wall": wall, "network": spent["network"], "ingest": spent["ingest"], "finish": spent["finish"],
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "status": run.status, "fetched": run.months_fetched, "unchanged": run.months_unchanged,
        "failed": run.months_failed, "new": run.updates_new, "revised": run.updates_revised,
        "superseded": run.updates_superseded, "expired": run.updates_expired,
        "writes": dict(writes), "catalog_tables_changed": changed,
        "rows": {t: after[t][0] for t in CATALOG_TABLES + RUN_TABLES},
        "run_rows_added": {t: after[t][0] - before[t][0] for t in RUN_TABLES},
    }))
    site.close()


# --- parent: mirror, children, report


def _samplecatalog():
    spec = importlib.util.spec_from_file_location("samplecatalog", ROOT / "scripts" / "samplecatalog.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["samplecatalog"] = module
    spec.loader.exec_module(module)
    return module


def run_child(mirror, db: str, since: str) -> dict:
    downloads = mirror.count("/cvrf/")
    done = subprocess.run([sys.executable, __file__, "--child", mirror.url, db, since],
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise SystemExit(f"child failed:\n{done.stderr}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["downloads"] = mirror.count("/cvrf/") - downloads
    return result


def pg_schema_url() -> tuple[str, callable]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = os.environ["SUMTUI_TEST_PG_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return make_url(base).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False), drop


def report(label: str, cold: dict, warm: dict, mb: float) -> None:
    print(f"\n== {label}")
    print(f"cold sync: {cold['status']}, {cold['fetched']} months fetched ({mb:.1f} MB), {cold['failed']} failed; "
          f"updates {cold['new']} new, {cold['superseded']} superseded, {cold['expired']} expired")
    print(f"  wall {cold['wall']:.2f} s (budget < 15 s, network excluded)")
    print(f"  catalog work (ingest {cold['ingest']:.2f} s + finish {cold['finish']:.2f} s) = "
          f"{cold['ingest'] + cold['finish']:.2f} s; time inside client.month {cold['network']:.2f} s (overlapped)")
    print(f"  peak RSS of the sync process {cold['rss_mb']:.0f} MB (budget < 400 MB)")
    print("  rows: " + ", ".join(f"{t} {n}" for t, n in cold["rows"].items()))
    cold_writes = sum(n for t, n in cold["writes"].items() if t in CATALOG_TABLES)
    print(f"  catalog rows written (same counter as below, to show it counts): {cold_writes}")
    print(f"re-sync of the unchanged upstream: {warm['status']}, {warm['fetched']} fetched, {warm['unchanged']} unchanged")
    print(f"  wall {warm['wall']:.3f} s (budget < 0.5 s)")
    print(f"  month documents downloaded: {warm['downloads']} (from the mirror's request log; must be 0)")
    catalog_writes = {t: n for t, n in warm["writes"].items() if t in CATALOG_TABLES}
    run_writes = {t: n for t, n in warm["writes"].items() if t not in CATALOG_TABLES}
    print(f"  catalog rows written: {sum(catalog_writes.values())} {catalog_writes or ''}; catalog tables whose "
          f"content changed: {warm['catalog_tables_changed'] or 'none'}")
    print(f"  run bookkeeping (by design): statements {run_writes}, rows added {warm['run_rows_added']}")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        child(*argv[1:4])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--months", type=int, default=12)
    args = parser.parse_args(argv)

    from tests.mirror import MirrorServer

    sample = _samplecatalog()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        t = time.perf_counter()
        ids = sample.write_bench_mirror(tmp / "mirror", months=args.months)
        sizes = [(tmp / "mirror" / "cvrf" / m).stat().st_size for m in ids]
        print(f"generated {len(ids)} months {ids[0]}..{ids[-1]}, {sum(sizes) / 1e6:.1f} MB "
              f"({min(sizes) / 1e6:.2f}–{max(sizes) / 1e6:.2f} MB each) in {time.perf_counter() - t:.1f} s")
        with MirrorServer(tmp / "mirror") as mirror:
            db = f"sqlite:///{tmp / 'site.db'}"
            cold, warm = run_child(mirror, db, ids[0]), run_child(mirror, db, ids[0])
            report("SQLite", cold, warm, sum(sizes) / 1e6)
            if os.environ.get("SUMTUI_TEST_PG_URL"):
                url, drop = pg_schema_url()
                try:
                    cold, warm = run_child(mirror, url, ids[0]), run_child(mirror, url, ids[0])
                finally:
                    drop()
                report("PostgreSQL", cold, warm, sum(sizes) / 1e6)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark: one CVRF month parsed and stored (DESIGN.md §5: "one real month (1.3–3.2 MB JSON) parsed
and stored < 0.5 s").

Run by hand from the checkout: `.venv/bin/python bench/bench_catalog.py [--repeat 5]`. For each
document, each repetition stores into a fresh SQLite site (schema created before the clock starts)
and times, separately:

- parse: `parse_document` on the bytes already in memory;
- store: `store_month` and the commit (what `ingest_document` does after parsing);
- finish: the superseded/expired flags and the derived supersedence (`finish_catalog_change`), which a
  sync or an import runs once after its months;
- total: parse + store + finish.

Documents: the real 2020-Dec JSON month (../shared/realdata/msrc/, 1.3 MB); the real 2017-Jan XML
month (0.1 MB); an XML version of 2020-Dec written by tests/catalog/xmldoc.py (same content, so the
two parsers can be compared on one month); one real-sized generated month from
scripts/samplecatalog.py `write_bench_mirror` (~2 MB) in JSON and in XML. Prints the median and the
best of the repetitions, MB/s of parsing and updates/s of the whole. With SUMTUI_TEST_PG_URL set,
the real JSON month is also stored into a fresh PostgreSQL schema. Not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout: sumtui, tests.* helpers

from sqlmodel import Session  # noqa: E402

from sumtui.catalog.cvrf import parse_document  # noqa: E402
from sumtui.catalog.ingest import finish_catalog_change  # noqa: E402
from sumtui.catalog.settings import UpdatePointSettings  # noqa: E402
from sumtui.catalog.store import store_month  # noqa: E402
from sumtui.site import open_site  # noqa: E402

REALDATA = ROOT.parent / "shared" / "realdata" / "msrc"
BUDGET_S = 0.5


def _samplecatalog():
    spec = importlib.util.spec_from_file_location("samplecatalog", ROOT / "scripts" / "samplecatalog.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["samplecatalog"] = module
    spec.loader.exec_module(module)
    return module


def one_run(data: bytes, name: str, url: str) -> dict:
    site = open_site(url, content_dir=Path(tempfile.gettempdir()) / "bench-catalog-content")
    settings = UpdatePointSettings()
    try:
        t0 = time.perf_counter()
        month = parse_document(data, name=name)
        t1 = time.perf_counter()
        with Session(site.engine) as session:
            result = store_month(session, month, source=name, settings=settings)
            session.commit()
        t2 = time.perf_counter()
        finish_catalog_change(site.engine, settings=settings)
        t3 = time.perf_counter()
    finally:
        site.close()
    return {"parse": t1 - t0, "store": t2 - t1, "finish": t3 - t2, "total": t3 - t0, "updates": result.updates,
            "facts": len(month.facts)}


def sqlite_url(folder: Path) -> str:
    path = folder / f"site-{uuid.uuid4().hex[:8]}.db"
    return f"sqlite:///{path}"


def pg_urls():
    """A fresh schema per run on the PostgreSQL server of SUMTUI_TEST_PG_URL; dropped afterwards."""
    base = os.environ["SUMTUI_TEST_PG_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(base)
    made = []

    def make() -> str:
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        made.append(schema)
        url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        return url.render_as_string(hide_password=False)

    def cleanup() -> None:
        with admin.begin() as conn:
            for schema in made:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return make, cleanup


def bench(label: str, data: bytes, repeat: int, make_url) -> dict:
    # Schema creation (migrations) happens in open_site, before the clock: only the month is timed.
    runs = []
    for _ in range(repeat):
        url = make_url()
        open_site(url, content_dir=Path(tempfile.gettempdir()) / "bench-catalog-content").close()
        runs.append(one_run(data, label, url))
    mb = len(data) / 1e6
    row = {"label": label, "mb": mb, "updates": runs[0]["updates"], "facts": runs[0]["facts"]}
    for key in ("parse", "store", "finish", "total"):
        values = [r[key] for r in runs]
        row[key] = (statistics.median(values), min(values))
    row["parse_mb_s"] = mb / row["parse"][0]
    row["updates_s"] = row["updates"] / row["total"][0]
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    from tests.catalog.xmldoc import to_xml

    documents: list[tuple[str, bytes]] = []
    if REALDATA.is_dir():
        dec = (REALDATA / "2020-Dec.cvrf.json").read_bytes()
        documents += [
            ("2020-Dec real JSON", dec),
            ("2017-Jan real XML", (REALDATA / "2017-Jan.cvrf.xml").read_bytes()),
            ("2020-Dec as XML", to_xml(json.loads(dec))),
        ]
    else:
        print(f"({REALDATA} not found: real months skipped)")
    sample = _samplecatalog()
    with tempfile.TemporaryDirectory() as tmp:
        [month_id] = sample.write_bench_mirror(Path(tmp) / "mirror", months=1)
        bench_json = (Path(tmp) / "mirror" / "cvrf" / month_id).read_bytes()
    documents += [(f"{month_id} bench JSON", bench_json), (f"{month_id} bench as XML", to_xml(json.loads(bench_json)))]

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows = [bench(label, data, args.repeat, lambda: sqlite_url(folder)) for label, data in documents]
        if os.environ.get("SUMTUI_TEST_PG_URL") and REALDATA.is_dir():
            make, cleanup = pg_urls()
            try:
                pg = bench("2020-Dec real JSON (PostgreSQL)", documents[0][1], args.repeat, make)
            finally:
                cleanup()
            rows.append(pg)

    print(f"\none month parsed and stored, {args.repeat} runs each, fresh site per run; "
          f"seconds as median / best; budget {BUDGET_S} s total\n")
    header = f"{'document':<32} {'MB':>5} {'upd':>5} {'facts':>6} {'parse':>13} {'store':>13} {'finish':>13} {'total':>13} {'MB/s':>6} {'upd/s':>7}"
    print(header)
    print("-" * len(header))
    for r in rows:
        cells = " ".join(f"{r[k][0]:6.3f}/{r[k][1]:.3f}" for k in ("parse", "store", "finish", "total"))
        flag = "" if r["total"][0] < BUDGET_S else "  over budget"
        print(f"{r['label']:<32} {r['mb']:5.2f} {r['updates']:5d} {r['facts']:6d} {cells} {r['parse_mb_s']:6.1f} {r['updates_s']:7.0f}{flag}")
    print("\nupd = (KB, product) updates stored; facts = (KB, product, CVE) rows merged into them;\n"
          "parse MB/s = document size / median parse time; upd/s = updates / median total time")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

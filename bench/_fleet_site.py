"""Builds (once, cached under bench/out/) the benchmark site: 13 realistic bench months from
scripts/samplecatalog.py imported into SQLite, and a generated fleet of N clients."""

from __future__ import annotations

import importlib.util
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))


def samplecatalog():
    spec = importlib.util.spec_from_file_location("samplecatalog", ROOT / "scripts" / "samplecatalog.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


def bench_months(months: int = 14) -> list[Path]:
    folder = OUT / f"mirror-{months}"
    if not (folder / "updates").exists():
        samplecatalog().write_bench_mirror(folder, months=months)
    from sumtui.catalog.settings import parse_month

    return sorted((folder / "cvrf").iterdir(), key=lambda p: parse_month(p.name))  # oldest first


def fleet_site(clients: int, *, months: int = 13, fresh: bool = False):
    """A site with `months` bench months and `clients` generated clients; returns (site, seconds to build)."""
    from sumtui.catalog.sync import import_files
    from sumtui.site import open_site
    from sumtui.workflows.demo import generate_fleet

    folder = OUT / f"fleet-{clients}-{months}"
    database = folder / "site.db"
    if fresh and folder.exists():
        shutil.rmtree(folder)
    started = time.perf_counter()
    if not database.exists():
        folder.mkdir(parents=True, exist_ok=True)
        building = folder / "building.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{building}{suffix}").unlink(missing_ok=True)
        site = open_site(f"sqlite:///{building}", content_dir=folder / "content")
        # The last month is kept back: benchmarks import it to measure a re-evaluation after a sync.
        run = import_files(site.engine, bench_months()[:months])
        assert run.status == "ok", run.message
        with site.session() as session:
            generate_fleet(session, count=clients)
            session.commit()
        with site.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        site.close()
        building.rename(database)
    return open_site(f"sqlite:///{database}", content_dir=folder / "content"), time.perf_counter() - started


def copy_site(clients: int, target: Path, *, months: int = 13):
    """A private copy of the cached site, for benchmarks that write."""
    from sumtui.site import open_site

    site, _ = fleet_site(clients, months=months)
    site.close()
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(OUT / f"fleet-{clients}-{months}" / "site.db", target / "site.db")
    return open_site(f"sqlite:///{target / 'site.db'}", content_dir=target / "content")

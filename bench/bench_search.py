"""Search as you type on the updates screen over 20,000 updates (DESIGN.md §5: < 50 ms per keystroke).

    .venv/bin/python bench/bench_search.py [--updates 20000] [--text "windows server 2019"] [--rounds 3]

Method: a migrated SQLite site in a scratch folder gets a synthetic catalog written directly with
SQLAlchemy Core (products in their families, `catalog_update` rows with the same title and `search`
text the store writes, one to five `update_source` rows each). The console then runs headless
(`App.run_test`, 120×36) on the updates screen; the text is typed into the search box one key at a
time. Per key two figures are taken:

- key → grid: from the moment the key event is posted to the App (as the terminal driver does) until
  the grid holds the new row count and its first page of rows — what the operator waits for, less the
  next repaint (at most one frame, ~16 ms);
- in-app: what the screen itself measures, from `Input.Changed` to the first row of the new query
  (excludes Pilot's own key delivery).

For reference the bare query (count + first page of 100 through `count_updates`/`page_updates`) is
timed too. Figures are printed, nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FAMILIES = {
    "Windows": [
        "Windows 10 Version 1809 for x64-based Systems", "Windows 10 Version 1809 for 32-bit Systems",
        "Windows 10 Version 21H2 for x64-based Systems", "Windows 10 Version 22H2 for x64-based Systems",
        "Windows 11 Version 22H2 for x64-based Systems", "Windows 11 Version 23H2 for x64-based Systems",
        "Windows 11 Version 24H2 for x64-based Systems", "Windows Server 2016", "Windows Server 2016 (Server Core installation)",
        "Windows Server 2019", "Windows Server 2019 (Server Core installation)", "Windows Server 2022",
        "Windows Server 2022 (Server Core installation)", "Windows Server 2012 R2", "Windows Server 2025",
    ],
    "ESU": ["Windows Server 2008 R2 for x64-based Systems Service Pack 1", "Windows 7 for x64-based Systems Service Pack 1",
            "Windows Server 2012", "Windows Server 2012 (Server Core installation)"],
    "Microsoft Office": ["Microsoft Office 2016 (64-bit edition)", "Microsoft Office 2019 for 64-bit editions",
                         "Microsoft 365 Apps for Enterprise for 64-bit Systems", "Microsoft Excel 2016 (64-bit edition)",
                         "Microsoft Word 2016 (64-bit edition)", "Microsoft SharePoint Server 2019"],
    "Developer Tools": [".NET Framework 4.8 on Windows Server 2019", ".NET Framework 4.8 on Windows 10 Version 1809",
                        ".NET 8.0 installed on Windows", "Microsoft Visual Studio 2022 version 17.8"],
    "SQL Server": ["Microsoft SQL Server 2019 for x64-based Systems (CU 25)", "Microsoft SQL Server 2022 for x64-based Systems (GDR)"],
    "Exchange Server": ["Microsoft Exchange Server 2019 Cumulative Update 13", "Microsoft Exchange Server 2016 Cumulative Update 23"],
}
SUBTYPES = ["Security Update", "Monthly Rollup", "Security Only", "Cumulative Update", "Security Update"]
SEVERITIES = [("Critical", 4), ("Important", 3), ("Important", 3), ("Moderate", 2), ("Low", 1)]
IMPACTS = ["Remote Code Execution", "Elevation of Privilege", "Information Disclosure", "Denial of Service", "Spoofing"]
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def populate(engine, count: int, seed: int = 7) -> None:
    from sumtui.catalog.models import Product, Update, UpdateSource

    rng = random.Random(seed)
    products = []
    for family, names in FAMILIES.items():
        for name in names:
            products.append({"id": str(10000 + len(products)), "name": name, "family": family})
    base = datetime(2022, 1, 11, 8, tzinfo=UTC)
    updates, sources = [], []
    for index in range(count):
        product = products[index % len(products)]
        month = (index * 37) % 36
        released = base + timedelta(days=30 * month)
        document = f"{released.year}-{MONTHS[released.month - 1]}"
        kb = str(5000000 + index)
        subtype = rng.choice(SUBTYPES)
        severity, rank = rng.choice(SEVERITIES)
        cves = sorted({f"CVE-{released.year}-{rng.randint(20000, 49999)}" for _ in range(rng.randint(1, 5))})
        title = f"{released:%Y-%m} {subtype} for {product['name']} (KB{kb})"
        superseded = month < 30 and rng.random() < 0.6
        updates.append({
            "id": index + 1, "kb": kb, "product_id": product["id"], "product": product["name"], "title": title,
            "classification": "Security Updates", "subtype": subtype, "severity": severity, "severity_rank": rank,
            "impact": rng.choice(IMPACTS), "released": released, "revised": released, "document": document,
            "restart": "Yes", "url": f"https://catalog.update.microsoft.com/v7/site/Search.aspx?q=KB{kb}",
            "fixed_build": None, "cve_count": len(cves), "superseded": superseded, "expired": superseded and month < 20,
            "search": " ".join([f"kb{kb}", title, product["name"], *cves]).lower(), "digest": "",
        })
        for cve in cves:
            sources.append({"update_id": index + 1, "document": document, "cve": cve, "severity": severity,
                            "impact": "Remote Code Execution", "subtype": subtype, "restart": "Yes", "url": None,
                            "fixed_build": None, "supersedes": ""})
    with engine.begin() as connection:
        connection.execute(Product.__table__.insert(), products)
        for start in range(0, len(updates), 2000):
            connection.execute(Update.__table__.insert(), updates[start:start + 2000])
        for start in range(0, len(sources), 5000):
            connection.execute(UpdateSource.__table__.insert(), sources[start:start + 5000])


def bare_query(site, text: str) -> list[float]:
    from sqlmodel import Session

    from sumtui.catalog.queries import UpdateFilter, count_updates, page_updates

    times = []
    for end in range(1, len(text) + 1):
        prefix = text[:end]
        started = time.perf_counter()
        with Session(site.engine) as session:
            count_updates(session, filter=UpdateFilter(text=prefix))
            page_updates(session, filter=UpdateFilter(text=prefix), limit=100)
        times.append(time.perf_counter() - started)
    return times


async def type_in_console(site, text: str, rounds: int) -> tuple[list[float], list[float], list[tuple[str, int, float]]]:
    from textual import events

    from sumtui.tui.app import SumtuiApp
    from sumtui.tui.screens.updates import UpdatesScreen

    app = SumtuiApp(site)
    key_to_grid: list[float] = []
    trace: list[tuple[str, int, float]] = []
    async with app.run_test(size=(120, 36)) as pilot:
        app.open_page("updates")
        while not (isinstance(app.screen, UpdatesScreen) and app.screen.query("#grid")):
            await pilot.pause(0.01)
        screen = app.screen
        grid = screen.query_one("#grid")
        search = screen.query_one("#search")

        def shown() -> bool:
            return grid.row_count is not None and (grid.row_count == 0 or grid.get_row(0) is not None)

        while not shown():
            await asyncio.sleep(0.001)
        screen.search_latencies.clear()
        for _ in range(rounds):
            search.focus()
            search.value = ""
            while not (shown() and grid.source.filter.text is None):
                await asyncio.sleep(0.001)
            await pilot.pause(0.05)
            screen.search_latencies.clear()
            for char in text:
                key = "space" if char == " " else char
                started = time.perf_counter()
                # As the terminal driver delivers a key (Pilot.press would add its own idle waits).
                app.post_message(events.Key(key, char))
                while not (shown() and search.value.endswith(char) and grid.source.filter.text == (search.value.strip() or None)):
                    await asyncio.sleep(0.001)
                await asyncio.sleep(0)
                key_to_grid.append(time.perf_counter() - started)
                trace.append((search.value, grid.row_count, key_to_grid[-1]))
                await pilot.pause(0.02)  # a fast typist's gap between keys
            in_app = list(screen.search_latencies)
    return key_to_grid, in_app, trace


def describe(name: str, values: list[float]) -> str:
    ms = sorted(v * 1000 for v in values)
    p90 = ms[int(0.9 * (len(ms) - 1))]
    return f"{name:<22} median {statistics.median(ms):6.1f} ms   p90 {p90:6.1f} ms   max {ms[-1]:6.1f} ms   (n={len(ms)})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=20_000)
    parser.add_argument("--text", default="windows server 2019")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="sumtui-bench-search-"))
    for name in list(os.environ):
        if name.startswith("SUMTUI_"):
            del os.environ[name]
    os.environ["SUMTUI_CONFIG_DIR"] = str(scratch / "config")
    from sumtui.site import open_site

    site = open_site(f"sqlite:///{scratch / 'site.db'}", content_dir=scratch / "content")
    started = time.perf_counter()
    populate(site.engine, args.updates)
    print(f"catalog: {args.updates:,} synthetic updates written in {time.perf_counter() - started:.1f} s")
    print(f"typing {args.text!r}, {args.rounds} round(s), 120×36")
    bare = bare_query(site, args.text)
    key_to_grid, in_app, trace = asyncio.run(type_in_console(site, args.text, args.rounds))
    print(describe("bare query", bare))
    print(describe("key → grid", key_to_grid))
    print(describe("in-app (Changed→row)", in_app))
    print("rows per prefix (last round): " + ", ".join(f"{text!r}={count}" for text, count, _ in trace[-len(args.text):]))
    slowest = sorted(trace, key=lambda item: -item[2])[:3]
    print("slowest keys: " + ", ".join(f"{text!r} {seconds * 1000:.0f} ms" for text, _, seconds in slowest))
    print("budget: < 50 ms per keystroke")
    site.close()
    shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

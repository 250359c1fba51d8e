"""Benchmark for PagedTable over a 100,000-row SQLite "clients" table (DESIGN.md §5 grid budgets).

Run by hand: `.venv/bin/python bench/bench_grid.py [--rows N]`. Prints a table of figures:

- first frame: from entering `App.run_test` to the first page applied / first loaded row painted;
- page-down and G latency: from the key event entering the app to every visible row being
  applied / the last of them painted (headless: painting is the compositor calling `render_line`;
  writing to a terminal is measured separately below);
- peak RSS of the process (resource.getrusage), which only ran the console: the database is built
  by a child process so that its insert buffers do not count;
- bytes per page-down over SSH: the real app (Linux driver) runs in a child process on a
  pseudo-terminal of 120x40; the parent sends the page-down escape sequence on the master side and
  counts every byte the app writes until the output has been quiet for 0.3 s.

Not a test: nothing is asserted, figures vary with the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import select
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

from sumtui.tui.widgets.grid_source import GridColumn, GridRow  # noqa: E402

COLUMNS = [
    GridColumn("name", "Name", 16, flex=True),
    GridColumn("domain", "Domain", 14),
    GridColumn("os", "OS", 22, flex=True),
    GridColumn("build", "Build", 16),
    GridColumn("last_report", "Last report", 16),
    GridColumn("required", "Req", 5, align="right"),
    GridColumn("failed", "Fail", 5, align="right"),
]
OS_BUILDS = [
    ("Windows 10 Enterprise 1809", "10.0.17763"),
    ("Windows 10 Enterprise 22H2", "10.0.19045"),
    ("Windows 11 Enterprise 23H2", "10.0.22631"),
    ("Windows Server 2019 Datacenter", "10.0.17763"),
    ("Windows Server 2022 Standard", "10.0.20348"),
]
DOMAINS = ["corp.example", "lab.example", "branch.example", "dmz.example"]


# ----------------------------------------------------------------------------- data


def build_db(path: str, rows: int) -> None:
    """A clients table shaped like the fleet's: ordered by name through an index."""
    rng = random.Random(42)
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(
        "CREATE TABLE clients (id INTEGER PRIMARY KEY, name TEXT NOT NULL, domain TEXT, os TEXT, build TEXT,"
        " last_report TEXT, required INT, failed INT)"
    )

    def generate():
        for i in range(rows):
            os_name, build = OS_BUILDS[rng.randrange(len(OS_BUILDS))]
            day, minute = rng.randrange(1, 29), rng.randrange(24 * 60)
            yield (
                i + 1,
                f"WS-{rng.choice('ABCDEFGH')}{i:06d}",
                rng.choice(DOMAINS),
                os_name,
                f"{build}.{rng.randrange(1, 5000)}",
                f"2024-05-{day:02d} {minute // 60:02d}:{minute % 60:02d}",
                rng.choice([0, 0, 0, 1, 2, 3, 7, 12]),
                rng.choice([0] * 12 + [1, 2]),
            )

    db.executemany("INSERT INTO clients VALUES (?, ?, ?, ?, ?, ?, ?, ?)", generate())
    db.execute("CREATE INDEX clients_by_name ON clients(name, id)")
    db.commit()
    db.close()


class ClientsSource:
    """GridSource over the clients table (one read-only connection per worker thread)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._local = threading.local()
        self.fetches = 0

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        return db

    def count(self) -> int:
        return self._db().execute("SELECT count(*) FROM clients").fetchone()[0]

    def fetch(self, offset: int, limit: int) -> list[GridRow]:
        self.fetches += 1
        cursor = self._db().execute(
            "SELECT id, name, domain, os, build, last_report, required, failed FROM clients"
            " ORDER BY name, id LIMIT ? OFFSET ?",
            (limit, offset),
        )
        return [
            GridRow(r[0], (r[1], r[2], r[3], r[4], r[5], str(r[6]), str(r[7])), "bold" if r[7] else None)
            for r in cursor
        ]


def make_app(db_path: str, painted: list[tuple[float, int]] | None = None):
    """The app under test: one PagedTable filling the screen; records paints when asked."""
    from textual.app import App

    from sumtui.tui.widgets.paged_table import PagedTable

    class BenchTable(PagedTable):
        def render_line(self, y):
            strip = super().render_line(y)
            if painted is not None and y > 0:
                index = self.scroll_offset.y + y - 1
                if self.get_row(index) is not None:
                    painted.append((time.perf_counter(), index))
            return strip

    class GridBenchApp(App):
        def compose(self):
            yield BenchTable(COLUMNS, ClientsSource(db_path), sort_key="name")

    return GridBenchApp()


# ----------------------------------------------------------------------------- headless timings


async def measure_headless(db_path: str, presses: int) -> dict[str, object]:
    from textual import events

    painted: list[tuple[float, int]] = []
    app = make_app(db_path, painted)
    started = time.perf_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        from sumtui.tui.widgets.paged_table import PagedTable

        table = app.query_one(PagedTable)
        first_applied = await _wait(lambda: table.get_row(0) is not None) - started
        first_painted = await _wait(lambda: any(index == 0 for _, index in painted)) - started
        await app.workers.wait_for_complete()
        await pilot.pause()

        async def press(key: str) -> tuple[float, float, bool]:
            source = table.source
            fetches = source.fetches
            painted.clear()
            body = table.scrollable_content_region.height - 1
            cursor_before = table.cursor_row
            t0 = time.perf_counter()
            app._driver.send_message(events.Key(key, None))  # what a terminal key goes through

            def window_loaded() -> bool:
                top = table.scroll_offset.y
                last = min(top + body, table.row_count) - 1
                return table.cursor_row != cursor_before and all(
                    table.get_row(i) is not None for i in (top, last)
                )

            applied = await _wait(window_loaded) - t0
            bottom = min(table.scroll_offset.y + body, table.row_count) - 1
            drawn = await _wait(lambda: any(t >= t0 and index == bottom for t, index in painted)) - t0
            return applied, drawn, source.fetches != fetches

        async def series(key: str) -> list[tuple[float, float, bool]]:
            results = []
            for _ in range(presses):
                results.append(await press(key))
                await asyncio.sleep(0.005)  # a fast key repeat; read-ahead gets this long
            return results

        down = await series("pagedown")
        end = await press("G")
        # Paging up from the end reads pages at OFFSET ~99,000: the worst case for LIMIT/OFFSET.
        up_from_end = await series("pageup")
        cached_pages = len(table._pages)
        rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "first_applied": first_applied,
        "first_painted": first_painted,
        "pagedown": down,
        "pageup_deep": up_from_end,
        "end": end,
        "rss_mb": rss_kb / 1024,
        "cached_pages": cached_pages,
    }


async def _wait(condition, timeout: float = 10.0) -> float:
    """Yield to the event loop until `condition()` holds; returns the time it did."""
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("condition not reached")
        await asyncio.sleep(0.0002)
    return time.perf_counter()


# ----------------------------------------------------------------------------- bytes over a pty


def child_app(db_path: str) -> None:
    """Entry point of the pty child: the real app with the real terminal driver."""
    make_app(db_path).run()


def measure_pty(db_path: str, presses: int, env_extra: dict[str, str]) -> dict[str, object]:
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLORTERM", "TEXTUAL")}
    env.update({"TERM": "xterm-256color"}, **env_extra)
    child = subprocess.Popen(
        [sys.executable, __file__, "--child", db_path],
        stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True, close_fds=True,
    )
    os.close(slave)
    try:
        startup = _drain(master, quiet=1.0, first_timeout=20.0)
        sizes = []
        for _ in range(presses):
            os.write(master, b"\x1b[6~")  # page down, as xterm sends it
            sizes.append(len(_drain(master, quiet=0.3)))
        return {"startup": len(startup), "pagedown": sizes}
    finally:
        os.write(master, b"\x11")  # ctrl+q quits a Textual app
        try:
            child.wait(timeout=5)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        os.close(master)


def _drain(fd: int, quiet: float, first_timeout: float = 5.0) -> bytes:
    """Read until nothing arrived for `quiet` seconds (after at least one byte)."""
    chunks: list[bytes] = []
    timeout = first_timeout
    while True:
        ready, _, _ = select.select([fd], [], [], timeout)
        if not ready:
            return b"".join(chunks)
        try:
            data = os.read(fd, 65536)
        except OSError:
            return b"".join(chunks)
        if not data:
            return b"".join(chunks)
        chunks.append(data)
        timeout = quiet


# ----------------------------------------------------------------------------- report


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--presses", type=int, default=50)
    parser.add_argument("--no-pty", action="store_true", help="skip the bytes-over-a-terminal measure")
    parser.add_argument("--child", metavar="DB", help=argparse.SUPPRESS)
    parser.add_argument("--build", metavar="DB", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_app(args.child)
        return
    if args.build:
        build_db(args.build, args.rows)
        return

    with tempfile.TemporaryDirectory(prefix="bench-grid-") as tmp:
        db_path = str(Path(tmp) / "clients.db")
        t0 = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--build", db_path, "--rows", str(args.rows)], check=True)
        print(f"built {args.rows:,} clients in {time.perf_counter() - t0:.1f} s (child process)")

        h = asyncio.run(measure_headless(db_path, args.presses))
        print()
        print(f"PagedTable over {args.rows:,} rows, 120x40, headless      (avg / max)       budget")
        print(f"  first page applied                 {ms(h['first_applied'])}")
        print(f"  first rows painted                 {ms(h['first_painted'])}               < 150 ms")
        for label, results in (("page-down from the top", h["pagedown"]), ("page-up from the end", h["pageup_deep"])):
            applied = [a for a, _, _ in results]
            drawn = [d for _, d, _ in results]
            fetching = sum(1 for *_, fetched in results if fetched)
            print(f"  {label} ({len(results)} presses, {fetching} started a fetch)")
            print(f"    rows applied                     {ms(statistics.mean(applied))} / {ms(max(applied))}")
            print(f"    rows painted                     {ms(statistics.mean(drawn))} / {ms(max(drawn))}    < 50 ms")
        print(f"  G (to row {args.rows:,}) applied / painted {ms(h['end'][0])} / {ms(h['end'][1])}")
        print(f"  pages cached at the end            {h['cached_pages']:>7}")
        print(f"  peak RSS of the console process    {h['rss_mb']:7.1f} MB               < 250 MB")

        if not args.no_pty and sys.platform != "win32":
            print()
            print("bytes written to a 120x40 terminal (pty, real driver)")
            for label, extra in (("truecolor", {"COLORTERM": "truecolor"}), ("256 colours", {}),
                                 ("NO_COLOR", {"NO_COLOR": "1"})):
                p = measure_pty(db_path, 10, extra)
                sizes = p["pagedown"]
                print(f"  {label:12} startup {p['startup'] / 1024:6.1f} KB; page-down avg "
                      f"{statistics.mean(sizes) / 1024:5.1f} KB, max {max(sizes) / 1024:5.1f} KB   (< 20 KB)")


if __name__ == "__main__":
    main()

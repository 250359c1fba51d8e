"""The fleet screens of the console on the 100,000-client benchmark site (DESIGN.md §5 grid budgets).

    .venv/bin/python bench/bench_console_fleet.py [--clients 100000] [--presses 30]

The site is bench/_fleet_site.py's (13 bench months, N generated clients; built once and cached
under bench/out/, ~80 s the first time). The real console (`SumtuiApp`) runs headless at 120×40:

- Home triage: `load_triage` alone (the worker's query time), and from asking Home to reload to the
  panel showing the new figures;
- Clients and Compliance screens: from `open_page` (the screen push; its module is imported before,
  and that import is timed separately) to the first row painted, i.e. the compositor calling
  `render_line` for a loaded row 0; `--pushes` times, each a new screen (the installed page is
  dropped between pushes), after the console has been idle for a moment, as an operator's would;
- the triage view (Home's `s`: Clients filtered to the servers that miss a Critical update, sorted worst
  first, each row with its worst missing KBs read from the client row's states copy): the same figures;
- page-down: from the key entering the app (the driver's queue, as a terminal key) to the last
  visible row painted, for `--presses` presses; then G (the last row of the grid);
- peak RSS of the process (resource.getrusage; the site is opened, not built, in this process when
  it is cached).

Not a test: nothing is asserted, figures vary with the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PAGES = ("clients", "compliance", "triage")
TRIAGE = "triage"  # the Clients page opened on Home's triage view
PAINTED: list[tuple[float, int, int]] = []  # (time, id of the grid, row index) of every loaded row painted


def record_paints() -> None:
    """Wrap PagedTable.render_line to note when a loaded row reaches the screen (this process only)."""
    from sumtui.tui.widgets.paged_table import PagedTable

    original = PagedTable.render_line

    def render_line(self, y):
        strip = original(self, y)
        if y > 0:
            index = self.scroll_offset.y + y - 1
            if self.get_row(index) is not None:
                PAINTED.append((time.perf_counter(), id(self), index))
        return strip

    PagedTable.render_line = render_line


async def wait(condition, timeout: float = 30.0) -> float:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("condition not reached")
        await asyncio.sleep(0.0002)
    return time.perf_counter()


def painted(grid, index: int, since: float) -> bool:
    key = id(grid)
    return any(t >= since and g == key and i == index for t, g, i in PAINTED)


async def first_frame(app, page: str) -> float:
    """Push `page` (a fresh instance) and return the time to its first loaded row on screen."""
    from sumtui.tui.widgets.paged_table import PagedTable

    PAINTED.clear()
    # An operator opens a page with keys (`:clients` enter, Home's `s`): the console counts them as input,
    # so its idle-time garbage collection (tui/heap.py) does not start under the push.
    app.heap.input_seen()
    t0 = time.perf_counter()
    if page == TRIAGE:
        app.screen.action_servers_missing_critical()  # what Home's `s` does
    else:
        app.open_page(page)
    await wait(lambda: bool(app.screen.query("#grid")))
    grid = app.screen.query_one("#grid", PagedTable)
    return await wait(lambda: painted(grid, 0, t0)) - t0


async def settle(app) -> None:
    """Let the screen finish what it does after its first rows (it reads its filter choices)."""
    await asyncio.sleep(0.5)
    await app.workers.wait_for_complete()


async def grid_figures(app, page: str, presses: int, pushes: int) -> dict:
    from textual import events

    from sumtui.tui.widgets.paged_table import PagedTable

    firsts = []
    for attempt in range(pushes):
        installed = "clients" if page == TRIAGE else page
        if attempt or page == TRIAGE:
            app.open_page("home")
            # A new screen for the next push, mounted as the first one was.
            app.uninstall_screen(installed)
            app.install_screen(type(app).SCREENS[installed](), installed)
            await settle(app)
        firsts.append(await first_frame(app, page))
        await settle(app)
    grid = app.screen.query_one("#grid", PagedTable)
    body = grid.scrollable_content_region.height - 1

    async def press(key: str) -> float:
        before = grid.cursor_row
        t = time.perf_counter()
        app._driver.send_message(events.Key(key, None))  # what a terminal key goes through
        await wait(lambda: grid.cursor_row != before)
        bottom = min(grid.scroll_offset.y + body, grid.row_count) - 1
        return await wait(lambda: painted(grid, bottom, t)) - t

    downs = []
    for _ in range(presses):
        downs.append(await press("pagedown"))
        await asyncio.sleep(0.005)  # a fast key repeat
    end = await press("G")
    await settle(app)
    return {"rows": grid.row_count, "first": firsts, "down": downs, "end": end}


async def run(clients: int, presses: int, pushes: int = 5) -> None:
    from _fleet_site import fleet_site

    t = time.perf_counter()
    site, built = fleet_site(clients)
    print(f"site: {clients:,} clients ({'built' if built > 5 else 'cached'}, opened in {time.perf_counter() - t:.1f} s): {site.url}")
    record_paints()

    from sumtui.tui.app import SumtuiApp

    app = SumtuiApp(site)
    async with app.run_test(size=(120, 40)) as pilot:
        home = app.screen
        await wait(lambda: home.triage is not None and bool(home._stages))
        # An operator reads Home for a moment: the start-up work (workers, the heap freeze) is over.
        await asyncio.sleep(1.5)
        await app.workers.wait_for_complete()

        from sumtui.timeutil import utcnow
        from sumtui.tui.triage import load_triage

        query_times = []
        for _ in range(5):
            with site.session() as session:
                t = time.perf_counter()
                load_triage(session, now=utcnow())
                query_times.append(time.perf_counter() - t)
        shown_times = []
        for _ in range(5):
            home.triage = None
            t = time.perf_counter()
            home.load_triage()
            shown_times.append(await wait(lambda: home.triage is not None) - t)
            await pilot.pause()

        imports = {}
        for name in ("clients", "compliance", TRIAGE):
            t = time.perf_counter()
            __import__(f"sumtui.tui.screens.{'clients' if name == TRIAGE else name}")
            imports[name] = time.perf_counter() - t

        figures = {page: await grid_figures(app, page, presses, pushes) for page in PAGES}
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    def ms(seconds: float) -> str:
        return f"{seconds * 1000:6.1f} ms"

    print()
    print(f"console on {clients:,} clients, 120x40, headless                  median / max        budget")
    print(f"  Home triage: load_triage query       {ms(statistics.median(query_times))} / {ms(max(query_times))}")
    print(f"  Home triage: reload to panel shown   {ms(statistics.median(shown_times))} / {ms(max(shown_times))}")
    for page, f in figures.items():
        title = ("Clients triage view (servers missing Critical, worst first)" if page == TRIAGE
                 else f"{page.capitalize()} screen")
        print(f"  {title} ({f['rows']:,} rows; module import {ms(imports[page])})")
        print(f"    push to first rows painted         {ms(statistics.median(f['first']))} / {ms(max(f['first']))}    < 150 ms"
              f"   ({len(f['first'])} pushes)")
        print(f"    page-down ({len(f['down'])} presses)             {ms(statistics.median(f['down']))} / {ms(max(f['down']))}    < 50 ms")
        print(f"    G (to the last row)                {ms(f['end'])}")
    print(f"  peak RSS of the process              {rss:6.1f} MB                   < 250 MB")
    site.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--presses", type=int, default=30)
    parser.add_argument("--pushes", type=int, default=5, help="fresh pushes of each screen for its first frame")
    args = parser.parse_args()
    asyncio.run(run(args.clients, args.presses, args.pushes))


if __name__ == "__main__":
    main()

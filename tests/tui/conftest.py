"""Console test helpers: a site with a fixed name and clock, a small real catalog, and waiting for workers."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from tests.cvrf_builder import Fix, Vuln, month_doc, write

NOW = datetime(2021, 1, 15, 12, 0, tzinfo=UTC)
WIN10 = "Windows 10 Version 1809 for x64-based Systems"
SERVER = "Windows Server 2019"
OFFICE = "Microsoft Office 2019"


def fixed_clock() -> datetime:
    return NOW


def november() -> dict:
    return month_doc(2020, 11, {"11568": WIN10, "11571": SERVER}, [
        Vuln("CVE-2020-17087", [Fix("4586793", ["11568", "11571"], fixed_build="10.0.17763.1577")],
             severity="Important", impact="Elevation of Privilege", title="Windows Kernel Local Elevation of Privilege Vulnerability"),
    ])


def december() -> dict:
    """Windows and Office in one document, as MSRC publishes them (two families in the product tree)."""
    doc = month_doc(2020, 12, {"11568": WIN10, "11571": SERVER}, [
        Vuln("CVE-2020-17095", [Fix("4592440", ["11568", "11571"], supersedes="4586793", fixed_build="10.0.17763.1637")],
             severity="Critical", title="Hyper-V Remote Code Execution Vulnerability"),
        Vuln("CVE-2020-17096", [Fix("4592440", ["11568", "11571"], supersedes="4586793")],
             severity="Important", title="Windows NTFS Remote Code Execution Vulnerability",
             advisories=[("Release Notes", ["11568"])]),
    ])
    office = month_doc(2020, 12, {"9999": OFFICE}, [
        Vuln("CVE-2020-17123", [Fix("4486750", ["9999"])], severity="Critical", title="Microsoft Excel Remote Code Execution Vulnerability"),
    ], family="Microsoft Office")
    doc["ProductTree"]["Branch"][0]["Items"] += office["ProductTree"]["Branch"][0]["Items"]
    doc["ProductTree"]["FullProductName"] += office["ProductTree"]["FullProductName"]
    doc["Vulnerability"] += office["Vulnerability"]
    return doc


def write_months(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, doc in (("2020-Nov.json", november()), ("2020-Dec.json", december())):
        write(folder / name, doc)
        paths.append(folder / name)
    return paths


@pytest.fixture
def console_site(sqlite_site):
    sqlite_site.name = "testsite"
    return sqlite_site


@pytest.fixture
def catalog_site(console_site, tmp_path):
    """5 updates: KB4586793 (Nov) and KB4592440 (Dec, supersedes it) for two Windows products, KB4486750 for Office."""
    from sumtui.catalog.sync import import_files

    run = import_files(console_site.engine, write_months(tmp_path / "months"))
    assert run.status == "ok", run.message
    return console_site


@pytest.fixture
def make_app():
    from sumtui.tui.app import SumtuiApp

    def make(site, **options):
        options.setdefault("clock", fixed_clock)
        options.setdefault("sync_options", {"retries": 0, "backoff": 0.01, "timeout": 5})
        return SumtuiApp(site, **options)

    return make


async def wait_for(pilot, condition, *, timeout: float = 10.0, what: str = "condition") -> None:
    """Let the app run until `condition()` holds (workers answer asynchronously)."""
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.02)


async def type_text(pilot, text: str) -> None:
    await pilot.press(*[{" ": "space"}.get(ch, ch) for ch in text])


async def paste(pilot, text: str) -> None:
    """A terminal paste (long paths: typing them key by key is slow), delivered as the terminal delivers
    it: to the App, which gives it to whatever has the focus once the screen in front is ready for it
    (a dialog still mounting included)."""
    from textual import events

    burst_input(pilot.app, [events.Paste(text)])
    await pilot.pause()


def burst(app, *keys: str) -> int:
    """Keys as SSH delivers a burst typed ahead (`:sync⏎` in one read): all queued on the App at once,
    with no pause for the console to catch up between them (`pilot.press` waits after each key).
    Returns how many input events were sent."""
    from textual import events
    from textual.keys import _character_to_key

    key_events = []
    for key in keys:
        name = _character_to_key(key) if len(key) == 1 and not key.isalnum() else key
        character = key if len(key) == 1 else {"enter": "\r", "escape": "\x1b", "space": " ", "colon": ":",
                                                "slash": "/", "tab": "\t"}.get(name)
        key_events.append(events.Key(name, character))
    return burst_input(app, key_events)


def burst_input(app, input_events) -> int:
    for event in input_events:
        app._driver.send_message(event)
    return len(input_events)


async def input_done(pilot, sent_before: int, count: int) -> None:
    """Wait until the App has received `count` input events after `sent_before` (its type-ahead gate's
    `received` then) and every one of them has run its course."""
    gate = pilot.app._typeahead
    await wait_for(pilot, lambda: gate.received >= sent_before + count and gate.idle, timeout=30,
                   what="the keys sent to run their course")
    await pilot.pause()


def text_of(widget) -> str:
    content = widget.content
    return getattr(content, "plain", str(content))


# The fleet tests use the real clock (rounded): "not reported in N days" filters compare with the
# database's clock, so the generated report times must be recent for real.
FLEET_NOW = datetime.now(UTC).replace(microsecond=0)


def fleet_clock() -> datetime:
    return FLEET_NOW


@pytest.fixture
def fleet_site(console_site, tmp_path):
    """The compliance scenario catalog (2022-Jan to 2022-Mar; April is kept back for re-evaluation tests),
    60 generated clients in All Systems, Servers, Workstations and Pilot ring, and a 5-day compliance trend."""
    from sumtui.catalog.sync import import_files
    from sumtui.compliance.models import ComplianceSnapshot
    from sumtui.compliance.queries import take_snapshot
    from sumtui.workflows.demo import generate_fleet
    from tests.compliance.scenario import write_months as scenario_months

    months = scenario_months(tmp_path / "scenario")
    run = import_files(console_site.engine, months[:3])
    assert run.status == "ok", run.message
    with console_site.session() as session:
        generate_fleet(session, count=60, now=FLEET_NOW)
        today = FLEET_NOW.date()
        take_snapshot(session, day=today)
        all_systems = session.exec(select(ComplianceSnapshot).where(ComplianceSnapshot.day == today)).all()
        for back, compliant in ((4, 15), (3, 18), (2, 20), (1, 22)):
            for snap in all_systems:
                session.add(ComplianceSnapshot(day=today - timedelta(days=back), collection_id=snap.collection_id,
                                               members=snap.members, reported=snap.reported,
                                               compliant=min(compliant, snap.compliant), required=snap.required))
        session.commit()
    return console_site


def grid_rows(grid) -> list[tuple[str, ...]]:
    """The loaded rows of a PagedTable as plain strings."""
    return [tuple(str(c) for c in row.cells) for i in range(grid.row_count or 0) if (row := grid.get_row(i))]


def grid_loaded(grid, count: int | None = None):
    def check() -> bool:
        if grid.row_count is None or (count is not None and grid.row_count != count):
            return False
        return grid.row_count == 0 or grid.get_row(0) is not None

    return check


async def open_page(app, pilot, name: str, screen_type):
    await pilot.press("colon")
    await type_text(pilot, name)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, screen_type), what=f"the {name} screen")
    return app.screen

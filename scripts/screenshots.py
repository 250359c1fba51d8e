"""SVG screenshots of every console screen, from the demo site, into screenshots/.

    .venv/bin/python scripts/screenshots.py [--out screenshots]

The demo site is built in a fixed scratch folder (so paths shown on screen do not change), its
run timestamps are pinned, its fleet is generated at the console's frozen clock with a fixed
enrollment key and a made-up month of daily compliance snapshots, and the upstream and management
point checks get canned answers: running the script twice gives the same files.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

SCRATCH = Path("/tmp/sumtui-screenshots")
NOW = datetime(2025, 1, 14, 10, 0, tzinfo=UTC)
RUNS_ENDED = NOW - timedelta(hours=2)
WIDE, NARROW = (120, 36), (80, 24)


def prepare_environment() -> None:
    shutil.rmtree(SCRATCH, ignore_errors=True)
    SCRATCH.mkdir(parents=True)
    for name in list(os.environ):
        if name.startswith("SUMTUI_"):
            del os.environ[name]
    os.environ.update({
        "SUMTUI_DATA_DIR": str(SCRATCH / "data"),
        "SUMTUI_CONFIG_DIR": str(SCRATCH / "config"),
        "SUMTUI_STATE_DIR": str(SCRATCH / "state"),
        "XDG_DATA_HOME": str(SCRATCH / "xdg"),
        "TZ": "UTC",
    })
    time.tzset()


def build_site():
    """The demo site as a healthy site looks a while after setup: the catalog imported, the settings
    saved, the prerequisites checked green, the fleet reporting. (A newcomer's first look at the
    README should not be a warning.)"""
    from sqlalchemy import update

    from sumtui.catalog.models import SyncError, SyncRun
    from sumtui.workflows.demo import DEFAULT_CLIENTS, build_demo

    site = build_demo(clients=0)
    daily_syncs(site)
    with site.engine.begin() as connection:
        runs = connection.execute(SyncRun.__table__.select().order_by(SyncRun.__table__.c.id)).all()
        for age, run in zip(range(len(runs), 0, -1), runs):
            ended = RUNS_ENDED - timedelta(days=age - 1)
            connection.execute(
                update(SyncRun.__table__).where(SyncRun.__table__.c.id == run.id)
                .values(started_at=ended - timedelta(seconds=3), ended_at=ended)
            )
            connection.execute(update(SyncError.__table__).where(SyncError.__table__.c.run_id == run.id).values(at=ended))
    build_fleet(site, DEFAULT_CLIENTS)
    configure(site)
    return site


def configure(site) -> None:
    """Settings saved as an operator would after reading them, and the prerequisites checked an hour ago
    (with the canned upstream and management point, as the console's demo does it: offline)."""
    from sumtui import paths
    from sumtui.catalog import settings as update_point
    from sumtui.fleet import agent_settings
    from sumtui.workflows import prereqs

    with site.session() as session:
        settings, _ = update_point.load(session)
        update_point.save(session, settings)
        agent, _ = agent_settings.load(session)
        agent_settings.save(session, agent)
        session.commit()
    report = prereqs.run_checks(
        site.engine, folders={"content": site.content_dir, "data": paths.data_dir()}, url=settings.url,
        upstream=settings.upstream, transport=canned_upstream(), mp_transport=canned_management_point(),
        database=str(site.engine.url.database), offline=True,
    )
    report.checked_at = NOW - timedelta(hours=1)
    with site.session() as session:
        prereqs.save_report(session, report)
        session.commit()


def daily_syncs(site) -> None:
    """After the first import from files, the daily syncs from the MSRC API a running site records: a
    revision of the current month, then nothing new (their times are pinned with the import's)."""
    from sumtui.catalog.runs import finish_run, start_run

    with site.session() as session:
        for fetched, unchanged, revised in ((1, 5, 3), (1, 5, 0)):
            run = start_run(session, kind="sync", source="https://api.msrc.microsoft.com/cvrf/v3.0/")
            run.months_fetched, run.months_unchanged, run.updates_revised = fetched, unchanged, revised
            finish_run(session, run, status="ok")
        session.commit()


def build_fleet(site, count: int) -> None:
    """The demo fleet as of the frozen clock, a fixed enrollment key, and 30 days of compliance that
    climbs towards today's real figure (the trend on Home; the demo has only today's snapshot)."""
    from sqlmodel import select

    from sumtui.compliance.models import ComplianceSnapshot
    from sumtui.compliance.queries import take_snapshot
    from sumtui.db.site_settings import save_setting
    from sumtui.fleet.enrollment import KEY, Enrollment, hash_token
    from sumtui.workflows.demo import generate_fleet

    with site.session() as session:
        # Every client reporting: a healthy site (the console's demo keeps its few silent ones).
        generate_fleet(session, count=count, now=NOW, silent_share=0.0, never_share=0.0)
        take_snapshot(session, day=NOW.date())
        today = session.exec(select(ComplianceSnapshot).where(ComplianceSnapshot.day == NOW.date())).all()
        for back in range(1, 30):
            # Steady until a patch Tuesday two weeks ago made every client need something; recovering since.
            share = 0.9 if back > 14 else 0.55 + 0.45 * (14 - back) / 14
            for snap in today:
                session.add(ComplianceSnapshot(day=NOW.date() - timedelta(days=back), collection_id=snap.collection_id,
                                               members=snap.members, reported=snap.reported,
                                               compliant=int(snap.compliant * share), required=snap.required))
        session.commit()
        save_setting(session, key=KEY, value=Enrollment(key_hash=hash_token("Xq3v-demo-enrollment-key-7Hc2")))
    build_deployment(site)
    return site


def build_deployment(site) -> None:
    """An update list deployed to the servers a day ago, its agents part-way through: some downloading,
    some waiting for their window, one install failed (the monitoring screens)."""
    from sumtui.deploy.deployments import DeploymentSpec, create_deployment, get_deployment
    from sumtui.deploy.lists import create_list
    from sumtui.deploy.messages import Message, apply_messages
    from sumtui.deploy.status import client_states
    from sumtui.deploy.templates import create_template, make_settings
    from sqlmodel import select

    from sumtui.fleet.models import Client

    name = "2024-12 servers"
    with site.session() as session:
        create_template(session, name="Servers overnight", description="Servers: in their windows, no restart",
                        settings=make_settings({"collection": "Servers", "suppress_restart_servers": True}))
        create_list(session, name=name, description="December's rollups for the servers",
                    refs=["KB5048735", "KB5048671", "KB5048661"])
        create_deployment(session, spec=DeploymentSpec(
            name="December servers", collection="Servers", list_name=name, local_time=True,
            deadline=datetime(2025, 1, 18, 2, 0)), now=NOW - timedelta(days=1))
        deployment = get_deployment(session, name="December servers")
        pending = [s for s in client_states(session, name="December servers", state="pending")]
        ids = dict(session.exec(select(Client.name, Client.id).where(Client.name.in_({s.client for s in pending}))).all())
        window = "the maintenance window Sat 2025-01-18 22:00–02:00 client local time"
        # What the agent says in each state (agent/enforce.py words its sentences the same way).
        steps = [("downloading", None, "downloading {kb} from the management point: 1 file, 214 MB"),
                 ("downloaded", None, "downloaded, installs in " + window + "; {kb} needs 20 min"),
                 ("waiting_window", None, "waiting: next " + window[4:] + "; {kb} needs 20 min"),
                 ("installing", None, "installing: in " + window),
                 ("failed", 0x80070643, None),
                 ("installed", None, "installed by the agent (wusa exit code 0); the rescan confirms it"),
                 ("installed", None, "installed by the agent (wusa exit code 0); the rescan confirms it"),
                 ("pending_restart", 3010, "installed, restart pending: restarts are suppressed on servers")]
        reports = []
        for index, state in enumerate(pending[: len(pending) * 3 // 4]):
            step, code, reason = steps[index % len(steps)]
            reports.append((ids[state.client], 1, [Message(
                deployment.id, state.kb, step, code=code, reason=reason.format(kb=f"KB{state.kb}") if reason else None,
                at=NOW - timedelta(minutes=30 + index))]))
        apply_messages(session, reports=reports, now=NOW - timedelta(minutes=5))
        session.commit()


def canned_upstream():
    import httpx

    return httpx.MockTransport(lambda request: httpx.Response(200, json={"value": []}))


def canned_management_point():
    import httpx

    health = {"status": "ok", "site": "demo", "version": "0.1.0", "catalog_updates": 211, "clients": 2500,
              "batches": 1873, "reports": 41562}
    return httpx.MockTransport(lambda request: httpx.Response(200, json=health))


async def settle(pilot, condition=None, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while condition is not None and not condition():
        if time.monotonic() > deadline:
            raise RuntimeError("the console did not get there in time")
        await pilot.pause(0.05)
    await pilot.pause(0.3)
    app = pilot.app
    for field in app.screen.query("Input"):
        field.cursor_blink = False  # a blinking cursor would differ from run to run
    app.clear_notifications()
    await pilot.pause(0.1)


def portable_svg(svg: str) -> str:
    """Textual's SVG as every viewer draws it: `xml:space="preserve"` on the root, so that viewers that
    follow the SVG spec's whitespace rules (rsvg-convert, Inkscape) keep runs of spaces and the columns
    line up, as browsers already do."""
    if 'xml:space="preserve"' in svg:
        return svg
    return svg.replace("<svg ", '<svg xml:space="preserve" ', 1)


def save(app, out: Path, name: str) -> None:
    (out / f"{name}.svg").write_text(portable_svg(app.export_screenshot(title="sumtui")), encoding="utf-8")
    print(f"  {name}.svg")


async def shoot(site, out: Path, size: tuple[int, int], suffix: str = "") -> None:
    from sumtui.tui.app import SumtuiApp
    from sumtui.tui.screens.client_agent import ClientAgentScreen
    from sumtui.tui.screens.filter import FilterScreen
    from sumtui.tui.screens.help import HelpScreen
    from sumtui.tui.screens.jump import JumpScreen
    from sumtui.tui.screens.prereqs import PrereqsScreen
    from sumtui.tui.screens.sync import SyncScreen
    from sumtui.tui.screens.update_point import UpdatePointScreen
    from sumtui.tui.screens.updates import UpdatesScreen

    app = SumtuiApp(site, demo=True, clock=lambda: NOW, upstream_transport=canned_upstream(),
                    mp_transport=canned_management_point())
    async with app.run_test(size=size) as pilot:
        def stages_shown() -> bool:
            found = app.screen.query("#stages")
            return bool(found) and found.first().option_count == 13 and app.screen.triage is not None

        await settle(pilot, stages_shown)
        save(app, out, f"home{suffix}")
        if suffix:  # at 80 columns the triage panel is below the checklist: t goes there
            await pilot.press("t")
            await settle(pilot)
            save(app, out, f"home-triage{suffix}")
            await pilot.press("c")

        await pilot.press("colon")
        for key in "upd":
            await pilot.press(key)
        await settle(pilot, lambda: isinstance(app.screen, JumpScreen))
        save(app, out, f"jump{suffix}")
        await pilot.press("escape")

        await pilot.press("question_mark")
        await settle(pilot, lambda: isinstance(app.screen, HelpScreen))
        save(app, out, f"help{suffix}")
        await pilot.press("escape")

        app.open_page("update-point")
        await settle(pilot, lambda: isinstance(app.screen, UpdatePointScreen))
        save(app, out, f"update-point{suffix}")
        await pilot.press("escape")

        app.open_page("client-agent")
        await settle(pilot, lambda: isinstance(app.screen, ClientAgentScreen))
        save(app, out, f"client-agent{suffix}")
        await pilot.press("escape")

        app.open_page("prereqs")
        await settle(pilot, lambda: isinstance(app.screen, PrereqsScreen) and app.screen.report is not None)
        await pilot.pause(0.3)
        save(app, out, f"prereqs{suffix}")

        app.open_page("sync")
        def history_shown() -> bool:
            found = app.screen.query("#runs") if isinstance(app.screen, SyncScreen) else []
            return bool(found) and found.first().row_count >= 1 and bool(app.screen._selected_run)

        await settle(pilot, history_shown)
        save(app, out, f"sync{suffix}")

        app.open_page("updates")
        await settle(pilot, lambda: isinstance(app.screen, UpdatesScreen) and bool(app.screen.query("#grid")))
        screen = app.screen
        grid = screen.query_one("#grid")
        await pilot.press("slash")
        for key in "windows server 2019":
            await pilot.press("space" if key == " " else key)
        await pilot.press("enter", "j")
        await settle(pilot, lambda: grid.current_row is not None and "CVEs" in str(screen.query_one("#detail-text").content))
        save(app, out, f"updates{suffix}")

        await pilot.press("f")
        await settle(pilot, lambda: isinstance(app.screen, FilterScreen))
        save(app, out, f"filter{suffix}")
        await pilot.press("escape")

        await shoot_fleet(app, pilot, out, suffix)


def grid_ready(app, selector: str = "#grid"):
    def ready() -> bool:
        found = app.screen.query(selector)
        if not found:
            return False
        grid = found.first()
        return grid.row_count is not None and (grid.row_count == 0 or grid.get_row(0) is not None)

    return ready


async def shoot_fleet(app, pilot, out: Path, suffix: str) -> None:
    from sumtui.tui.screens.client_detail import ClientDetailScreen
    from sumtui.tui.screens.clients import ClientsScreen
    from sumtui.tui.screens.collections import CollectionsScreen
    from sumtui.tui.screens.compliance import ComplianceScreen
    from sumtui.tui.screens.inventory_import import InventoryImportScreen
    from sumtui.tui.screens.management_point import ManagementPointScreen
    from sumtui.tui.screens.update_clients import UpdateClientsScreen
    from sumtui.tui.screens.windows import WindowsScreen

    app.open_page("compliance")
    await settle(pilot, lambda: isinstance(app.screen, ComplianceScreen) and grid_ready(app)()
                 and "KB" in str(app.screen.query_one("#compliance-detail").content))
    save(app, out, f"compliance{suffix}")

    await pilot.press("enter")
    await settle(pilot, lambda: isinstance(app.screen, UpdateClientsScreen) and grid_ready(app)())
    save(app, out, f"update-clients{suffix}")

    await pilot.press("enter")
    await settle(pilot, lambda: isinstance(app.screen, ClientDetailScreen) and app.screen.detail is not None
                 and grid_ready(app)() and str(app.screen.query_one("#client-reason").content))
    save(app, out, f"client{suffix}")

    app.open_page("clients")
    await settle(pilot, lambda: isinstance(app.screen, ClientsScreen) and grid_ready(app)())
    save(app, out, f"clients{suffix}")
    await pilot.press("i")
    await settle(pilot, lambda: isinstance(app.screen, InventoryImportScreen))
    save(app, out, f"inventory-import{suffix}")
    await pilot.press("escape")

    app.open_page("collections")
    await settle(pilot, lambda: isinstance(app.screen, CollectionsScreen) and grid_ready(app)()
                 and app.screen.query_one("#grid").row_count == 4)
    save(app, out, f"collections{suffix}")
    await pilot.press("j", "j", "w")  # Servers has the demo's maintenance window
    await settle(pilot, lambda: isinstance(app.screen, WindowsScreen) and grid_ready(app)())
    save(app, out, f"windows{suffix}")

    app.open_page("mp")
    await settle(pilot, lambda: isinstance(app.screen, ManagementPointScreen) and app.screen.status is not None)
    save(app, out, f"management-point{suffix}")

    await shoot_deployments(app, pilot, out, suffix)


async def shoot_deployments(app, pilot, out: Path, suffix: str) -> None:
    from sumtui.tui.screens.deploy_wizard import DeployWizardScreen
    from sumtui.tui.screens.deployment_detail import DeploymentDetailScreen
    from sumtui.tui.screens.deployments import DeploymentsScreen
    from sumtui.tui.screens.lists import ListsScreen

    app.open_page("lists")
    await settle(pilot, lambda: isinstance(app.screen, ListsScreen) and grid_ready(app)())
    save(app, out, f"lists{suffix}")

    app.open_page("deployments")
    await settle(pilot, lambda: isinstance(app.screen, DeploymentsScreen) and grid_ready(app)())
    save(app, out, f"deployments{suffix}")
    await pilot.press("enter")
    await settle(pilot, lambda: isinstance(app.screen, DeploymentDetailScreen) and grid_ready(app)())
    save(app, out, f"deployment{suffix}")

    app.open_deploy_wizard(list_name="2024-12 servers")
    await settle(pilot, lambda: isinstance(app.screen, DeployWizardScreen) and app.screen.choices is not None)
    wizard = app.screen

    async def page(name: str) -> None:
        await settle(pilot, lambda: wizard.page == name)

    def typed(text: str) -> list[str]:
        return [{" ": "space", "-": "minus", ":": "colon"}.get(ch, ch) for ch in text]

    await pilot.press("enter", "down", "enter", "ctrl+n")  # the template, then the list already chosen
    await page("general")
    await pilot.press(*typed("January servers"), "enter")
    await page("collection")  # the template's
    await pilot.press("ctrl+n", "ctrl+n", "ctrl+n", "ctrl+n", "ctrl+n")  # display, restart, events, download
    if wizard.page == "package":
        await pilot.press("ctrl+n")
    await page("schedule")
    await pilot.press("tab", "tab", *typed("2025-01-25 02:00"), "ctrl+n")
    await page("nap")
    await pilot.press("ctrl+n")
    await page("summary")
    await settle(pilot, lambda: wizard.whatif_ready)
    save(app, out, f"deploy-wizard{suffix}")
    await pilot.press("escape")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "screenshots")
    args = parser.parse_args()
    prepare_environment()
    site = build_site()
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"{WIDE[0]}×{WIDE[1]}:")
    asyncio.run(shoot(site, args.out, WIDE))
    print(f"{NARROW[0]}×{NARROW[1]}:")
    asyncio.run(shoot(site, args.out, NARROW, suffix="-80x24"))
    site.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

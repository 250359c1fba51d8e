"""The sumtui console: the App, its global keys, the jobs it owns and `run_console`.

The App owns what must outlive a screen: the running sync or import (an async or thread worker whose
progress it turns into the `job` reactive the header and the Sync screen watch), the fleet
re-evaluation that follows a catalog change, the site summary for the header, and the settings forms
(modal screens whose typed results it saves in workers).
Heavy modules (catalog, sync, httpx) are imported inside workers and screens, not here, so the first
frame shows quickly.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import App
from textual.binding import Binding
from textual.reactive import var
from textual.screen import Screen
from textual.worker import Worker, get_current_worker

from sumtui.timeutil import as_utc, utcnow
from sumtui.tui.messages import (
    FleetProgressed,
    JobFinished,
    JobProgressed,
    SettingsLoaded,
    SettingsSaved,
    SiteInfoLoaded,
    WorkFailed,
)
from sumtui.tui.state import JobState, SiteInfo

if TYPE_CHECKING:
    from sumtui.site import Site

# The names `:` accepts, in the order the jump list shows them.
PAGES: dict[str, str] = {
    "home": "Home: the setup checklist",
    "prereqs": "Prerequisites: database, folders, upstream",
    "update-point": "Software update point settings",
    "client-agent": "Software updates client agent settings",
    "sync": "Synchronize: sync now, import files, history",
    "updates": "Updates: the catalog, search folders",
    "compliance": "Compliance: which clients need which updates",
    "clients": "Clients: machines, their state, import inventories",
    "collections": "Collections: sets of clients, maintenance windows",
    "mp": "Management point: URL, health, enrollment key",
}
ALIASES = {"": "home", "checklist": "home", "prerequisites": "prereqs", "update-point-settings": "update-point",
           "updatepoint": "update-point", "sup": "update-point", "agent": "client-agent", "clientagent": "client-agent",
           "synchronize": "sync", "catalog": "updates", "update": "updates", "client": "clients", "machines": "clients",
           "inventory": "clients", "inventories": "clients", "itmu": "clients", "collection": "collections",
           "management-point": "mp", "managementpoint": "mp", "enroll": "mp", "enrollment": "mp"}
SETTINGS_TITLES = {"update_point": "Update point settings", "client_agent": "Client agent settings"}
TICK_SECONDS = 30
FREEZE_AFTER = 1.0  # seconds after start: the first screen and its workers' imports are in by then
RUNNING_ELSEWHERE_HOURS = 12  # older "running" rows are left over from a process that died


def page_name(text: str) -> str | None:
    """The page a jump text names ('sync', ':Sync', 'update point'), or None."""
    key = "-".join(text.strip().lstrip(":").lower().split())
    key = ALIASES.get(key, key)
    return key if key in PAGES else None


def one_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__


def _page(module: str, name: str) -> Callable[[], Screen]:
    """A `SCREENS` entry: the page's module is imported when the page is first opened, not with the App."""

    def make() -> Screen:
        return getattr(import_module(f"sumtui.tui.screens.{module}"), name)()

    return make


def _command_providers():
    from sumtui.tui.commands import SumtuiCommands

    return SumtuiCommands


class SumtuiApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "sumtui"
    COMMANDS = App.COMMANDS | {_command_providers}
    # Pages keep their state (search, cursor) when you leave them: installed on first use, kept.
    SCREENS = {"prereqs": _page("prereqs", "PrereqsScreen"), "sync": _page("sync", "SyncScreen"),
               "updates": _page("updates", "UpdatesScreen"), "compliance": _page("compliance", "ComplianceScreen"),
               "clients": _page("clients", "ClientsScreen"), "collections": _page("collections", "CollectionsScreen"),
               "mp": _page("management_point", "ManagementPointScreen")}

    BINDINGS = [
        Binding("colon", "jump", "Jump", key_display=":", id="app.jump"),
        Binding("slash", "focus_filter", "Filter", key_display="/", show=False, id="app.filter"),
        Binding("question_mark", "help", "Keys", key_display="?", id="app.help"),
        Binding("escape", "back", "Back", key_display="esc", show=False, id="app.back"),
        Binding("ctrl+p", "command_palette", "Commands", show=False, priority=True, id="app.palette"),
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("ctrl+c,ctrl+q", "quit", "Quit", show=False, priority=True, id="app.quit_now"),
    ]

    job: var[JobState | None] = var(None)
    site_info: var[SiteInfo | None] = var(None)
    data_version: var[int] = var(0)  # bumped when the catalog, a setting or a run changed
    tick: var[int] = var(0)  # the clock moved on: ages ("2 h ago") need repainting

    def __init__(
        self,
        site: Site,
        *,
        readonly: bool = False,
        demo: bool = False,
        clock: Callable[[], datetime] | None = None,
        sync_options: dict[str, Any] | None = None,
        upstream_transport: Any = None,
        mp_transport: Any = None,
    ) -> None:
        super().__init__()
        self.site = site
        self.readonly = readonly
        self.demo = demo
        self._clock = clock or utcnow
        # Extra arguments for sync_catalog (tests shorten retries and timeouts).
        self.sync_options = dict(sync_options or {})
        # An httpx transport for the prerequisite upstream check (screenshots use a canned answer).
        self.upstream_transport = upstream_transport
        # The same for the management point probe (screenshots show a healthy one).
        self.mp_transport = mp_transport
        self._job_worker: Worker | None = None
        self._job_done = threading.Event()
        self._job_done.set()
        # Over SSH every animated frame is a repaint: none (DESIGN.md §5).
        self.animation_level = "none"
        if readonly:
            self.add_class("-readonly")

    # ------------------------------------------------------------------ setup

    def now(self) -> datetime:
        return self._clock()

    def get_default_screen(self) -> Screen:
        from sumtui.tui.screens.home import HomeScreen

        return HomeScreen()

    def on_mount(self) -> None:
        self.site_info = SiteInfo(name=self.site.name, demo=self.demo)
        self.refresh_site_info()
        self.set_interval(TICK_SECONDS, self._on_tick)
        self.set_timer(FREEZE_AFTER, _freeze_heap)

    def on_unmount(self) -> None:
        # Frozen objects are never collected: give them back when the console goes away (tests and
        # the benchmarks run many consoles in one process).
        import gc

        gc.unfreeze()

    def _on_tick(self) -> None:
        self.tick += 1
        if self.tick % 2 == 0:  # another process may have synced: re-read the summary now and then
            self.refresh_site_info()

    def notify_data_changed(self) -> None:
        self.data_version += 1
        self.refresh_site_info()

    @work(thread=True, exclusive=True, group="site-info", exit_on_error=False)
    def refresh_site_info(self) -> None:
        from sumtui.catalog import settings as update_point
        from sumtui.catalog.runs import last_run, running_run

        try:
            with self.site.session() as session:
                settings, _ = update_point.load(session)
                last = last_run(session)
                running = running_run(session)
        except Exception as exc:
            self.post_message(WorkFailed("reading the site summary", one_line(exc)))
            return
        elsewhere = running is not None and running.started_at is not None and (
            utcnow() - as_utc(running.started_at) < timedelta(hours=RUNNING_ELSEWHERE_HOURS)
        )
        info = SiteInfo(
            name=self.site.name, demo=self.demo, upstream=settings.upstream, url=settings.url,
            last_kind=last.kind if last else None, last_status=last.status if last else None,
            last_ended=last.ended_at if last else None, running_elsewhere=elsewhere,
        )
        self.post_message(SiteInfoLoaded(info))

    @on(SiteInfoLoaded)
    def _site_info_loaded(self, message: SiteInfoLoaded) -> None:
        info = message.info
        if self.job is not None and info.running_elsewhere:
            # The run in the database is ours.
            info = replace(info, running_elsewhere=False)
        self.site_info = info

    @on(WorkFailed)
    def _work_failed(self, message: WorkFailed) -> None:
        self.notify(f"{message.what}: {message.error}", title="Failed", severity="error", timeout=10)

    # ------------------------------------------------------------------ navigation

    def open_page(self, name: str) -> bool:
        """Show a page by jump name; False if the name is unknown."""
        page = page_name(name)
        if page is None:
            return False
        if page == "update-point":
            self.open_settings("update_point")
        elif page == "client-agent":
            self.open_settings("client_agent")
        elif page == "home":
            self._pop_to_home()
        else:
            if self.is_screen_installed(page) and self.screen is self.get_screen(page):
                return True
            self._pop_to_home()
            self.push_screen(page)
        return True

    def _pop_to_home(self) -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def action_jump(self) -> None:
        from sumtui.tui.screens.jump import JumpScreen

        def jumped(name: str | None) -> None:
            if name:
                self.open_page(name)

        self.push_screen(JumpScreen(PAGES), jumped)

    def action_focus_filter(self) -> None:
        focus = getattr(self.screen, "focus_filter", None)
        if focus is None or not focus():
            self.notify("This screen has no filter.", timeout=3)

    def action_help(self) -> None:
        from sumtui.tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.screen))

    async def action_back(self) -> None:
        if len(self.screen_stack) > 1:
            self.pop_screen()

    # ------------------------------------------------------------------ settings forms

    def open_settings(self, key: str) -> None:
        self._load_settings(key)

    @work(thread=True, exclusive=True, group="settings-load", exit_on_error=False)
    def _load_settings(self, key: str) -> None:
        try:
            with self.site.session() as session:
                if key == "update_point":
                    from sumtui.catalog import settings as update_point
                    from sumtui.tui.sources import product_choices

                    settings, _ = update_point.load(session)
                    choices = {"products": product_choices(session)}
                else:
                    from sumtui.fleet import agent_settings

                    settings, _ = agent_settings.load(session)
                    choices = {}
        except Exception as exc:
            self.post_message(WorkFailed(f"loading {SETTINGS_TITLES[key].lower()}", one_line(exc)))
            return
        self.post_message(SettingsLoaded(key, settings, choices))

    @on(SettingsLoaded)
    def _show_settings_form(self, message: SettingsLoaded) -> None:
        if message.key == "update_point":
            from sumtui.tui.screens.update_point import UpdatePointScreen

            form = UpdatePointScreen(message.settings, products=message.choices.get("products", []), readonly=self.readonly)
        else:
            from sumtui.tui.screens.client_agent import ClientAgentScreen

            form = ClientAgentScreen(message.settings, readonly=self.readonly)
        self.push_screen(form, partial(self._settings_closed, message.key))

    def _settings_closed(self, key: str, result: Any) -> None:
        if result is not None and not self.readonly:
            self._save_settings(key, result)

    @work(thread=True, group="settings-save", exit_on_error=False)
    def _save_settings(self, key: str, value: Any) -> None:
        try:
            with self.site.session() as session:
                if key == "update_point":
                    from sumtui.catalog import settings as module
                else:
                    from sumtui.fleet import agent_settings as module
                module.save(session, value)
        except Exception as exc:
            self.post_message(WorkFailed(f"saving {SETTINGS_TITLES[key].lower()}", one_line(exc)))
            return
        self.post_message(SettingsSaved(key, SETTINGS_TITLES[key]))

    @on(SettingsSaved)
    def _settings_saved(self, message: SettingsSaved) -> None:
        self.notify(f"{message.title} saved.", timeout=4)
        self.notify_data_changed()

    # ------------------------------------------------------------------ jobs: sync and import

    @property
    def job_running(self) -> bool:
        return self.job is not None

    def start_sync(self, months: Sequence[str] = ()) -> bool:
        """Start a catalog sync per the update point settings (or just `months`); False if one runs."""
        if self.readonly or self.job is not None:
            self._job_refused()
            return False
        self.job = JobState(kind="sync")
        self._job_done.clear()
        self._job_worker = self.run_worker(
            self._sync(tuple(months)), name="sync", group="job", exit_on_error=False
        )
        return True

    async def _sync(self, months: tuple[str, ...]) -> None:
        try:
            # Importing httpx and the catalog costs ~0.1 s: not on the UI thread.
            sync = await asyncio.to_thread(_import_sync)

            def progress(report) -> None:
                self.post_message(JobProgressed("sync", report))

            run = await sync.sync_catalog(self.site.engine, months=months, progress=progress, **self.sync_options)
        except asyncio.CancelledError:
            self.post_message(JobFinished("sync", status="cancelled", message="cancelled by the operator"))
            raise
        except Exception as exc:
            self.post_message(JobFinished("sync", status="failed", message=one_line(exc)))
        else:
            self.post_message(_run_finished("sync", run))
        finally:
            self._job_done.set()

    def start_import(self, files: Sequence[Path]) -> bool:
        if self.readonly or self.job is not None:
            self._job_refused()
            return False
        self.job = JobState(kind="import", months_total=len(files))
        self._job_done.clear()
        self._job_worker = self._import(list(files))
        return True

    @work(thread=True, group="job", name="import", exit_on_error=False)
    def _import(self, files: list[Path]) -> None:
        worker = get_current_worker()
        try:
            from sumtui.catalog.sync import import_files

            run = import_files(
                self.site.engine, files, progress=lambda report: self.post_message(JobProgressed("import", report)),
                cancelled=lambda: worker.is_cancelled,
            )
        except Exception as exc:
            self.post_message(JobFinished("import", status="failed", message=one_line(exc)))
        else:
            self.post_message(_run_finished("import", run))
        finally:
            self._job_done.set()

    def start_reevaluation(self) -> bool:
        """Re-evaluate every client against the catalog as it is now (after a sync or import changed it)."""
        if self.readonly or self.job is not None:
            return False
        self.job = JobState(kind="reevaluate")
        self._job_done.clear()
        self._job_worker = self._reevaluate()
        return True

    @work(thread=True, group="job", name="reevaluate", exit_on_error=False)
    def _reevaluate(self) -> None:
        worker = get_current_worker()
        try:
            from sqlalchemy import func, select

            from sumtui.compliance.intake import after_catalog_change
            from sumtui.fleet.models import Client

            with self.site.session() as session:
                if not session.execute(select(func.count()).select_from(Client)).scalar_one():
                    self.post_message(JobFinished("reevaluate", status="skipped"))
                    return

                def progress(done: int, total: int) -> None:
                    self.post_message(FleetProgressed(done, total))
                    if worker.is_cancelled:
                        # Batches done so far are committed: those clients are current, the rest are not.
                        raise _Cancelled(done, total)

                result = after_catalog_change(session, progress=progress)
                session.commit()
        except _Cancelled as stop:
            self.post_message(JobFinished("reevaluate", status="cancelled", message=(
                f"{stop.done:,} of {stop.total:,} clients re-evaluated; the others keep states from the older catalog "
                "until the next sync or import")))
        except Exception as exc:
            self.post_message(JobFinished("reevaluate", status="failed", message=one_line(exc)))
        else:
            self.post_message(JobFinished("reevaluate", status="ok", message=(
                f"{result.clients:,} clients re-evaluated against the new catalog in {result.seconds:.1f} s")))
        finally:
            self._job_done.set()

    @on(FleetProgressed)
    def _fleet_progressed(self, message: FleetProgressed) -> None:
        if self.job is None or self.job.kind != "reevaluate" or self.job.phase == "cancelling":
            return
        self.job = JobState(kind="reevaluate", phase="clients", months_done=message.done, months_total=message.total)

    def cancel_job(self) -> bool:
        if self.job is None or self._job_worker is None:
            return False
        self.job = replace(self.job, phase="cancelling")
        # A sync stops at once (its task is cancelled; the run is recorded as cancelled); an
        # import stops before its next file, a re-evaluation after its current batch.
        self._job_worker.cancel()
        return True

    def _job_refused(self) -> None:
        if self.readonly:
            self.notify("Read-only console: syncs and imports are disabled.", severity="warning", timeout=4)
        else:
            self.notify(f"A {self.job.noun} is already running.", severity="warning", timeout=4)

    @on(JobProgressed)
    def _job_progressed(self, message: JobProgressed) -> None:
        if self.job is None or self.job.phase == "cancelling":
            return
        p = message.progress
        self.job = JobState(
            kind=message.kind, phase=p.phase, months_done=p.months_done, months_total=p.months_total, month=p.month,
            updates_new=p.updates_new, updates_revised=p.updates_revised, failed=p.failed, message=p.message,
        )

    @on(JobFinished)
    def _job_finished(self, message: JobFinished) -> None:
        self.job = None
        self._job_worker = None
        if message.status != "skipped":
            severity = "information" if message.status == "ok" else "warning" if message.status in ("partial", "cancelled") else "error"
            detail = f": {message.message}" if message.message else ""
            noun = "Re-evaluation" if message.kind == "reevaluate" else message.kind.capitalize()
            self.notify(f"{noun} {message.status}{detail}", severity=severity, timeout=8)
        self.notify_data_changed()
        if message.changed and message.kind in ("sync", "import"):
            # Compliance screens must never show states computed against the older catalog.
            self.start_reevaluation()

    # ------------------------------------------------------------------ quitting

    async def action_quit(self) -> None:
        if self.job is None:
            self.exit(0)
            return
        from sumtui.tui.screens.confirm import ConfirmScreen

        if any(isinstance(s, ConfirmScreen) for s in self.screen_stack):
            return
        question = f"A {self.job.noun} is running ({self.job.headline()}). Cancel it and quit?"
        self.push_screen(ConfirmScreen(question, yes="Cancel it and quit", no="Keep running"), self._quit_confirmed)

    def _quit_confirmed(self, confirmed: bool | None) -> None:
        if confirmed:
            self.run_worker(self._cancel_then_exit(), name="quit", group="quit")

    async def _cancel_then_exit(self) -> None:
        self.cancel_job()
        # Let the run be recorded as cancelled before the process goes away.
        await asyncio.to_thread(self._job_done.wait, 15)
        self.exit(0)


class _Cancelled(Exception):
    """Raised from the re-evaluation's progress callback when the operator cancels it."""

    def __init__(self, done: int, total: int) -> None:
        super().__init__(f"cancelled after {done} of {total}")
        self.done, self.total = done, total


def _freeze_heap() -> None:
    """Move everything alive a moment after start (imported modules, the first screen: ~130k objects)
    out of the collector's sight. A full collection over them took 70-100 ms, and it landed on whatever
    key the operator pressed next: a page-down or a screen push that stalled. One collection first, at
    this idle moment, so that only live objects are frozen."""
    import gc

    gc.collect()
    gc.freeze()


def _import_sync():
    from sumtui.catalog import sync

    return sync



def _run_summary(run) -> str:
    return (
        f"{run.months_fetched} fetched, {run.months_unchanged} unchanged, {run.months_failed} failed; "
        f"{run.updates_new} new, {run.updates_revised} revised updates"
        + (f" ({run.message})" if run.message and run.status != "ok" else "")
    )


def _run_finished(kind: str, run) -> JobFinished:
    """The end of a sync or import that ran: its status and summary; `changed` (the fleet is re-evaluated
    next) when it fetched a month."""
    return JobFinished(kind, status=run.status, run_id=run.id, message=_run_summary(run), changed=run.months_fetched > 0)


def run_console(site: Site, *, readonly: bool = False, demo: bool = False) -> int:
    """Run the console on an open site until the operator quits; the process exit code."""
    app = SumtuiApp(site, readonly=readonly, demo=demo)
    app.run()
    return app.return_code or 0

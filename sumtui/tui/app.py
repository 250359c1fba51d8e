"""The sumtui console: the App, its global keys, the jobs it owns and `run_console`.

The App owns what must outlive a screen: the long jobs (syncs, imports and the fleet re-evaluation
that follows a catalog change, and downloads into deployment packages beside them, run in lanes by
sumtui.tui.jobs; their progress becomes the `jobs` reactive the header and the package pages watch
and `job`, the catalog lane, that the Sync screen watches), the site
summary for the header, and the settings forms (modal screens whose typed results it saves in workers).
Heavy modules (catalog, sync, httpx) are imported inside workers and screens, not here, so the first
frame shows quickly.

It also owns how the operator moves and what stays current: terminal input goes through a type-ahead
gate (sumtui.tui.typeahead: keys sent in one burst over SSH land where they would have landed typed
slowly); `:` opens a page and `esc` goes back through the pages opened (a history, like a browser); a
probe reads the site's watermarks (sumtui.workflows.site_marks) every PROBE_SECONDS and publishes the
areas another process changed as `site_changes`, which the pages in front re-read; `r` re-reads the page
in front; `clock` ticks every second for the ages on screen ("12 s ago"). The keymap and the theme come
from the local config file (sumtui.config), applied by `run_console`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from functools import partial
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events, on, work
from textual.app import App
from textual.binding import Binding
from textual.message import Message
from textual.reactive import var
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from sumtui.errors import CommandError, one_line
from sumtui.text import escape_controls
from sumtui.timeutil import utcnow
from sumtui.tui.heap import HeapKeeper
from sumtui.tui.jobs import CATALOG, CONTENT, JobManager, RunningJob
from sumtui.tui.messages import (
    DownloadProgressed,
    FleetProgressed,
    JobFinished,
    JobProgressed,
    SettingsLoaded,
    SettingsSaved,
    SiteInfoLoaded,
    WorkFailed,
)
from sumtui.tui.pages import PAGES, page_name
from sumtui.tui.site_changes import SiteChanges
from sumtui.tui.state import JobState, SiteInfo
from sumtui.tui.typeahead import TypeAhead, is_terminal_input
from sumtui.tui.widgets.control_filter import ControlFilter

if TYPE_CHECKING:
    from sumtui.site import Site
    from sumtui.tui.download_job import DownloadRequest

SETTINGS_TITLES = {"update_point": "Update point settings", "client_agent": "Client agent settings"}
TICK_SECONDS = 30
CLOCK_SECONDS = 1  # ages on screen count seconds up to 90 s
PROBE_SECONDS = 2.0  # how often the site's watermarks are read: what another process changed shows this late
HISTORY_LIMIT = 50  # pages `esc` can go back through
FREEZE_AFTER = 1.0  # seconds after start: the first screen and its workers' imports are in by then


class MarksRead(Message):
    """The probe read the site's watermarks (a `sumtui.workflows.site_marks.SiteMarks`)."""

    def __init__(self, marks) -> None:
        super().__init__()
        self.marks = marks


class CatalogBehind(Message):
    """Found at start (check_catalog): the fleet was not evaluated against the catalog as stored (`stale`:
    clients have older states; otherwise only the record, or derived data, is behind)."""

    def __init__(self, *, stale: bool) -> None:
        super().__init__()
        self.stale = stale


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
               "mp": _page("management_point", "ManagementPointScreen"), "lists": _page("lists", "ListsScreen"),
               "templates": _page("templates", "TemplatesScreen"), "packages": _page("packages", "PackagesScreen"),
               "deployments": _page("deployments", "DeploymentsScreen")}

    BINDINGS = [
        Binding("colon", "jump", "Jump", key_display=":", id="app.jump"),
        Binding("slash", "focus_filter", "Filter", key_display="/", show=False, id="app.filter"),
        Binding("question_mark", "help", "Keys", key_display="?", id="app.help"),
        Binding("escape", "back", "Back", key_display="esc", show=False, id="app.back"),
        Binding("r", "refresh", "Refresh", show=False, id="app.refresh"),
        Binding("ctrl+p", "command_palette", "Commands", show=False, priority=True, id="app.palette"),
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("ctrl+c,ctrl+q", "quit", "Quit", show=False, priority=True, id="app.quit_now"),
    ]

    job: var[JobState | None] = var(None)  # the catalog lane's job (sync, import, re-evaluation)
    jobs: var[tuple[JobState, ...]] = var(())  # every running job, in every lane
    site_info: var[SiteInfo | None] = var(None)
    data_version: var[int] = var(0)  # bumped when the catalog, a setting or a run changed (here)
    site_changes: var[SiteChanges | None] = var(None)  # areas another process changed (the probe)
    tick: var[int] = var(0)  # every TICK_SECONDS: slow figures may be re-read
    clock: var[int] = var(0)  # every second: ages ("12 s ago") need repainting

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
        keymap: dict[str, str] | None = None,
        theme: str | None = None,
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
        self.jobs_manager = JobManager()
        self._quitting = False
        # Over SSH every animated frame is a repaint: none (DESIGN.md §5).
        self.animation_level = "none"
        # No control or bidi character in a painted line reaches the terminal (widgets/control_filter.py).
        self._control_filter = ControlFilter()
        if self.no_color:
            # Checkboxes and radio buttons say on or off in characters: `[x]`, `[ ]` (widgets/toggles.py).
            from sumtui.tui.widgets.toggles import plain_toggles

            plain_toggles()
        if readonly:
            self.add_class("-readonly")
        # Keys typed ahead wait for the console to settle instead of landing on the screen being left.
        self._typeahead = TypeAhead(self)
        # Full garbage collections moved off the operator's keys (heap.py).
        self.heap = HeapKeeper()
        self._history: list[str] = []  # pages left by jumps, the latest last: what `esc` goes back to
        self._marks = None  # the site's watermarks as last read (the probe compares with them)
        self._probe_failed = False
        self._keymap_ids = dict(keymap or {})
        if keymap:
            self.set_keymap(keymap)
        self._theme_problem: str | None = None
        if theme and theme != self.theme:
            if theme in self.available_themes:
                self.theme = theme
            else:
                self._theme_problem = (f"Unknown theme {theme!r} (theme in the config file, or SUMTUI_THEME); "
                                       f"using {self.theme}. Themes: {', '.join(sorted(self.available_themes))}.")

    def get_css_variables(self) -> dict[str, str]:
        # Text colours that read on the theme's panels, in 256 colours too (contrast.py).
        from sumtui.tui.contrast import readable_variables

        variables = readable_variables(super().get_css_variables(), dark=self.current_theme.dark)
        self.theme_variables = variables
        return variables

    # ------------------------------------------------------------------ terminal input

    async def on_event(self, event: events.Event) -> None:
        """Keys and pastes pass the type-ahead gate first: held while the console is settling from the
        previous one, delivered in order once it has."""
        if not is_terminal_input(event):
            await super().on_event(event)
            return
        if not self.screen_stack:
            return  # starting or closing: no screen to type into
        self.heap.input_seen()
        if event.is_forwarded:
            # Bubbled back up from the focused widget: the App's bindings run now.
            await super().on_event(event)
            self._typeahead.returned(event)
            return
        if self._typeahead.hold(event):
            return
        self._typeahead.target_of(event)
        await super().on_event(event)
        self._typeahead.delivered(event)

    # ------------------------------------------------------------------ setup

    def get_line_filters(self):
        return [*super().get_line_filters(), self._control_filter]

    def notify(self, message: str, *, title: str = "", severity: Any = "information", timeout: float | None = None,
               markup: bool = True) -> None:
        """Notifications quote outside text (a client's name, an upstream's error): always shown as data,
        never markup (`markup` is accepted for Textual's callers and ignored), controls escaped."""
        super().notify(escape_controls(str(message), keep_newlines=True), title=escape_controls(str(title)),
                       severity=severity, timeout=timeout, markup=False)

    def now(self) -> datetime:
        return self._clock()

    def get_default_screen(self) -> Screen:
        from sumtui.tui.screens.home import HomeScreen

        return HomeScreen()

    def on_mount(self) -> None:
        self.site_info = SiteInfo(name=self.site.name, demo=self.demo)
        self.refresh_site_info()
        # After the first frame: the check imports the re-evaluation code, which the first frame does not need.
        self.call_after_refresh(self.check_catalog)
        self.set_interval(TICK_SECONDS, self._on_tick)
        self.set_interval(CLOCK_SECONDS, self._on_clock)
        # The first marks are read right after the first frame, before any page the operator opens reads
        # the site: nothing written after that is missed.
        self.call_after_refresh(self.probe_site)
        self.set_interval(PROBE_SECONDS, self.probe_site)
        self.heap.start()
        self.set_timer(FREEZE_AFTER, self.heap.full_pass)
        if self._theme_problem:
            self.notify(self._theme_problem, severity="warning", timeout=10)
        if self._keymap_ids:
            self.check_keymap()

    def on_unmount(self) -> None:
        self._typeahead.stop()
        self.heap.stop()

    def _on_tick(self) -> None:
        self.tick += 1

    def _on_clock(self) -> None:
        self.clock += 1
        self.heap.tick()

    def notify_data_changed(self) -> None:
        """A change made in this console: every page re-reads (data_version). The probe will see it too
        and the page in front reads once more: harmless, and the only way not to miss a change another
        process made meanwhile."""
        self.data_version += 1
        self.refresh_site_info()

    # ------------------------------------------------------------------ what another process changed

    @work(thread=True, exclusive=True, group="site-probe", exit_on_error=False)
    def probe_site(self) -> None:
        """Read the site's watermarks (one cheap statement, sumtui.workflows.site_marks)."""
        from sumtui.workflows.site_marks import read_marks

        try:
            with self.site.session() as session:
                marks = read_marks(session)
        except Exception as exc:
            self.post_message(MarksRead(exc))
            return
        self.post_message(MarksRead(marks))

    @property
    def site_marks(self):
        """The site's watermarks as the probe last read them (None before the first read)."""
        return self._marks

    @on(MarksRead)
    def _marks_read(self, message: MarksRead) -> None:
        marks = message.marks
        if isinstance(marks, Exception):
            if not self._probe_failed:  # said once, not every PROBE_SECONDS
                self._probe_failed = True
                self.notify(f"Cannot read what changed in the site: {one_line(marks)}", severity="warning", timeout=8)
            return
        self._probe_failed = False
        before, self._marks = self._marks, marks
        if before is None:
            return
        from sumtui.workflows.site_marks import DEPLOY, FLEET

        areas = marks.changed_since(before)
        if not areas:
            return
        serial = self.site_changes.serial + 1 if self.site_changes else 1
        self.site_changes = SiteChanges(serial, areas)
        if areas - {FLEET, DEPLOY}:  # the header shows the last run, the upstream and whether states are stale
            self.refresh_site_info()

    @work(thread=True, group="keymap-check", exit_on_error=False)
    def check_keymap(self) -> None:
        """The config file's keymap names ids that exist and gives no key twice on one screen (Textual
        would silently do nothing, or drop one of the two bindings)."""
        from sumtui.tui.keymap import clashes, unknown_ids

        problems = []
        if unknown := unknown_ids(self._keymap_ids):
            problems.append(f"no key binding has the id {', '.join(map(repr, unknown))} (`?` lists each screen's ids)")
        for key, ids in clashes(self._keymap_ids):
            problems.append(f"{' and '.join(ids)} share the key {key!r}: only one of them works")
        for problem in problems:
            self.call_from_thread(self.notify, f"Keymap: {problem}.", severity="warning", timeout=10)

    def action_refresh(self) -> None:
        """`r`: the page in front reads the site again, and so does the header."""
        self.refresh_site_info()
        refresh = getattr(self.screen, "refresh_data", None)
        if refresh is None or not refresh():
            self.notify("Nothing on this screen to read again.", timeout=3)

    @work(thread=True, exclusive=True, group="site-info", exit_on_error=False)
    def refresh_site_info(self) -> None:
        from sumtui.catalog import settings as update_point
        from sumtui.catalog.runs import last_run, running_run
        from sumtui.workflows.freshness import freshness

        try:
            with self.site.session() as session:
                _reap_interrupted(session)
                settings, _ = update_point.load(session)
                last = last_run(session)
                running = running_run(session)
                stale = freshness(session).stale
        except Exception as exc:
            self.post_message(WorkFailed("reading the site summary", one_line(exc)))
            return
        # A run still "running" after reaping has a live process (here or, by its heartbeat, elsewhere).
        info = SiteInfo(
            name=self.site.name, demo=self.demo, upstream=settings.upstream, url=settings.url,
            last_kind=last.kind if last else None, last_status=last.status if last else None,
            last_ended=last.ended_at if last else None, running_elsewhere=running is not None, states_stale=stale,
        )
        self.post_message(SiteInfoLoaded(info))

    @work(thread=True, group="catalog-check", exit_on_error=False)
    def check_catalog(self) -> None:
        """At start: runs left "running" by dead processes are recorded as interrupted, and a fleet whose
        states are older than the catalog (a sync or import cut short before its re-evaluation) is
        re-evaluated, unless a run is going on in another process (that one re-evaluates when done)."""
        from sumtui.catalog.runs import running_run
        from sumtui.workflows.freshness import freshness

        try:
            with self.site.session() as session:
                _reap_interrupted(session)
                fresh = freshness(session)
                busy = running_run(session) is not None
        except Exception as exc:
            self.post_message(WorkFailed("checking the catalog", one_line(exc)))
            return
        if (fresh.behind or fresh.derived_pending) and not busy:
            self.post_message(CatalogBehind(stale=fresh.stale))

    @on(CatalogBehind)
    def _catalog_behind(self, message: CatalogBehind) -> None:
        if not self.readonly and self.start_reevaluation() and message.stale:
            self.notify("Compliance states were older than the catalog (a catalog change was cut short): "
                        "re-evaluating the fleet.", timeout=6)

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
        """Show a page by jump name; False if the name is unknown. The page left is remembered: `esc`
        comes back to it (the settings forms are dialogs over the page, not pages)."""
        page = page_name(name)
        if page is None:
            return False
        if page == "update-point":
            self.open_settings("update_point")
        elif page == "client-agent":
            self.open_settings("client_agent")
        elif page == "deploy":
            self.open_deploy_wizard()
        else:
            current = self.current_page
            if page != current:
                self._history = [*self._history, current][-HISTORY_LIMIT:]
            self._show_page(page)
        return True

    @property
    def current_page(self) -> str:
        """The page in front, by jump name: Home, or the installed page just above it (the screens
        opened from a page, such as a client's detail, belong to that page)."""
        stack = self.screen_stack
        if len(stack) > 1:
            for name in self.SCREENS:
                if self.is_screen_installed(name) and self.get_screen(name) is stack[1]:
                    return name
        return "home"

    @property
    def page_history(self) -> list[str]:
        """The pages `esc` goes back to, the next one last."""
        return list(self._history)

    def _show_page(self, page: str) -> None:
        """`page` in front, right above Home (pages replace each other there; what was opened from the
        page left is closed)."""
        stack = self.screen_stack
        if page != "home" and len(stack) > 1 and self.get_screen(page) is stack[1]:
            while len(self.screen_stack) > 2:
                self.pop_screen()
            return
        self._pop_to_home()
        if page != "home":
            self.push_screen(page)

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
        """`esc`: out of a text box first (to the page's grid); then closes what was opened from the page
        (a client's detail, a collection's windows); then back to the page shown before (a history)."""
        screen = self.screen
        leave = getattr(screen, "leave_text_box", None)
        if leave is not None and leave():
            return
        if len(self.screen_stack) > 2 or (len(self.screen_stack) == 2 and self.current_page == "home"):
            self.pop_screen()
        elif self._history:
            *self._history, page = self._history
            self._show_page(page)
        elif len(self.screen_stack) > 1:
            self.pop_screen()

    # ------------------------------------------------------------------ settings forms

    def open_deploy_wizard(self, *, kbs: tuple[str, ...] = (), list_name: str | None = None) -> None:
        """The deployment wizard over the page in front, started from a list, a selection of updates, or
        nothing (the wizard asks)."""
        from sumtui.tui.screens.deploy_wizard import start_deploy_wizard

        start_deploy_wizard(self, kbs=kbs, list_name=list_name)

    def open_settings(self, key: str) -> None:
        # The form appears when its worker has read the settings: keys typed meanwhile are for the form.
        self._typeahead.expect("settings")
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
            self.call_from_thread(self._typeahead.arrived, "settings")
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
        self._typeahead.arrived("settings")

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

    # ------------------------------------------------------------------ jobs: sync, import, re-evaluation

    def _begin(self, state: JobState) -> RunningJob | None:
        """A job in its lane (sumtui.tui.jobs), or None with a notice when it cannot start now."""
        blocking = None if self.readonly else self.jobs_manager.blocking(state.kind)
        if self.readonly or blocking is not None:
            if self.readonly:
                self.notify("Read-only console: syncs, imports and downloads are disabled.", severity="warning", timeout=4)
            else:
                self.notify(f"A {blocking.noun} is already running.", severity="warning", timeout=4)
            return None
        job = self.jobs_manager.begin(state)
        self._publish_jobs()
        return job

    def _publish_jobs(self) -> None:
        self.jobs = self.jobs_manager.states()
        self.job = self.jobs_manager.in_lane(CATALOG)

    def start_sync(self, months: Sequence[str] = ()) -> bool:
        """Start a catalog sync per the update point settings (or just `months`); False if it cannot start."""
        job = self._begin(JobState(kind="sync"))
        if job is None:
            return False
        job.worker = self.run_worker(self._sync(tuple(months), job), name="sync", group="job", exit_on_error=False)
        return True

    async def _sync(self, months: tuple[str, ...], job: RunningJob) -> None:
        """The sync task. Cancelling it (cancel_job) stops fetching at once; the month being committed
        lands, the run is recorded as cancelled, and the fleet is then evaluated against what was stored."""
        try:
            # Importing httpx and the catalog costs ~0.1 s: not on the UI thread.
            changes = await asyncio.to_thread(_import_catalog_changes)

            def progress(report) -> None:
                self.post_message(JobProgressed("sync", report))

            run = await changes.sync(self.site.engine, months=months, progress=progress, **self.sync_options)
        except asyncio.CancelledError:
            # The run is recorded by now; what it stored still needs the fleet evaluated against it.
            behind = await asyncio.to_thread(self._fleet_behind)
            self._report(job, JobFinished("sync", status="cancelled", message="cancelled by the operator", changed=behind))
            raise
        except Exception as exc:
            behind = await asyncio.to_thread(self._fleet_behind)
            self._report(job, JobFinished("sync", status="failed", message=one_line(exc), changed=behind))
        else:
            behind = await asyncio.to_thread(self._fleet_behind)
            self._report(job, _run_finished("sync", run, behind))
        finally:
            job.done.set()

    def _report(self, job: RunningJob, message: JobFinished) -> None:
        """A job's end, posted by its worker (from any thread)."""
        job.reported = True
        self.post_message(message)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A job's worker that ended without reporting (cancelled before it ever ran, or broken by a bug)
        is reported here, so its lane never stays taken."""
        if event.state not in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            return
        job = self.jobs_manager.owner_of(event.worker)
        if job is None:
            return
        if not job.reported:
            kind = job.state.kind
            if event.state is WorkerState.CANCELLED:
                self._report(job, JobFinished(kind, status="cancelled", message="cancelled before it started"))
            else:
                error = event.worker.error
                self._report(job, JobFinished(kind, status="failed", message=one_line(error) if error else "stopped"))
        job.done.set()

    def _fleet_behind(self) -> bool:
        """Whether the fleet needs evaluating against the catalog (runs in a worker thread)."""
        from sumtui.workflows.freshness import freshness

        try:
            with self.site.session() as session:
                fresh = freshness(session)
        except Exception:  # noqa: BLE001 - the job's own outcome is what gets reported
            return False
        return fresh.behind or fresh.derived_pending

    def start_import(self, files: Sequence[Path]) -> bool:
        job = self._begin(JobState(kind="import", months_total=len(files)))
        if job is None:
            return False
        job.worker = self._import(list(files), job)
        return True

    @work(thread=True, group="job", name="import", exit_on_error=False)
    def _import(self, files: list[Path], job: RunningJob) -> None:
        try:
            from sumtui.workflows.catalog_changes import import_files

            run = import_files(
                self.site.engine, files, progress=lambda report: self.post_message(JobProgressed("import", report)),
                cancelled=lambda: job.cancelled,
            )
        except Exception as exc:
            self._report(job, JobFinished("import", status="failed", message=one_line(exc), changed=self._fleet_behind()))
        else:
            self._report(job, _run_finished("import", run, self._fleet_behind()))
        finally:
            job.done.set()

    def start_reevaluation(self, *, asked: bool = False) -> bool:
        """Re-evaluate every client against the catalog as it is now (after a sync or import changed it,
        or when `asked` by the operator: then a refusal is said, not silent)."""
        if self._quitting:
            return False
        if asked:
            return self._begin_reevaluation()
        if self.readonly or self.jobs_manager.blocking("reevaluate") is not None:
            return False
        job = self.jobs_manager.begin(JobState(kind="reevaluate"))
        self._publish_jobs()
        job.worker = self._reevaluate(job)
        return True

    def _begin_reevaluation(self) -> bool:
        job = self._begin(JobState(kind="reevaluate"))
        if job is None:
            return False
        job.worker = self._reevaluate(job)
        return True

    def action_reevaluate(self) -> None:
        """Re-evaluate the fleet now (the Sync screen's key and the command palette)."""
        self.start_reevaluation(asked=True)

    @work(thread=True, group="job", name="reevaluate", exit_on_error=False)
    def _reevaluate(self, job: RunningJob) -> None:
        try:
            from sumtui.workflows.catalog_changes import reevaluate_fleet

            def progress(count: int, total: int) -> None:
                self.post_message(FleetProgressed(count, total))
                if job.cancelled:
                    # Batches done so far are committed: those clients are current, the rest are not.
                    raise _Cancelled(count, total)

            with self.site.session() as session:
                result = reevaluate_fleet(session, progress=progress)
                session.commit()
            if result is None:
                self._report(job, JobFinished("reevaluate", status="skipped"))
                return
        except _Cancelled as stop:
            self._report(job, JobFinished("reevaluate", status="cancelled", message=(
                f"{stop.done:,} of {stop.total:,} clients re-evaluated; the others keep states from the older catalog "
                "until the fleet is re-evaluated (e on the Sync screen)")))
        except Exception as exc:
            self._report(job, JobFinished("reevaluate", status="failed", message=one_line(exc)))
        else:
            self._report(job, JobFinished("reevaluate", status="ok", message=(
                f"{result.clients:,} clients re-evaluated against the new catalog in {result.seconds:.1f} s")))
        finally:
            job.done.set()

    def start_download(self, request: DownloadRequest) -> bool:
        """Download updates into a package (the Download wizard's request) in the content lane, beside any
        sync; False if it cannot start now (another download runs, or the console is read-only)."""
        job = self._begin(JobState(kind="download", message=request.package))
        if job is None:
            return False
        job.worker = self._download(request, job)
        return True

    @work(thread=True, group="content-job", name="download", exit_on_error=False)
    def _download(self, request: DownloadRequest, job: RunningJob) -> None:
        from sumtui.tui.download_job import outcome, run_download

        try:
            result = run_download(self.site, request, progress=lambda p: self.post_message(DownloadProgressed(p)),
                                  cancel=job.cancel_requested)
        except Exception as exc:
            self._report(job, JobFinished("download", status="failed", message=one_line(exc)))
        else:
            status, line = outcome(result)
            self._report(job, JobFinished("download", status=status, message=line))
        finally:
            job.done.set()

    @on(DownloadProgressed)
    def _download_progressed(self, message: DownloadProgressed) -> None:
        p, running = message.progress, self.jobs_manager.in_lane(CONTENT)
        package = running.message if running is not None else ""
        if p.download is not None:  # files flowing: files and bytes
            d = p.download
            state = JobState(kind="download", phase="downloading", months_done=d.files_done, months_total=d.files_total,
                             failed=d.files_failed, bytes_done=d.bytes_done, bytes_total=d.bytes_total, message=package)
        else:  # finding the files (KBs looked up in the catalog), or done
            state = JobState(kind="download", phase=p.phase, months_done=p.kbs_done, months_total=p.kbs_total,
                             message=package)
        if self.jobs_manager.progress(state):
            self._publish_jobs()

    @on(FleetProgressed)
    def _fleet_progressed(self, message: FleetProgressed) -> None:
        state = JobState(kind="reevaluate", phase="clients", months_done=message.done, months_total=message.total)
        if self.jobs_manager.progress(state):
            self._publish_jobs()

    def cancel_job(self, lane: str = CATALOG) -> bool:
        """Cancel the job in a lane. A sync stops at once (its task is cancelled; the run is recorded as
        cancelled); an import stops before its next file, a re-evaluation after its current batch."""
        cancelled = self.jobs_manager.cancel(lane)
        self._publish_jobs()
        return cancelled

    @on(JobProgressed)
    def _job_progressed(self, message: JobProgressed) -> None:
        p = message.progress
        state = JobState(
            kind=message.kind, phase=p.phase, months_done=p.months_done, months_total=p.months_total, month=p.month,
            updates_new=p.updates_new, updates_revised=p.updates_revised, failed=p.failed, message=p.message,
        )
        if self.jobs_manager.progress(state):
            self._publish_jobs()

    @on(JobFinished)
    def _job_finished(self, message: JobFinished) -> None:
        self.jobs_manager.end(message.kind)
        self._publish_jobs()
        if message.status != "skipped":
            severity = "information" if message.status == "ok" else "warning" if message.status in ("partial", "cancelled") else "error"
            detail = f": {message.message}" if message.message else ""
            noun = "Re-evaluation" if message.kind == "reevaluate" else message.kind.capitalize()
            self.notify(f"{noun} {message.status}{detail}", severity=severity, timeout=8)
        self.notify_data_changed()
        if message.changed and message.kind in ("sync", "import"):
            # Compliance screens must never show states computed against the older catalog: also after a
            # cancelled or failed run, whatever it stored (and what an earlier, killed run stored).
            self.start_reevaluation()

    # ------------------------------------------------------------------ quitting

    async def action_quit(self) -> None:
        running = self.jobs_manager.states()
        if not running:
            self.exit(0)
            return
        from sumtui.tui.screens.confirm import ConfirmScreen

        if any(isinstance(s, ConfirmScreen) for s in self.screen_stack):
            return
        what = "; ".join(f"{job.noun}: {job.headline()}" for job in running)
        question = f"{'A job is' if len(running) == 1 else f'{len(running)} jobs are'} running ({what}). Cancel and quit?"
        self.push_screen(ConfirmScreen(question, yes="Cancel and quit", no="Keep running"), self._quit_confirmed)

    def _quit_confirmed(self, confirmed: bool | None) -> None:
        if confirmed:
            self.run_worker(self._cancel_then_exit(), name="quit", group="quit")

    async def _cancel_then_exit(self) -> None:
        self._quitting = True  # no re-evaluation starts after the cancelled job: the next start does it
        self.jobs_manager.cancel()
        self._publish_jobs()
        # Let each run be recorded as cancelled before the process goes away.
        await asyncio.to_thread(self.jobs_manager.wait, 15)
        self.exit(0)


class _Cancelled(Exception):
    """Raised from the re-evaluation's progress callback when the operator cancels it."""

    def __init__(self, done: int, total: int) -> None:
        super().__init__(f"cancelled after {done} of {total}")
        self.done, self.total = done, total


def _import_catalog_changes():
    from sumtui.workflows import catalog_changes

    return catalog_changes


def _reap_interrupted(session) -> None:
    """Runs left "running" by processes that are gone become "interrupted" (best effort: a read-only
    site is still shown)."""
    from sqlalchemy.exc import SQLAlchemyError

    from sumtui.catalog.runs import reap_interrupted

    try:
        reap_interrupted(session)
    except SQLAlchemyError:
        session.rollback()




def _run_summary(run) -> str:
    return (
        f"{run.months_fetched} fetched, {run.months_unchanged} unchanged, {run.months_failed} failed; "
        f"{run.updates_new} new, {run.updates_revised} revised updates"
        + (f" ({run.message})" if run.message and run.status != "ok" else "")
    )


def _run_finished(kind: str, run, behind: bool) -> JobFinished:
    """The end of a sync or import that ran: its status and summary; `changed` (the fleet is re-evaluated
    next) when the fleet's states are older than the catalog it left."""
    return JobFinished(kind, status=run.status, run_id=run.id, message=_run_summary(run), changed=behind)


def run_console(site: Site, *, readonly: bool = False, demo: bool = False) -> int:
    """Run the console on an open site until the operator quits; the process exit code. The keymap and
    the theme come from the local config file (and SUMTUI_THEME)."""
    app = console_app(site, readonly=readonly, demo=demo)
    app.run()
    return app.return_code or 0


def console_app(site: Site, **options: Any) -> SumtuiApp:
    """The console on `site` with the local config file's keymap and theme (a bad file is a CommandError,
    one line naming the file and the value)."""
    from sumtui import config

    try:
        local = config.load()
    except config.ConfigError as exc:
        raise CommandError(str(exc)) from None
    return SumtuiApp(site, keymap=local.keymap, theme=local.theme, **options)

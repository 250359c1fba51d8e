"""Synchronize (stage 4): sync now, import files, re-evaluate the fleet, the running job's progress, the
history of runs and the errors of the selected run.

The job itself belongs to the App (it goes on when you leave this page); this page shows the App's
`job` reactive and reloads the history whenever the site's runs change (here: `data_version`; in another
process: the App's probe), selecting the newest run when one was added. The last run's age ticks.
"""

from __future__ import annotations

from datetime import UTC, datetime

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Input, ProgressBar, Static

from sumtui.timeutil import age
from sumtui.tui.cells import markup, plain
from sumtui.tui.messages import RunErrorsLoaded, RunsLoaded, WorkFailed
from sumtui.tui.screens.base import PageScreen
from sumtui.tui.screens.grid_screen import reload_on_data_change
from sumtui.tui.widgets.grid_source import GridColumn, GridRow, ListSource
from sumtui.tui.widgets.paged_table import PagedTable
from sumtui.workflows.site_marks import RUNS

# A paged grid, like every list: its number columns widen to their values instead of being cut.
RUN_COLUMNS = (
    GridColumn("started", "Started", 16, sortable=False, kind="id"),
    GridColumn("kind", "Kind", 6, sortable=False, kind="state"),
    GridColumn("status", "Status", 9, sortable=False, kind="state"),
    *(GridColumn(key, label, len(label), align="right", sortable=False, kind="number") for key, label in (
        ("fetched", "Fetch"), ("unchanged", "Same"), ("failed", "Fail"), ("new", "New"), ("revised", "Rev"),
        ("superseded", "Sup"), ("expired", "Exp"), ("errors", "Err"))),
)
HISTORY_LIMIT = 100


def local_time(value: datetime | None) -> str:
    if value is None:
        return ""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone().strftime("%Y-%m-%d %H:%M")


class SyncScreen(PageScreen):
    TITLE = "Synchronize"
    AUTO_FOCUS = "#runs"
    BINDINGS = [
        Binding("s", "sync_now", "Sync now", id="sync.start"),
        Binding("i", "import_files", "Import files", id="sync.import"),
        Binding("c", "cancel_job", "Cancel job", id="sync.cancel"),
        Binding("e", "reevaluate", "Re-evaluate", id="sync.reevaluate"),
        Binding("m", "focus_months", "Months", show=False, id="sync.months"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._runs: list = []
        self._error_counts: dict[int, int] = {}
        self._selected_run: int | None = None
        self._newest_run: int | None = None  # the newest run the history showed: a newer one gets the cursor
        self._cursor_at_load = 0  # where the cursor was when the history was last set
        self._last_run_text: tuple | None = None
        # Held, not queried: the App's `job` can change while this page is being torn down.
        self._job_title = Static("", id="job-title")
        self._job_bar = ProgressBar(id="job-progress", show_eta=False)
        self._job_counts = Static("", id="job-counts")
        self._cancel_button = Button("Cancel (c)", id="cancel", variant="error", compact=True)

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="sync-actions"):
            yield Button("Sync now (s)", id="sync-now", variant="primary", compact=True, classes="changes-site")
            yield Input(placeholder="months to sync, e.g. 2020-Dec 2021-Jan (empty: per settings)", id="months",
                        compact=True, classes="changes-site")
            yield Button("Import files… (i)", id="import", compact=True, classes="changes-site")
            yield self._cancel_button
        with Vertical(id="job-panel"):
            yield self._job_title
            yield self._job_bar
            yield self._job_counts
        yield Static("History", classes="section-title")
        yield PagedTable(RUN_COLUMNS, ListSource([]), page_size=HISTORY_LIMIT, id="runs")
        yield Static("Fetch/Same/Fail: months · New/Rev/Sup/Exp: updates · Err: errors (below)",
                     id="runs-legend", classes="hint")
        yield Static("Errors", id="errors-title", classes="section-title")
        with VerticalScroll(id="run-errors"):
            yield Static("", id="run-errors-text")

    def on_mount(self) -> None:
        self.watch(self.app, "job", self._show_job)
        self.watch(self.app, "clock", self._show_last_run, init=False)
        reload_on_data_change(self, self.load_runs, areas=frozenset({RUNS}), grid="#runs")
        self.load_runs()

    def on_screen_resume(self) -> None:
        self.load_runs()

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("sync_now", "import_files", "focus_months", "reevaluate") and self.console.readonly:
            return False
        if action == "cancel_job":
            return self.console.job is not None
        return True

    def focus_filter(self) -> bool:
        if self.console.readonly:
            return False
        self.query_one("#months", Input).focus()
        return True

    def action_focus_months(self) -> None:
        self.focus_filter()

    def action_sync_now(self) -> None:
        months = self.query_one("#months", Input).value.replace(",", " ").split()
        self.console.start_sync(months)

    def action_import_files(self) -> None:
        if self.console.readonly:
            return
        from sumtui.tui.screens.import_files import ImportScreen

        def chosen(files) -> None:
            if files:
                self.console.start_import(files)

        self.app.push_screen(ImportScreen(), chosen)

    def action_reevaluate(self) -> None:
        """Every client against the catalog as stored now (states older than the catalog, or on demand)."""
        self.console.action_reevaluate()

    def action_cancel_job(self) -> None:
        if not self.console.cancel_job():
            self.notify("Nothing is running.", timeout=3)

    @on(Button.Pressed, "#sync-now")
    def _sync_pressed(self) -> None:
        self.action_sync_now()

    @on(Input.Submitted, "#months")
    def _months_submitted(self) -> None:
        self.action_sync_now()

    @on(Button.Pressed, "#import")
    def _import_pressed(self) -> None:
        self.action_import_files()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel_job()

    # ------------------------------------------------------------------ the running job

    def _show_job(self, job) -> None:
        self.refresh_bindings()
        title, bar, counts = self._job_title, self._job_bar, self._job_counts
        self._cancel_button.display = job is not None
        self.set_class(job is not None, "-running")
        if job is None:
            bar.update(total=100, progress=0)
            self._last_run_text = None
            self._show_last_run()
            return
        title.update(markup("[b]$headline[/b]  $message", headline=job.headline().capitalize(), message=job.message))
        if job.months_total:
            bar.update(total=job.months_total, progress=job.months_done)
        else:
            bar.update(total=None)
        counts.update(job.counts())

    def _show_last_run(self, *_args) -> None:
        if self.console.job is not None:
            self._last_run_text = None
            return
        title, counts = self._job_title, self._job_counts
        last = self._runs[0] if self._runs else None
        when = age(last.ended_at or last.started_at, self.console.now()) if last else None
        shown = (last, when)
        if shown == self._last_run_text:
            return  # the clock ticked, the age did not change: no repaint
        self._last_run_text = shown
        if last is None:
            title.update("No run yet: s syncs from the upstream, i imports files.")
            counts.update("")
            return
        title.update(markup("Last $kind [b]$status[/b] $when ago", kind=last.kind, status=last.status, when=when))
        counts.update(
            f"Months: {last.months_fetched} fetched, {last.months_unchanged} unchanged, {last.months_failed} failed · "
            f"updates: {last.updates_new} new, {last.updates_revised} revised"
        )
        bar = self._job_bar
        total = last.months_fetched + last.months_unchanged + last.months_failed
        bar.update(total=max(total, 1), progress=total)

    # ------------------------------------------------------------------ history

    @work(thread=True, exclusive=True, group="runs", exit_on_error=False)
    def load_runs(self) -> None:
        from sumtui.catalog.runs import error_count, list_runs

        try:
            with self.console.site.session() as session:
                runs = list_runs(session, limit=HISTORY_LIMIT)
                counts = {r.id: error_count(session, run_id=r.id) for r in runs}
        except Exception as exc:
            from sumtui.errors import one_line

            self.post_message(WorkFailed("reading the sync history", one_line(exc)))
            return
        self.post_message(RunsLoaded(runs, counts))

    @on(RunsLoaded)
    def _show_runs(self, message: RunsLoaded) -> None:
        self._runs, self._error_counts = message.runs, message.error_counts
        table = self.query_one("#runs", PagedTable)
        rows = [
            GridRow(key=run.id, cells=(
                local_time(run.started_at), run.kind, run.status, str(run.months_fetched), str(run.months_unchanged),
                str(run.months_failed), str(run.updates_new), str(run.updates_revised), str(run.updates_superseded),
                str(run.updates_expired), str(message.error_counts.get(run.id, 0)),
            ))
            for run in message.runs
        ]
        table.set_source(ListSource(rows), keep_cursor=True)
        self._cursor_at_load = table.cursor_row
        if message.runs:
            ids = [r.id for r in message.runs]
            added = self._newest_run is not None and ids[0] != self._newest_run
            self._newest_run = ids[0]
            # A run just added (here or by `sumtui sync` elsewhere) is what the operator looks at next.
            self._select_run(ids[0] if added or self._selected_run not in ids else self._selected_run, reread=True)
        else:
            self._select_run(None)
        self._last_run_text = None
        self._show_last_run()

    @on(PagedTable.Loaded, "#runs")
    def _runs_shown(self, event: PagedTable.Loaded) -> None:
        # The selected run keeps the cursor wherever the new list puts it, unless the operator moved the
        # cursor while the list loaded (a key typed meanwhile is newer than the list).
        table = self.query_one("#runs", PagedTable)
        ids = [r.id for r in self._runs]
        at_load = min(self._cursor_at_load, max(0, event.row_count - 1))
        if self._selected_run in ids and table.cursor_row == at_load:
            table.move_cursor(ids.index(self._selected_run))

    @on(PagedTable.CursorMoved, "#runs")
    def _run_highlighted(self, event: PagedTable.CursorMoved) -> None:
        if event.row is not None:
            self._select_run(int(event.row.key))

    def _select_run(self, run_id: int | None, *, reread: bool = False) -> None:
        """Show the errors of `run_id` (read again with `reread`: a run still going, or just ended, has
        errors the last read did not see)."""
        if run_id == self._selected_run and run_id is not None and not reread:
            return
        self._selected_run = run_id
        if run_id is None:
            self.query_one("#errors-title", Static).update("Errors")
            self.query_one("#run-errors-text", Static).update("")
            return
        self.load_errors(run_id)

    @work(thread=True, exclusive=True, group="run-errors", exit_on_error=False)
    def load_errors(self, run_id: int) -> None:
        from sumtui.catalog.runs import run_errors

        try:
            with self.console.site.session() as session:
                errors = run_errors(session, run_id=run_id)
        except Exception as exc:
            from sumtui.errors import one_line

            self.post_message(WorkFailed("reading the run's errors", one_line(exc)))
            return
        self.post_message(RunErrorsLoaded(run_id, errors))

    @on(RunErrorsLoaded)
    def _show_errors(self, message: RunErrorsLoaded) -> None:
        if message.run_id != self._selected_run:
            return
        run = next((r for r in self._runs if r.id == message.run_id), None)
        title = self.query_one("#errors-title", Static)
        text = self.query_one("#run-errors-text", Static)
        if run is None:
            return
        title.update(plain(f"Run {run.id}: {run.kind} {run.status}, {len(message.errors)} error(s)"))
        # Sources, messages and reasons quote upstreams and files: data, never markup.
        lines = [markup("[dim]source[/dim] $source", source=run.source)]
        if run.message and not message.errors:
            lines.append(plain(run.message))
        for error in message.errors:
            lines.append(markup("[b]$month[/b]  $reason", month=error.month or "(run)", reason=error.reason))
        text.update(Content("\n").join(lines))

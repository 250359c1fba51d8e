"""Synchronize (stage 4): sync now, import files, the running job's progress, the history of runs and the
errors of the selected run.

The job itself belongs to the App (it goes on when you leave this page); this page shows the App's
`job` reactive and reloads the history whenever `data_version` moves.
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
from sumtui.tui.messages import RunErrorsLoaded, RunsLoaded, WorkFailed
from sumtui.tui.screens.base import PageScreen
from sumtui.tui.widgets.lists import KeyDataTable

RUN_COLUMNS = (
    ("started", "Started"), ("kind", "Kind"), ("status", "Status"), ("fetched", "Fetch"), ("unchanged", "Same"),
    ("failed", "Fail"), ("new", "New"), ("revised", "Rev"), ("superseded", "Sup"), ("expired", "Exp"), ("errors", "Err"),
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
        Binding("m", "focus_months", "Months", show=False, id="sync.months"),
        Binding("r", "refresh", "Refresh", show=False, id="sync.refresh"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._runs: list = []
        self._error_counts: dict[int, int] = {}
        self._selected_run: int | None = None
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
        yield KeyDataTable(id="runs", cursor_type="row", zebra_stripes=True)
        yield Static("Fetch/Same/Fail: months · New/Rev/Sup/Exp: updates · Err: errors (below)",
                     id="runs-legend", classes="hint")
        yield Static("Errors", id="errors-title", classes="section-title")
        with VerticalScroll(id="run-errors"):
            yield Static("", id="run-errors-text")

    def on_mount(self) -> None:
        table = self.query_one("#runs", KeyDataTable)
        for key, label in RUN_COLUMNS:
            table.add_column(label, key=key)
        self.watch(self.app, "job", self._show_job)
        self.watch(self.app, "data_version", self._data_changed, init=False)
        self.load_runs()

    def on_screen_resume(self) -> None:
        self.load_runs()

    def _data_changed(self, *_args) -> None:
        self.load_runs()

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("sync_now", "import_files", "focus_months") and self.console.readonly:
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

    def action_cancel_job(self) -> None:
        if not self.console.cancel_job():
            self.notify("Nothing is running.", timeout=3)

    def action_refresh(self) -> None:
        self.load_runs()

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
            self._show_last_run()
            return
        title.update(Content.from_markup("[b]$headline[/b]  $message", headline=job.headline().capitalize(), message=job.message))
        if job.months_total:
            bar.update(total=job.months_total, progress=job.months_done)
        else:
            bar.update(total=None)
        counts.update(job.counts())

    def _show_last_run(self) -> None:
        if self.console.job is not None:
            return
        title, counts = self._job_title, self._job_counts
        last = self._runs[0] if self._runs else None
        if last is None:
            title.update("No run yet: s syncs from the upstream, i imports files.")
            counts.update("")
            return
        when = age(last.ended_at or last.started_at, self.console.now())
        title.update(Content.from_markup("Last $kind [b]$status[/b] $when ago", kind=last.kind, status=last.status, when=when))
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
            from sumtui.tui.app import one_line

            self.post_message(WorkFailed("reading the sync history", one_line(exc)))
            return
        self.post_message(RunsLoaded(runs, counts))

    @on(RunsLoaded)
    def _show_runs(self, message: RunsLoaded) -> None:
        self._runs, self._error_counts = message.runs, message.error_counts
        table = self.query_one("#runs", KeyDataTable)
        keep = self._selected_run
        table.clear()
        for run in message.runs:
            table.add_row(
                local_time(run.started_at), run.kind, run.status, str(run.months_fetched), str(run.months_unchanged),
                str(run.months_failed), str(run.updates_new), str(run.updates_revised), str(run.updates_superseded),
                str(run.updates_expired), str(message.error_counts.get(run.id, 0)), key=str(run.id),
            )
        if message.runs:
            ids = [r.id for r in message.runs]
            row = ids.index(keep) if keep in ids else 0
            table.move_cursor(row=row)
            self._select_run(ids[row])
        else:
            self._select_run(None)
        self._show_last_run()

    @on(KeyDataTable.RowHighlighted, "#runs")
    def _run_highlighted(self, event: KeyDataTable.RowHighlighted) -> None:
        if event.row_key is not None and event.row_key.value is not None:
            self._select_run(int(event.row_key.value))

    def _select_run(self, run_id: int | None) -> None:
        if run_id == self._selected_run and run_id is not None:
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
            from sumtui.tui.app import one_line

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
        title.update(f"Run {run.id}: {run.kind} {run.status}, {len(message.errors)} error(s)")
        lines = [Content.from_markup("[dim]source[/dim] $source", source=run.source)]
        if run.message and not message.errors:
            lines.append(Content(run.message))
        for error in message.errors:
            lines.append(Content.from_markup("[b]$month[/b]  $reason", month=error.month or "(run)", reason=error.reason))
        text.update(Content("\n").join(lines))

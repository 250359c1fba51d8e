"""`i` on the Clients screen: import inventory files (systeminfo, wmic qfe, Get-HotFix, agent JSON), the
Inventory Tool side track. Paths, folders or globs are previewed as you type; enter starts a worker
that stores each file in its own transaction and reports it here as it goes, so one bad file is one
error line and nothing stored. esc cancels after the current file, or closes once it is done.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, ProgressBar, Static
from textual.worker import Worker, get_current_worker

from sumtui.tui.cells import CellStyles, short_product, styled
from sumtui.tui.messages import InventoryFileImported, InventoryImportDone
from sumtui.tui.screens.import_files import expand_paths, files_preview, problems_line
from sumtui.tui.widgets.grid_source import GridColumn, GridRow, ListSource
from sumtui.tui.widgets.paged_table import PagedTable
from sumtui.workflows.intake import INVENTORY_SUFFIXES, InventoryResult

RESULT_COLUMNS = (
    GridColumn("client", "Client / file", 12, flex=True, sortable=False),
    GridColumn("format", "Format", 10, sortable=False),
    GridColumn("product", "OS product", 12, flex=True, sortable=False),
    GridColumn("kbs", "KBs", 4, align="right", sortable=False),
    GridColumn("required", "Req.", 4, align="right", sortable=False),
    GridColumn("note", "Note", 14, flex=True, sortable=False),
)


@dataclass(frozen=True)
class InventoryImportSummary:
    imported: int
    failed: int
    cancelled: bool


def result_row(index: int, r: InventoryResult, styles: CellStyles) -> GridRow:
    if not r.ok:
        return GridRow(key=index, cells=(Path(r.file).name, "", "", "", "", styled(r.error, styles.gap_wide)))
    product = short_product(r.product) if r.product else styled("unmapped", styles.gap)
    return GridRow(key=index, cells=(
        r.client + (" (new)" if r.created else ""), r.format, product, str(r.kbs), str(r.required),
        styled(r.warnings, styles.gap) if r.warnings else "",
    ))


class InventoryImportScreen(ModalScreen[InventoryImportSummary | None]):
    BINDINGS = [
        Binding("ctrl+s", "start", "Import", id="inventory.start"),
        Binding("escape", "close", "Cancel/close", key_display="esc", id="inventory.close"),
    ]
    AUTO_FOCUS = "#inventory-paths"

    def __init__(self) -> None:
        super().__init__()
        self.results: list[InventoryResult] = []
        self.summary: InventoryImportSummary | None = None
        self._worker: Worker | None = None
        self._rows: list[GridRow] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="inventory-dialog", classes="dialog"):
            yield Label("Import inventories (offline scan against the catalog)", classes="dialog-title")
            yield Label("systeminfo, wmic qfe, Get-HotFix or agent JSON: files, folders or globs.", classes="hint")
            yield Input(placeholder="~/inventories/*.txt", id="inventory-paths", compact=True)
            yield Static("", id="inventory-preview", classes="hint")
            yield Input(placeholder="machine name (optional: default, the host name in each file)", id="inventory-name",
                        compact=True)
            yield Label("", id="inventory-error", classes="form-error")
            yield ProgressBar(id="inventory-progress", show_eta=False)
            yield Static("", id="inventory-counts")
            yield PagedTable(RESULT_COLUMNS, ListSource([]), id="inventory-results")
            with Horizontal(classes="buttons"):
                yield Button("Import (enter)", id="inventory-go", variant="primary", compact=True)
                yield Button("Close (esc)", id="inventory-cancel", compact=True)

    def on_mount(self) -> None:
        for selector in ("#inventory-progress", "#inventory-results", "#inventory-counts"):
            self.query_one(selector).display = False

    @property
    def running(self) -> bool:
        return self._worker is not None and self.summary is None

    @on(Input.Changed, "#inventory-paths")
    def _preview(self, event: Input.Changed) -> None:
        files, problems = expand_paths(event.value, INVENTORY_SUFFIXES)
        self.query_one("#inventory-preview", Static).update(files_preview(files))
        self.query_one("#inventory-error", Label).update(problems_line(problems))

    @on(Input.Submitted, "#inventory-paths")
    @on(Input.Submitted, "#inventory-name")
    @on(Button.Pressed, "#inventory-go")
    def action_start(self) -> None:
        if self._worker is not None:
            return  # one import per dialog: its results stay on screen
        files, problems = expand_paths(self.query_one("#inventory-paths", Input).value, INVENTORY_SUFFIXES)
        error = self.query_one("#inventory-error", Label)
        if problems:
            error.update(problems_line(problems))
            return
        if not files:
            error.update("Name at least one file.")
            return
        error.update("")
        self.query_one("#inventory-paths", Input).disabled = True
        name_input = self.query_one("#inventory-name", Input)
        name_input.disabled = True
        self.query_one("#inventory-go", Button).disabled = True
        bar = self.query_one("#inventory-progress", ProgressBar)
        bar.update(total=len(files), progress=0)
        for selector in ("#inventory-progress", "#inventory-results", "#inventory-counts"):
            self.query_one(selector).display = True
        self.query_one("#inventory-counts", Static).update(f"importing {len(files)} file(s)…")
        self.query_one("#inventory-cancel", Button).label = "Cancel (esc)"
        self._worker = self._import(files, name_input.value.strip() or None)

    @work(thread=True, exclusive=True, group="inventory-import", exit_on_error=False)
    def _import(self, files: list[Path], name: str | None) -> None:
        from sumtui.workflows.snapshots import take_snapshots
        from sumtui.compliance.view import load_view
        from sumtui.errors import one_line
        from sumtui.workflows.intake import import_inventory_file

        worker = get_current_worker()
        site = self.app.site
        imported = failed = 0
        cancelled = False
        try:
            with site.session() as session:
                view = load_view(session)  # one catalog view for every file of this import
            for index, path in enumerate(files, 1):
                if worker.is_cancelled:
                    cancelled = True
                    break
                try:
                    result = import_inventory_file(site, path, view=view, name=name)
                except Exception as exc:  # a database problem: name the file, keep going with the others
                    result = InventoryResult(str(path), False, error=f"{path}: {one_line(exc)}")
                imported += result.ok
                failed += not result.ok
                self.post_message(InventoryFileImported(index, len(files), result))
            if imported:
                with site.session() as session:
                    take_snapshots(session)  # today's compliance point for Home's trend
                    session.commit()
        except Exception as exc:
            self.post_message(InventoryFileImported(0, len(files), InventoryResult("", False, error=one_line(exc))))
            failed += 1
        self.post_message(InventoryImportDone(imported, failed, cancelled))

    @on(InventoryFileImported)
    def _file_done(self, message: InventoryFileImported) -> None:
        self.results.append(message.result)
        styles = CellStyles.from_variables(self.app.theme_variables)
        self._rows.append(result_row(len(self._rows), message.result, styles))
        self.query_one("#inventory-results", PagedTable).set_source(ListSource(self._rows), keep_cursor=True)
        self.query_one("#inventory-progress", ProgressBar).update(progress=message.index)
        ok = sum(r.ok for r in self.results)
        self.query_one("#inventory-counts", Static).update(
            f"{message.index}/{message.total} files: {ok} imported, {len(self.results) - ok} refused")

    @on(InventoryImportDone)
    def _done(self, message: InventoryImportDone) -> None:
        self.summary = InventoryImportSummary(message.imported, message.failed, message.cancelled)
        what = "cancelled" if message.cancelled else "done"
        self.query_one("#inventory-counts", Static).update(
            f"Import {what}: {message.imported} imported, {message.failed} refused. esc closes.")
        self.query_one("#inventory-cancel", Button).label = "Close (esc)"
        if message.imported:
            self.app.notify_data_changed()
        self.query_one("#inventory-results", PagedTable).focus()

    @on(Button.Pressed, "#inventory-cancel")
    def action_close(self) -> None:
        if self.running:
            self._worker.cancel()
            self.query_one("#inventory-counts", Static).update("cancelling after the current file…")
            return
        self.dismiss(self.summary)

"""One update's clients in one state (Required by default; Installed and Failed a key away), within the
collection the operator came from. Enter opens a client's detail; esc goes back to the update list."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from sumtui.compliance.models import FAILED, INSTALLED, REQUIRED
from sumtui.tui.cells import CellStyles, markup
from sumtui.tui.compliance_sources import (
    STATE_LABELS,
    UPDATE_CLIENT_COLUMNS,
    UpdateClientsSource,
    UpdateRef,
)
from sumtui.tui.screens.base import PageScreen
from sumtui.tui.screens.grid_screen import count_status, reload_on_data_change
from sumtui.tui.widgets.paged_table import PagedTable

STATE_KEYS = {REQUIRED: "r", INSTALLED: "i", FAILED: "f"}


class UpdateClientsScreen(PageScreen):
    AUTO_FOCUS = "#grid"
    BINDINGS = [
        Binding("r", "state(1)", "Required", id="update_clients.required"),
        Binding("i", "state(2)", "Installed", id="update_clients.installed"),
        Binding("f", "state(3)", "Failed", id="update_clients.failed"),
    ]

    def __init__(self, ref: UpdateRef, *, collection_id: int | None, collection_name: str, state: int = REQUIRED) -> None:
        super().__init__()
        self.ref = ref
        self.collection_id = collection_id
        self.collection_name = collection_name
        self.state = state
        self._count: int | None = None
        self.TITLE = f"KB{ref.kb} clients"

    def compose_body(self) -> ComposeResult:
        yield Static(markup("[b]KB$kb[/b] $severity · $title", kb=self.ref.kb,
                            severity=self.ref.severity or "no severity", title=self.ref.title),
                     id="update-clients-title", classes="row-detail")
        yield Static("", id="update-clients-status", classes="status-line")
        yield PagedTable(UPDATE_CLIENT_COLUMNS, None, page_size=100, id="grid")
        yield Static("enter: the client's updates and why · esc: back to the updates", classes="hint status-line")

    def on_mount(self) -> None:
        reload_on_data_change(self, self.query_one("#grid", PagedTable).reload)
        self.rebuild()

    def rebuild(self) -> None:
        self._count = None
        self.query_one("#grid", PagedTable).set_source(UpdateClientsSource(
            self.console.site.engine, self.ref.update_id, self.collection_id, self.state, self.console.now(),
            CellStyles.from_variables(self.app.theme_variables),
        ))
        self._show_status()

    def _show_status(self) -> None:
        label = STATE_LABELS[self.state]
        count = count_status(self._count, "client")
        others = " · ".join(f"{STATE_KEYS[s]}: {STATE_LABELS[s].lower()}" for s in STATE_LABELS if s != self.state)
        self.query_one("#update-clients-status", Static).update(markup(
            "[b]$label[/b]: $count in $collection  [dim]($others)[/dim]",
            label=label, count=count, collection=self.collection_name, others=others,
        ))

    def action_state(self, state: int) -> None:
        if state != self.state:
            self.state = state
            self.rebuild()

    @on(PagedTable.Loaded, "#grid")
    def _loaded(self, event: PagedTable.Loaded) -> None:
        self._count = event.row_count
        self._show_status()

    @on(PagedTable.LoadFailed, "#grid")
    def _load_failed(self, event: PagedTable.LoadFailed) -> None:
        self.notify(f"Could not read the clients: {event.error}", severity="error", timeout=8)

    @on(PagedTable.RowActivated, "#grid")
    def _activated(self, event: PagedTable.RowActivated) -> None:
        from sumtui.tui.screens.client_detail import ClientDetailScreen

        self.app.push_screen(ClientDetailScreen(int(event.row.key)))

"""`w` on the Collections screen: one collection's maintenance windows (when deployments may install and
restart), each with its next opening. `a` adds one through a form (in UTC), `delete` removes the selected
one after a confirmation. Windows in client local time (added with `sumtui collections windows`) show
their wall clock: each client opens them at that time in its own zone.
"""

from __future__ import annotations

from functools import partial

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from sumtui.tui.cells import plain
from sumtui.tui.fleet_sources import (
    WINDOW_COLUMNS,
    WindowRow,
    duration_text,
    window_rows,
)
from sumtui.tui.messages import FleetChanged, WindowsLoaded, WorkFailed
from sumtui.tui.screens.base import PageScreen
from sumtui.tui.screens.grid_screen import reload_on_data_change
from sumtui.tui.widgets.grid_source import ListSource
from sumtui.tui.widgets.paged_table import PagedTable


def add_window_to(site, collection_id: int, value) -> int:
    """Runs in the form's worker; a FleetError (24 h or more, a bad recurrence) goes back to the form."""
    from sumtui.fleet.collections import add_window, get_collection

    with site.session() as session:
        window = add_window(session, get_collection(session, collection_id), value)
        session.commit()
        return window.id


class WindowsScreen(PageScreen):
    AUTO_FOCUS = "#grid"
    BINDINGS = [
        Binding("a", "add", "Add window", id="windows.add"),
        Binding("delete", "delete", "Delete window", key_display="del", id="windows.delete"),
    ]

    def __init__(self, collection) -> None:
        """`collection`: the CollectionRow whose windows these are."""
        super().__init__()
        self.collection = collection
        self.windows: list[WindowRow] = []
        self.TITLE = f"Windows of {collection.name}"

    def compose_body(self) -> ComposeResult:
        yield Static(plain(f"Maintenance windows of {self.collection.name!r} (UTC unless marked local; each under 24 hours)"),
                     id="windows-status", classes="status-line")
        yield PagedTable(WINDOW_COLUMNS, ListSource([]), id="grid")
        yield Static("", id="window-detail", classes="row-detail")

    def on_mount(self) -> None:
        reload_on_data_change(self, self.load)
        self.load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("add", "delete") and self.console.readonly:
            return False
        return True

    @work(thread=True, exclusive=True, group="windows", exit_on_error=False)
    def load(self) -> None:
        from sumtui.tui.fleet_sources import load_windows

        try:
            with self.console.site.session() as session:
                windows = load_windows(session, self.collection.id, self.console.now())
        except Exception as exc:
            from sumtui.errors import one_line

            self.post_message(WorkFailed("reading the maintenance windows", one_line(exc)))
            return
        self.post_message(WindowsLoaded(self.collection.id, windows))

    @on(WindowsLoaded)
    def _show(self, message: WindowsLoaded) -> None:
        self.windows = message.windows
        self.query_one("#grid", PagedTable).set_source(ListSource(window_rows(self.windows)), keep_cursor=True)
        count = len(self.windows)
        writable = not self.console.readonly
        if count:
            text = f"{count} window{'s' if count != 1 else ''}" + (" · a: add · del: delete the selected one" if writable else "")
        else:
            text = ("No maintenance window" + (" (a adds one)" if writable else "")
                    + ": deployments to this collection may install at any time.")
        self.query_one("#window-detail", Static).update(text)

    @property
    def current(self) -> WindowRow | None:
        row = self.query_one("#grid", PagedTable).current_row
        return next((w for w in self.windows if w.id == row.key), None) if row else None

    def action_add(self) -> None:
        if self.console.readonly:
            return
        from sumtui.tui.screens.window_form import WindowFormScreen

        def added(window_id: int | None) -> None:
            if window_id is not None:
                self.notify("Maintenance window added.", timeout=4)
                self.console.notify_data_changed()

        self.app.push_screen(WindowFormScreen(partial(add_window_to, self.console.site, self.collection.id),
                                              collection=self.collection.name, now=self.console.now()), added)

    def action_delete(self) -> None:
        if self.console.readonly:
            return
        window = self.current
        if window is None:
            self.notify("No window selected.", timeout=3)
            return
        from sumtui.tui.screens.confirm import ConfirmScreen

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.delete(window)

        self.app.push_screen(ConfirmScreen(
            f"Delete the maintenance window {window.name!r} ({window.recurrence}, {duration_text(window.duration_minutes)}) "
            f"of {self.collection.name!r}? Deployments then install outside it.", yes="Delete"), confirmed)

    @work(thread=True, group="window-change", exit_on_error=False)
    def delete(self, window: WindowRow) -> None:
        from sumtui.fleet.collections import FleetError, delete_window

        try:
            with self.console.site.session() as session:
                delete_window(session, window.id)
                session.commit()
        except Exception as exc:
            self.post_message(WorkFailed.from_exception("deleting the window", exc, FleetError))
            return
        self.post_message(FleetChanged(f"Maintenance window {window.name!r} deleted."))

    @on(FleetChanged)
    def _changed(self, message: FleetChanged) -> None:
        self.notify(message.text, timeout=4)
        self.console.notify_data_changed()

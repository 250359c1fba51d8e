"""What the pages of things an operator names share (update lists, deployment templates, packages): a
status line, a grid of the few rows the site has (one per name, read whole by the page's `load` worker),
the row under the cursor in words below it, and the cursor kept on the same name across reloads.

`delete` asks first, naming what goes (the page words the question), and deletes in a worker; every
change the page or its forms make ends in `DeployChanged`, which tells the operator, puts the cursor on
the row named and has every page re-read. A read-only console hides the keys in `CHANGES_SITE`.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Static

from sumtui.tui.messages import DeployChanged, WorkFailed
from sumtui.tui.screens.base import PageScreen
from sumtui.tui.screens.grid_screen import reload_on_data_change
from sumtui.tui.widgets.grid_source import GridColumn, GridRow, ListSource
from sumtui.tui.widgets.paged_table import PagedTable


class NamedRowsScreen(PageScreen):
    """Subclasses give the class attributes, a `load` worker that ends in `show_rows`, `detail_of` and
    `delete_row`."""

    AUTO_FOCUS = "#grid"
    COLUMNS: ClassVar[tuple[GridColumn, ...]] = ()
    STATUS_ID = "named-status"
    DETAIL_ID = "named-detail"
    NOUN = "item"  # "update list": in notifications
    CHANGES_SITE: ClassVar[tuple[str, ...]] = ("new", "edit", "delete", "import")

    def __init__(self) -> None:
        super().__init__()
        self.rows: list = []  # what the page read, each with a `name`, in the grid's order
        self._loaded = False
        self._select: str | None = None  # the name to put the cursor on once the rows are back

    def compose_body(self) -> ComposeResult:
        yield Static("reading…", id=self.STATUS_ID, classes="status-line")
        yield from self.compose_above_grid()
        yield PagedTable(self.COLUMNS, ListSource([]), id="grid")
        yield Static("", id=self.DETAIL_ID, classes="row-detail")

    def compose_above_grid(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        reload_on_data_change(self, self.load)
        self.load()

    def on_screen_resume(self) -> None:
        if self._loaded:
            self.load()  # a page opened from here may have changed a row

    def load(self) -> None:
        raise NotImplementedError

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action in self.CHANGES_SITE and self.console.readonly)

    # ------------------------------------------------------------------ the rows

    def current_name(self) -> str | None:
        row = self.query_one("#grid", PagedTable).current_row
        return row.key if row is not None else None

    @property
    def current(self) -> Any:
        name = self.current_name()
        return next((r for r in self.rows if r.name == name), None)

    def show_rows(self, rows: list, grid_rows: list[GridRow], status: str | Content) -> None:
        """Put what `load` read on screen (on the UI thread), keeping the cursor on its name."""
        self._loaded = True
        self.rows = rows
        grid = self.query_one("#grid", PagedTable)
        if self._select is None and grid.current_row is not None:
            self._select = grid.current_row.key  # the same row, wherever the order puts it now
        grid.set_source(ListSource(grid_rows), keep_cursor=True)
        self.query_one(f"#{self.STATUS_ID}", Static).update(status)
        self.show_detail()

    @on(PagedTable.Loaded, "#grid")
    def _rows_loaded(self) -> None:
        names = [r.name for r in self.rows]
        if self._select in names:
            self.query_one("#grid", PagedTable).move_cursor(names.index(self._select))
        self._select = None
        self.show_detail()

    @on(PagedTable.CursorMoved, "#grid")
    def _cursor_moved(self) -> None:
        self.show_detail()

    def show_detail(self) -> None:
        row = self.current
        self.query_one(f"#{self.DETAIL_ID}", Static).update(self.detail_of(row) if row is not None else "")

    def detail_of(self, row: Any) -> str | Content:
        """The row under the cursor in words (outside text as data: `plain` or `markup`)."""
        raise NotImplementedError

    # ------------------------------------------------------------------ new, edit, delete, and every change

    def open_form(self, current: Any) -> None:
        """The page's form for a new row (`current` None) or the row under the cursor."""
        raise NotImplementedError

    def action_new(self) -> None:
        if not self.console.readonly:
            self.open_form(None)

    def action_edit(self) -> None:
        if self.console.readonly:
            return
        if self.current is None:
            self.notify(f"No {self.NOUN} here: n makes one.", timeout=3)
            return
        self.open_form(self.current)

    def ask_delete(self, question: str, name: str) -> None:
        from sumtui.tui.screens.confirm import ConfirmScreen

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.delete(name)

        self.app.push_screen(ConfirmScreen(question, yes="Delete"), confirmed)

    def delete_row(self, session, name: str) -> str:
        """Delete the row named `name` (in the worker); its name as it was. A domain error says why not."""
        raise NotImplementedError

    def domain_errors(self) -> tuple[type[Exception], ...]:
        """The domain's own errors (written for the operator): shown in their words."""
        return ()

    @work(thread=True, group="named-change", exit_on_error=False)
    def delete(self, name: str) -> None:
        try:
            with self.console.site.session() as session:
                deleted = self.delete_row(session, name)
                session.commit()
        except Exception as exc:
            self.post_message(WorkFailed.from_exception(f"deleting {name!r}", exc, self.domain_errors()))
            return
        self.post_message(DeployChanged(f"{self.NOUN[:1].upper()}{self.NOUN[1:]} {deleted!r} deleted."))

    @on(DeployChanged)
    def _changed(self, message: DeployChanged) -> None:
        self.notify(message.text, timeout=6)
        self._select = message.select
        self.console.notify_data_changed()

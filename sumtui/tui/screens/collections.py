"""Collections: All Systems, static sets and rule-based sets of clients, with their maintained counts
and maintenance windows. `/` narrows the list to the collections whose name, description or rule has the
words typed; `n` / `e` open the collection form, `delete` asks first (naming the members it would drop),
enter opens the members, `w` the maintenance windows, `t` the collection's compliance trend (a plot of its
daily snapshots). A read-only console lists only.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from sumtui.tui.cells import CellStyles, plain
from sumtui.tui.fleet_sources import (
    COLLECTION_COLUMNS,
    CollectionRow,
    collection_rows,
    post_collection_context,
)
from sumtui.tui.messages import (
    CatalogChoicesLoaded,
    CollectionsLoaded,
    FleetChanged,
    WorkFailed,
)
from sumtui.tui.screens.grid_screen import (
    WordsFilterScreen,
    has_words,
    reload_on_data_change,
)
from sumtui.tui.widgets.grid_source import ListSource
from sumtui.tui.widgets.paged_table import PagedTable

CHANGES_SITE = ("new", "edit", "delete")


def save_collection(site, value):
    """Runs in the form's worker: create or update, and say what came of it."""
    from sumtui.fleet.collections import get_collection
    from sumtui.fleet.models import CollectionCreate
    from sumtui.tui.screens.collection_form import CollectionSaved
    from sumtui.workflows.collections import create_collection, update_collection

    with site.session() as session:
        if value.collection_id is None:
            collection = create_collection(session, CollectionCreate(name=value.name, description=value.description or None),
                                           rule=value.rule)
            created = True
        else:
            collection = get_collection(session, value.collection_id)
            builtin = collection.kind == "builtin"
            update_collection(session, collection, name=None if builtin else value.name,
                              description=value.description or None, rule=None if builtin else value.rule)
            created = False
        session.commit()
        session.refresh(collection)  # member counts were kept by SQL, not through this object
        return CollectionSaved(collection.id, collection.name, collection.kind, collection.members, created)


class CollectionsScreen(WordsFilterScreen):
    TITLE = "Collections"
    AUTO_FOCUS = "#grid"
    SEARCH_PLACEHOLDER = "/ filter: words in a collection's name, description or rule"
    BINDINGS = [
        Binding("n", "new", "New", id="collections.new"),
        Binding("e", "edit", "Edit", id="collections.edit"),
        Binding("delete", "delete", "Delete", key_display="del", id="collections.delete"),
        Binding("w", "windows", "Windows", id="collections.windows"),
        Binding("t", "trend", "Trend", show=False, tooltip="Compliance trend", id="collections.trend"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.collections: list[CollectionRow] = []
        self._products: list[str] = []
        self._select: int | None = None  # the row to put the cursor on once the list is back

    def compose_body(self) -> ComposeResult:
        yield from self.search_box()
        yield Static("", id="collections-status", classes="status-line")
        yield PagedTable(COLLECTION_COLUMNS, ListSource([]), id="grid")
        yield Static("", id="collection-detail", classes="row-detail")

    def on_mount(self) -> None:
        reload_on_data_change(self, self.load)
        self.load()

    def on_screen_resume(self) -> None:
        if self.collections:
            self.load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in CHANGES_SITE and self.console.readonly:
            return False
        return True

    def words_changed(self) -> None:
        if self.collections:
            self._show_list()

    @property
    def shown(self) -> list[CollectionRow]:
        """The collections the list shows: those with every word typed in their name, description or rule."""
        return [c for c in self.collections
                if has_words(self.words, c.name, c.description or "", c.rule_text or "", c.kind)]

    @property
    def current(self) -> CollectionRow | None:
        row = self.query_one("#grid", PagedTable).current_row
        return next((c for c in self.collections if c.id == row.key), None) if row else None

    @work(thread=True, exclusive=True, group="collections", exit_on_error=False)
    def load(self) -> None:
        post_collection_context(self.console.site, self.post_message)

    @on(CatalogChoicesLoaded)
    def _choices(self, message: CatalogChoicesLoaded) -> None:
        self._products = message.products

    @on(CollectionsLoaded)
    def _show(self, message: CollectionsLoaded) -> None:
        self.collections = message.collections
        self._show_list()

    def _show_list(self) -> None:
        grid = self.query_one("#grid", PagedTable)
        if self._select is None and grid.current_row is not None:
            self._select = grid.current_row.key  # the same collection, wherever the list puts it now
        shown = self.shown
        grid.set_source(ListSource(collection_rows(shown, CellStyles.from_variables(self.app.theme_variables))),
                        keep_cursor=True)
        total = len(self.collections)
        count = f"{len(shown)} of {total}" if self.words else f"{total}"
        if not total:
            status = "No collections yet: All Systems appears with the first client; n makes one."
        elif self.words and not shown:
            status = f"No collection of {total} has the words {' '.join(self.words)!r}."
        else:
            status = f"{count} collection{'s' if total != 1 else ''} · enter: members · w: maintenance windows"
        self.query_one("#collections-status", Static).update(plain(status))  # typed words are data
        self._show_detail()

    @on(PagedTable.Loaded, "#grid")
    def _rows_loaded(self) -> None:
        ids = [c.id for c in self.shown]
        if self._select in ids:
            self.query_one("#grid", PagedTable).move_cursor(ids.index(self._select))
        self._select = None
        self._show_detail()

    @on(PagedTable.CursorMoved, "#grid")
    def _cursor_moved(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        c = self.current
        detail = self.query_one("#collection-detail", Static)
        if c is None:
            detail.update("")
            return
        kind = {"builtin": "built in: every client", "static": "static: members added by hand",
                "rule": f"rule: {c.rule_text}"}[c.kind]
        windows = f"{c.windows} maintenance window{'s' if c.windows != 1 else ''}" if c.windows else "no maintenance window"
        detail.update(plain(f"{c.name} — {c.description or 'no description'}\n{kind} · {c.members:,} members, "
                            f"{c.reported:,} reported, {c.compliant:,} compliant · {windows}"))

    @on(PagedTable.RowActivated, "#grid")
    def _activated(self) -> None:
        from sumtui.tui.screens.clients import ClientsScreen

        if self.current is not None:
            self.app.push_screen(ClientsScreen(collection=self.current))

    # ------------------------------------------------------------------ changes

    def _form(self, current: CollectionRow | None) -> None:
        from functools import partial

        from sumtui.tui.screens.collection_form import (
            CollectionFormScreen,
            CollectionSaved,
        )

        def saved(result: CollectionSaved | None) -> None:
            if result is None:
                return
            self._select = result.collection_id
            verb = "created" if result.created else "saved"
            kind = "static, add members from its members view" if result.kind == "static" else f"{result.members:,} members"
            self.notify(f"Collection {result.name!r} {verb} ({kind}).", timeout=6)
            self.console.notify_data_changed()

        self.app.push_screen(CollectionFormScreen(partial(save_collection, self.console.site), current=current,
                                                  products=self._products), saved)

    def action_new(self) -> None:
        if not self.console.readonly:
            self._form(None)

    def action_edit(self) -> None:
        if self.console.readonly:
            return
        if self.current is None:
            self.notify("No collection selected.", timeout=3)
            return
        self._form(self.current)

    def action_delete(self) -> None:
        if self.console.readonly:
            return
        c = self.current
        if c is None:
            return
        if c.kind == "builtin":
            self.notify(f"{c.name!r} is built in and cannot be deleted: every client is always in it.",
                        severity="warning", timeout=6)
            return
        from sumtui.tui.screens.confirm import ConfirmScreen

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.delete(c)

        windows = f" and its {c.windows} maintenance window{'s' if c.windows != 1 else ''}" if c.windows else ""
        self.app.push_screen(ConfirmScreen(
            f"Delete the collection {c.name!r}{windows}? Its {c.members:,} member{'s' if c.members != 1 else ''} leave it "
            "(the clients stay in the site).", yes="Delete"), confirmed)

    @work(thread=True, group="collection-change", exit_on_error=False)
    def delete(self, c: CollectionRow) -> None:
        from sumtui.fleet.collections import FleetError, get_collection
        from sumtui.workflows.collections import delete_collection

        try:
            with self.console.site.session() as session:
                delete_collection(session, get_collection(session, c.id))
                session.commit()
        except Exception as exc:
            self.post_message(WorkFailed.from_exception(f"deleting {c.name!r}", exc, FleetError))
            return
        self.post_message(FleetChanged(f"Collection {c.name!r} deleted."))

    @on(FleetChanged)
    def _fleet_changed(self, message: FleetChanged) -> None:
        self.notify(message.text, timeout=6)
        self.console.notify_data_changed()

    def action_trend(self) -> None:
        from sumtui.tui.screens.compliance_trend import ComplianceTrendScreen

        if self.current is not None:
            self.app.push_screen(ComplianceTrendScreen(self.current.id, self.current.name))

    def action_windows(self) -> None:
        from sumtui.tui.screens.windows import WindowsScreen

        if self.current is not None:
            self.app.push_screen(WindowsScreen(self.current))

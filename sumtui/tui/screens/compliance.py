"""Compliance (stage 6, "determine what to deploy", seen from the fleet): every update with how many
clients of a collection need it, have it, are not concerned, have not reported or failed it.

Most Required first by default; colours say severity and how wide the gap is. The query is collection
∧ filter form ∧ typed words ∧ "only updates someone needs"; each change builds a new
`ComplianceSource`, and the grid counts and pages it in workers. Enter walks down: the clients that
need the update, then one client's detail; esc walks back up. Space picks updates and `a` puts them
(or the one under the cursor) into an update list; `D` deploys them (the deployment wizard).
"""

from __future__ import annotations

from dataclasses import replace

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Input, Static

from sumtui.catalog.queries import UpdateFilter
from sumtui.tui.cells import CellStyles, markup, pct_text, plain, short_product
from sumtui.tui.compliance_sources import (
    COMPLIANCE_COLUMNS,
    COMPLIANCE_SORT_LABELS,
    ComplianceSource,
    UpdateRef,
)
from sumtui.tui.fleet_sources import post_collection_context
from sumtui.tui.messages import CatalogChoicesLoaded, CollectionsLoaded
from sumtui.tui.screens.add_to_list import AddToListAction
from sumtui.tui.screens.deploy_wizard_action import DeployAction
from sumtui.tui.screens.grid_screen import (
    SearchGridScreen,
    UpdateFilterAction,
    count_status,
)
from sumtui.tui.widgets.paged_table import PagedTable
from sumtui.tui.widgets.selectable_table import SelectableTable
from sumtui.tui.widgets.stale_states import StaleStatesLine


def ref_summary(ref: UpdateRef) -> Content:
    """Two lines under the grid: the update in full words, then what enter does."""
    released = ref.released.strftime("%Y-%m-%d") if ref.released else "no release date"
    return markup(
        "[b]KB$kb[/b] $severity · $title · released $released\n[dim]$product · enter: the clients that need it[/dim]",
        kb=ref.kb, severity=ref.severity or "no severity", title=ref.title, released=released, product=ref.product,
    )


class ComplianceScreen(DeployAction, AddToListAction, UpdateFilterAction, SearchGridScreen):
    TITLE = "Compliance"
    AUTO_FOCUS = "#grid"
    GRID_ROWS = "compliance"
    BINDINGS = [
        Binding("escape", "leave", "Back", key_display="esc", show=False, id="compliance.back"),
        Binding("c", "pick_collection", "Collection", id="compliance.collection"),
        Binding("f", "filter", "Filter", id="compliance.filter"),
        Binding("n", "toggle_needed", "Needed", tooltip="Needed only (toggle)", id="compliance.needed"),
        Binding("r", "reset", "Reset filters", show=False, id="compliance.reset"),
        Binding("a", "add_to_list", "Add to list", show=False, id="compliance.add_to_list"),
        Binding("D", "deploy", "Deploy", key_display="D", show=False, id="compliance.deploy"),
    ]

    def __init__(self, *, collection_id: int | None = None) -> None:
        super().__init__()
        self.collection_id = collection_id  # None: All Systems (its id is learnt with the collections)
        self.collections: list = []
        self._collections_read = False
        self._open_when_read = None  # a row enter was pressed on before the collections were read
        self.extra = UpdateFilter()
        self.text = ""
        self.only_needed = False
        self.sort, self.descending = "required", True
        self._families: list[str] = []
        self._products: list[str] = []
        self._count: int | None = None
        self.list_id: int | None = None  # only this update list's updates (its page sets it)

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="search-bar"):
            yield Input(placeholder="/ search: words in KB, title, product or CVE", id="search", compact=True)
        yield StaleStatesLine(id="compliance-stale")
        yield Static("", id="compliance-collection", classes="status-line")
        yield Static("", id="compliance-query", classes="status-line")
        yield SelectableTable(COMPLIANCE_COLUMNS, None, page_size=100, sort_key=self.sort,
                              sort_descending=self.descending, id="grid", pick_key=lambda ref: ref.update_id,
                              pick_label=lambda row: f"KB{row.key.kb} ({short_product(row.key.product)})")
        yield Static("", id="compliance-detail", classes="row-detail")

    def on_mount(self) -> None:
        # All Systems needs no lookup first: the grid starts counting at once; the collections and the
        # filter choices follow the first rows.
        self.start_grid()

    # ------------------------------------------------------------------ the collection and the choices

    @work(thread=True, exclusive=True, group="compliance-context", exit_on_error=False)
    def load_context(self) -> None:
        post_collection_context(self.console.site, self.post_message, families=True)

    @on(CatalogChoicesLoaded)
    def _choices_loaded(self, message: CatalogChoicesLoaded) -> None:
        self._families, self._products = message.families, message.products

    @on(CollectionsLoaded)
    def _collections_loaded(self, message: CollectionsLoaded) -> None:
        self.collections = message.collections
        self._collections_read = True
        ids = [c.id for c in self.collections]
        if self.collection_id is None and ids:
            self.collection_id = ids[0]  # All Systems comes first: the grid shows it already
        elif self.collection_id not in ids:
            self.collection_id = ids[0] if ids else None  # the one shown was deleted
            self.rebuild()
        self._show_status()
        key, self._open_when_read = self._open_when_read, None
        if key is not None and (c := self.collection) is not None and self.is_current:
            from sumtui.tui.screens.update_clients import UpdateClientsScreen

            self.app.push_screen(UpdateClientsScreen(key, collection_id=c.id, collection_name=c.name))

    @property
    def collection(self):
        return next((c for c in self.collections if c.id == self.collection_id), None)

    def action_pick_collection(self) -> None:
        from sumtui.tui.screens.collection_picker import CollectionPickerScreen

        if not self.collections:
            self.notify("No collections yet: clients report first (see :clients)." if self._collections_read
                        else "Reading the collections: try again in a moment.", timeout=4)
            return

        def picked(collection_id: int | None) -> None:
            if collection_id is not None and collection_id != self.collection_id:
                self.collection_id = collection_id
                self.rebuild()

        self.app.push_screen(CollectionPickerScreen(self.collections, current=self.collection_id), picked)

    # ------------------------------------------------------------------ the query

    @property
    def effective_filter(self) -> UpdateFilter:
        words = " ".join(part for part in (self.extra.text, self.text.strip()) if part)
        return replace(self.extra, text=words or None)

    def rebuild(self, *, keep_cursor: bool = False) -> None:
        self.query_one("#grid", PagedTable).set_source(ComplianceSource(
            self.console.site.engine, self.collection_id, self.effective_filter, self.only_needed, self.sort,
            self.descending, CellStyles.from_variables(self.app.theme_variables), self.list_id,
        ), keep_cursor=keep_cursor)
        self._count = None
        self._show_status()

    def _show_status(self) -> None:
        c = self.collection
        if c is None and not self._collections_read:
            head = "reading the collections…"
        elif c is None:
            head = "No clients yet: agents report to the management point (:mp), or import inventories (:clients)."
        else:
            head = markup(
                "[b]$name[/b]: $members clients, $reported reported, $unknown unknown · [b]$pct%[/b] compliant  [dim](c: change)[/dim]",
                name=c.name, members=f"{c.members:,}", reported=f"{c.reported:,}", unknown=f"{c.members - c.reported:,}",
                pct=pct_text(c.compliant_pct),
            )
        self.query_one("#compliance-collection", Static).update(head)
        parts = [count_status(self._count, "update")]
        if self.only_needed:
            parts.append("only needed ones (n: all)")
        described = self.effective_filter
        if described != UpdateFilter():
            parts.append(described.describe())
        parts.append(self.sort_status(COMPLIANCE_SORT_LABELS))
        if picks := self.picks_status():
            parts.append(picks)
        self.query_one("#compliance-query", Static).update(plain(" · ".join(parts)))  # typed words among them

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.text = event.value
        self.rebuild()

    @on(PagedTable.Loaded, "#grid")
    def _loaded(self, event: PagedTable.Loaded) -> None:
        self.first_rows_in()
        self._count = event.row_count
        self._show_status()
        if event.row_count == 0:
            self.query_one("#compliance-detail", Static).update("No update matches." if self.collections else "")

    @on(SelectableTable.PicksChanged, "#grid")
    def _picks_changed(self) -> None:
        self._show_status()

    @on(PagedTable.CursorMoved, "#grid")
    def _cursor_moved(self, event: PagedTable.CursorMoved) -> None:
        if event.row is not None:
            # The pane grows to the whole summary (app.tcss): the layout follows its height.
            self.query_one("#compliance-detail", Static).update(ref_summary(event.row.key))

    @on(PagedTable.RowActivated, "#grid")
    def _activated(self, event: PagedTable.RowActivated) -> None:
        from sumtui.tui.screens.update_clients import UpdateClientsScreen

        c = self.collection
        if c is None:
            # The collections are read after the first rows: an enter typed ahead opens once they are in.
            self._open_when_read = event.row.key
            return
        self.app.push_screen(UpdateClientsScreen(event.row.key, collection_id=c.id, collection_name=c.name))

    # ------------------------------------------------------------------ filters (f: UpdateFilterAction)

    def action_toggle_needed(self) -> None:
        self.only_needed = not self.only_needed
        self.rebuild()

    def action_reset(self) -> None:
        self.extra, self.text, self.only_needed = UpdateFilter(), "", False
        self.clear_search()
        self.rebuild()

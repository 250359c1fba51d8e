"""Clients (stage 5 and the Inventory Tool side track): every managed machine in a paged grid with its
OS product, Required (Critical) count, worst missing KBs, last report and support state; search, filters
(among them "misses an update of severity ≥ S" and server / workstation), sort (Req.(C): worst first);
enter opens a client's detail, which says why each update is needed; `i` imports inventory files.
Home's triage opens it on the servers that miss a Critical update, worst first (`show_view`). `p` opens
the registrations of known names held for approval (the status line counts them); `R` resets the selected
client's registration after a confirmation (its agent's token stops working and the next registration of
the name is accepted).

The same screen, opened from Collections with a collection, is that collection's members view: the
collection filter is fixed, and a static collection's members are added (`a`, by name) and removed
(`x`, after a confirmation) here.
"""

from __future__ import annotations

from dataclasses import replace

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Static

from sumtui.fleet.clients import ClientFilter
from sumtui.tui.cells import CellStyles, plain
from sumtui.tui.fleet_sources import (
    CLIENT_COLUMNS,
    CLIENT_SORT_LABELS,
    ClientsSource,
    post_collection_context,
)
from sumtui.tui.messages import (
    CatalogChoicesLoaded,
    CollectionsLoaded,
    FleetChanged,
    WorkFailed,
)
from sumtui.tui.screens.client_filter import describe_client_filter
from sumtui.tui.screens.grid_screen import SearchGridScreen, count_status
from sumtui.tui.widgets.paged_table import PagedTable

CHANGES_SITE = ("import_inventories", "add_members", "remove_member", "reset_registration")


def name_list(text: str) -> list[str]:
    """'ws-1, ws-2 srv-9' → the names (commas, spaces or both between them)."""
    return [name for name in text.replace(",", " ").split() if name]


class ClientsScreen(SearchGridScreen):
    TITLE = "Clients"
    AUTO_FOCUS = "#grid"
    GRID_ROWS = "clients"
    BINDINGS = [
        Binding("escape", "leave", "Back", key_display="esc", show=False, id="clients.back"),
        Binding("f", "filter", "Filter", id="clients.filter"),
        Binding("i", "import_inventories", "Import", tooltip="Import inventories", id="clients.import"),
        Binding("a", "add_members", "Add", tooltip="Add members", id="clients.add_members"),
        Binding("x", "remove_member", "Remove", tooltip="Remove member", id="clients.remove_member"),
        Binding("r", "reset", "Reset filters", show=False, id="clients.reset"),
        Binding("p", "pending", "Pending", tooltip="Pending registrations", id="clients.pending"),
        Binding("R", "reset_registration", "Reset registration", show=False, id="clients.reset_registration"),
    ]

    def __init__(self, *, collection=None) -> None:
        """`collection`: a CollectionRow, for the members view of that collection."""
        super().__init__()
        self.members_of = collection
        self.filter = ClientFilter(collection_id=collection.id if collection else None)
        self.sort, self.descending = "name", False
        self.collections: list = []
        self._products: list[str] = []
        self._count: int | None = None
        self._held = 0  # registrations of known names waiting for approval
        if collection is not None:
            self.TITLE = f"Members of {collection.name}"

    @property
    def static_members(self) -> bool:
        return self.members_of is not None and self.members_of.kind == "static"

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="search-bar"):
            yield Input(placeholder="/ search: words in name, domain or OS product", id="search", compact=True)
        yield Static("", id="clients-status", classes="status-line")
        yield PagedTable(CLIENT_COLUMNS, None, page_size=100, sort_key=self.sort, sort_descending=self.descending, id="grid")
        hint = "enter: the client's updates and why"
        if self.static_members:
            hint += " · a: add members by name · x: remove the selected one"
        elif self.members_of is not None:
            hint += f" · members follow the rule: {self.members_of.rule_text}"
        yield Static(plain(hint), id="clients-hint", classes="hint status-line")

    def on_mount(self) -> None:
        # The collections and product names (filter choices, status) follow the first rows.
        self.start_grid()
        self.count_held()

    def show_view(self, flt: ClientFilter, *, sort: str, descending: bool) -> None:
        """Show these clients in this order (a view opened from elsewhere, e.g. Home's triage): the search
        box is emptied; in a members view the collection stays."""
        if self.members_of is not None:
            flt = replace(flt, collection_id=self.members_of.id)
        self.filter, self.sort, self.descending = flt, sort, descending
        if not self.is_mounted:
            return  # compose and on_mount read them
        grid = self.query_one("#grid", PagedTable)
        grid.sort_key, grid.sort_descending = sort, descending
        self.clear_search()
        self.rebuild()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in CHANGES_SITE and self.console.readonly:
            return False
        if action in ("add_members", "remove_member"):
            return self.static_members
        if action == "pending":
            return self.members_of is None
        return True

    # ------------------------------------------------------------------ the query

    def rebuild(self) -> None:
        self._count = None
        self.query_one("#grid", PagedTable).set_source(ClientsSource(
            self.console.site.engine, self.filter, self.sort, self.descending, self.console.now(),
            CellStyles.from_variables(self.app.theme_variables),
        ))
        self._show_status()

    def _show_status(self) -> None:
        names = {c.id: c.name for c in self.collections}
        shown = self.filter if self.members_of is None else replace(self.filter, collection_id=None)
        parts = [count_status(self._count, "client")]
        described = describe_client_filter(shown, names)
        if described:
            parts.append(described)
        parts.append(self.sort_status(CLIENT_SORT_LABELS))
        parts.append("Req.(C): required (critical) · Missing: the worst first · EoS: out of support")
        if self._held and self.members_of is None:
            parts.append(f"{self._held} registration{'s' if self._held != 1 else ''} waiting for approval (p)")
        self.query_one("#clients-status", Static).update(plain(" · ".join(parts)))  # names and typed words

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.filter = replace(self.filter, text=event.value.strip() or None)
        self.rebuild()

    @on(PagedTable.Loaded, "#grid")
    def _loaded(self, event: PagedTable.Loaded) -> None:
        self.first_rows_in()
        self._count = event.row_count
        self._show_status()

    @on(PagedTable.RowActivated, "#grid")
    def _activated(self, event: PagedTable.RowActivated) -> None:
        from sumtui.tui.screens.client_detail import ClientDetailScreen

        self.app.push_screen(ClientDetailScreen(int(event.row.key)))

    # ------------------------------------------------------------------ filters

    @work(thread=True, exclusive=True, group="clients-context", exit_on_error=False)
    def load_context(self) -> None:
        post_collection_context(self.console.site, self.post_message)

    @on(CatalogChoicesLoaded)
    def _choices_loaded(self, message: CatalogChoicesLoaded) -> None:
        self._products = message.products

    @on(CollectionsLoaded)
    def _collections_loaded(self, message: CollectionsLoaded) -> None:
        self.collections = message.collections
        if self.members_of is not None:
            current = next((c for c in message.collections if c.id == self.members_of.id), None)
            if current is None:
                self.notify(f"The collection {self.members_of.name!r} was deleted.", severity="warning", timeout=6)
                self.app.pop_screen()
                return
            self.members_of = current
        self._show_status()

    def action_filter(self) -> None:
        from sumtui.tui.screens.client_filter import ClientFilterScreen

        def chosen(result: ClientFilter | None) -> None:
            if result is not None:
                self.filter = result
                self.rebuild()

        choices = [(c.name, c.id) for c in self.collections]
        self.app.push_screen(ClientFilterScreen(self.filter, collections=choices, products=self._products,
                                                lock_collection=self.members_of is not None), chosen)

    def action_reset(self) -> None:
        self.filter = ClientFilter(collection_id=self.members_of.id if self.members_of else None)
        self.clear_search()
        self.rebuild()

    # ------------------------------------------------------------------ inventories

    def action_import_inventories(self) -> None:
        if self.console.readonly:
            return
        from sumtui.tui.screens.inventory_import import (
            InventoryImportScreen,
            InventoryImportSummary,
        )

        def closed(summary: InventoryImportSummary | None) -> None:
            if summary is not None and summary.imported:
                self.notify(f"{summary.imported} inventor{'y' if summary.imported == 1 else 'ies'} imported"
                            + (f", {summary.failed} refused" if summary.failed else "") + ".", timeout=6)

        self.app.push_screen(InventoryImportScreen(), closed)

    # ------------------------------------------------------------------ static members

    def action_add_members(self) -> None:
        if not self.static_members or self.console.readonly:
            return
        from sumtui.tui.screens.prompt import PromptScreen

        collection = self.members_of

        def named(text: str | None) -> None:
            if text:
                self.add_members(collection.id, name_list(text))

        self.app.push_screen(PromptScreen(
            f"Add clients to {collection.name!r}", detail="Client names, separated by spaces or commas.",
            placeholder="WS-00012 SRV-00003", action="Add",
            check=lambda text: None if name_list(text) else "name at least one client",
        ), named)

    @work(thread=True, group="members-change", exit_on_error=False)
    def add_members(self, collection_id: int, names: list[str]) -> None:
        from sumtui.fleet.clients import find_client
        from sumtui.fleet.collections import FleetError, get_collection, member_ids
        from sumtui.workflows.collections import set_static_members

        try:
            with self.console.site.session() as session:
                collection = get_collection(session, collection_id)
                found, missing = {}, []
                for name in names:
                    client = find_client(session, name)
                    if client is None:
                        missing.append(name)
                    else:
                        found[client.id] = client.name
                already = member_ids(session, collection_id) & set(found)
                title = collection.name  # read now: the membership change expires the row
                set_static_members(session, collection, add=list(found))
                session.commit()
        except Exception as exc:
            self.post_message(WorkFailed.from_exception("adding members", exc, FleetError))
            return
        added = len(found) - len(already)
        text = f"{added} client{'s' if added != 1 else ''} added to {title!r}"
        if already:
            text += f", {len(already)} already in it"
        if missing:
            text += f"; no client named {', '.join(missing[:5])}" + ("…" if len(missing) > 5 else "")
        self.post_message(FleetChanged(text + "."))

    def action_remove_member(self) -> None:
        if not self.static_members or self.console.readonly:
            return
        row = self.query_one("#grid", PagedTable).current_row
        if row is None:
            self.notify("No member selected.", timeout=3)
            return
        from sumtui.tui.screens.confirm import ConfirmScreen

        collection, name, client_id = self.members_of, str(row.cells[0]), int(row.key)

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.remove_member(collection.id, client_id, name)

        self.app.push_screen(ConfirmScreen(
            f"Remove {name} from {collection.name!r}? The client stays in the site and in its other collections; "
            "deployments to this collection stop applying to it.", yes="Remove"), confirmed)

    @work(thread=True, group="members-change", exit_on_error=False)
    def remove_member(self, collection_id: int, client_id: int, name: str) -> None:
        from sumtui.fleet.collections import FleetError, get_collection
        from sumtui.workflows.collections import set_static_members

        try:
            with self.console.site.session() as session:
                collection = get_collection(session, collection_id)
                title = collection.name  # read now: the membership change expires the row
                set_static_members(session, collection, remove=[client_id])
                session.commit()
        except Exception as exc:
            self.post_message(WorkFailed.from_exception("removing the member", exc, FleetError))
            return
        self.post_message(FleetChanged(f"{name} removed from {title!r}."))

    # ------------------------------------------------------------------ registrations

    @work(thread=True, exclusive=True, group="clients-held", exit_on_error=False)
    def count_held(self) -> None:
        from sumtui.fleet.registrations import list_held

        try:
            with self.console.site.session() as session:
                held = sum(1 for view in list_held(session) if view.state == "pending")
        except Exception:  # noqa: BLE001 - a count on the status line; the grid says the rest
            return
        self.app.call_from_thread(self._held_counted, held)

    def _held_counted(self, held: int) -> None:
        self._held = held
        self._show_status()

    def action_pending(self) -> None:
        from sumtui.tui.screens.registrations import PendingRegistrationsScreen

        self.app.push_screen(PendingRegistrationsScreen())

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            self.count_held()  # back from the pending registrations, or new ones came in meanwhile

    def action_reset_registration(self) -> None:
        if self.console.readonly:
            return
        row = self.query_one("#grid", PagedTable).current_row
        if row is None:
            self.notify("No client selected.", timeout=3)
            return
        from sumtui.tui.screens.confirm import ConfirmScreen

        client_id, name = int(row.key), str(row.cells[0])

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.reset_registration(client_id)

        self.app.push_screen(ConfirmScreen(
            f"Reset the registration of {name}? Its agent's token stops working at once, and the next machine that "
            f"registers as {name} with the site enrollment key gets its identity (a reinstalled machine, a lost agent "
            "state).", yes="Reset"), confirmed)

    @work(thread=True, group="members-change", exit_on_error=False)
    def reset_registration(self, client_id: int) -> None:
        from sumtui.fleet.models import Client
        from sumtui.fleet.registrations import RegistrationError, reset_registration

        try:
            with self.console.site.session() as session:
                client = session.get(Client, client_id)
                if client is None:
                    raise RegistrationError("the client was deleted")
                name = client.name
                reset_registration(session, name=name)
        except Exception as exc:
            self.post_message(WorkFailed.from_exception("resetting the registration", exc, RegistrationError))
            return
        self.post_message(FleetChanged(f"Registration of {name} reset: its next registration is accepted."))

    @on(FleetChanged)
    def _fleet_changed(self, message: FleetChanged) -> None:
        self.notify(message.text, timeout=6)
        self.console.notify_data_changed()

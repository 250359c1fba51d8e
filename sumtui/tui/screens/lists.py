"""Update lists (stage 7): named static sets of updates, each with its own compliance in a collection
(the per-update summaries, added up over the list). Enter opens a list's updates, compliance grid
style (update → clients → client); `n` / `e` name and describe one, `delete` asks first naming what
goes, `D` deploys one (the deployment wizard), `x` / `i` write and read TOML, `c` picks the
collection the figures are for, `t` plots a list's daily compliance in All Systems (the trend screen
Collections uses). A read-only console lists only.
"""

from __future__ import annotations

from functools import partial

from textual import on, work
from textual.binding import Binding

from sumtui.tui.cells import CellStyles, markup, pct_text, plain
from sumtui.tui.deploy_sources import LIST_COLUMNS, list_rows
from sumtui.tui.messages import (
    CollectionsLoaded,
    DeployChanged,
    ListsLoaded,
    WorkFailed,
)
from sumtui.tui.screens.deploy_wizard_action import DeployAction
from sumtui.tui.screens.name_form import save_list
from sumtui.tui.screens.named_rows import NamedRowsScreen
from sumtui.tui.screens.toml_files import TomlFileActions, TomlKind, list_kind
from sumtui.tui.widgets.paged_table import PagedTable

EMPTY = ("No update list yet: n makes one, or pick updates with space on :updates or :compliance and press a. "
         "i imports one from a TOML file.")


class ListsScreen(DeployAction, TomlFileActions, NamedRowsScreen):
    TITLE = "Update lists"
    COLUMNS = LIST_COLUMNS
    STATUS_ID, DETAIL_ID = "lists-status", "list-detail"
    NOUN = "update list"
    BINDINGS = [
        Binding("n", "new", "New", id="lists.new"),
        Binding("e", "edit", "Rename", id="lists.edit"),
        Binding("delete", "delete", "Delete", key_display="del", id="lists.delete"),
        Binding("c", "pick_collection", "Collection", id="lists.collection"),
        Binding("x", "export", "Export", show=False, id="lists.export"),  # rare: in `?`, the footer fits 80 columns
        Binding("i", "import", "Import", show=False, id="lists.import"),
        Binding("D", "deploy", "Deploy", key_display="D", id="lists.deploy"),
        Binding("t", "trend", "Trend", show=False, tooltip="Compliance trend", id="lists.trend"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.collections: list = []  # CollectionRow values, All Systems first
        self.collection_id: int | None = None  # None: All Systems (or no collection yet)

    def toml_kind(self) -> TomlKind:
        return list_kind()

    @property
    def collection(self):
        return next((c for c in self.collections if c.id == self.collection_id), None)

    # ------------------------------------------------------------------ reading

    def load(self) -> None:
        self.read_lists(self.collection_id)

    @work(thread=True, exclusive=True, group="lists", exit_on_error=False)
    def read_lists(self, collection_id: int | None) -> None:
        from sumtui.deploy.lists import list_lists
        from sumtui.tui.fleet_sources import load_collections

        try:
            with self.console.site.session() as session:
                collections = load_collections(session)
                ids = [c.id for c in collections]
                chosen = collection_id if collection_id in ids else (ids[0] if ids else None)
                # Without a collection (no client yet) the lists are counted in none: sizes, no figures.
                lists = list_lists(session, collection_id=chosen if chosen is not None else 0)
        except Exception as exc:
            self.post_message(WorkFailed.from_exception("reading the update lists", exc))
            return
        self.post_message(CollectionsLoaded(collections))
        self.post_message(ListsLoaded(lists, chosen))

    @on(CollectionsLoaded)
    def _collections_loaded(self, message: CollectionsLoaded) -> None:
        self.collections = message.collections

    @on(ListsLoaded)
    def _show(self, message: ListsLoaded) -> None:
        self.collection_id = message.collection_id
        c = self.collection
        rows = list_rows(message.lists, CellStyles.from_variables(self.app.theme_variables), c.members if c else 0)
        if not message.lists:
            status = plain(EMPTY)
        else:
            where = (markup("compliance in [b]$name[/b] ($members clients; c: change)", name=c.name,
                            members=f"{c.members:,}") if c else plain("no clients yet: compliance arrives with their scans"))
            count = len(message.lists)
            status = plain(f"{count} update list{'s' if count != 1 else ''} · ") + where + plain(" · enter: its updates")
        self.show_rows(message.lists, rows, status)

    def deploy_preset(self) -> dict | None:
        """`D` deploys the list under the cursor (the deployment wizard)."""
        s = self.current
        return {"list_name": s.name} if s is not None else None

    def detail_of(self, s) -> str:
        c = s.compliance
        figures = f"{c.updates:,} update{'s' if c.updates != 1 else ''}"
        if self.collection and c.updates:
            figures += (f" · client×update pairs: {c.required:,} required, {c.installed:,} installed, {c.failed:,} failed, "
                        f"{c.unknown:,} unknown · {pct_text(c.compliant_pct)}% compliant")
        return plain(f"{s.name} — {s.description or 'no description'}\n{figures}")

    # ------------------------------------------------------------------ moving on

    @on(PagedTable.RowActivated, "#grid")
    def _activated(self) -> None:
        from sumtui.tui.screens.list_detail import ListDetailScreen

        s = self.current
        if s is not None:
            self.app.push_screen(ListDetailScreen(s.id, s.name, collection_id=self.collection_id))

    def action_trend(self) -> None:
        from sumtui.tui.screens.compliance_trend import ComplianceTrendScreen

        s = self.current
        if s is not None:
            self.app.push_screen(ComplianceTrendScreen(s.id, s.name, update_list=True))

    def action_pick_collection(self) -> None:
        from sumtui.tui.screens.collection_picker import CollectionPickerScreen

        if not self.collections:
            self.notify("No collections yet: clients report first (see :clients).", timeout=4)
            return

        def picked(collection_id: int | None) -> None:
            if collection_id is not None and collection_id != self.collection_id:
                self.collection_id = collection_id
                self.load()

        self.app.push_screen(CollectionPickerScreen(self.collections, current=self.collection_id), picked)

    # ------------------------------------------------------------------ changes

    def open_form(self, current) -> None:
        from sumtui.tui.screens.name_form import NameFormScreen

        def saved(name: str | None) -> None:
            if name is not None:
                verb = "saved" if current else "created: a on its page adds updates"
                self.post_message(DeployChanged(f"Update list {name!r} {verb}.", select=name))

        self.app.push_screen(NameFormScreen(
            partial(save_list, self.console.site), noun="update list", current=current.name if current else None,
            description=current.description if current else None,
            note="" if current else "Then add updates: a on the list's page, or pick them with space on :updates "
                                    "or :compliance and press a.",
        ), saved)

    def action_delete(self) -> None:
        s = self.current
        if self.console.readonly or s is None:
            return
        count = s.compliance.updates
        self.ask_delete(f"Delete the update list {s.name!r} and its {count:,} update{'s' if count != 1 else ''}? "
                        "The updates stay in the catalog.", s.name)

    def delete_row(self, session, name: str) -> str:
        from sumtui.deploy.lists import delete_list

        return delete_list(session, name=name).name

    def domain_errors(self) -> tuple[type[Exception], ...]:
        from sumtui.deploy.lists import ListError

        return (ListError,)

"""One update list's page: its updates with their compliance in a collection, the Compliance screen's
grid restricted to the list (the same sorts, search, filters and drill-down: update → clients →
client). `a` adds updates by KB, `delete` removes the picked ones (space picks; none picked: the one
under the cursor) after naming them, `e` renames the list, `D` deploys it (the deployment wizard). The
list is held by id, so a rename elsewhere changes nothing here.
"""

from __future__ import annotations

from functools import partial

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from sumtui.tui.cells import markup
from sumtui.tui.messages import DeployChanged, ListLoaded, WorkFailed
from sumtui.tui.screens.add_to_list import updates_text
from sumtui.tui.screens.compliance import ComplianceScreen
from sumtui.tui.screens.grid_screen import reload_on_data_change
from sumtui.tui.widgets.selectable_table import SelectableTable

CHANGES_SITE = ("add_updates", "remove", "edit")
KB_HELP = "KB numbers separated by spaces: KB4592440 (the products your clients have) or KB4592440@11569 (one product)"


def kb_check(text: str) -> str | None:
    """The prompt's check: every word a KB reference (the domain's own rule)."""
    from sumtui.deploy.lists import ListError, parse_ref

    words = text.replace(",", " ").split()
    if not words:
        return "type at least one KB number"
    for word in words:
        try:
            parse_ref(word)
        except ListError as exc:
            return str(exc)
    return None


class ListDetailScreen(ComplianceScreen):
    BINDINGS = [
        # The compliance page's filters work here too; the footer keeps its room for the list's own keys.
        Binding("f", "filter", "Filter", show=False, id="compliance.filter"),
        Binding("n", "toggle_needed", "Needed only", show=False, id="compliance.needed"),
        Binding("a", "add_updates", "Add KBs", id="list.add"),
        Binding("delete", "remove", "Remove", key_display="del", id="list.remove"),
        Binding("e", "edit", "Rename", id="list.edit"),
        Binding("D", "deploy", "Deploy list", key_display="D", id="list.deploy"),
    ]

    def __init__(self, list_id: int, name: str, *, collection_id: int | None = None) -> None:
        super().__init__(collection_id=collection_id)
        self.list_id = list_id
        self.list_name: str | None = name  # None once the list is gone
        self.description: str | None = None
        self.list_size: int | None = None
        self.TITLE = f"List {name}"

    def compose_body(self) -> ComposeResult:
        yield Static(markup("[b]$name[/b]", name=self.list_name), id="list-title", classes="status-line")
        yield from super().compose_body()

    def on_mount(self) -> None:
        # ComplianceScreen.on_mount runs too (Textual calls the handler of every class): it starts the grid.
        reload_on_data_change(self, self.load_list)
        self.load_list()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in CHANGES_SITE and (self.console.readonly or self.list_name is None):
            return False
        return super().check_action(action, parameters)

    def picks_status(self) -> str:
        count = len(self.query_one("#grid", SelectableTable).picked)
        return f"{count} picked (del: remove from the list, u: unpick)" if count else ""

    def deploy_preset(self) -> dict | None:
        """`D` here deploys the whole list (the deployment keeps its name: `sumtui deployments`)."""
        return {"list_name": self.list_name} if self.list_name else None

    # ------------------------------------------------------------------ the list itself

    @work(thread=True, exclusive=True, group="list-info", exit_on_error=False)
    def load_list(self) -> None:
        from sumtui.deploy.lists import list_lists

        try:
            with self.console.site.session() as session:
                found = next((s for s in list_lists(session, collection_id=0) if s.id == self.list_id), None)
        except Exception as exc:
            self.post_message(WorkFailed.from_exception("reading the update list", exc))
            return
        if found is None:
            self.post_message(ListLoaded(self.list_id, None))
        else:
            self.post_message(ListLoaded(self.list_id, found.name, found.description, found.compliance.updates))

    @on(ListLoaded)
    def _list_loaded(self, message: ListLoaded) -> None:
        title = self.query_one("#list-title", Static)
        self.list_name, self.description, self.list_size = message.name, message.description, message.updates
        self.refresh_bindings()
        if message.name is None:
            title.update("This update list was deleted.")
            return
        size = f"{message.updates:,} update{'s' if message.updates != 1 else ''}"
        hint = "" if message.updates else " · a adds updates by KB"
        title.update(markup("[b]$name[/b] · $size · $description$hint", name=message.name, size=size,
                            description=message.description or "no description", hint=hint))

    # ------------------------------------------------------------------ changes

    def action_add_updates(self) -> None:
        from sumtui.tui.screens.prompt import PromptScreen

        if self.console.readonly or self.list_name is None:
            return
        name = self.list_name

        def typed(text: str | None) -> None:
            if text:
                self.change_updates(name, add=True, refs=text.replace(",", " ").split())

        self.app.push_screen(PromptScreen(f"Add updates to {name!r}", detail=KB_HELP, placeholder="KB4592440 KB4586793",
                                          action="Add", check=kb_check), typed)

    @work(thread=True, group="list-change", exit_on_error=False)
    def change_updates(self, name: str, *, add: bool, refs: list[str] = (), update_ids: list[int] = ()) -> None:
        """Add updates to the list (by KB) or remove them (by id), in a worker."""
        from sumtui.deploy.lists import ListError, add_updates, remove_updates

        try:
            with self.console.site.session() as session:
                change = (add_updates if add else remove_updates)(session, name=name, refs=refs, update_ids=update_ids)
                session.commit()
        except Exception as exc:
            self.post_message(WorkFailed.from_exception(f"changing {name!r}", exc, ListError))
            return
        done = "added to" if add else "removed from"
        already = f" ({len(change.unchanged)} already in it)" if change.unchanged else ""
        self.post_message(DeployChanged(f"{len(change.changed)} update(s) {done} {change.name!r}{already}."))

    def action_remove(self) -> None:
        from sumtui.tui.screens.confirm import ConfirmScreen

        if self.console.readonly or self.list_name is None:
            return
        grid = self.query_one("#grid", SelectableTable)
        picked = grid.picked
        if not picked and grid.current_row is not None:
            picked = {grid.key_of(grid.current_row): grid.label_of(grid.current_row)}
        if not picked:
            return
        name, ids, labels = self.list_name, list(picked), list(picked.values())
        what = f"the {len(ids)} picked updates ({updates_text(labels)})" if len(ids) > 1 else labels[0]

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.change_updates(name, add=False, update_ids=ids)

        self.app.push_screen(ConfirmScreen(f"Remove {what} from the update list {name!r}? They stay in the catalog.",
                                           yes="Remove"), confirmed)

    def action_edit(self) -> None:
        from sumtui.tui.screens.name_form import NameFormScreen, save_list

        if self.console.readonly or self.list_name is None:
            return

        def saved(name: str | None) -> None:
            if name is not None:
                self.post_message(DeployChanged(f"Update list {name!r} saved."))

        self.app.push_screen(NameFormScreen(partial(save_list, self.console.site), noun="update list",
                                            current=self.list_name, description=self.description), saved)

    @on(DeployChanged)
    def _changed(self, message: DeployChanged) -> None:
        self.notify(message.text, timeout=6)
        self.query_one("#grid", SelectableTable).clear_picks()
        self.console.notify_data_changed()

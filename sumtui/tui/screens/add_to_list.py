"""`a` on the Updates and Compliance grids: put the picked updates (space picks them; none picked: the
one under the cursor) into an update list, an existing one or a new one named in the picker.

`ListPickerScreen` dismisses with a `ListChoice` (or None); `AddToListAction` is the screens' side:
the key, the picker, and a worker that writes the change and posts `AddedToList`.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label
from textual.widgets.option_list import Option

from sumtui.tui.cells import plain
from sumtui.tui.messages import AddedToList, ListNamesLoaded, WorkFailed
from sumtui.tui.widgets.lists import KeyOptionList
from sumtui.tui.widgets.selectable_table import SelectableTable

NEW = "+new"


@dataclass(frozen=True)
class ListChoice:
    name: str
    new: bool  # create the list (with these updates) rather than add to it


def updates_text(labels: list[str], *, shown: int = 3) -> str:
    """'KB4592440, KB4586793 and 3 more' for a confirmation or a notification."""
    head = ", ".join(labels[:shown])
    return head + (f" and {len(labels) - shown} more" if len(labels) > shown else "")


class ListPickerScreen(ModalScreen[ListChoice | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", key_display="esc", id="list_picker.cancel")]

    def __init__(self, what: str) -> None:
        """`what`: the updates going in, in words ("3 updates: KB4592440, …")."""
        super().__init__()
        self._what = what
        self._names: list[str] = []
        self._options = KeyOptionList(Option("+ New list…", id=NEW), id="list-picker-list")
        self._name = Input(placeholder="name of the new list (up to 50 characters)", id="list-picker-name",
                           max_length=50, compact=True)
        self._error = Label("", id="list-picker-error", classes="form-error")

    def compose(self) -> ComposeResult:
        with Vertical(id="list-picker-dialog", classes="dialog"):
            yield Label(plain(f"Add {self._what} to which update list?"), classes="dialog-title")
            yield self._options
            yield self._name
            yield self._error
            yield Label("enter picks · a new list takes a name · esc cancels", classes="hint")

    def on_mount(self) -> None:
        self._name.display = False
        self._options.highlighted = 0
        self._options.focus()
        self.load_names()

    @work(thread=True, exclusive=True, group="list-names", exit_on_error=False)
    def load_names(self) -> None:
        from sumtui.deploy.lists import list_lists

        try:
            with self.app.site.session() as session:
                # Counting in a collection that does not exist reads no summary: only the sizes are wanted.
                names = [(s.name, s.compliance.updates) for s in list_lists(session, collection_id=0)]
        except Exception as exc:
            self.post_message(WorkFailed.from_exception("reading the update lists", exc))
            return
        self.post_message(ListNamesLoaded(names))

    @on(ListNamesLoaded)
    def _names_loaded(self, message: ListNamesLoaded) -> None:
        self._names = [name for name, _ in message.names]
        # Lists are named by their position: a name is data and may be anything printable.
        self._options.add_options(Option(plain(f"{name}  ·  {count:,} update{'s' if count != 1 else ''}"), id=f"list:{i}")
                                  for i, (name, count) in enumerate(message.names))

    @on(KeyOptionList.OptionSelected, "#list-picker-list")
    def _picked(self, event: KeyOptionList.OptionSelected) -> None:
        if event.option.id == NEW:
            self._name.display = True
            self._name.focus()
            return
        self.dismiss(ListChoice(self._names[int(event.option.id.removeprefix("list:"))], new=False))

    @on(Input.Submitted, "#list-picker-name")
    def _named(self, event: Input.Submitted) -> None:
        name = event.value.strip()
        if not name:
            self._error.update("A new list needs a name.")
            return
        taken = next((n for n in self._names if n.casefold() == name.casefold()), None)
        self.dismiss(ListChoice(taken, new=False) if taken is not None else ListChoice(name, new=True))


class AddToListAction:
    """The Updates and Compliance screens' side of `a`: their `#grid` is a SelectableTable."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "add_to_list" and self.console.readonly:
            return False
        return super().check_action(action, parameters)

    def action_add_to_list(self) -> None:
        if self.console.readonly:
            return
        grid = self.query_one("#grid", SelectableTable)
        picked = grid.picked
        if not picked and grid.current_row is not None:
            row = grid.current_row
            picked = {grid.key_of(row): grid.label_of(row)}
        if not picked:
            self.notify("No update here to add: pick some with space.", timeout=3)
            return
        ids, labels = list(picked), list(picked.values())
        what = f"{len(ids)} updates ({updates_text(labels)})" if len(ids) > 1 else labels[0]

        def chosen(choice: ListChoice | None) -> None:
            if choice is not None:
                self.add_to_list(choice, ids)

        self.app.push_screen(ListPickerScreen(what), chosen)

    @work(thread=True, group="add-to-list", exit_on_error=False)
    def add_to_list(self, choice: ListChoice, update_ids: list[int]) -> None:
        from sumtui.deploy.lists import ListError, add_updates, create_list

        try:
            with self.console.site.session() as session:
                if choice.new:
                    created = create_list(session, name=choice.name, update_ids=update_ids)
                    text = f"Update list {created.name!r} created with {len(update_ids)} update(s)."
                else:
                    change = add_updates(session, name=choice.name, update_ids=update_ids)
                    already = f" ({len(change.unchanged)} already in it)" if change.unchanged else ""
                    text = f"{len(change.changed)} update(s) added to {change.name!r}{already}."
                session.commit()
        except Exception as exc:
            self.post_message(WorkFailed.from_exception(f"adding to the list {choice.name!r}", exc, ListError))
            return
        self.post_message(AddedToList(text))

    def on_added_to_list(self, message: AddedToList) -> None:
        self.notify(message.text, timeout=6)
        self.query_one("#grid", SelectableTable).clear_picks()
        self.console.notify_data_changed()

    def picks_status(self) -> str:
        """'3 picked (a: add to a list, u: unpick)' for the status line, or ''."""
        count = len(self.query_one("#grid", SelectableTable).picked)
        return f"{count} picked (a: add to a list, u: unpick)" if count else ""

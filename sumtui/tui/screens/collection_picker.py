"""`c` on the Compliance screen: pick the collection the figures are for (dismisses with its id, or None)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label
from textual.widgets.option_list import Option

from sumtui.tui.cells import pct_text, plain
from sumtui.tui.widgets.lists import KeyOptionList


class CollectionPickerScreen(ModalScreen[int | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", key_display="esc", id="picker.cancel")]

    def __init__(self, collections: list, *, current: int | None) -> None:
        """`collections`: CollectionRow values, as the screen loaded them."""
        super().__init__()
        self._collections = collections
        self._current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-dialog", classes="dialog"):
            yield Label("Compliance of which collection?", classes="dialog-title")
            yield KeyOptionList(*(self._option(c) for c in self._collections), id="picker-list")
            yield Label("enter picks · esc keeps the current one", classes="hint")

    def _option(self, c) -> Option:
        mark = "▸ " if c.id == self._current else "  "
        pct = pct_text(c.compliant_pct)
        return Option(plain(f"{mark}{c.name}  ·  {c.members:,} members, {pct}% compliant"), id=str(c.id))

    def on_mount(self) -> None:
        options = self.query_one("#picker-list", KeyOptionList)
        ids = [c.id for c in self._collections]
        options.highlighted = ids.index(self._current) if self._current in ids else 0
        options.focus()

    @on(KeyOptionList.OptionSelected, "#picker-list")
    def _picked(self, event: KeyOptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id))

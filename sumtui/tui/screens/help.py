"""`?` — every key that works on the screen below, with its binding id (what a keymap remaps).

The keys shown are the effective ones: Textual applies the App's keymap (the config file's `[keymap]`
table) to the bindings before they are listed, and a remapped key says so.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Label

from sumtui.tui.cells import plain
from sumtui.tui.widgets.lists import KeyDataTable


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark", "dismiss(None)", "Close", key_display="esc", id="help.close")]

    def __init__(self, below: Screen) -> None:
        super().__init__()
        # Read now: the bindings depend on what has the focus on the screen below.
        self._rows = self._binding_rows(below)
        self._title = getattr(below, "TITLE", None) or type(below).__name__

    def _binding_rows(self, below: Screen) -> list[tuple[str, str, str, str]]:
        app = self.app
        remapped = getattr(app, "_keymap", {})
        rows = []
        for active in below.active_bindings.values():
            binding = active.binding
            if binding.system:
                continue
            where = "global" if active.node is app else type(active.node).__name__
            # A footer says it short ("Pending"); the tooltip, when there is one, says it whole.
            does = binding.tooltip or binding.description or binding.action
            if binding.id in remapped:
                does += " (remapped)"
            rows.append((app.get_key_display(binding), does, binding.id or "", where))
        # sumtui's own keys (they have ids) first, the screen's before the global ones; Textual's last.
        rows.sort(key=lambda r: (not r[2], r[3] == "global", r[3]))
        return rows

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog", classes="dialog"):
            yield Label(plain(f"Keys on {self._title}"), classes="dialog-title")  # a title can name a collection
            yield KeyDataTable(id="help-table", cursor_type="row", zebra_stripes=True)
            # Where the config file is: `sumtui locate` (README, "The console").
            yield Label(plain('Remap: "id" = "keys" under [keymap] in the config file. esc closes.'), classes="hint")

    def on_mount(self) -> None:
        table = self.query_one("#help-table", KeyDataTable)
        table.add_columns("Key", "Does", "Id", "Where")
        for row in self._rows:
            table.add_row(*row)
        table.focus()

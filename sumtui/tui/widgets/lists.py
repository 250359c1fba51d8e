"""OptionList and DataTable with the console's grid keys (j/k/g/G) besides the arrows (DESIGN.md §6)."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import DataTable, OptionList


class KeyOptionList(OptionList):
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="list.down"),
        Binding("k", "cursor_up", "Up", show=False, id="list.up"),
        Binding("g", "first", "First", show=False, id="list.first"),
        Binding("G", "last", "Last", show=False, id="list.last"),
    ]


class KeyDataTable(DataTable):
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="table.down"),
        Binding("k", "cursor_up", "Up", show=False, id="table.up"),
        Binding("g", "scroll_top", "First", show=False, id="table.first"),
        Binding("G", "scroll_bottom", "Last", show=False, id="table.last"),
    ]

"""The side list of search folders on the updates screen: built-in, per product family, then saved ones."""

from __future__ import annotations

from textual.binding import Binding
from textual.content import Content
from textual.widgets.option_list import Option

from sumtui.tui.cells import plain
from sumtui.tui.widgets.lists import KeyOptionList


class FolderList(KeyOptionList):
    BINDINGS = [Binding("enter", "select", "Open folder", id="folders.open")]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.folders: dict[str, object] = {}

    def set_folders(self, folders: list, *, active_key: str | None) -> None:
        """Replace the list, keeping the highlight on the active folder."""
        self.folders = {f.key: f for f in folders}
        builtin = [f for f in folders if f.builtin and not f.key.startswith("family:")]
        families = [f for f in folders if f.key.startswith("family:")]
        saved = [f for f in folders if not f.builtin]
        options: list[Option | None] = [self._option(f, active_key) for f in builtin]
        if families:
            options += [None, Option(Content.from_markup("[dim]Product families[/dim]"), disabled=True)]
            options += [self._option(f, active_key) for f in families]
        options += [None, Option(Content.from_markup("[dim]Saved searches[/dim]"), disabled=True)]
        options += [self._option(f, active_key) for f in saved] or [
            Option(Content.from_markup("[dim]none yet (n saves the search)[/dim]"), disabled=True)
        ]
        highlighted = self.highlighted
        self.clear_options()
        self.add_options(options)
        if active_key in self.folders:
            self.highlighted = self.get_option_index(active_key)
        elif highlighted is not None and highlighted < self.option_count:
            self.highlighted = highlighted

    @staticmethod
    def _option(folder, active_key: str | None) -> Option:
        mark = "▸ " if folder.key == active_key else "  "
        star = "★ " if not folder.builtin else ""
        return Option(plain(f"{mark}{star}{folder.name}"), id=folder.key)  # family and folder names: data

    @property
    def highlighted_folder(self):
        if self.highlighted is None:
            return None
        option = self.get_option_at_index(self.highlighted)
        return self.folders.get(option.id) if option.id else None

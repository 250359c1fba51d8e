"""Updates (stage 6, "determine what to deploy"): the catalog in a paged grid, search as you type, filters,
search folders, a detail pane for the row under the cursor, and export of the current view.

The query is folder ∧ filter ∧ typed words; every change builds a new `UpdatesSource` and hands it to
the grid, which counts and pages in workers. Nothing here reads the database on the UI thread. Space
picks updates (across searches) and `a` puts them, or the one under the cursor, into an update list;
`D` deploys them (the deployment wizard).
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from pathlib import Path
from time import perf_counter

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.timer import Timer
from textual.widgets import Input, Static

from sumtui.catalog.folders import Folder
from sumtui.catalog.queries import UpdateFilter
from sumtui.tui.cells import plain, short_product
from sumtui.tui.messages import (
    ExportWritten,
    FolderChanged,
    FoldersLoaded,
    UpdateDetailLoaded,
    WorkFailed,
)
from sumtui.tui.screens.add_to_list import AddToListAction
from sumtui.tui.screens.deploy_wizard_action import DeployAction
from sumtui.tui.screens.grid_screen import (
    SearchGridScreen,
    UpdateFilterAction,
    count_status,
    reload_on_data_change,
)
from sumtui.tui.sources import UPDATE_COLUMNS, UpdatesSource
from sumtui.tui.widgets.folder_list import FolderList
from sumtui.tui.widgets.paged_table import PagedTable
from sumtui.tui.widgets.selectable_table import SelectableTable
from sumtui.tui.widgets.update_detail import UpdateDetailView, render_detail

ALL = Folder("builtin:all", "All updates", UpdateFilter(), True)
WIDE = 160  # from this width the detail pane sits right of the grid
FOLDERS_FROM = 100  # narrower terminals start with the folder list hidden (F shows it)
# The detail follows the cursor after this pause: a held j or a typed word does not queue a query per row.
DETAIL_DELAY = 0.06
SORT_LABELS = {c.key: c.label.lower() for c in UPDATE_COLUMNS}


def combine(folder: UpdateFilter, extra: UpdateFilter, text: str) -> UpdateFilter:
    """Folder narrowed by the filter form and by the typed words (all words of all three must match)."""
    combined = folder.merged(extra)
    words = " ".join(part for part in (folder.text, extra.text, text.strip()) if part)
    return replace(combined, text=words or None)


def export_check(text: str) -> str | None:
    if not text:
        return "name a file"
    if Path(text).suffix.lower() not in (".csv", ".json"):
        return "the file name must end in .csv or .json"
    return None


class UpdatesScreen(DeployAction, AddToListAction, UpdateFilterAction, SearchGridScreen):
    TITLE = "Updates"
    AUTO_FOCUS = "#grid"
    GRID_ROWS = "updates"
    BINDINGS = [
        Binding("escape", "leave", "Back", key_display="esc", show=False, id="updates.back"),
        Binding("f", "filter", "Filter", id="updates.filter"),
        Binding("F", "toggle_folders", "Folders", key_display="F", show=False, id="updates.folders"),
        Binding("n", "save_folder", "Save folder", show=False, id="updates.save_folder"),
        Binding("delete", "delete_folder", "Delete folder", key_display="del", show=False, id="updates.delete_folder"),
        Binding("x", "export", "Export", show=False, id="updates.export"),
        Binding("d", "toggle_detail", "Detail", id="updates.detail"),
        Binding("c", "clear", "Clear", show=False, id="updates.clear"),
        Binding("a", "add_to_list", "Add to list", id="updates.add_to_list"),
        Binding("D", "deploy", "Deploy", key_display="D", show=False, id="updates.deploy"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.folder: Folder = ALL
        self.extra = UpdateFilter()  # from the filter form
        self.text = ""
        self.sort, self.descending = "released", True
        self._families: list[str] = []
        self._products: list[str] = []
        self._detail_id: int | None = None
        self._detail_timer: Timer | None = None
        self._layout_set = False
        # Search latency (key → new count and first page on screen), newest last; read by the benchmark.
        self.search_latencies: list[float] = []
        self._search_started: float | None = None

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="search-bar"):
            yield Input(placeholder="/ search: words in KB, title, product or CVE", id="search", compact=True)
        yield Static("", id="updates-status")
        with Horizontal(id="updates-body"):
            yield FolderList(id="folders")
            with Vertical(id="updates-main"):
                yield SelectableTable(UPDATE_COLUMNS, None, page_size=100, sort_key=self.sort,
                                      sort_descending=self.descending, id="grid",
                                      pick_label=lambda row: f"{row.cells[0]} ({short_product(str(row.cells[1]))})")
                yield UpdateDetailView(id="detail")

    def on_mount(self) -> None:
        reload_on_data_change(self, self._data_changed)
        self.rebuild()
        self.load_folders()

    def on_resize(self, event: Resize) -> None:
        width = event.size.width
        self.set_class(width >= WIDE, "-wide")
        if not self._layout_set:
            self._layout_set = True
            self.set_class(width < FOLDERS_FROM, "-no-folders")

    def _data_changed(self) -> None:
        self.query_one("#grid", PagedTable).reload()
        self.load_folders()
        if self._detail_id is not None:
            self.load_detail(self._detail_id)

    # ------------------------------------------------------------------ the query

    @property
    def effective_filter(self) -> UpdateFilter:
        return combine(self.folder.filter, self.extra, self.text)

    def _severity_styles(self) -> dict[str, str]:
        theme = self.app.current_theme
        return {"Critical": f"bold {theme.error}", "Important": f"{theme.warning}", "Low": "dim"}

    def rebuild(self) -> None:
        source = UpdatesSource(
            self.console.site.engine, self.effective_filter, self.sort, self.descending, self._severity_styles()
        )
        self.query_one("#grid", PagedTable).set_source(source)
        self._show_status(None)

    def _show_status(self, count: int | None) -> None:
        parts = [count_status(count, "update"), self.folder.name]
        described = combine(UpdateFilter(), self.extra, self.text)
        if described != UpdateFilter():
            parts.append(described.describe())
        parts.append(self.sort_status(SORT_LABELS))
        if picks := self.picks_status():
            parts.append(picks)
        # Folder names and typed words are data: "[b" typed in the search box is not markup.
        self.query_one("#updates-status", Static).update(plain(" · ".join(parts)))

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.text = event.value
        self._search_started = perf_counter()
        self.rebuild()

    @on(PagedTable.Loaded, "#grid")
    def _loaded(self, event: PagedTable.Loaded) -> None:
        self._show_status(event.row_count)
        if event.row_count == 0:
            self._search_done()
            self._detail_id = None
            self.query_one("#detail", UpdateDetailView).show("No update matches.")

    @on(SelectableTable.PicksChanged, "#grid")
    def _picks_changed(self) -> None:
        self._show_status(self.query_one("#grid", PagedTable).row_count)

    @on(PagedTable.CursorMoved, "#grid")
    def _cursor_moved(self, event: PagedTable.CursorMoved) -> None:
        if event.row is None:
            return
        self._search_done()
        if event.row.key != self._detail_id and not self.has_class("-no-detail"):
            self._detail_id = event.row.key
            if self._detail_timer is not None:
                self._detail_timer.stop()
            self._detail_timer = self.set_timer(DETAIL_DELAY, partial(self.load_detail, event.row.key))

    @on(PagedTable.RowActivated, "#grid")
    def _activated(self, event: PagedTable.RowActivated) -> None:
        self.set_class(False, "-no-detail")
        if event.row.key != self._detail_id:
            self._detail_id = event.row.key
            self.load_detail(event.row.key)
        self.query_one("#detail", UpdateDetailView).focus()

    def _search_done(self) -> None:
        if self._search_started is not None:
            self.search_latencies.append(perf_counter() - self._search_started)
            self._search_started = None

    # ------------------------------------------------------------------ detail

    @work(thread=True, exclusive=True, group="detail", exit_on_error=False)
    def load_detail(self, update_id: int) -> None:
        from sumtui.tui.screens.update_view import read_update_detail

        try:
            with self.console.site.session() as session:
                detail, advisories = read_update_detail(session, update_id)
        except Exception as exc:
            from sumtui.errors import one_line

            self.post_message(WorkFailed("reading the update", one_line(exc)))
            return
        self.post_message(UpdateDetailLoaded(update_id, detail, advisories))

    @on(UpdateDetailLoaded)
    def _show_detail(self, message: UpdateDetailLoaded) -> None:
        if message.update_id != self._detail_id:
            return  # the cursor moved on meanwhile
        view = self.query_one("#detail", UpdateDetailView)
        if message.detail is None:
            view.show("This update is no longer in the catalog.")
        else:
            view.show(render_detail(message.detail, message.advisories))

    def action_toggle_detail(self) -> None:
        hidden = not self.has_class("-no-detail")
        self.set_class(hidden, "-no-detail")
        if not hidden:
            row = self.query_one("#grid", PagedTable).current_row
            if row is not None and row.key != self._detail_id:
                self._detail_id = row.key
                self.load_detail(row.key)

    # ------------------------------------------------------------------ folders

    @work(thread=True, exclusive=True, group="folders", exit_on_error=False)
    def load_folders(self) -> None:
        from sumtui.catalog.folders import all_folders, families
        from sumtui.tui.sources import product_choices

        try:
            with self.console.site.session() as session:
                folders = all_folders(session)
                family_names = families(session)
                products = sorted({name for name, _ in product_choices(session)})
        except Exception as exc:
            from sumtui.errors import one_line

            self.post_message(WorkFailed("reading the search folders", one_line(exc)))
            return
        self.post_message(FoldersLoaded(folders, family_names, products))

    @on(FoldersLoaded)
    def _show_folders(self, message: FoldersLoaded) -> None:
        self._families, self._products = message.families, message.products
        keys = {f.key: f for f in message.folders}
        if self.folder.key not in keys:
            self._open_folder(ALL)
        else:
            self.folder = keys[self.folder.key]
            self._show_status(self.query_one("#grid", PagedTable).row_count)
        self.query_one("#folders", FolderList).set_folders(message.folders, active_key=self.folder.key)

    @on(FolderList.OptionSelected, "#folders")
    def _folder_selected(self, event: FolderList.OptionSelected) -> None:
        folder = self.query_one("#folders", FolderList).folders.get(event.option.id or "")
        if folder is not None:
            self._open_folder(folder)
            self.query_one("#folders", FolderList).set_folders(list(self.query_one("#folders", FolderList).folders.values()),
                                                                active_key=folder.key)

    def _open_folder(self, folder: Folder) -> None:
        self.folder = folder
        self.rebuild()

    def action_toggle_folders(self) -> None:
        hide = not self.has_class("-no-folders")
        self.set_class(hide, "-no-folders")
        if not hide:
            self.query_one("#folders", FolderList).focus()
        elif self.focused is None or self.focused.id == "folders":
            self.query_one("#grid", PagedTable).focus()

    def action_save_folder(self) -> None:
        from sumtui.tui.screens.prompt import PromptScreen

        flt = self.effective_filter

        def named(name: str | None) -> None:
            if name:
                self.save_folder(name, flt)

        self.app.push_screen(
            PromptScreen("Save this search as a folder", detail=f"Finds: {flt.describe()}", placeholder="folder name",
                         action="Save"),
            named,
        )

    @work(thread=True, group="folder-change", exit_on_error=False)
    def save_folder(self, name: str, flt: UpdateFilter) -> None:
        from sumtui.catalog.folders import FolderError, save_folder

        try:
            with self.console.site.session() as session:
                row = save_folder(session, name=name, filter=flt)
        except Exception as exc:
            self.post_message(WorkFailed.from_exception("saving the folder", exc, FolderError))
            return
        self.post_message(FolderChanged(f"Folder {row.name!r} saved.", folder_key=f"saved:{row.id}"))

    def _folder_to_delete(self) -> Folder | None:
        folders = self.query_one("#folders", FolderList)
        if self.focused is folders and folders.highlighted_folder is not None:
            return folders.highlighted_folder
        return self.folder

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("delete_folder", "add_to_list") and self.console.readonly:
            return False
        return True

    def action_delete_folder(self) -> None:
        folder = self._folder_to_delete()
        if folder is None or folder.builtin:
            self.notify("Built-in folders cannot be deleted; pick a saved one (★).", severity="warning", timeout=4)
            return
        from sumtui.tui.screens.confirm import ConfirmScreen

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.delete_folder(folder)

        self.app.push_screen(
            ConfirmScreen(f"Delete the saved folder {folder.name!r}? Its search ({folder.filter.describe()}) is forgotten; "
                          "no update changes.", yes="Delete"),
            confirmed,
        )

    @work(thread=True, group="folder-change", exit_on_error=False)
    def delete_folder(self, folder: Folder) -> None:
        from sumtui.catalog.folders import FolderError, delete_folder

        try:
            with self.console.site.session() as session:
                name = delete_folder(session, folder_id=folder.folder_id)
        except (FolderError, Exception) as exc:
            self.post_message(WorkFailed("deleting the folder", str(exc)))
            return
        self.post_message(FolderChanged(f"Folder {name!r} deleted."))

    @on(FolderChanged)
    def _folder_changed(self, message: FolderChanged) -> None:
        self.notify(message.text, timeout=4)
        if message.folder_key is not None:
            # The new folder holds the whole search: show it plainly.
            self.folder = Folder(message.folder_key, "", self.effective_filter, False)
            self.extra, self.text = UpdateFilter(), ""
            self.clear_search()
        elif not self.folder.builtin:
            self.folder = ALL
            self.rebuild()
        self.load_folders()

    # ------------------------------------------------------------------ export, clear (f: UpdateFilterAction)

    def action_clear(self) -> None:
        self.extra, self.text, self.folder = UpdateFilter(), "", ALL
        self.clear_search()
        self.rebuild()
        self.load_folders()

    def action_export(self) -> None:
        from sumtui.tui.screens.prompt import PromptScreen

        flt, sort, descending = self.effective_filter, self.sort, self.descending
        default = str(Path.home() / "sumtui-updates.csv")

        def chosen(path: str | None) -> None:
            if path:
                self.export(Path(path).expanduser(), flt, sort, descending)

        self.app.push_screen(
            PromptScreen("Export the current view", detail=f"{flt.describe()}, sorted by {sort}. .csv or .json",
                         value=default, action="Export", check=export_check),
            chosen,
        )

    @work(thread=True, group="export", exit_on_error=False)
    def export(self, path: Path, flt: UpdateFilter, sort: str, descending: bool) -> None:
        from sumtui.catalog.queries import export_updates
        from sumtui.export import write_csv, write_json

        try:
            with self.console.site.session() as session:
                rows = export_updates(session, filter=flt, sort=sort, descending=descending)
            fmt = "json" if path.suffix.lower() == ".json" else "csv"
            keys = list(rows[0].keys() if rows else ("kb", "product", "title"))
            path.parent.mkdir(parents=True, exist_ok=True)
            part = path.with_name(path.name + ".part")
            with part.open("w", encoding="utf-8", newline="") as out:
                if fmt == "json":
                    write_json(rows, out)
                else:
                    write_csv(rows, keys, out)
            part.replace(path)  # a reader never sees half a file
        except Exception as exc:
            from sumtui.errors import one_line

            self.post_message(WorkFailed(f"exporting to {path}", one_line(exc)))
            return
        self.post_message(ExportWritten(str(path), len(rows)))

    @on(ExportWritten)
    def _exported(self, message: ExportWritten) -> None:
        self.notify(f"Exported {message.count:,} updates to {message.path}", timeout=6)

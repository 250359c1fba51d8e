"""One deployment package: each file with its state and why (downloaded and verified, missing: not yet
fetched or why the fetch failed, quarantined: the hash that did not match), problems first; `u` shows
its updates instead (KB and product, each downloaded, incomplete or failed, and why). `d` downloads
more into it, `c` cancels a running download. The package is held by id; its rows are read a page at
a time and again as a running download lands files.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from sumtui.tui.cells import CellStyles, markup, plain, size_text
from sumtui.tui.deploy_sources import (
    FILE_STATES,
    PACKAGE_FILE_COLUMNS,
    PACKAGE_UPDATE_COLUMNS,
    FileKey,
    PackageFilesSource,
    PackageUpdatesSource,
    package_state,
)
from sumtui.tui.messages import PackageLoaded, WorkFailed
from sumtui.tui.screens.base import PageScreen
from sumtui.tui.screens.download_actions import DownloadActions
from sumtui.tui.screens.grid_screen import count_status, reload_on_data_change
from sumtui.tui.widgets.download_panel import DownloadPanel
from sumtui.tui.widgets.paged_table import PagedTable

FILES, UPDATES = "files", "updates"


class PackageDetailScreen(DownloadActions, PageScreen):
    AUTO_FOCUS = "#grid"
    BINDINGS = [
        Binding("u", "toggle_view", "Updates/files", id="package.view"),
        Binding("d", "download", "Download", id="package.download"),
        Binding("c", "cancel_download", "Cancel download", id="package.cancel"),
    ]

    def __init__(self, package_id: int, name: str) -> None:
        super().__init__()
        self.package_id = package_id
        self.package_name = name
        self.package = None  # its PackageSummary, once read
        self.view = FILES
        self._count: int | None = None
        self.TITLE = f"Package {name}"

    def compose_body(self) -> ComposeResult:
        yield Static(markup("[b]$name[/b]", name=self.package_name), id="package-title", classes="status-line")
        yield DownloadPanel(id="download-panel")
        yield Static("", id="package-view", classes="status-line")
        # Two grids, one shown: a grid's columns are fixed when it is made.
        yield PagedTable(PACKAGE_FILE_COLUMNS, None, page_size=100, id="grid")
        yield PagedTable(PACKAGE_UPDATE_COLUMNS, None, page_size=100, id="updates-grid")
        yield Static("", id="package-row", classes="row-detail")

    def on_mount(self) -> None:
        reload_on_data_change(self, self._reload)
        self.watch_downloads(self._reload)
        self.query_one("#updates-grid", PagedTable).display = False
        self.rebuild()
        self.load_package()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.check_download(action)

    def wizard_package(self) -> str | None:
        return self.package.name if self.package else self.package_name

    @property
    def grid(self) -> PagedTable:
        """The grid on show: the files or the updates."""
        return self.query_one("#grid" if self.view == FILES else "#updates-grid", PagedTable)

    def _reload(self) -> None:
        self.grid.reload()
        self.load_package()

    # ------------------------------------------------------------------ the package

    @work(thread=True, exclusive=True, group="package", exit_on_error=False)
    def load_package(self) -> None:
        from sumtui.deploy.packages import list_packages

        try:
            with self.console.site.session() as session:
                found = next((p for p in list_packages(session) if p.id == self.package_id), None)
        except Exception as exc:
            self.post_message(WorkFailed.from_exception("reading the package", exc))
            return
        self.post_message(PackageLoaded(found))

    @on(PackageLoaded)
    def _package_loaded(self, message: PackageLoaded) -> None:
        self.package = p = message.package
        title = self.query_one("#package-title", Static)
        if p is None:
            title.update("This package was deleted.")
            return
        self.package_name = p.name
        title.update(markup("[b]$name[/b] · $state · $done of $files file(s), $size · $description", name=p.name,
                            state=package_state(p), done=f"{p.downloaded:,}", files=f"{p.files:,}",
                            size=size_text(p.bytes) or "0 B", description=p.description or "no description"))

    # ------------------------------------------------------------------ files or updates

    def rebuild(self) -> None:
        styles = CellStyles.from_variables(self.app.theme_variables)
        engine = self.console.site.engine
        source = (PackageFilesSource(engine, self.package_id, styles) if self.view == FILES
                  else PackageUpdatesSource(engine, self.package_id, styles))
        self.grid.set_source(source)
        self._count = None
        self._show_status()

    def _show_status(self) -> None:
        other = "updates" if self.view == FILES else "files"
        noun = "file" if self.view == FILES else "update"
        order = "problems first" if self.view == FILES else "by KB"
        self.query_one("#package-view", Static).update(
            plain(f"{count_status(self._count, noun)} · {order} · u: its {other}"))

    def action_toggle_view(self) -> None:
        focused = self.focused is self.grid
        self.grid.display = False
        self.view = UPDATES if self.view == FILES else FILES
        self.grid.display = True
        if focused:
            self.grid.focus()
        self.query_one("#package-row", Static).update("")
        self.rebuild()

    @on(PagedTable.Loaded)
    def _loaded(self, event: PagedTable.Loaded) -> None:
        if event.control is not self.grid:
            return
        self._count = event.row_count
        self._show_status()
        if event.row_count == 0:
            self.query_one("#package-row", Static).update(
                "Nothing downloaded into this package yet: d downloads updates into it.")

    @on(PagedTable.LoadFailed)
    def _load_failed(self, event: PagedTable.LoadFailed) -> None:
        self.notify(f"Could not read the package's {self.view}: {event.error}", severity="error", timeout=8)

    @on(PagedTable.CursorMoved)
    def _cursor_moved(self, event: PagedTable.CursorMoved) -> None:
        if event.row is None or event.control is not self.grid:
            return
        row = self.query_one("#package-row", Static)
        key = event.row.key
        if isinstance(key, FileKey):
            languages = key.languages.replace(",", ", ") or "any"
            why = f": {key.reason}" if key.reason else ""
            row.update(plain(f"{key.file_name} · SHA-1 {key.sha1} · from {key.origin} · languages {languages}\n"
                             f"{FILE_STATES.get(key.state, key.state)}{why}"))
        else:
            kb, product, source, state, files, why = (str(c) for c in event.row.cells)
            row.update(plain(f"{kb} {product} · from {source} · {files} file(s)\n{state}{': ' + why if why else ''}"))

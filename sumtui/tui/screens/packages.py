"""Deployment packages (stage 9): named sets of update content in the site's content store, each with how
many of its files are downloaded and verified. `d` opens the Download wizard (package → source →
languages → summary), which runs as a job beside any sync with its progress here and in the header;
`c` cancels it (finished files are kept, partial ones resume). Enter opens a package: each file's
state and why. `n` / `e` name and describe a package, `delete` asks first. A read-only console
lists only.
"""

from __future__ import annotations

from functools import partial

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding

from sumtui.tui.cells import CellStyles, plain, size_text
from sumtui.tui.deploy_sources import PACKAGE_COLUMNS, package_rows, package_state
from sumtui.tui.messages import DeployChanged, PackagesLoaded, WorkFailed
from sumtui.tui.screens.download_actions import DownloadActions
from sumtui.tui.screens.name_form import save_package
from sumtui.tui.screens.named_rows import NamedRowsScreen
from sumtui.tui.widgets.download_panel import DownloadPanel, running_download
from sumtui.tui.widgets.paged_table import PagedTable

EMPTY = "No deployment package yet: d downloads updates into a new one (or n makes an empty one)."


class PackagesScreen(DownloadActions, NamedRowsScreen):
    TITLE = "Deployment packages"
    COLUMNS = PACKAGE_COLUMNS
    STATUS_ID, DETAIL_ID = "packages-status", "package-detail"
    NOUN = "package"
    CHANGES_SITE = ("new", "edit", "delete", "download")
    BINDINGS = [
        Binding("d", "download", "Download", id="packages.download"),
        Binding("c", "cancel_download", "Cancel download", id="packages.cancel"),
        Binding("n", "new", "New", id="packages.new"),
        Binding("e", "edit", "Rename", id="packages.edit"),
        Binding("delete", "delete", "Delete", key_display="del", id="packages.delete"),
    ]

    def compose_above_grid(self) -> ComposeResult:
        yield DownloadPanel(id="download-panel")

    def on_mount(self) -> None:
        # NamedRowsScreen.on_mount runs too (Textual calls the handler of every class): it loads the rows.
        self.watch_downloads(self.load)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return super().check_action(action, parameters) and self.check_download(action)

    def wizard_package(self) -> str | None:
        return self.current.name if self.current else None

    @work(thread=True, exclusive=True, group="packages", exit_on_error=False)
    def load(self) -> None:
        from sumtui.deploy.packages import list_packages

        try:
            with self.console.site.session() as session:
                packages = list_packages(session)
        except Exception as exc:
            self.post_message(WorkFailed.from_exception("reading the packages", exc))
            return
        self.post_message(PackagesLoaded(packages))

    @on(PackagesLoaded)
    def _show(self, message: PackagesLoaded) -> None:
        packages = message.packages
        count, complete = len(packages), sum(1 for p in packages if p.complete)
        self.show_rows(packages, package_rows(packages, CellStyles.from_variables(self.app.theme_variables)),
                       f"{count} package{'s' if count != 1 else ''}, {complete} complete · enter: its files and why · "
                       "d: download into one" if count else EMPTY)

    def detail_of(self, p) -> str:
        return plain(f"{p.name} — {p.description or 'no description'}\n{package_state(p)}: {p.updates:,} update(s), "
                     f"{p.downloaded:,} of {p.files:,} file(s) downloaded ({size_text(p.bytes)}), {p.missing:,} missing, "
                     f"{p.quarantined:,} quarantined")

    @on(PagedTable.RowActivated, "#grid")
    def _activated(self) -> None:
        from sumtui.tui.screens.package_detail import PackageDetailScreen

        if self.current is not None:
            self.app.push_screen(PackageDetailScreen(self.current.id, self.current.name))

    # ------------------------------------------------------------------ changes

    def open_form(self, current) -> None:
        from sumtui.tui.screens.name_form import NameFormScreen

        def saved(name: str | None) -> None:
            if name is not None:
                verb = "saved" if current else "created: d downloads updates into it"
                self.post_message(DeployChanged(f"Package {name!r} {verb}.", select=name))

        self.app.push_screen(NameFormScreen(partial(save_package, self.console.site), noun="deployment package",
                                            current=current.name if current else None,
                                            description=current.description if current else None), saved)

    def action_delete(self) -> None:
        p = self.current
        if self.console.readonly or p is None:
            return
        running = running_download(self.console.jobs)
        if running is not None and running.message.casefold() == p.name.casefold():
            self.notify(f"A download into {p.name!r} is running: cancel it first (c).", severity="warning", timeout=5)
            return
        self.ask_delete(
            f"Delete the package {p.name!r} ({p.updates:,} update(s), {p.files:,} file(s), {size_text(p.bytes) or '0 B'})? "
            "Its files stay in the content store until `sumtui content cleanup`; other packages keep theirs.", p.name)

    def delete_row(self, session, name: str) -> str:
        from sumtui.deploy.packages import delete_package

        return delete_package(session, name=name).name

    def domain_errors(self) -> tuple[type[Exception], ...]:
        from sumtui.deploy.packages import PackageError

        return (PackageError,)

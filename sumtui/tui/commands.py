"""Command palette (ctrl+p): the pages and the console's actions, searchable by name."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider


class SumtuiCommands(Provider):
    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        from sumtui.tui.pages import PAGES

        app = self.app
        commands: list[tuple[str, str, Callable[[], object]]] = [
            (f"Go to {name}", description, partial(app.open_page, name)) for name, description in PAGES.items()
        ]
        if not app.readonly:
            commands += [
                ("Sync now", "Synchronize the catalog per the update point settings", app.start_sync),
                ("Import files…", "Import CVRF documents (JSON or XML) from files", self._import),
                ("Re-evaluate the fleet", "Every client's compliance against the catalog as stored now",
                 app.action_reevaluate),
                ("Import inventories…", "Offline scan: systeminfo, wmic qfe, Get-HotFix or agent JSON files",
                 self._import_inventories),
                ("New collection…", "A static or rule-based set of clients", self._new_collection),
                ("Rotate the enrollment key…", "New agents need the new key; registered ones keep working", self._rotate),
            ]
        if app.job is not None:
            commands.append(("Cancel the running job", f"Stop the {app.job.kind} in progress", app.cancel_job))
        commands.append(("Run prerequisite checks", "Check database, folders, upstream and management point", self._prereqs))
        commands.append(("Probe the management point", "Is it answering? Its version, clients and reports", self._probe))
        commands.append(("Show keys", "Every key of this screen with its id", app.action_help))
        return commands

    def _import(self) -> None:
        self._page_action("sync", "import_files")

    def _prereqs(self) -> None:
        self._page_action("prereqs", "run_checks")

    def _import_inventories(self) -> None:
        self._page_action("clients", "import_inventories")

    def _new_collection(self) -> None:
        self._page_action("collections", "new")

    def _rotate(self) -> None:
        self._page_action("mp", "rotate")

    def _probe(self) -> None:
        self._page_action("mp", "probe")

    def _page_action(self, page: str, action: str) -> None:
        app = self.app
        app.open_page(page)
        # Once the page is on top (it mounts after this refresh), run its action there.
        app.call_after_refresh(lambda: app.screen.run_action(action))

    async def discover(self) -> Hits:
        for title, help_text, command in self._commands():
            yield DiscoveryHit(title, command, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, command in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), command, text=title, help=help_text)

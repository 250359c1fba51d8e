"""One deployment: its counts by state, then every (client, update) pair with its state, installer code
(unsigned hex) and the code's meaning, paged from the database (a deployment to 100k clients has as many
pairs); the pair under the cursor says why in the sentence `sumtui deployments show` prints. Keys narrow
the pairs by state (t targeted: all but the not required ones, the first view; a all, f failed,
p pending, w on their way, i installed, n not required), `/` searches client names, `e` shows the failure codes (code, meaning, how many pairs) and enter on a code
shows the pairs that failed with it. `delete` asks for a typed "yes" as the CLI does.
"""

from __future__ import annotations

from dataclasses import replace

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Static

from sumtui.tui.cells import CellStyles, markup, plain
from sumtui.tui.messages import DeployChanged, WorkFailed
from sumtui.tui.monitor_messages import DeploymentLoaded
from sumtui.tui.monitor_sources import (
    CODE_COLUMNS,
    MONITOR_AREAS,
    PAIR_COLUMNS,
    STATE_FILTERS,
    PairsSource,
    code_rows,
    state_text,
)
from sumtui.tui.screens.deployment_delete import DeleteDeploymentAction
from sumtui.tui.screens.grid_screen import SearchGridScreen, count_status, reload_on_data_change
from sumtui.tui.widgets.grid_source import ListSource
from sumtui.tui.widgets.paged_table import PagedTable

PAIRS, CODES = "pairs", "codes"


class DeploymentDetailScreen(DeleteDeploymentAction, SearchGridScreen):
    CSS_PATH = "deployment_detail.tcss"
    AUTO_FOCUS = "#grid"
    GRID_ROWS = "the deployment's clients"
    BINDINGS = [
        Binding("escape", "leave", "Back", key_display="esc", show=False, id="deployment.back"),
        Binding("e", "toggle_codes", "Codes", tooltip="Error codes / clients", id="deployment.codes"),
        Binding("f", "state_filter('f')", "Failed", id="deployment.failed"),
        Binding("a", "state_filter('a')", "All", id="deployment.all"),
        Binding("t", "state_filter('t')", "Targeted", show=False, tooltip="Every pair but the not required ones",
                id="deployment.targeted"),
        Binding("p", "state_filter('p')", "Pending", show=False, id="deployment.pending"),
        Binding("w", "state_filter('w')", "On their way", show=False, id="deployment.moving"),
        Binding("i", "state_filter('i')", "Installed", show=False, id="deployment.installed"),
        Binding("n", "state_filter('n')", "Not required", show=False, id="deployment.not_required"),
        Binding("delete,d", "delete", "Delete", key_display="del", id="deployment.delete"),
    ]

    def __init__(self, deployment_id: int, name: str) -> None:
        super().__init__()
        from sumtui.deploy.status_pages import PairQuery

        self.deployment_id = deployment_id
        self.deployment_name = name
        self.summary = None  # DeploymentSummary, once read
        # Most pairs of a large deployment are "not required": the view starts on the others.
        self.filter_key = "t"
        self.pairs = PairQuery(deployment_id, states=STATE_FILTERS["t"][1])
        self.view = PAIRS
        self.sort, self.descending = "client", False
        self._count: int | None = None
        self.TITLE = f"Deployment {name}"

    def compose_body(self) -> ComposeResult:
        yield Static(markup("[b]$name[/b]", name=self.deployment_name), id="deployment-title", classes="status-line")
        yield Static("reading…", id="deployment-counts", classes="status-line")
        with Horizontal(id="search-bar"):
            yield Input(placeholder="/ search: words in the client's name", id="search", compact=True)
        yield Static("", id="pairs-status", classes="status-line")
        # Two grids, one shown: a grid's columns are fixed when it is made.
        yield PagedTable(PAIR_COLUMNS, None, page_size=100, id="grid")
        yield PagedTable(CODE_COLUMNS, ListSource([]), id="codes-grid")
        yield Static("", id="pair-detail")

    def on_mount(self) -> None:
        reload_on_data_change(self, self._reload, areas=MONITOR_AREAS)
        self.query_one("#codes-grid", PagedTable).display = False
        self.rebuild()
        self.load_deployment()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "delete" and self.console.readonly:
            return False
        return True

    def _reload(self) -> None:
        grid = self.query_one("#grid", PagedTable)
        if isinstance(grid.source, PairsSource):
            grid.source.refresh()  # its index of clients is read again, then the pages
        grid.reload()
        self.load_deployment()

    # ------------------------------------------------------------------ the deployment

    @work(thread=True, exclusive=True, group="deployment", exit_on_error=False)
    def load_deployment(self) -> None:
        from sumtui.deploy.models import Deployment
        from sumtui.deploy.status import summary_of
        from sumtui.deploy.status_pages import convergence, error_codes

        try:
            with self.console.site.session() as session:
                row = session.get(Deployment, self.deployment_id)
                if row is None:
                    self.post_message(DeploymentLoaded(None, [], None))
                    return
                summary = summary_of(session, row)
                codes = error_codes(session, deployment_id=row.id)
                converged = convergence(session, deployment_id=row.id, counts=summary.counts, pairs=summary.pairs)
                description = row.description
        except Exception as exc:
            self.post_message(WorkFailed.from_exception("reading the deployment", exc))
            return
        self.post_message(DeploymentLoaded(summary, codes, converged, description))

    @on(DeploymentLoaded)
    def _loaded_deployment(self, message: DeploymentLoaded) -> None:
        from sumtui.deploy.status import when_text
        from sumtui.deploy.status_pages import convergence_text

        title = self.query_one("#deployment-title", Static)
        counts_line = self.query_one("#deployment-counts", Static)
        self.summary = s = message.summary
        if s is None:
            title.update("This deployment was deleted.")
            counts_line.update("")
            return
        self.deployment_name = s.name
        title.update(markup("[b]$name[/b] → $collection ($members clients, $updates updates) · available $available · "
                            "deadline $deadline · $description", name=s.name, collection=s.collection,
                            members=f"{s.members:,}", updates=f"{s.updates:,}",
                            available=when_text(s.available, local=s.local_time, missing="as soon as possible"),
                            deadline=when_text(s.deadline, local=s.local_time, missing="none"),
                            description=message.description or "no description"))
        counts = " · ".join(f"{state_text(name)} {n:,}" for name, n in s.counts.items() if n) or "no clients"
        converged = (f"converged in {convergence_text(message.converged)}" if message.converged is not None
                     else f"{s.done_pct if s.done_pct is not None else 0:g}% arrived")
        counts_line.update(plain(f"{counts} · {converged}"))
        styles = CellStyles.from_variables(self.app.theme_variables)
        self.query_one("#codes-grid", PagedTable).set_source(ListSource(code_rows(message.codes, styles)),
                                                             keep_cursor=True)
        self._show_status()

    # ------------------------------------------------------------------ the pairs

    def rebuild(self) -> None:
        self._count = None
        self.query_one("#grid", PagedTable).set_source(PairsSource(
            self.console.site.engine, self.pairs, CellStyles.from_variables(self.app.theme_variables)))
        self._show_status()

    def _show_status(self) -> None:
        if self.view == CODES:
            codes = self.query_one("#codes-grid", PagedTable).row_count or 0
            text = (f"{codes} failure code{'s' if codes != 1 else ''} · enter: the clients that failed with it · "
                    "e: back to the clients")
        else:
            label = STATE_FILTERS[self.filter_key][0]
            parts = [count_status(self._count, "client × update pair"), f"showing {label}"]
            if self.pairs.code is not None:
                from sumtui.deploy.install_codes import hex_code

                parts.append(f"code {hex_code(self.pairs.code)}")
            if self.pairs.search:
                parts.append(f"clients matching {self.pairs.search!r}")
            parts.append("t targeted · a all · f failed · p pending · w on their way · i installed · n not required · e codes")
            text = " · ".join(parts)
        self.query_one("#pairs-status", Static).update(plain(text))

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.pairs = replace(self.pairs, search=event.value.strip())
        self.rebuild()

    @on(PagedTable.Loaded, "#grid")
    def _pairs_loaded(self, event: PagedTable.Loaded) -> None:
        self._count = event.row_count
        self._show_status()
        if event.row_count == 0:
            self.query_one("#pair-detail", Static).update("No pair matches: a shows them all.")

    @on(PagedTable.CursorMoved, "#grid")
    def _cursor_moved(self, event: PagedTable.CursorMoved) -> None:
        if event.row is None:
            return
        from sumtui.deploy.install_codes import describe

        p = event.row.key
        code = f" · code {describe(int(p.code, 16))}" if p.code else ""
        at = f" · set {p.at:%Y-%m-%d %H:%M} UTC" if p.at else ""
        self.query_one("#pair-detail", Static).update(
            plain(f"{p.client} · KB{p.kb} {p.product} · {state_text(p.state)}{code}{at}\n{p.reason}"), layout=False)

    def action_state_filter(self, key: str) -> None:
        self.filter_key = key
        self.pairs = replace(self.pairs, states=STATE_FILTERS[key][1], code=None)
        if self.view == CODES:
            self._show_view(PAIRS)
        self.rebuild()

    # ------------------------------------------------------------------ the failure codes

    def _show_view(self, view: str) -> None:
        pairs, codes = self.query_one("#grid", PagedTable), self.query_one("#codes-grid", PagedTable)
        self.view = view
        pairs.display, codes.display = view == PAIRS, view == CODES
        (pairs if view == PAIRS else codes).focus()
        self.query_one("#pair-detail", Static).update(
            "" if view == PAIRS else "Each failure code with its meaning and how many pairs stand failed with it.")
        self._show_status()

    def action_toggle_codes(self) -> None:
        self._show_view(CODES if self.view == PAIRS else PAIRS)

    @on(PagedTable.RowActivated, "#codes-grid")
    def _code_chosen(self, event: PagedTable.RowActivated) -> None:
        code, state = event.row.key
        self.filter_key = "f"
        self.pairs = replace(self.pairs, states=(state,), code=code)
        self._show_view(PAIRS)
        self.rebuild()

    @on(PagedTable.Loaded, "#codes-grid")
    def _codes_loaded(self) -> None:
        self._show_status()

    # ------------------------------------------------------------------ delete

    def action_delete(self) -> None:
        if self.summary is not None:
            self.ask_delete_deployment(self.summary.name, self.summary.updates)

    @on(DeployChanged)
    def _changed(self, message: DeployChanged) -> None:
        self.notify(message.text, timeout=6)
        self.console.notify_data_changed()
        self.dismiss()

"""One client: its facts (OS and the catalog product it maps to, build with revision, reports, support,
tags, collections) and every applicable update's state with the sentence that explains it.

Failed and Required come first; keys narrow to one state, `/` to the rows whose KB, product, state or
explanation has the words typed, and `n` adds the updates for products the client does not have (Not
required, each saying why). The explanation of the row under the cursor is shown in full under the grid;
enter opens the update. Everything is read in one worker per (client, with/without n), again when the
site's fleet or catalog changes and on `r`; the ages tick.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Static

from sumtui.tui.cells import CellStyles, age_text, markup, plain, short_product, styled
from sumtui.tui.messages import ClientDetailLoaded, WorkFailed
from sumtui.tui.screens.grid_screen import (
    WordsFilterScreen,
    has_words,
    reload_on_data_change,
)
from sumtui.tui.widgets.grid_source import GridColumn, GridRow, ListSource
from sumtui.tui.widgets.paged_table import PagedTable

STATE_COLUMNS = (
    GridColumn("state", "State", 12, sortable=False),
    GridColumn("kb", "KB", 9, sortable=False),
    GridColumn("severity", "Sev", 5, sortable=False),
    GridColumn("product", "Product", 14, flex=True, sortable=False),
    GridColumn("reason", "Why", 16, flex=True, sortable=False),
)
STATE_TEXT = {"failed": "failed", "required": "required", "unknown": "unknown", "installed": "installed",
              "not_required": "not required"}
# (state shown, key, label) in the order the status line offers them (`r` re-reads, as on every page).
FILTERS = (("all", "a", "all"), ("required", "R", "required"), ("installed", "i", "installed"),
           ("failed", "f", "failed"), ("unknown", "u", "unknown"))


def _when(text: str | None, now: datetime) -> str:
    """'34 h ago (2026-11-24 07:29 UTC)': the age first, it is what an operator looks for."""
    if not text:
        return "never"
    moment = datetime.fromisoformat(text)
    return f"{age_text(moment, now)} ago ({moment.strftime('%Y-%m-%d %H:%M')} UTC)"


def render_facts(detail, now: datetime) -> Content:
    # Every fact came from the machine's agent or inventory: data (`markup`, `plain`), never markup.
    f = detail.facts
    arch = f" {detail.architecture}" if detail.architecture else ""
    lines = [
        markup("[b]$name[/b] · $domain · $os", name=detail.name, domain=f["domain"] or "no domain",
               os=(f["os"] or "OS not reported") + arch),
    ]
    product = markup("[b]$p[/b]", p=f["os_product"]) if f["os_product"] else Content.from_markup(
        "[$text-warning]unmapped[/]: no catalog product matches this OS, so its updates stay Unknown")
    lines.append(Content.assemble(Content.from_markup("[dim]Product[/dim] "), product,
                                  plain(f" · build {f['build'] or 'not reported'}")))
    scan = f"scan {_when(f['last_scan'], now)}" if f["last_scan"] else "no scan"
    lines.append(markup(
        "[dim]Inventory[/dim] $inv · $scan · $source$agent",
        inv=_when(f["last_inventory"], now), scan=scan, source=f["source"] or "?",
        agent=f" {f['agent_version']}" if f.get("agent_version") else "",
    ))
    if f["out_of_support"]:
        support = markup("[b $text-error]out of support[/] since $d", d=f["end_of_support"] or "?")
    elif f["end_of_support"]:
        support = plain(f"supported until {f['end_of_support']}")
    else:
        support = Content("end of support not known")
    tags = ", ".join(str(t) for t in f["tags"]) or "none"
    lines.append(Content.assemble(Content.from_markup("[dim]Support[/dim] "), support, plain(f" · tags {tags}")))
    lines.append(markup("[dim]Member of[/dim] $c", c=", ".join(detail.collections) or "no collection"))
    if f["inventory_note"]:
        lines.append(markup("[$text-warning]Inventory KB list incomplete:[/] $n", n=f["inventory_note"]))
    return Content("\n").join(lines)


class ClientDetailScreen(WordsFilterScreen):
    AUTO_FOCUS = "#grid"
    SEARCH_PLACEHOLDER = "/ filter: words in KB, product, state or why"
    BINDINGS = [
        Binding("a", "show('all')", "All", id="client.all"),
        Binding("R", "show('required')", "Required", key_display="R", id="client.required"),
        Binding("i", "show('installed')", "Installed", show=False, id="client.installed"),
        Binding("f", "show('failed')", "Failed", show=False, id="client.failed"),
        Binding("u", "show('unknown')", "Unknown", show=False, id="client.unknown"),
        Binding("n", "toggle_not_applicable", "Not applicable", id="client.not_applicable"),
    ]

    def __init__(self, client_id: int) -> None:
        super().__init__()
        self.client_id = client_id
        self.detail = None
        self.states: list = []
        self.shown = "all"
        self.not_applicable = False
        self._by_id: dict[int, object] = {}
        self.TITLE = "Client"

    def compose_body(self) -> ComposeResult:
        yield Static("reading the client…", id="client-facts")
        yield from self.search_box()
        yield Static("", id="client-states-status", classes="status-line")
        yield PagedTable(STATE_COLUMNS, ListSource([]), page_size=200, id="grid")
        yield Static("", id="client-reason", classes="row-detail")

    def on_mount(self) -> None:
        reload_on_data_change(self, self.load)
        self.watch(self.app, "tick", self._show_facts, init=False)  # "inventory 5 min ago" moves on
        self.load()

    def words_changed(self) -> None:
        self._show_rows()

    @work(thread=True, exclusive=True, group="client-detail", exit_on_error=False)
    def load(self) -> None:
        from sumtui.tui.fleet_sources import load_client_detail

        try:
            with self.console.site.session() as session:
                detail, states = load_client_detail(session, self.client_id, include_not_applicable=self.not_applicable)
        except Exception as exc:
            from sumtui.errors import one_line

            self.post_message(WorkFailed("reading the client", one_line(exc)))
            return
        self.post_message(ClientDetailLoaded(self.client_id, detail, states))

    @on(ClientDetailLoaded)
    def _loaded(self, message: ClientDetailLoaded) -> None:
        if message.client_id != self.client_id:
            return
        self.detail, self.states = message.detail, message.states
        self._by_id = {s.update_id: s for s in message.states}
        if message.detail is None:
            self.query_one("#client-facts", Static).update("This client is no longer in the site.")
            self.states = []
        else:
            self.query_one("#site-header #header-title").update(plain(f"sumtui › {message.detail.name}"))
            self._show_facts()
        self._show_rows(keep_cursor=True)

    def _show_facts(self, *_args) -> None:
        if self.detail is not None:
            self.query_one("#client-facts", Static).update(render_facts(self.detail, self.console.now()))

    def _show_rows(self, *, keep_cursor: bool = False) -> None:
        styles = CellStyles.from_variables(self.app.theme_variables)
        state_styles = {"failed": styles.gap_wide, "required": styles.gap, "unknown": styles.muted,
                        "installed": styles.good, "not_required": styles.muted}
        rows = [
            GridRow(key=s.update_id, cells=(
                styled(STATE_TEXT[s.state], state_styles[s.state]), f"KB{s.kb}", styles.severity(s.severity),
                short_product(s.product), s.reason,
            ))
            for s in self.states if (self.shown == "all" or s.state == self.shown)
            and has_words(self.words, f"KB{s.kb}", s.product, STATE_TEXT[s.state], s.reason, s.severity or "")
        ]
        self.query_one("#grid", PagedTable).set_source(ListSource(rows), keep_cursor=keep_cursor)
        self._show_status(len(rows))
        if not rows:
            what = f"{STATE_TEXT.get(self.shown, '')} update" if self.shown != "all" else "applicable update"
            self.query_one("#client-reason", Static).update(
                plain(f"No {what} has the words {' '.join(self.words)!r}." if self.words else f"No {what}."))

    def _show_status(self, shown: int) -> None:
        counts = Counter(s.state for s in self.states)
        figures = " · ".join(f"{counts[k]:,} {STATE_TEXT[k]}" for k in ("failed", "required", "unknown", "installed", "not_required")
                             if counts[k] or k in ("required", "installed"))
        choices = " ".join(f"{key}:{label}" if state != self.shown else f"[b]{key}:{label}[/b]"
                           for state, key, label in FILTERS)
        scope = "with updates for products it does not have (n hides them)" if self.not_applicable else \
            "applicable updates (n: also the rest)"
        if self.words:
            scope = f"{shown:,} with the words typed · {scope}"
        self.query_one("#client-states-status", Static).update(Content.from_markup(
            f"$figures  [dim]{choices} · $scope[/dim]", figures=figures or "no update", scope=scope))

    def action_show(self, state: str) -> None:
        self.shown = state
        self._show_rows()

    def action_toggle_not_applicable(self) -> None:
        self.not_applicable = not self.not_applicable
        self.load()

    @on(PagedTable.RowActivated, "#grid")
    def _activated(self, event: PagedTable.RowActivated) -> None:
        """enter: the update under the cursor, on a page of its own, with this client's state for it."""
        from sumtui.tui.screens.update_view import UpdateViewScreen

        state = self._by_id.get(event.row.key)
        if state is None:
            return
        name = self.detail.name if self.detail is not None else "this client"
        context = markup("$client: [b]$state[/b] · $reason", client=name, state=STATE_TEXT[state.state],
                         reason=state.reason)
        self.app.push_screen(UpdateViewScreen(state.update_id, context=context, title=f"KB{state.kb}"))

    @on(PagedTable.CursorMoved, "#grid")
    def _cursor_moved(self, event: PagedTable.CursorMoved) -> None:
        if event.row is None:
            return
        state = self._by_id.get(event.row.key)
        if state is not None:
            # The pane grows to the whole reason (app.tcss): the layout follows its height.
            self.query_one("#client-reason", Static).update(markup(
                "[b]KB$kb[/b] · $reason", kb=state.kb, reason=state.reason))

"""Home: the monitoring alerts when there are any (sync failed, a deployment's error rate, silent clients;
sumtui.workflows.alerts; `a` opens the first one's page), the setup checklist (DESIGN.md §1) with the next
step highlighted, the catalog's headline figures, and the triage panel (fleet compliance, its trend, what
to look at first), below the checklist at 80 columns and beside it on wide terminals; `s` opens the
servers that miss a Critical update on Clients. All are read in workers and re-read when data changes."""

from __future__ import annotations

from rich.cells import cell_len
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.events import Resize
from textual.widgets import Static
from textual.widgets.option_list import Option

from sumtui.tui.cells import markup, plain
from sumtui.tui.messages import ChecklistLoaded, TriageLoaded, WorkFailed
from sumtui.tui.monitor_messages import AlertsLoaded
from sumtui.tui.screens.base import PageScreen
from sumtui.tui.widgets.lists import KeyOptionList
from sumtui.tui.widgets.stale_states import StaleStatesLine
from sumtui.tui.widgets.triage import TriageList, TriagePanel

TITLE_WIDTH = 30  # "Software updates client agent" and a space
PROMPT_HEAD = 1 + 1 + 4 + 2 + TITLE_WIDTH + 1  # mark, label, title: what comes before a stage's status
WIDE = 110  # from this width the triage panel sits beside the checklist
RESUME_RELOAD_DELAY = 0.3


class StageList(KeyOptionList):
    """The checklist: a line per stage, its status as a sentence where the width allows, else in a few
    words (the highlighted stage's sentence shows below the list): never cut."""

    BINDINGS = [Binding("enter", "select", "Open stage", id="home.open")]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._stages: list = []
        self._upcoming = None
        self._drawn_width = 0

    def show(self, stages: list, upcoming, *, highlight: str) -> None:
        self._stages, self._upcoming = stages, upcoming
        self._draw(highlight)

    def _draw(self, highlight: str | None) -> None:
        width = self.scrollable_content_region.width
        self._drawn_width = width
        self.clear_options()
        self.add_options(
            Option(stage_prompt(s, is_next=s is self._upcoming, width=width), id=s.key, disabled=not s.available)
            for s in self._stages
        )
        if highlight is not None:
            self.highlighted = self.get_option_index(highlight)

    def on_resize(self, event: Resize) -> None:
        if self._stages and self.scrollable_content_region.width != self._drawn_width:
            index = self.highlighted
            self._draw(self.options[index].id if index is not None else None)


def stage_prompt(stage, *, is_next: bool, width: int = 0) -> Content:
    """A stage's line; `width` (the list's) picks the full status sentence when it fits (0: always)."""
    if stage.done:
        mark = Content.from_markup("[$text-success]✔[/]")
    elif is_next:
        # Bold, not coloured: the highlight (the next step is highlighted first) is already a colour.
        mark = Content.from_markup("[b]▶[/]")
    elif stage.available:
        mark = Content("○")
    else:
        mark = Content("–")
    title = stage.title.ljust(TITLE_WIDTH)
    head = Content.from_markup("[b]$title[/b]", title=title) if is_next else Content(title)
    status = stage.status if not width or PROMPT_HEAD + cell_len(stage.status) <= width else stage.short_status
    # A stage's status quotes what it found (the last run's outcome, a site's URL): data.
    return Content.assemble(mark, " ", stage.label.rjust(4), "  ", head, " ", plain(status))


class HomeScreen(PageScreen):
    TITLE = "Home"
    AUTO_FOCUS = "#stages"
    BINDINGS = [
        Binding("r", "refresh", "Refresh", id="home.refresh"),
        Binding("t", "focus_triage", "Triage", id="home.triage"),
        Binding("s", "servers_missing_critical", "Servers missing Critical", show=False, id="home.triage_servers"),
        Binding("c", "focus_checklist", "Checklist", show=False, id="home.checklist"),
        Binding("a", "open_alert", "Alert", show=False, id="home.alert"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._stages: list = []
        self._highlight_key: str | None = None
        self.triage = None  # the TriageView on screen
        self._alerts: list = []  # the Alerts on show

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="home-body", can_focus=False):
            with Vertical(id="checklist-pane"):
                yield Static("", id="home-alerts")
                yield Static("Setup checklist", id="home-intro", classes="section-title")
                yield StageList(id="stages")
                yield Static("", id="stage-status")
                yield Static("", id="home-figures")
                yield StaleStatesLine(id="home-stale")
            yield TriagePanel(id="triage")

    def on_mount(self) -> None:
        self.watch(self.app, "data_version", self._reload, init=False)
        self.watch(self.app, "tick", self._reload, init=False)
        # Changes made by other processes (agents reporting, a sync from cron): read again if shown.
        self.watch(self.app, "site_changes", self._reload_if_shown, init=False)
        # The triage figures are read once the checklist is on screen (see _show): started together,
        # the two workers' imports and queries would delay the console's first frame.
        self.load_checklist()

    def on_resize(self, event: Resize) -> None:
        self.set_class(event.size.width >= WIDE, "-wide")

    def on_screen_resume(self) -> None:
        # Jumping from page to page passes through Home (pages replace each other above it): reload
        # only if the operator stays here, so the page being opened does not share the interpreter
        # with two queries it does not need.
        if self._stages:
            self.set_timer(RESUME_RELOAD_DELAY, self._reload_if_shown)

    def _reload_if_shown(self, *_args) -> None:
        if self.is_current:
            self._reload()

    def _reload(self, *_args) -> None:
        self.load_checklist()
        self.load_triage()
        self.load_alerts()

    def action_refresh(self) -> None:
        self._reload()

    def action_focus_triage(self) -> None:
        options = self.query_one("#triage-list", TriageList)
        if options.display and options.option_count:
            options.focus()
        else:
            self.notify("Nothing to triage yet: no client has reported.", timeout=3)

    def action_servers_missing_critical(self) -> None:
        """The triage view: Clients showing the servers that miss a Critical update, worst first."""
        from sumtui.tui.triage import servers_missing_critical

        flt, sort, descending = servers_missing_critical()
        # The installed Clients page (made now if it was never opened) takes the view, then is shown.
        self.app.get_screen("clients").show_view(flt, sort=sort, descending=descending)
        self.console.open_page("clients")

    def action_focus_checklist(self) -> None:
        self.query_one("#stages", StageList).focus()
        self.query_one("#home-body").scroll_home(animate=False)

    # ------------------------------------------------------------------ triage

    @work(thread=True, exclusive=True, group="triage", exit_on_error=False)
    def load_triage(self) -> None:
        from sumtui.tui.triage import load_triage

        try:
            with self.console.site.session() as session:
                view = load_triage(session, now=self.console.now())
        except Exception as exc:
            from sumtui.errors import one_line

            self.post_message(WorkFailed("reading the triage figures", one_line(exc)))
            return
        self.post_message(TriageLoaded(view))

    @on(TriageLoaded)
    def _show_triage(self, message: TriageLoaded) -> None:
        self.triage = message.triage
        self.query_one("#triage", TriagePanel).show(message.triage)

    @on(TriageList.OptionSelected, "#triage-list")
    def _triage_open(self, event: TriageList.OptionSelected) -> None:
        target = TriageList.target_of(event.option.id)
        if target is None or self.triage is None:
            return
        kind, _, ident = target.partition(":")
        if kind == "view":
            self.action_servers_missing_critical()
        elif kind == "client":
            from sumtui.tui.screens.client_detail import ClientDetailScreen

            self.app.push_screen(ClientDetailScreen(int(ident)))
        elif kind == "update" and target in self.triage.refs:
            from sumtui.tui.screens.update_clients import UpdateClientsScreen

            self.app.push_screen(UpdateClientsScreen(self.triage.refs[target], collection_id=self.triage.collection_id,
                                                     collection_name="All Systems"))

    # ------------------------------------------------------------------ alerts

    @work(thread=True, exclusive=True, group="alerts", exit_on_error=False)
    def load_alerts(self) -> None:
        from sumtui.workflows.alerts import alerts

        try:
            with self.console.site.session() as session:
                found = alerts(session, now=self.console.now())
        except Exception as exc:
            from sumtui.errors import one_line

            self.post_message(WorkFailed("reading the alerts", one_line(exc)))
            return
        self.post_message(AlertsLoaded(found))

    @on(AlertsLoaded)
    def _show_alerts(self, message: AlertsLoaded) -> None:
        panel = self.query_one("#home-alerts", Static)
        panel.display = bool(message.alerts)
        # Each line starts with its severity in plain text ([!!] error, [! ] warning), then the page to open.
        self._alerts = message.alerts
        lines = [markup("$marker $text" + (" · :$page" if a.page else ""), marker=a.marker, text=a.text, page=a.page or "")
                 for a in message.alerts]
        panel.update(Content("\n").join(lines) if lines else "")

    def action_open_alert(self) -> None:
        """`a`: the page of the first alert (errors come first)."""
        target = next((a for a in self._alerts if a.page), None)
        if target is None:
            self.notify("No alert: nothing needs attention.", timeout=3)
        else:
            self.console.open_page(target.page)

    @work(thread=True, exclusive=True, group="checklist", exit_on_error=False)
    def load_checklist(self) -> None:
        from sumtui.catalog.queries import catalog_counts
        from sumtui.workflows.checklist import checklist

        try:
            with self.console.site.session() as session:
                stages = checklist(session, now=self.console.now())
                counts = catalog_counts(session)
        except Exception as exc:
            from sumtui.errors import one_line

            self.post_message(WorkFailed("reading the checklist", one_line(exc)))
            return
        self.post_message(ChecklistLoaded(stages, counts))

    @on(ChecklistLoaded)
    def _show(self, message: ChecklistLoaded) -> None:
        from sumtui.workflows.checklist import next_stage

        if not self._stages:
            self.load_triage()
            self.load_alerts()
        self._stages = message.stages
        upcoming = next_stage(message.stages)
        target = self._highlight_key or (upcoming.key if upcoming else message.stages[0].key)
        self.query_one("#stages", StageList).show(message.stages, upcoming, highlight=target)
        intro = self.query_one("#home-intro", Static)
        if upcoming is None:
            intro.update("Setup checklist: every available stage is done.")
        else:
            intro.update(Content.from_markup("Setup checklist: next step [b]$n $t[/b]", n=upcoming.label, t=upcoming.title))
        c = message.counts
        self.query_one("#home-figures", Static).update(
            f"Catalog: {c['updates']:,} updates · {c['superseded']:,} superseded · {c['expired']:,} expired · "
            f"{c['documents']:,} months · {c['products']:,} products"
        )
        self._show_status()

    @on(StageList.OptionHighlighted, "#stages")
    def _highlighted(self, event: StageList.OptionHighlighted) -> None:
        self._highlight_key = event.option.id
        self._show_status()

    def _show_status(self) -> None:
        stage = next((s for s in self._stages if s.key == self._highlight_key), None)
        if stage is None and self._stages:
            index = self.query_one("#stages", StageList).highlighted
            stage = self._stages[index] if index is not None else None
        panel = self.query_one("#stage-status", Static)
        if stage is None:
            panel.update("")
            return
        state = "done" if stage.done else "not done" if stage.available else "not yet available"
        hint = f"enter opens {stage.screen}" if stage.screen else "arrives in a later release"
        panel.update(markup("[b]$label $title[/b] — $state · $hint\n$status",
                            label=stage.label, title=stage.title, state=state, hint=hint, status=stage.status))

    @on(StageList.OptionSelected, "#stages")
    def _open(self, event: StageList.OptionSelected) -> None:
        stage = next((s for s in self._stages if s.key == event.option.id), None)
        if stage is not None and stage.screen:
            self.console.open_page(stage.screen)


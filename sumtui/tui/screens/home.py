"""Home: the setup checklist (DESIGN.md §1) with the next step highlighted, and the catalog's headline figures."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static
from textual.widgets.option_list import Option

from sumtui.tui.messages import ChecklistLoaded, WorkFailed
from sumtui.tui.screens.base import PageScreen
from sumtui.tui.widgets.lists import KeyOptionList

TITLE_WIDTH = 30


class StageList(KeyOptionList):
    BINDINGS = [Binding("enter", "select", "Open stage", id="home.open")]


def stage_prompt(stage, *, is_next: bool) -> Content:
    if stage.done:
        mark = Content.from_markup("[$text-success]✔[/]")
    elif is_next:
        mark = Content.from_markup("[b $text-accent]▶[/]")
    elif stage.available:
        mark = Content("○")
    else:
        mark = Content("–")
    title = stage.title.ljust(TITLE_WIDTH)
    head = Content.from_markup("[b]$title[/b]", title=title) if is_next else Content(title)
    return Content.assemble(mark, " ", stage.label.rjust(4), "  ", head, " ", Content(stage.status))


class HomeScreen(PageScreen):
    TITLE = "Home"
    AUTO_FOCUS = "#stages"
    BINDINGS = [Binding("r", "refresh", "Refresh", id="home.refresh")]

    def __init__(self) -> None:
        super().__init__()
        self._stages: list = []
        self._highlight_key: str | None = None

    def compose_body(self) -> ComposeResult:
        with Vertical(id="home-body"):
            yield Static("Setup checklist", id="home-intro", classes="section-title")
            yield StageList(id="stages")
            yield Static("", id="stage-status")
            yield Static("", id="home-figures")

    def on_mount(self) -> None:
        self.watch(self.app, "data_version", self._reload, init=False)
        self.watch(self.app, "tick", self._reload, init=False)
        self.load_checklist()

    def on_screen_resume(self) -> None:
        if self._stages:
            self.load_checklist()

    def _reload(self, *_args) -> None:
        self.load_checklist()

    def action_refresh(self) -> None:
        self.load_checklist()

    @work(thread=True, exclusive=True, group="checklist", exit_on_error=False)
    def load_checklist(self) -> None:
        from sumtui.catalog.queries import catalog_counts
        from sumtui.checklist import checklist

        try:
            with self.console.site.session() as session:
                stages = checklist(session, now=self.console.now())
                counts = catalog_counts(session)
        except Exception as exc:
            from sumtui.tui.app import one_line

            self.post_message(WorkFailed("reading the checklist", one_line(exc)))
            return
        self.post_message(ChecklistLoaded(stages, counts))

    @on(ChecklistLoaded)
    def _show(self, message: ChecklistLoaded) -> None:
        from sumtui.checklist import next_stage

        self._stages = message.stages
        upcoming = next_stage(message.stages)
        options = self.query_one("#stages", StageList)
        keep = self._highlight_key
        options.clear_options()
        options.add_options(
            Option(stage_prompt(s, is_next=s is upcoming), id=s.key, disabled=not s.available) for s in message.stages
        )
        target = keep or (upcoming.key if upcoming else message.stages[0].key)
        options.highlighted = options.get_option_index(target)
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
        panel.update(Content.from_markup("[b]$label $title[/b] — $state · $hint\n$status",
                                         label=stage.label, title=stage.title, state=state, hint=hint, status=stage.status))

    @on(StageList.OptionSelected, "#stages")
    def _open(self, event: StageList.OptionSelected) -> None:
        stage = next((s for s in self._stages if s.key == event.option.id), None)
        if stage is not None and stage.screen:
            self.console.open_page(stage.screen)


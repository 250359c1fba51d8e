"""Home's triage panel: fleet compliance with its daily trend (a Sparkline), then lists the operator
acts on. It only displays a `TriageView`; Home loads it in a worker and opens what enter selects."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Sparkline, Static
from textual.widgets.option_list import Option

from sumtui.tui.cells import markup, plain
from sumtui.tui.state import TriageView
from sumtui.tui.widgets.lists import KeyOptionList

STYLE_VARIABLES = {"critical": "$text-error", "important": "$text-warning", "muted": "$foreground-muted"}
TREND_WIDTH = 30  # one bar per day of the 30 the trend covers


class TriageList(KeyOptionList):
    BINDINGS = [Binding("enter", "select", "Open", id="triage.open")]

    @staticmethod
    def target_of(option_id: str | None) -> str | None:
        """'update:12' or 'client:7' from an option id."""
        return option_id.split("|", 1)[1] if option_id and "|" in option_id else None


class TriagePanel(Vertical):
    def compose(self) -> ComposeResult:
        yield Static("Triage", id="triage-title", classes="section-title")
        yield Static("reading the fleet…", id="triage-headline")
        with Horizontal(id="triage-trend-row"):
            yield Sparkline([], id="trend")
            yield Static("", id="trend-text")
        yield TriageList(id="triage-list")

    def show(self, view: TriageView) -> None:
        headline = self.query_one("#triage-headline", Static)
        trend_row = self.query_one("#triage-trend-row")
        options = self.query_one("#triage-list", TriageList)
        options.clear_options()
        if not view.has_fleet:
            headline.update("No clients yet. They arrive when agents report to the management point (:mp), "
                            "or import inventories on :clients (i).")
            trend_row.display = False
            options.display = False
            return
        # Lines name clients, products and collections: data, never markup.
        headline.update(markup("[b]$h[/b]", h=view.headline))
        trend_row.display = True
        sparkline = self.query_one("#trend", Sparkline)
        # One bar per day: a short history stays short instead of being stretched across the width.
        sparkline.styles.width = max(2, min(TREND_WIDTH, len(view.trend))) if len(view.trend) >= 2 else 0
        sparkline.display = len(view.trend) >= 2
        sparkline.data = list(view.trend)
        self.query_one("#trend-text", Static).update(markup("[dim]trend: $t[/dim]", t=view.trend_text))
        items: list[Option | None] = []
        for number, (title, lines) in enumerate(view.sections):
            items.append(Option(markup("[b]$t[/b]", t=title), disabled=True))
            for line in lines:
                variable = STYLE_VARIABLES.get(line.style)
                prompt = markup(f"[{variable}]$t[/]", t=line.text) if variable else plain(line.text)
                # A client can be both least compliant and silent: the section keeps option ids unique.
                option_id = f"{number}|{line.target}" if line.target else None
                items.append(Option(Content.assemble("  ", prompt), id=option_id, disabled=line.target is None))
        options.add_options(items)
        options.display = True
        first = next((i for i, o in enumerate(options.options) if not o.disabled), None)
        options.highlighted = first

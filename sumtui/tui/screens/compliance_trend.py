"""A collection's or an update list's compliance trend as a plot: one Sparkline bar per daily snapshot (the
last 30), with the figures in words beside it (first and last day, lowest and highest, and the last days'
percentages), so the plot reads without colour or a graphical terminal. Opened with `t` on Collections
or on Lists (a list's figures are in All Systems); esc closes. The snapshots are read in a worker
(`sumtui.compliance.trend`, `sumtui.deploy.list_trend`: the same points)."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Sparkline, Static

from sumtui.tui.cells import markup, plain
from sumtui.tui.messages import WorkFailed
from sumtui.tui.monitor_messages import TrendLoaded

DAYS = 30
LAST_DAYS = 7  # shown as figures under the plot


def trend_lines(points: list[tuple[object, float | None]]) -> list[str]:
    """The trend in words: the range of days, first → last, lowest and highest, the last days' figures."""
    known = [(day, pct) for day, pct in points if pct is not None]
    if not known:
        return ["No daily snapshot yet: the site takes one a day once clients report (`sumtui compliance`)."]
    if len(known) == 1:
        day, pct = known[0]
        return [f"One daily snapshot so far: {day:%Y-%m-%d} {pct:.1f}% compliant."]
    (first_day, first), (last_day, last) = known[0], known[-1]
    low = min(known, key=lambda p: p[1])
    high = max(known, key=lambda p: p[1])
    change = last - first
    return [
        f"{first_day:%Y-%m-%d} → {last_day:%Y-%m-%d} ({len(points)} snapshots): {first:.1f}% → {last:.1f}% "
        f"({'+' if change >= 0 else ''}{change:.1f} points)",
        f"lowest {low[1]:.1f}% on {low[0]:%Y-%m-%d} · highest {high[1]:.1f}% on {high[0]:%Y-%m-%d}",
        "last days: " + " · ".join(f"{day:%m-%d} {pct:.0f}%" for day, pct in known[-LAST_DAYS:]),
    ]


class ComplianceTrendScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,t", "dismiss(None)", "Close", key_display="esc", id="trend.close")]
    DEFAULT_CSS = """
    ComplianceTrendScreen #trend-dialog { width: 80; height: auto; }
    ComplianceTrendScreen #trend-plot { height: 4; width: 1fr; margin: 1 0; }
    ComplianceTrendScreen #trend-words { height: auto; }
    """

    def __init__(self, collection_id: int, name: str, *, update_list: bool = False) -> None:
        """`collection_id` is the update list's id when `update_list` is set."""
        super().__init__()
        self.collection_id = collection_id
        self.collection_name = name
        self.update_list = update_list

    def compose(self) -> ComposeResult:
        with Vertical(id="trend-dialog", classes="dialog"):
            per_day = ("% of All Systems compliant for the list per day" if self.update_list
                       else "% of members compliant per day")
            yield Static(markup("[b]Compliance of $name[/b], $per_day", name=self.collection_name, per_day=per_day),
                         classes="dialog-title")
            yield Sparkline([], id="trend-plot")
            yield Static("reading the snapshots…", id="trend-words")
            yield Static("esc closes", classes="hint")

    def on_mount(self) -> None:
        self.read_trend()

    @work(thread=True, exclusive=True, group="trend", exit_on_error=False)
    def read_trend(self) -> None:
        from sumtui.compliance.trend import collection_trend
        from sumtui.deploy.list_trend import list_trend

        try:
            with self.app.site.session() as session:  # type: ignore[attr-defined]
                if self.update_list:
                    points = list_trend(session, list_id=self.collection_id, days=DAYS)
                else:
                    points = collection_trend(session, collection_id=self.collection_id, days=DAYS)
        except Exception as exc:
            self.post_message(WorkFailed.from_exception("reading the compliance trend", exc))
            return
        self.post_message(TrendLoaded(self.collection_id, self.collection_name, points))

    @on(TrendLoaded)
    def _show(self, message: TrendLoaded) -> None:
        values = [pct for _day, pct in message.points if pct is not None]
        plot = self.query_one("#trend-plot", Sparkline)
        plot.display = len(values) >= 2
        plot.data = values
        self.query_one("#trend-words", Static).update(plain("\n".join(trend_lines(message.points))))

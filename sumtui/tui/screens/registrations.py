"""Pending registrations (opened from Clients with `p`): registrations of names the site already knows,
held until the operator decides. Each shows the client as the site knows it beside the machine that
asks (OS, build, domain, KBs, agent version; where and when it asked, how often), differences in bold.
`a` approves and `x` rejects, each after a confirmation that names the machine. A decision names the
request the operator saw: if another request replaced it meanwhile, it is refused and the list reloads.
"""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from sumtui.fleet.registrations import Facts, HeldView
from sumtui.text import escape_controls
from sumtui.tui.messages import FleetChanged, WorkFailed
from sumtui.tui.screens.base import PageScreen
from sumtui.tui.screens.grid_screen import reload_on_data_change
from sumtui.workflows.site_marks import FLEET

FACT_ROWS = (("OS", "os"), ("Build", "build"), ("Domain", "domain"), ("KBs", "kbs"), ("Agent", "agent_version"))


class HeldLoaded(Message):
    def __init__(self, views: list[HeldView]) -> None:
        super().__init__()
        self.views = views


def _value(facts: Facts | None, field: str) -> str:
    value = getattr(facts, field) if facts is not None else None
    return "—" if value is None else escape_controls(str(value))


def held_prompt(view: HeldView, *, when: str) -> Group:
    """One held registration as an option: a title line, then the client and the request side by side.
    Every value is outside text: Text objects, never markup, controls escaped."""
    title = Text.assemble(
        (escape_controls(view.name), "bold"), f"  {view.state} · asked {when} from {escape_controls(view.address or '?')}"
        + (f" · {view.attempts} tries" if view.attempts > 1 else ""))
    grid = Table.grid(padding=(0, 2), expand=True)
    grid.add_column(ratio=1)
    grid.add_column(ratio=1)
    grid.add_row(Text("The client now" if view.client else "No client of this name any more", style="dim"),
                 Text("The machine asking", style="dim"))
    for label, field in FACT_ROWS:
        old, new = _value(view.client, field), _value(view.request, field)
        grid.add_row(Text(f"{label}: {old}"), Text(f"{label}: {new}", style="bold" if view.client and old != new else ""))
    return Group(title, grid, Text(""))


class PendingRegistrationsScreen(PageScreen):
    TITLE = "Pending registrations"
    AUTO_FOCUS = "#held-list"
    BINDINGS = [
        Binding("a", "approve", "Approve", id="held.approve"),
        Binding("x", "reject", "Reject", id="held.reject"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.views: list[HeldView] | None = None

    def compose_body(self) -> ComposeResult:
        yield Static("Registrations of names this site already knows, held for your decision", classes="section-title")
        yield Static("…", id="held-status", classes="status-line")
        yield OptionList(id="held-list")
        yield Static("a: approve (the machine asking gets the client's identity at its next attempt) · x: reject · "
                     "the client's agent keeps working until then", classes="hint status-line")

    def on_mount(self) -> None:
        # Registrations arrive from agents through the management point: read again when they do, and on `r`.
        reload_on_data_change(self, self.load, areas=frozenset({FLEET}), grid="#held-list")
        self.load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("approve", "reject") and self.console.readonly:
            return False
        return True

    @work(thread=True, exclusive=True, group="held-load", exit_on_error=False)
    def load(self) -> None:
        from sumtui.fleet.registrations import list_held

        try:
            with self.console.site.session() as session:
                views = list_held(session)
        except Exception as exc:
            self.post_message(WorkFailed.from_exception("reading the pending registrations", exc))
            return
        self.post_message(HeldLoaded(views))

    @on(HeldLoaded)
    def _loaded(self, message: HeldLoaded) -> None:
        from sumtui.timeutil import as_utc

        self.views = message.views
        options = self.query_one("#held-list", OptionList)
        highlighted = options.highlighted
        options.clear_options()
        options.add_options([
            Option(held_prompt(v, when=as_utc(v.last_attempt_at).strftime("%Y-%m-%d %H:%M UTC")), id=str(v.id))
            for v in message.views
        ])
        if message.views:
            options.highlighted = min(highlighted or 0, len(message.views) - 1)
        waiting = sum(1 for v in message.views if v.state == "pending")
        self.query_one("#held-status", Static).update(
            f"{waiting} waiting, {len(message.views) - waiting} decided (an approved one waits for its agent)"
            if message.views else "No registration is waiting.")

    def _selected(self) -> HeldView | None:
        index = self.query_one("#held-list", OptionList).highlighted
        if self.views is None or index is None or index >= len(self.views):
            return None
        return self.views[index]

    def action_approve(self) -> None:
        self._ask("approve")

    def action_reject(self) -> None:
        self._ask("reject")

    def _ask(self, verb: str) -> None:
        view = self._selected()
        if view is None or self.console.readonly:
            return
        from sumtui.tui.screens.confirm import ConfirmScreen

        where = view.address or "an unknown address"
        if verb == "approve":
            question = (f"Approve the registration of {view.name}? The machine at {where} gets the identity of the client "
                        f"{view.name} at its next attempt: the client's current agent stops working then, and the new "
                        "machine's reports replace what the site knows about it.")
        else:
            question = (f"Reject the registration of {view.name}? The machine at {where} is told so; the client and its "
                        "agent are untouched.")

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.decide(verb, view.name, view.id)

        self.app.push_screen(ConfirmScreen(question, yes=verb.capitalize()), confirmed)

    @work(thread=True, group="held-change", exit_on_error=False)
    def decide(self, verb: str, name: str, registration_id: int) -> None:
        from sumtui.fleet import registrations

        try:
            with self.console.site.session() as session:
                decided = getattr(registrations, verb)(session, name=name, registration_id=registration_id)
        except Exception as exc:
            self.post_message(WorkFailed.from_exception(f"{verb.rstrip('e')}ing the registration", exc,
                                                        registrations.RegistrationError))
            self.load()
            return
        self.post_message(FleetChanged(f"Registration of {decided.name} {decided.state}."))

    @on(FleetChanged)
    def _changed(self, message: FleetChanged) -> None:
        self.notify(escape_controls(message.text), timeout=6, markup=False)  # it names a machine: data
        self.console.notify_data_changed()
        self.load()

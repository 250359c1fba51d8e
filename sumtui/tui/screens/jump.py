"""`:` — jump to a page by name: an input over the pages it may mean, best first, as you type.

The list and the inline completion follow one ranking (sumtui.tui.pages.candidates), so what enter opens
is always the first line shown: `:cl⏎` opens Clients, the page opened most, not Client agent.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, Label
from textual.widgets.option_list import Option

from sumtui.tui.cells import plain
from sumtui.tui.pages import candidates, page_name
from sumtui.tui.widgets.lists import KeyOptionList


class PageSuggester(Suggester):
    """Completes the typed text to the best candidate's name, when that name starts with it."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=False)

    async def get_suggestion(self, value: str) -> str | None:
        typed = value.strip().lstrip(":")
        best = candidates(typed)
        if typed and best and value == value.rstrip() and best[0].startswith(typed.lower()):
            return value + best[0][len(typed):]
        return None


class JumpScreen(ModalScreen[str | None]):
    """Dismisses with the chosen page name, or None."""

    AUTO_FOCUS = "#jump-input"
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Close", id="jump.close"),
        Binding("down", "move(1)", "Next", show=False, id="jump.next"),
        Binding("up", "move(-1)", "Previous", show=False, id="jump.previous"),
    ]

    def __init__(self, pages: dict[str, str]) -> None:
        super().__init__()
        self._pages = pages

    def compose(self) -> ComposeResult:
        with Vertical(id="jump-dialog", classes="dialog"):
            yield Label("Jump to a screen", classes="dialog-title")
            yield Input(placeholder="screen name, e.g. sync", id="jump-input", suggester=PageSuggester())
            yield KeyOptionList(*self._options(""), id="jump-list")
            yield Label("", id="jump-error", classes="form-error")

    def _options(self, text: str) -> list[Option]:
        return [Option(Content.from_markup("[b]$name[/b]  $about", name=name, about=self._pages[name]), id=name)
                for name in candidates(text) if name in self._pages]

    def on_mount(self) -> None:
        self.query_one("#jump-list", KeyOptionList).highlighted = 0

    @property
    def shown(self) -> list[str]:
        """The candidates on screen, in order (the first is what enter opens)."""
        options = self.query_one("#jump-list", KeyOptionList)
        return [options.get_option_at_index(i).id or "" for i in range(options.option_count)]

    @on(Input.Changed, "#jump-input")
    def _filter(self, event: Input.Changed) -> None:
        options = self.query_one("#jump-list", KeyOptionList)
        options.clear_options()
        options.add_options(self._options(event.value))
        options.highlighted = 0 if options.option_count else None
        self.query_one("#jump-error", Label).update("")

    def action_move(self, step: int) -> None:
        options = self.query_one("#jump-list", KeyOptionList)
        if options.option_count:
            options.highlighted = ((options.highlighted or 0) + step) % options.option_count

    @on(Input.Submitted, "#jump-input")
    def _submitted(self, event: Input.Submitted) -> None:
        options = self.query_one("#jump-list", KeyOptionList)
        name = page_name(event.value) if event.value.strip() else None
        ranked = [n for n in candidates(event.value) if n in self._pages]
        if name is None and ranked:
            # The line highlighted: the best candidate, unless the operator moved to another with ↓/↑.
            current = self.shown == ranked and options.highlighted is not None
            name = ranked[options.highlighted] if current else ranked[0]
        if name is None:
            self.query_one("#jump-error", Label).update(plain(f"No screen called {event.value.strip()!r}."))
            return
        self.dismiss(name)

    @on(KeyOptionList.OptionSelected, "#jump-list")
    def _picked(self, event: KeyOptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

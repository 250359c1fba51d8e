"""`:` — jump to a page by name: an input with suggestions over the list of pages."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label
from textual.widgets.option_list import Option

from sumtui.tui.cells import plain
from sumtui.tui.widgets.lists import KeyOptionList


class JumpScreen(ModalScreen[str | None]):
    """Dismisses with the chosen page name, or None."""

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
            yield Input(placeholder="screen name, e.g. sync", id="jump-input",
                        suggester=SuggestFromList(list(self._pages), case_sensitive=False))
            yield KeyOptionList(*self._options(""), id="jump-list")
            yield Label("", id="jump-error", classes="form-error")

    def _options(self, text: str) -> list[Option]:
        wanted = text.strip().lstrip(":").lower()
        return [
            Option(f"[b]{name}[/b]  {description}", id=name)
            for name, description in self._pages.items()
            if not wanted or wanted in name or wanted in description.lower()
        ]

    def on_mount(self) -> None:
        self.query_one("#jump-input", Input).focus()
        self.query_one("#jump-list", KeyOptionList).highlighted = 0

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
        from sumtui.tui.pages import page_name

        name = page_name(event.value)
        if name is None:
            options = self.query_one("#jump-list", KeyOptionList)
            if event.value.strip() and options.highlighted is not None:
                name = options.get_option_at_index(options.highlighted).id
            elif not event.value.strip() and options.highlighted is not None:
                name = options.get_option_at_index(options.highlighted).id
        if name is None:
            self.query_one("#jump-error", Label).update(plain(f"No screen called {event.value.strip()!r}."))
            return
        self.dismiss(name)

    @on(KeyOptionList.OptionSelected, "#jump-list")
    def _picked(self, event: KeyOptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

"""A one-line question (a name, a path) as a modal: dismisses with the text, or None when cancelled."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label

from sumtui.tui.cells import plain


class PromptScreen(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", key_display="esc", id="prompt.cancel")]
    AUTO_FOCUS = "#prompt-input"

    def __init__(
        self, title: str, *, detail: str = "", value: str = "", placeholder: str = "", action: str = "OK",
        check: Callable[[str], str | None] | None = None,
    ) -> None:
        super().__init__()
        self._title, self._detail, self._value = title, detail, value
        self._placeholder, self._action = placeholder, action
        # Returns a problem to show, or None when the text is acceptable.
        self._check = check or (lambda text: None if text.strip() else "type something first")

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt-dialog", classes="dialog"):
            # Titles and details name collections and searches; problems quote what was typed.
            yield Label(plain(self._title), classes="dialog-title")
            if self._detail:
                yield Label(plain(self._detail), classes="hint")
            yield Input(self._value, placeholder=self._placeholder, id="prompt-input")
            yield Label("", id="prompt-error", classes="form-error")
            with Horizontal(classes="buttons"):
                yield Button(f"{self._action} (enter)", id="prompt-ok", variant="primary", compact=True)
                yield Button("Cancel (esc)", id="prompt-cancel", compact=True)

    @on(Input.Submitted, "#prompt-input")
    @on(Button.Pressed, "#prompt-ok")
    def _submit(self) -> None:
        text = self.query_one("#prompt-input", Input).value.strip()
        problem = self._check(text)
        if problem:
            self.query_one("#prompt-error", Label).update(plain(problem))
            return
        self.dismiss(text)

    @on(Button.Pressed, "#prompt-cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

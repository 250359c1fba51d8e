"""A yes/no question that names what will change; `y` or the yes button confirms, `n`/esc declines."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label

from sumtui.tui.cells import plain


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str, *, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self._question, self._yes, self._no = question, yes, no

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog", classes="dialog"):
            yield Label(plain(self._question), id="confirm-question")  # it names things from outside
            with Horizontal(classes="buttons"):
                yield Button(f"{self._yes} (y)", id="confirm-yes", variant="error", compact=True)
                yield Button(f"{self._no} (n)", id="confirm-no", compact=True)

    def on_mount(self) -> None:
        # The safe answer has the focus: a stray enter changes nothing.
        self.query_one("#confirm-no", Button).focus()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm-yes")

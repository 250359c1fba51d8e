"""A dialog form that saves before it closes: the typed value is written by a worker thread, and a
refusal (a `FleetError`: a duplicate name, a window of 24 h) is shown in the form, which stays open
so nothing typed is lost. It dismisses with what the save returned, or None when cancelled (esc or
Cancel asks first when a field was changed: sumtui.tui.screens.discard_guard).

Subclasses compose the fields inside `compose_fields` and turn them into a value in `form_value`
(None after showing what is wrong); the caller passes `save`, which runs in the worker thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from sumtui.tui.cells import plain
from sumtui.tui.messages import FormRejected, FormSaved
from sumtui.tui.screens.discard_guard import DiscardGuard

V = TypeVar("V")
R = TypeVar("R")


class SavingForm(DiscardGuard, ModalScreen[R], Generic[V, R]):
    DIALOG_ID = "form-dialog"
    AUTO_FOCUS = ".saving-fields Input"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="form.save"),
        Binding("escape", "cancel", "Cancel", key_display="esc", id="form.cancel"),
    ]

    def __init__(self, save: Callable[[V], R], *, heading: str = "Form", action: str = "Save") -> None:
        super().__init__()
        self._save = save
        self.heading, self.action_label = heading, action
        self._saving = False

    def compose(self) -> ComposeResult:
        with Vertical(id=self.DIALOG_ID, classes="dialog saving-form"):
            yield Label(plain(self.heading), classes="dialog-title")  # headings name collections
            with VerticalScroll(classes="saving-fields", can_focus=False):
                yield from self.compose_fields()
            yield Static("", id="form-error", classes="form-error")
            with Horizontal(classes="buttons"):
                yield Button(f"{self.action_label} (ctrl+s)", id="form-save", variant="primary", compact=True)
                yield Button("Cancel (esc)", id="form-cancel", compact=True)

    def compose_fields(self) -> ComposeResult:
        yield from ()

    def form_value(self) -> V | None:
        raise NotImplementedError

    def on_mount(self) -> None:
        for error in self.query(".form-error"):
            error.display = False
        self.remember_fields()

    def show_error(self, text: str, *, field: str | None = None) -> None:
        """One line under a field (`#error-<field>`) or under the whole form."""
        target = self.query_one(f"#error-{field}" if field else "#form-error", Static)
        target.update(plain(text))  # errors quote names and what was typed
        target.display = bool(text)

    def clear_errors(self) -> None:
        for error in self.query(".form-error"):
            error.update("")
            error.display = False

    @on(Input.Submitted)
    @on(Button.Pressed, "#form-save")
    def action_save(self) -> None:
        if self._saving:
            return
        self.clear_errors()
        value = self.form_value()
        if value is None:
            return
        self._saving = True
        self.query_one("#form-save", Button).disabled = True
        self._write(value)

    @work(thread=True, exclusive=True, group="form-save", exit_on_error=False)
    def _write(self, value: Any) -> None:
        from sumtui.fleet.collections import FleetError

        try:
            result = self._save(value)
        except (FleetError, ValueError) as exc:
            self.post_message(FormRejected(str(exc)))
            return
        except Exception as exc:
            from sumtui.errors import one_line

            self.post_message(FormRejected(one_line(exc)))
            return
        self.post_message(FormSaved(result))

    @on(FormSaved)
    def _saved(self, message: FormSaved) -> None:
        self.dismiss(message.result)

    @on(FormRejected)
    def _rejected(self, message: FormRejected) -> None:
        self._saving = False
        self.query_one("#form-save", Button).disabled = False
        self.show_error(f"Not saved: {message.error}")

    @on(Button.Pressed, "#form-cancel")
    def action_cancel(self) -> None:
        self.close_unless_changed(lambda: self.dismiss(None), what=self.heading)

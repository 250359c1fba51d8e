"""What the settings forms share: a full-screen modal that validates with the settings' pydantic model
and dismisses with the typed result (the App saves it in a worker), or None when cancelled (esc asks
first when something was changed: sumtui.tui.screens.discard_guard)."""

from __future__ import annotations

from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ValidationError
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Footer, Input, Label, Static

from sumtui.tui.cells import plain
from sumtui.tui.screens.discard_guard import DiscardGuard
from sumtui.tui.widgets.site_header import SiteHeader

T = TypeVar("T", bound=BaseModel)


def field_row(label: str, *widgets: Widget, name: str, hint: str = "") -> ComposeResult:
    """A labelled row with the field's own error line under it (hidden while empty)."""
    with Horizontal(classes="field-row", id=f"row-{name}"):
        yield Label(label, classes="field-label")
        yield from widgets
        if hint:
            yield Label(hint, classes="field-hint")
    yield Static("", classes="form-error field-error", id=f"error-{name}")


def clean_message(message: str) -> str:
    return message.removeprefix("Value error, ")


class SettingsForm(DiscardGuard, ModalScreen[T], Generic[T]):
    """Subclasses set MODEL and TITLE and implement `compose_fields` and `form_values`."""

    MODEL: ClassVar[type[BaseModel]]
    TITLE = "Settings"
    NOTE = ""
    AUTO_FOCUS = "#form Select, #form Input, #form Checkbox"

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="settings.save"),
        Binding("escape", "cancel", "Cancel", key_display="esc", id="settings.cancel"),
    ]

    def __init__(self, settings: T, *, readonly: bool = False) -> None:
        super().__init__(classes="settings-form")
        self.settings = settings
        self.readonly = readonly
        if readonly:
            self.add_class("-readonly")

    def compose(self) -> ComposeResult:
        yield SiteHeader(self.TITLE or "")
        with Vertical(classes="form-page"):
            if self.NOTE:
                yield Label(self.NOTE, classes="hint form-note")
            with VerticalScroll(id="form"):
                yield from self.compose_fields()
            yield Static("", id="form-errors", classes="form-error")
            with Horizontal(classes="buttons"):
                yield Button("Save (ctrl+s)", id="save", variant="primary", compact=True, classes="changes-site")
                yield Button("Cancel (esc)", id="cancel", compact=True)
        yield Footer(compact=True)

    def compose_fields(self) -> ComposeResult:
        yield from ()

    def form_values(self) -> dict[str, Any]:
        raise NotImplementedError

    def on_mount(self) -> None:
        for error in self.query(".form-error"):
            error.display = False
        if self.readonly:
            for widget in self.query("#form Input, #form Checkbox, #form SelectionList, #form Select, #form RadioSet"):
                widget.disabled = True
        self.remember_fields()

    def form_snapshot(self) -> object:
        # The settings the form would save, not its widgets: a filter typed over a list of choices
        # is not a change.
        return self.form_values()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "save" and self.readonly:
            return False
        return True

    def action_cancel(self) -> None:
        if self.readonly:
            self.dismiss(None)
            return
        self.close_unless_changed(lambda: self.dismiss(None), what=self.TITLE or "Settings")

    def action_save(self) -> None:
        if self.readonly:
            return
        try:
            result = self.MODEL.model_validate(self.form_values())
        except ValidationError as exc:
            self.show_errors(exc)
            return
        self.dismiss(result)

    def show_errors(self, exc: ValidationError) -> None:
        for error in self.query(".form-error"):
            error.update("")
            error.display = False
        problems = []
        for item in exc.errors():
            name = str(item["loc"][0]) if item["loc"] else ""
            text = clean_message(item["msg"])
            problems.append(f"{name.replace('_', ' ')}: {text}" if name else text)
            matches = self.query(f"#error-{name}") if name else []
            for target in matches:
                target.update(plain(text))  # validation messages quote what was typed
                target.display = True
        summary = self.query_one("#form-errors", Static)
        summary.update(plain(f"Not saved: {len(problems)} problem(s). " + "; ".join(problems)))
        summary.display = True
        first = next((w for w in self.query(".field-error") if w.display), None)
        if first is not None:
            first.scroll_visible(animate=False)

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        # Enter in a field saves, as in a dialog.
        self.action_save()

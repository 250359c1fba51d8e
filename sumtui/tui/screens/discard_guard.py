"""esc on a form with changes asks before throwing them away.

A form remembers what its fields said once it was mounted (`remember_fields`, called at the end of its
`on_mount`); cancelling (esc or its Cancel button) compares what they say now and, when they differ,
asks "<form>: throw away your changes?" (y: throw away, n or esc: keep editing). A form with nothing changed
closes at once, as before. What is compared is `form_snapshot`: by default every field's value; forms
whose widgets hold more than the value (a filter box over a list of choices) compare their value instead.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import (
    Checkbox,
    Input,
    RadioSet,
    Select,
    SelectionList,
    Switch,
)


def field_values(screen) -> tuple:
    """(id, value) of every field of `screen`, in order."""
    values = []
    for widget in screen.query("*"):
        if isinstance(widget, Input | Checkbox | Switch | Select):
            value = widget.value
        elif isinstance(widget, SelectionList):
            value = tuple(widget.selected)
        elif isinstance(widget, RadioSet):
            value = widget.pressed_index
        else:
            continue
        values.append((widget.id, value))
    return tuple(values)


class DiscardGuard:
    """Mixed into a form screen (a ModalScreen) before its base class."""

    _remembered: object = None

    def form_snapshot(self) -> object:
        return field_values(self)

    def remember_fields(self) -> None:
        self._remembered = self.form_snapshot()

    @property
    def changed(self) -> bool:
        return self._remembered is not None and self.form_snapshot() != self._remembered

    def close_unless_changed(self, close: Callable[[], object], *, what: str = "This form") -> None:
        """`close()` at once when nothing changed, else after the operator said to throw the changes away."""
        if not self.changed:
            close()
            return
        from sumtui.tui.screens.confirm import ConfirmScreen

        def answered(discard: bool | None) -> None:
            if discard:
                close()

        self.app.push_screen(ConfirmScreen(f"{what}: throw away your changes?", yes="Throw away", no="Keep editing"),
                             answered)

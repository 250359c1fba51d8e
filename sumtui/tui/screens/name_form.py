"""The name and description of an update list or a deployment package (SCCM's limits: a name up to 50
characters, a description up to 127). New or edited, it is saved by the caller's `save` in the form's
worker; a refusal (a taken name, a control character) stays in the form with what was typed.
`save_list` and `save_package` are those saves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.widgets import Input, Label

from sumtui.deploy.models import DESCRIPTION_MAX, NAME_MAX
from sumtui.tui.screens.saving_form import SavingForm
from sumtui.tui.screens.settings_form import field_row


@dataclass(frozen=True)
class NameValue:
    """What the form says; `current` is the name being edited, None for a new one."""

    current: str | None
    name: str
    description: str


class NameFormScreen(SavingForm[NameValue, str]):
    """Dismisses with the saved name (what `save` returned), or None when cancelled."""

    DIALOG_ID = "name-dialog"

    def __init__(self, save: Callable[[NameValue], str], *, noun: str, current: str | None = None,
                 description: str | None = None, note: str = "") -> None:
        super().__init__(save, heading=f"Edit {noun} {current!r}" if current else f"New {noun}",
                         action="Save" if current else "Create")
        self._noun, self._current, self._description, self._note = noun, current, description, note

    def compose_fields(self) -> ComposeResult:
        yield from field_row("Name", Input(self._current or "", id="name-input", max_length=NAME_MAX, compact=True,
                                           placeholder=f"up to {NAME_MAX} characters"), name="name")
        yield from field_row("Description", Input(self._description or "", id="description-input", compact=True,
                                                  max_length=DESCRIPTION_MAX,
                                                  placeholder=f"optional, up to {DESCRIPTION_MAX} characters"),
                             name="description")
        if self._note:
            yield Label(self._note, classes="hint form-note")

    def form_value(self) -> NameValue | None:
        name = self.query_one("#name-input", Input).value.strip()
        if not name:
            self.show_error(f"a {self._noun} needs a name", field="name")
            return None
        return NameValue(self._current, name, self.query_one("#description-input", Input).value.strip())


def _save(site, value: NameValue, create, edit) -> str:
    with site.session() as session:
        if value.current is None:
            saved = create(session, name=value.name, description=value.description or None)
        else:
            saved = edit(session, name=value.current, new_name=value.name, description=value.description)
        session.commit()
        return saved.name


def save_list(site, value: NameValue) -> str:
    """Runs in the form's worker: create the list or rename and describe it; its name as saved."""
    from sumtui.deploy.lists import create_list, edit_list

    return _save(site, value, create_list, edit_list)


def save_package(site, value: NameValue) -> str:
    """Runs in the form's worker: create the package or rename and describe it; its name as saved."""
    from sumtui.deploy.packages import create_package, edit_package

    return _save(site, value, create_package, edit_package)

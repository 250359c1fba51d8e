"""A deployment template in a form: every setting of SCCM 2007's template pages, each with SCCM's default
beside it, built from the one table of settings (`deploy.template_fields.SETTINGS`), so a setting
added there appears here.

The form checks what it can itself (names, whole numbers, and the settings' own model: a duration
longer than a year) and shows each message under its field; the save runs in the form's worker,
where a taken name or an unknown collection is refused and shown in the form, which stays open. It
dismisses with the template's name as saved, or None.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.suggester import SuggestFromList
from textual.widgets import Checkbox, Input, Label, Select, Static

from sumtui.deploy.models import DESCRIPTION_MAX, NAME_MAX
from sumtui.deploy.naming import check_description, check_name
from sumtui.deploy.template_fields import BOOL, CHOICE, INT, SETTINGS, SettingInfo
from sumtui.deploy.templates import TemplateSettings
from sumtui.tui.cells import markup
from sumtui.tui.screens.saving_form import SavingForm
from sumtui.tui.screens.settings_form import clean_message, field_row

# The console's words for the choices (the TOML file and the command line keep the values).
CHOICE_WORDS = {
    "client_local": "client local time", "utc": "UTC",
    "do_not_install": "do not install", "download_and_install": "download and install",
}
NOTE = "Every setting of an SCCM 2007 deployment template, each with SCCM's default."


@dataclass(frozen=True)
class TemplateValue:
    """What the form says; `current` is the name of the template being edited, None for a new one."""

    current: str | None
    name: str
    description: str
    settings: TemplateSettings


def value_text(info: SettingInfo, value: Any) -> str:
    """A setting's value in words: 'on', '2', 'client local time', 'none'."""
    if value is None:
        return "none"
    if info.kind == BOOL:
        return "on" if value else "off"
    return CHOICE_WORDS.get(value, str(value)) if info.kind == CHOICE else str(value)


def groups() -> list[tuple[str, list[SettingInfo]]]:
    """The settings by wizard page, in the wizard's order."""
    out: dict[str, list[SettingInfo]] = {}
    for info in SETTINGS:
        out.setdefault(info.group, []).append(info)
    return list(out.items())


def setting_row(info: SettingInfo, value: Any, *, collections: list[str] = ()) -> ComposeResult:
    """A setting's row (`#setting-<name>`, SCCM's default beside its label) and its error line
    (`#error-<name>`): the template form's, and the deployment wizard's pages."""
    widget_id = f"setting-{info.name}"
    if info.kind == BOOL:
        # Its label says on or off: a tick's colour alone says nothing without colour (NO_COLOR).
        widget = Checkbox(value_text(info, value), value, id=widget_id, compact=True, classes="setting-widget")
    elif info.kind == CHOICE:
        widget = Select([(CHOICE_WORDS.get(v, v), v) for v in info.choices], value=value, allow_blank=False,
                        id=widget_id, compact=True, classes="setting-widget")
    elif info.kind == INT:
        widget = Input(str(value), id=widget_id, type="integer", compact=True, classes="setting-widget")
    else:  # the collection: a name the site has, or none
        widget = Input(value or "", id=widget_id, compact=True, classes="setting-widget", placeholder="none",
                       suggester=SuggestFromList(list(collections), case_sensitive=False))
    with Horizontal(classes="field-row setting-row", id=f"row-{info.name}"):
        yield Label(markup("$label [dim](default: $default)[/dim]", label=info.label,
                           default=value_text(info, info.default)), classes="setting-label")
        yield widget
    yield Static("", classes="form-error field-error", id=f"error-{info.name}")


def read_setting(widget: Any, info: SettingInfo) -> tuple[Any, str | None]:
    """(a setting's value as its widget says it, what is wrong with it or None)."""
    if info.kind in (BOOL, CHOICE):
        return widget.value, None
    if info.kind == INT:
        text = widget.value.strip()
        if not text.lstrip("-").isdigit():
            return None, "a whole number, e.g. 2"
        return int(text), None
    return widget.value.strip() or None, None


class TemplateFormScreen(SavingForm[TemplateValue, str]):
    DIALOG_ID = "template-dialog"
    AUTO_FOCUS = "#template-name"

    def __init__(self, save: Callable[[TemplateValue], str], *, current=None, collections: list[str] = ()) -> None:
        """`current`: the TemplateView being edited, None for a new template (SCCM's defaults)."""
        super().__init__(save, heading=f"Edit deployment template {current.name!r}" if current else "New deployment template",
                         action="Save" if current else "Create")
        self._current = current
        self._settings = current.settings if current else TemplateSettings()
        self._collections = list(collections)

    def compose_fields(self) -> ComposeResult:
        c = self._current
        yield Label(NOTE, classes="hint form-note")
        yield from field_row("Name", Input(c.name if c else "", id="template-name", max_length=NAME_MAX, compact=True,
                                           placeholder=f"up to {NAME_MAX} characters"), name="name")
        yield from field_row("Description", Input((c.description or "") if c else "", id="template-description",
                                                  max_length=DESCRIPTION_MAX, compact=True,
                                                  placeholder=f"optional, up to {DESCRIPTION_MAX} characters"),
                             name="description")
        for group, infos in groups():
            yield Label(group, classes="form-section")
            for info in infos:
                yield from self._setting(info)

    def _setting(self, info: SettingInfo) -> ComposeResult:
        yield from setting_row(info, getattr(self._settings, info.name), collections=self._collections)

    @on(Checkbox.Changed, ".setting-widget")
    def _toggled(self, event: Checkbox.Changed) -> None:
        event.checkbox.label = "on" if event.value else "off"

    def form_value(self) -> TemplateValue | None:
        q = self.query_one
        ok = True
        name, description = q("#template-name", Input).value, q("#template-description", Input).value
        for field, check, text in (("name", check_name, name), ("description", check_description, description)):
            try:
                check(text, what="deployment template", error=ValueError)
            except ValueError as exc:
                self.show_error(str(exc), field=field)
                ok = False
        values: dict[str, Any] = {}
        for info in SETTINGS:
            value, problem = read_setting(q(f"#setting-{info.name}"), info)
            if problem:
                self.show_error(problem, field=info.name)
                ok = False
                continue
            values[info.name] = value
        if not ok:
            return None
        try:
            settings = TemplateSettings.model_validate(values)
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                # A rule over several settings (the duration and its unit) is shown at the duration.
                self.show_error(clean_message(error["msg"]), field=str(error["loc"][0]) if error["loc"] else "duration")
            return None
        return TemplateValue(self._current.name if self._current else None, name.strip(), description.strip(), settings)

"""The deployment wizard's pages, in SCCM 2007's order, and the checks of what is typed on them.

Each page is composed here (`compose_page`) from the one table of template settings where it holds
settings (the template form's rows: `template_form.setting_row`), so a setting added there appears on
its page. What is typed is read back with `read_setting` (the form's own reading) and the times with
`parse_when`; the wizard screen (deploy_wizard) moves between the pages and asks the domain.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Checkbox, Input, Label, Select, Static

from sumtui.deploy.models import DESCRIPTION_MAX, NAME_MAX
from sumtui.deploy.template_fields import (
    DISPLAY,
    DOWNLOAD,
    EVENTS,
    RESTART,
    SETTINGS,
    SettingInfo,
)
from sumtui.deploy.templates import TemplateSettings
from sumtui.tui.cells import plain
from sumtui.tui.screens.settings_form import field_row
from sumtui.tui.screens.template_form import setting_row

# (key, title): the package page is there only when some update has no downloaded file.
PAGES = (
    ("template", "Template"), ("general", "General"), ("collection", "Collection"), ("display", "Display/Time"),
    ("restart", "Restart"), ("events", "Event generation"), ("download", "Download settings"), ("package", "Package"),
    ("schedule", "Schedule"), ("nap", "NAP evaluation"), ("summary", "Summary"),
)
TITLES = dict(PAGES)
# The time basis is a Display/Time setting of a template, but it says how the schedule's times read:
# the wizard asks it beside them.
SCHEDULE_SETTINGS = ("time_basis",)
SETTING_PAGES = {"display": DISPLAY, "restart": RESTART, "events": EVENTS, "download": DOWNLOAD}
WHEN_HELP = "e.g. 2026-12-10 02:00"


def page_settings(page: str) -> list[SettingInfo]:
    """The template settings a page holds, in the table's order."""
    if page == "schedule":
        return [s for s in SETTINGS if s.name in SCHEDULE_SETTINGS]
    group = SETTING_PAGES.get(page)
    return [s for s in SETTINGS if s.group == group and s.name not in SCHEDULE_SETTINGS] if group else []


def wizard_settings() -> list[SettingInfo]:
    """Every setting the wizard asks (the collection has a page of its own)."""
    return [s for s in SETTINGS if s.name != "collection"]


@dataclass(frozen=True)
class Preset:
    """What the wizard was opened with: a list, picked updates (ids, named by `labels`), or KBs."""

    list_name: str | None = None
    update_ids: tuple[int, ...] = ()
    labels: tuple[str, ...] = ()
    kbs: tuple[str, ...] = ()

    @property
    def given(self) -> bool:
        return bool(self.list_name or self.update_ids or self.kbs)

    def text(self) -> str:
        if self.list_name:
            return f"the update list {self.list_name!r}"
        names = list(self.labels) if self.update_ids else list(self.kbs)
        count = len(self.update_ids) or len(self.kbs)
        head = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        return f"{count} update{'s' if count != 1 else ''}: {head}"


def parse_when(text: str, *, local: bool, what: str) -> datetime | None:
    """A time typed on the schedule page: empty is None; "2026-12-10 02:00" (or ISO 8601 with T) is a
    wall clock in client local time, UTC otherwise (an offset or Z names one instant: UTC only)."""
    value = text.strip()
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value[:-1] + "+00:00" if value[-1:] in "zZ" else value)
    except ValueError:
        raise ValueError(f"the {what} {value!r} is not a time like {WHEN_HELP.removeprefix('e.g. ')}") from None
    if local:
        if when.tzinfo is not None:
            raise ValueError(f"the {what} is in client local time: give a wall-clock time without an offset "
                             f"(e.g. {when.replace(tzinfo=None):%Y-%m-%d %H:%M}), or choose UTC")
        return when.replace(second=0, microsecond=0)
    when = when.astimezone(UTC) if when.tzinfo is not None else when.replace(tzinfo=UTC)
    return when.replace(second=0, microsecond=0)


def compose_page(page: str, *, preset: Preset, settings: TemplateSettings) -> ComposeResult:
    with Vertical(id=f"page-{page}", classes="deploy-page"):
        yield from _PAGES[page](preset=preset, settings=settings)


def _template(*, preset: Preset, settings: TemplateSettings) -> ComposeResult:
    yield Label("Start from a deployment template's settings, or from SCCM's defaults.", classes="hint")
    yield from field_row("Template", Select([], prompt="none: SCCM's defaults", id="deploy-template", compact=True),
                         name="template")
    yield Label("What to deploy", classes="form-section")
    yield Static(plain(preset.text()) if preset.given else "", id="deploy-preset", classes="hint")
    yield from field_row("Update list", Select([], prompt="none", id="deploy-list", compact=True), name="list")
    yield from field_row("or KBs", Input(id="deploy-kbs", compact=True, placeholder="KB4592440 KB4586793@11569"),
                         name="kbs")


def _general(**_) -> ComposeResult:
    yield from field_row("Name", Input(id="deploy-name", max_length=NAME_MAX, compact=True,
                                       placeholder=f"up to {NAME_MAX} characters"), name="name")
    yield from field_row("Description", Input(id="deploy-description", max_length=DESCRIPTION_MAX, compact=True,
                                              placeholder=f"optional, up to {DESCRIPTION_MAX} characters"),
                         name="description")


def _collection(**_) -> ComposeResult:
    yield Label("The clients that get the deployment: every member, now and as membership changes.", classes="hint")
    yield from field_row("Collection", Select([], prompt="choose a collection", id="deploy-collection", compact=True),
                         name="collection")


def _settings_page(page: str):
    def compose(*, settings: TemplateSettings, **_) -> ComposeResult:
        for info in page_settings(page):
            yield from setting_row(info, getattr(settings, info.name))
    return compose


def _package(**_) -> ComposeResult:
    yield Static("", id="deploy-package-note", classes="hint")
    yield from field_row("Package", Select([], prompt="none: any package holding the files", id="deploy-package",
                                           compact=True), name="package")


def _schedule(*, settings: TemplateSettings, **_) -> ComposeResult:
    for info in page_settings("schedule"):
        yield from setting_row(info, getattr(settings, info.name))
    yield from field_row("Available", Input(id="deploy-available", compact=True,
                                            placeholder=f"empty: as soon as possible; or {WHEN_HELP}"), name="available")
    yield from field_row("Deadline", Input(id="deploy-deadline", compact=True,
                                           placeholder="empty: none (optional); a time makes it mandatory; "
                                                       "ctrl+t: the duration after available"),
                         name="deadline")
    yield Static("", id="deploy-schedule-note", classes="hint")


def _nap(**_) -> ComposeResult:
    yield Label("Network Access Protection: clients missing an update flagged here, once it is effective, are "
                "unhealthy (`sumtui nap`).", classes="hint")
    with Horizontal(classes="field-row", id="row-nap"):
        yield Label("NAP evaluation", classes="field-label")
        yield Checkbox("off", False, id="deploy-nap", compact=True)
    yield from field_row("Effective", Input(id="deploy-nap-effective", compact=True,
                                            placeholder="empty: now; or a UTC time, e.g. 2026-12-10 00:00"),
                         name="nap_effective")


def _summary(**_) -> ComposeResult:
    from sumtui.tui.widgets.lists import KeyDataTable

    # The confirmation comes first: focused, it keeps the summary and the lints below it in view on a
    # small terminal; tab goes on to the what-if's rows.
    yield from field_row("Confirm", Input(id="deploy-confirm", compact=True,
                                          placeholder="type the deployment's name, or yes, then enter"),
                         name="confirm")
    yield Static("", id="deploy-summary")
    yield Static("", id="deploy-lints")
    yield Static("", id="deploy-whatif-status", classes="hint")
    yield KeyDataTable(id="deploy-whatif", cursor_type="row", zebra_stripes=True)
    yield Static("", id="deploy-whatif-reason", classes="hint")


_PAGES = {
    "template": _template, "general": _general, "collection": _collection, "display": _settings_page("display"),
    "restart": _settings_page("restart"), "events": _settings_page("events"), "download": _settings_page("download"),
    "package": _package, "schedule": _schedule, "nap": _nap, "summary": _summary,
}

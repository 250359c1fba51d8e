"""`a` on the Maintenance windows screen: a new window (name, start in UTC, length, recurrence).

The form checks what it can read itself (a date and time, a whole number of minutes); the save
function, in a worker, adds the window, and its refusals (24 hours or more) stay in the form.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from textual.app import ComposeResult
from textual.widgets import Input, Select

from sumtui.fleet.collections import RECURRENCES
from sumtui.fleet.models import MaintenanceWindowCreate
from sumtui.tui.screens.saving_form import SavingForm
from sumtui.tui.screens.settings_form import field_row

START_FORMAT = "%Y-%m-%d %H:%M"


def parse_start(text: str) -> datetime | None:
    """'2025-01-18 22:00' (UTC) → aware datetime; None if it is not that shape."""
    try:
        return datetime.strptime(" ".join(text.split()), START_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


class WindowFormScreen(SavingForm[MaintenanceWindowCreate, int]):
    """Dismisses with the new window's id."""

    DIALOG_ID = "window-dialog"

    def __init__(self, save, *, collection: str, now: datetime) -> None:
        super().__init__(save, heading=f"New maintenance window for {collection!r}", action="Add")
        # A sensible first value: tonight at 22:00 UTC, the classic patch night.
        tonight = now.astimezone(UTC).replace(hour=22, minute=0, second=0, microsecond=0)
        self._default_start = (tonight if tonight > now else tonight + timedelta(days=1)).strftime(START_FORMAT)

    def compose_fields(self) -> ComposeResult:
        yield from field_row("Name", Input(id="window-name", compact=True, placeholder="e.g. Saturday night"), name="name")
        yield from field_row("Starts (UTC)", Input(self._default_start, id="window-start", compact=True,
                                                   placeholder="YYYY-MM-DD HH:MM"), name="start")
        yield from field_row("Length", Input("240", id="window-duration", type="integer", compact=True, classes="short"),
                             name="duration", hint="minutes, under 24 h (1440)")
        yield from field_row("Repeats", Select([(r, r) for r in RECURRENCES], value="weekly", allow_blank=False,
                                               id="window-recurrence", compact=True), name="recurrence")

    def form_value(self) -> MaintenanceWindowCreate | None:
        q = self.query_one
        name = q("#window-name", Input).value.strip()
        start = parse_start(q("#window-start", Input).value)
        duration = q("#window-duration", Input).value.strip()
        ok = True
        if not name:
            self.show_error("a window needs a name", field="name")
            ok = False
        if start is None:
            self.show_error("not a date and time like 2025-01-18 22:00", field="start")
            ok = False
        if not duration.isdigit():
            self.show_error("a whole number of minutes", field="duration")
            ok = False
        if not ok:
            return None
        # The form's times are UTC: a UTC window, its start as a UTC wall clock.
        return MaintenanceWindowCreate(name=name, start=start.replace(tzinfo=None), duration_minutes=int(duration),
                                       recurrence=str(q("#window-recurrence", Select).value), utc=True)

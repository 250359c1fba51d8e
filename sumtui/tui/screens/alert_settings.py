"""The monitoring alerts' thresholds (sumtui.workflows.alerts.AlertSettings, a site setting): the
deployment error rate above which Home raises an alert, and after how many days without a report a
client counts as silent. Opened with `t` on :deployments; saved by the page in a worker."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Input, Label

from sumtui.tui.screens.settings_form import SettingsForm, field_row
from sumtui.workflows.alerts import AlertSettings


class AlertSettingsScreen(SettingsForm[AlertSettings]):
    MODEL = AlertSettings
    TITLE = "Alert thresholds"
    NOTE = "Monitoring alerts on Home: when a deployment's failures or a client's silence call for attention."

    def compose_fields(self) -> ComposeResult:
        s = self.settings
        yield Label("Alerts", classes="form-section")
        yield from field_row("Error rate above", Input(f"{s.error_rate_pct:g}", id="error-rate-pct", type="number",
                                                      classes="short", compact=True),
                             name="error_rate_pct", hint="% of a deployment's installs that failed; default 10, 0–100")
        yield from field_row("Silent for", Input(str(s.silent_days), id="silent-days", type="integer", classes="short",
                                                 compact=True),
                             name="silent_days", hint="days without an inventory or scan; default 7, 1–3650")

    def form_values(self) -> dict[str, Any]:
        return {"error_rate_pct": self.query_one("#error-rate-pct", Input).value.strip(),
                "silent_days": self.query_one("#silent-days", Input).value.strip()}

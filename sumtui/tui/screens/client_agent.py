"""Software updates client agent settings (stage 3), with SCCM 2007's defaults shown beside each field."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Checkbox, Input, Label

from sumtui.fleet.agent_settings import ClientAgentSettings
from sumtui.tui.screens.settings_form import SettingsForm, field_row

# (field, label, unit) of the whole-number settings, in the order SCCM's dialog shows them.
NUMBERS = (
    ("scan_interval_days", "Scan schedule", "days"),
    ("reevaluation_days", "Re-evaluate deployments", "days"),
    ("policy_polling_minutes", "Policy polling interval", "minutes"),
    ("reminder_far_hours", "Remind: deadline > 24 h", "hours"),
    ("reminder_near_hours", "Remind: deadline < 24 h", "hours"),
    ("reminder_final_minutes", "Remind: deadline < 1 h", "minutes"),
)


def _bounds(name: str) -> tuple[int | None, int | None]:
    low = high = None
    for item in ClientAgentSettings.model_fields[name].metadata:
        low = getattr(item, "ge", low)
        high = getattr(item, "le", high)
    return low, high


def default_hint(name: str, unit: str) -> str:
    low, high = _bounds(name)
    default = ClientAgentSettings.model_fields[name].default
    return f"{unit}; default {default}, {low}–{high}"


class ClientAgentScreen(SettingsForm[ClientAgentSettings]):
    MODEL = ClientAgentSettings
    TITLE = "Client agent"
    NOTE = ("Software updates client agent: how often every client scans, re-evaluates deployments, polls "
            "for policy and reminds its users.")

    def compose_fields(self) -> ComposeResult:
        s = self.settings
        yield Label("Agent", classes="form-section")
        yield from field_row("Enabled", Checkbox("enabled", s.enabled, id="enabled", compact=True), name="enabled", hint="default on")
        for name, label, unit in NUMBERS:
            yield from field_row(
                label, Input(str(getattr(s, name)), id=name.replace("_", "-"), type="integer", classes="short", compact=True),
                name=name, hint=default_hint(name, unit),
            )
        yield Label("Mandatory deployments", classes="form-section")
        yield from field_row(
            "Enforce all mandatory", Checkbox("enforce", s.enforce_mandatory, id="enforce-mandatory", compact=True), name="enforce_mandatory",
            hint="default off",
        )
        yield from field_row(
            "…within", Input(str(s.enforce_within_days), id="enforce-within-days", type="integer", classes="short", compact=True),
            name="enforce_within_days", hint=default_hint("enforce_within_days", "days"),
        )

    def form_values(self) -> dict[str, Any]:
        values: dict[str, Any] = {
            "enabled": self.query_one("#enabled", Checkbox).value,
            "enforce_mandatory": self.query_one("#enforce-mandatory", Checkbox).value,
            "enforce_within_days": self.query_one("#enforce-within-days", Input).value.strip(),
        }
        for name, _, _ in NUMBERS:
            values[name] = self.query_one(f"#{name.replace('_', '-')}", Input).value.strip()
        return values

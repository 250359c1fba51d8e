"""Every setting of an SCCM 2007 deployment template, as plain data: name, SCCM's label, the wizard
page it is on, its kind and SCCM's default, in the wizard's order.

The one place the settings are listed: `deploy.templates` builds its validating model from this table,
the command line makes its flags from it and the console its form. Plain data and no imports, so the
command line can read it while it builds its parser without loading pydantic or the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

COLLECTION, DISPLAY, RESTART, EVENTS, DOWNLOAD = "Collection", "Display/Time", "Restart", "Event generation", "Download settings"
DO_NOT_INSTALL, DOWNLOAD_AND_INSTALL = "do_not_install", "download_and_install"
BOUNDARY = (DO_NOT_INSTALL, DOWNLOAD_AND_INSTALL)
CLIENT_LOCAL, UTC = "client_local", "utc"
DURATION_UNITS = ("hours", "days", "weeks", "months")
# The longest time from available to deadline, per unit: one year, whichever unit it is given in.
DURATION_MAX = {"hours": 8760, "days": 365, "weeks": 52, "months": 12}
COLLECTION_NAME_MAX = 200  # the collection table's limit

BOOL, INT, CHOICE, TEXT = "bool", "int", "choice", "text"


@dataclass(frozen=True)
class SettingInfo:
    name: str
    label: str  # SCCM's words
    group: str  # the wizard page
    kind: str  # bool | int | choice | text (text and only text may be unset: None)
    default: Any  # SCCM's default
    choices: tuple[str, ...] = ()


SETTINGS: tuple[SettingInfo, ...] = (
    SettingInfo("collection", "Collection (optional)", COLLECTION, TEXT, None),
    SettingInfo("notify_users", "Allow display notifications on clients", DISPLAY, BOOL, True),
    SettingInfo("show_progress", "Show installation progress on clients", DISPLAY, BOOL, True),
    SettingInfo("time_basis", "Schedule times are client local time or UTC", DISPLAY, CHOICE, CLIENT_LOCAL,
                (CLIENT_LOCAL, UTC)),
    SettingInfo("duration", "Duration from available to deadline", DISPLAY, INT, 2),
    SettingInfo("duration_unit", "Duration unit", DISPLAY, CHOICE, "weeks", DURATION_UNITS),
    SettingInfo("suppress_restart_servers", "Suppress system restart on servers", RESTART, BOOL, False),
    SettingInfo("suppress_restart_workstations", "Suppress system restart on workstations", RESTART, BOOL, False),
    SettingInfo("allow_restart_outside_windows", "Allow system restart outside of maintenance windows", RESTART, BOOL,
                False),
    SettingInfo("install_outside_windows_at_deadline",
                "At the deadline, allow software update installation outside of maintenance windows", RESTART, BOOL,
                False),
    SettingInfo("om_alert_on_failure",
                "Generate Operations Manager alert when a software update installation fails", EVENTS, BOOL, False),
    SettingInfo("disable_om_alerts_while_installing",
                "Disable Operations Manager alerts while software updates install", EVENTS, BOOL, False),
    SettingInfo("slow_boundary", "When a client is in a slow or unreliable network boundary", DOWNLOAD, CHOICE,
                DO_NOT_INSTALL, BOUNDARY),
    SettingInfo("fallback_source",
                "When content is not on a preferred distribution point (fallback source location)", DOWNLOAD,
                CHOICE, DO_NOT_INSTALL, BOUNDARY),
)

"""Deployment states of one (deployment, client, update), as stored (small ints) and as named in the
CLI contract, the agent's state messages and the console.

`pending` and `not_required` are the management point's own: pending until the agent reports
(compliance says the client needs the update, or does not know yet), not required when compliance
says the update does not apply. The rest are what agents report. A pair without a stored row is
not required. Pure: no database, no clock.
"""

from __future__ import annotations

PENDING, DOWNLOADING, DOWNLOADED, DOWNLOAD_FAILED, WAITING_WINDOW = 0, 1, 2, 3, 4
INSTALLING, INSTALLED, PENDING_RESTART, FAILED, NOT_REQUIRED = 5, 6, 7, 8, 9

NAMES = {
    PENDING: "pending", DOWNLOADING: "downloading", DOWNLOADED: "downloaded", DOWNLOAD_FAILED: "download_failed",
    WAITING_WINDOW: "waiting_window", INSTALLING: "installing", INSTALLED: "installed",
    PENDING_RESTART: "pending_restart", FAILED: "failed", NOT_REQUIRED: "not_required",
}
CODES = {name: code for code, name in NAMES.items()}
STATE_NAMES = tuple(NAMES[code] for code in sorted(NAMES))
# What an agent may report (pending is the site's word for "nothing reported yet").
AGENT_STATES = tuple(name for name in STATE_NAMES if name != "pending")
# Where a (client, update) has arrived: nothing more will happen without a change.
DONE = frozenset({INSTALLED, PENDING_RESTART, NOT_REQUIRED})
# Where something went wrong (the error rate of a deployment).
ERRORS = frozenset({FAILED, DOWNLOAD_FAILED})

# Who set a stored state: compliance (before the agent reported) or the agent's state message.
SOURCE_COMPLIANCE, SOURCE_AGENT = 0, 1


def name_of(code: int) -> str:
    return NAMES.get(code, "pending")

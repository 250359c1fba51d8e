"""The agent's own state folder: its registration (client id, token), the last serial it sent, the
last policy, and reports not yet acknowledged — kept on disk so nothing is lost while the
management point is down or a registration waits for the operator's approval. Reports the
management point refused as bad are kept too, apart. Written atomically, readable only by its owner.

Deployments: where each (deployment, KB) stands, the KBs the agent installed, the install running
right now (so one cut short by a restart or a crash is noticed at the next start), the machine's
boot marker (a restart is noticed), and the clock skew measured against the management point.
Content downloads go to `cache/` beside the state file."""

from __future__ import annotations

import json
import os
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError


class PendingReport(BaseModel):
    kind: str  # inventory | scan | state
    body: dict
    serial: int | None = None  # assigned at the first attempt and kept, so a retry is recognised as a duplicate


class RefusedReport(BaseModel):
    """A report the management point refused as bad (never to be accepted as it is): kept for inspection."""

    kind: str
    body: dict
    reason: str
    at: str


class UpdateProgress(BaseModel):
    """One (deployment, KB): its state as last reported, and when to try again."""

    deployment_id: int
    kb: str  # "KB5048652"
    state: str  # a deployment state name (sumtui.deploy.state_codes)
    code: int | None = None
    reason: str = ""
    at: str = ""  # when it was reached (the management point's clock, as corrected)
    retry_at: str | None = None  # a failure or a busy installer: not before then
    restart_at: str | None = None  # pending restart: when the restart is due (None: suppressed or not planned)


class Installing(BaseModel):
    """An install in progress: saved before the installer starts, cleared when it returns."""

    kb: str
    started_at: str
    boot: str | None = None


class AgentState(BaseModel):
    server: str | None = None
    client_id: int | None = None
    token: str | None = None
    name: str | None = None
    serial: int = 0
    pending: list[PendingReport] = Field(default_factory=list)
    policy: dict = Field(default_factory=dict)
    last_inventory_at: str | None = None
    # A registration the site holds for its operator: the name asked for, and the secret that proves
    # this agent asked (made before the first attempt, so a crash cannot lose it).
    held_name: str | None = None
    registration_secret: str | None = None
    refused: list[RefusedReport] = Field(default_factory=list)
    progress: dict[str, UpdateProgress] = Field(default_factory=dict)  # "deployment id:KB" → progress
    installed: dict[str, str] = Field(default_factory=dict)  # KB → when this agent installed it
    installing: Installing | None = None
    boot: str | None = None
    skew_seconds: float = 0.0  # the management point's clock minus this machine's
    last_reevaluation_at: str | None = None


class StateError(Exception):
    pass


def state_file(folder: Path) -> Path:
    return folder / "agent.json"


def load_state(folder: Path) -> AgentState:
    path = state_file(folder)
    if not path.exists():
        return AgentState()
    try:
        return AgentState.model_validate_json(path.read_text(encoding="utf-8"))
    except (ValidationError, ValueError, OSError) as exc:
        raise StateError(f"{path}: unreadable agent state ({str(exc).splitlines()[0]}); move it away to register again") from None


def save_state(folder: Path, state: AgentState) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    path = state_file(folder)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(state.model_dump(), indent=1))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)

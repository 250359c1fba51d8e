"""The agent's own state folder: its registration (client id, token), the last serial it sent, the
last policy, and reports not yet acknowledged — kept on disk so nothing is lost while the
management point is down or a registration waits for the operator's approval. Reports the
management point refused as bad are kept too, apart. Written atomically, readable only by its owner."""

from __future__ import annotations

import json
import os
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError


class PendingReport(BaseModel):
    kind: str  # inventory | scan
    body: dict
    serial: int | None = None  # assigned at the first attempt and kept, so a retry is recognised as a duplicate


class RefusedReport(BaseModel):
    """A report the management point refused as bad (never to be accepted as it is): kept for inspection."""

    kind: str
    body: dict
    reason: str
    at: str


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

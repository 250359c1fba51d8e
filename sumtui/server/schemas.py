"""Request and response bodies of the management point API (validated; unknown fields refused)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from sumtui.server.limits import MAX_INT


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RegisterRequest(Strict):
    """A registration. The agent's current token, if it has one, goes in the Authorization header
    (`Bearer …`): it proves the agent is the client of that name, which then registers again directly."""

    enrollment_key: str | None = Field(
        default=None, max_length=200,
        description="the site enrollment key; may be left out by an agent that presents the client's current token "
                    "or the request secret of a held registration")
    name: str = Field(max_length=1024, description="the machine's host name (checked as inventories check it)")
    agent_version: str | None = Field(default=None, max_length=32)
    request_secret: str | None = Field(
        default=None, min_length=16, max_length=200,
        description="a secret the agent makes and keeps: a held (pending) registration is completed only by the "
                    "agent that presents it again")
    inventory: dict | None = Field(
        default=None, description="the agent's inventory document (sumtui-inventory/1), kept with a held registration "
                                  "so the operator can compare it with the client's")


class RegisterResponse(BaseModel):
    status: Literal["registered"] = "registered"
    client_id: int
    token: str
    serial: int = Field(description="the last report serial the server holds for this client; the next report sends serial + 1")


class RegistrationPending(BaseModel):
    """202: the name is already a client of the site, and nothing proved this agent is that client. The
    operator approves or rejects (`sumtui clients --pending`); the agent keeps its reports and registers
    again later with the same request secret: 201 once approved, 403 if rejected."""

    status: Literal["pending"] = "pending"
    name: str
    message: str
    request_secret: str | None = Field(
        default=None, description="made by the server when the request carried none: present it when registering again")


class InventoryReport(Strict):
    serial: int = Field(ge=1, le=MAX_INT, description="per-client report number: 1, 2, 3 ...; a gap asks for a full resend")
    inventory: dict = Field(description="the agent's inventory document, format sumtui-inventory/1")


class ScanStateItem(Strict):
    kb: str = Field(pattern=r"^(?:KB)?\d{1,8}$")
    product_id: str | None = Field(default=None, max_length=64)
    product: str | None = Field(default=None, max_length=300)
    state: Literal["required", "installed", "failed", "not_required"]


class ScanReport(Strict):
    serial: int = Field(ge=1, le=MAX_INT)
    full: bool = Field(default=True, description="a full scan replaces earlier reported states; partial adds to them")
    states: list[ScanStateItem] = Field(max_length=50000)


class IgnoredMessage(BaseModel):
    deployment_id: int
    kb: str
    state: str
    reason: str


class ReportResponse(BaseModel):
    accepted: bool
    serial: int
    resend: Literal["full"] | None = None
    duplicate: bool = False
    required: int | None = None
    unknown_updates: int = 0
    ignored: list[IgnoredMessage] = Field(
        default_factory=list, description="state messages kept in the history but not applied, each with why "
                                          "(a deployment not assigned to this client, a KB it does not install)")


AGENT_STATES = Literal["downloading", "downloaded", "download_failed", "waiting_window", "installing", "installed",
                       "pending_restart", "failed", "not_required"]


class StateMessage(Strict):
    deployment_id: int = Field(ge=1, le=MAX_INT)
    kb: str = Field(pattern=r"^(?:KB)?\d{1,8}$")
    state: AGENT_STATES
    code: int | None = Field(default=None, ge=-(2**31), le=2**32 - 1,
                             description="the installer's exit code (a negative one is read as its unsigned 32 bits)")
    reason: str | None = Field(default=None, max_length=1000, description="the agent's one sentence: why this state")
    at: datetime | None = Field(default=None, description="the agent's clock when the state was reached (orders its messages)")
    simulated: bool = Field(default=False, description="set by the simulated installer: every state it reports says so")


class StateReport(Strict):
    serial: int = Field(ge=1, le=MAX_INT, description="the same per-client numbering as every report")
    messages: list[StateMessage] = Field(min_length=1, max_length=5000)


class PolicyUpdate(BaseModel):
    kb: str
    max_run_minutes: int
    restart: bool
    files: list[dict] = Field(description="{sha1, name, size, sha256}: download each from the content route")


class PolicyDeployment(BaseModel):
    id: int
    name: str
    available: str | None = Field(description="ISO 8601; without an offset when local_time (each client's own wall clock)")
    deadline: str | None
    local_time: bool
    override_windows: bool
    allow_restart_outside: bool
    suppress_restart: bool = Field(description="restarts suppressed for this client's role (server or workstation)")
    updates: list[PolicyUpdate] = Field(description="the updates of the deployment this client needs")


class PolicyWindow(BaseModel):
    id: int
    recurrence: Literal["once", "daily", "weekly", "monthly"]
    start: str = Field(description="the first occurrence's wall-clock start (client local time unless utc)")
    duration_minutes: int
    utc: bool


class Policy(BaseModel):
    client_id: int
    server_time: str
    client_agent: dict
    windows: list[PolicyWindow] = Field(default_factory=list, description="the maintenance windows of its collections")
    deployments: list[PolicyDeployment] = Field(default_factory=list, description="the deployments that target it")


class Health(BaseModel):
    status: Literal["ok"]
    site: str
    version: str
    catalog_updates: int
    clients: int
    batches: int = Field(description="write transactions committed since start")
    reports: int = Field(description="agent calls written since start (reports per batch = reports / batches)")


class ErrorBody(BaseModel):
    error: str

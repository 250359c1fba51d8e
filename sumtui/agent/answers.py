"""What the management point's answers must hold, checked strictly before the agent acts on them: an
answer of another shape (`{"ok": true}`, a list, a serial given as text) is an error, never an
acknowledgement, and a malformed registration is never saved."""

from __future__ import annotations

from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sumtui.agent.client import NotProtocol

T = TypeVar("T", bound=BaseModel)


class _Answer(BaseModel):
    # strict: no "1" for 1, no true for 1; fields a newer server adds are ignored.
    model_config = ConfigDict(strict=True, extra="ignore")


class Registered(_Answer):
    status: Literal["registered"] = "registered"
    client_id: int = Field(ge=1)
    token: str = Field(min_length=16, max_length=200, pattern=r"^[A-Za-z0-9_\-]+$")
    serial: int = Field(ge=0)


class Held(_Answer):
    status: Literal["pending"]
    name: str
    message: str = ""
    request_secret: str | None = Field(default=None, min_length=16, max_length=200)


class ReportAck(_Answer):
    accepted: bool
    serial: int = Field(ge=0)
    resend: Literal["full"] | None = None
    duplicate: bool = False
    required: int | None = None
    unknown_updates: int = 0
    ignored: list[Ignored] = Field(default_factory=list)


class PolicyFile(_Answer):
    sha1: str = Field(pattern=r"^[0-9a-fA-F]{40}$")
    name: str = Field(min_length=1, max_length=255)
    size: int | None = Field(default=None, ge=0)
    sha256: str | None = Field(default=None, pattern=r"^[0-9a-fA-F]{64}$")


class PolicyUpdate(_Answer):
    kb: str = Field(pattern=r"^KB\d{1,8}$")
    max_run_minutes: int = Field(ge=1, le=24 * 60)
    restart: bool = True
    files: list[PolicyFile] = Field(default_factory=list)


class PolicyDeployment(_Answer):
    id: int = Field(ge=1)
    name: str
    available: str | None = None
    deadline: str | None = None
    local_time: bool = False
    override_windows: bool = False
    allow_restart_outside: bool = False
    suppress_restart: bool = False
    updates: list[PolicyUpdate] = Field(default_factory=list)


class PolicyWindow(_Answer):
    id: int
    recurrence: str
    start: str
    duration_minutes: int
    utc: bool = False


class PolicyAnswer(_Answer):
    client_id: int
    server_time: str
    client_agent: dict
    windows: list[PolicyWindow] = Field(default_factory=list)
    deployments: list[PolicyDeployment] = Field(default_factory=list)


class Ignored(_Answer):
    deployment_id: int
    kb: str
    state: str
    reason: str


def read(model: type[T], body: Any, *, what: str) -> T:
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "answer"
        raise NotProtocol(f"{what}: not a sumtui management point's answer ({where}: {first['msg']})") from None

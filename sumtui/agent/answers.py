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


class PolicyAnswer(_Answer):
    client_id: int
    server_time: str
    client_agent: dict
    deployments: list = Field(default_factory=list)


def read(model: type[T], body: Any, *, what: str) -> T:
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "answer"
        raise NotProtocol(f"{what}: not a sumtui management point's answer ({where}: {first['msg']})") from None

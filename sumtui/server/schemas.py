"""Request and response bodies of the management point API (validated; unknown fields refused)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RegisterRequest(Strict):
    enrollment_key: str = Field(min_length=1, max_length=200)
    name: str = Field(min_length=1, max_length=255, pattern=r"^[^\s\x00-\x1f\x7f]+$")
    agent_version: str | None = Field(default=None, max_length=32)


class RegisterResponse(BaseModel):
    client_id: int
    token: str
    serial: int = Field(description="the last report serial the server holds for this client; the next report sends serial + 1")


class InventoryReport(Strict):
    serial: int = Field(ge=1, description="per-client report number: 1, 2, 3 ...; a gap asks for a full resend")
    inventory: dict = Field(description="the agent's inventory document, format sumtui-inventory/1")


class ScanStateItem(Strict):
    kb: str = Field(pattern=r"^(?:KB)?\d{1,8}$")
    product_id: str | None = Field(default=None, max_length=64)
    product: str | None = Field(default=None, max_length=300)
    state: Literal["required", "installed", "failed", "not_required"]


class ScanReport(Strict):
    serial: int = Field(ge=1)
    full: bool = Field(default=True, description="a full scan replaces earlier reported states; partial adds to them")
    states: list[ScanStateItem] = Field(max_length=50000)


class ReportResponse(BaseModel):
    accepted: bool
    serial: int
    resend: Literal["full"] | None = None
    duplicate: bool = False
    required: int | None = None
    unknown_updates: int = 0


class Policy(BaseModel):
    client_id: int
    server_time: str
    client_agent: dict
    deployments: list = Field(default_factory=list, description="deployments arrive with a later release")


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

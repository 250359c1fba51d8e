"""Software updates client agent settings (checklist stage 3), with SCCM 2007's defaults."""

from __future__ import annotations

from pydantic import BaseModel, Field
from sqlmodel import Session

from sumtui.db.site_settings import load_setting, save_setting

KEY = "client_agent"


class ClientAgentSettings(BaseModel):
    enabled: bool = True
    scan_interval_days: int = Field(default=7, ge=1, le=365)  # scan schedule: weekly
    reevaluation_days: int = Field(default=7, ge=1, le=365)  # deployment re-evaluation
    policy_polling_minutes: int = Field(default=60, ge=5, le=24 * 60)
    # Reminders before a deadline: more than 24 h away, less than 24 h away, less than 1 h away.
    reminder_far_hours: int = Field(default=3, ge=1, le=24 * 7)
    reminder_near_hours: int = Field(default=1, ge=1, le=24)
    reminder_final_minutes: int = Field(default=15, ge=5, le=60)
    enforce_mandatory: bool = False
    enforce_within_days: int = Field(default=7, ge=1, le=365)


def load(session: Session) -> tuple[ClientAgentSettings, bool]:
    return load_setting(session, key=KEY, model=ClientAgentSettings)


def save(session: Session, settings: ClientAgentSettings) -> None:
    save_setting(session, key=KEY, value=settings)

"""Software update point settings (checklist stage 2): upstream, schedule, what to sync, supersedence.

A new site syncs every product and classification until the operator narrows them.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field, field_validator
from sqlmodel import Session

from sumtui.db.site_settings import load_setting, save_setting

MSRC_URL = "https://api.msrc.microsoft.com/cvrf/v3.0/"
KEY = "update_point"

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_ID = re.compile(r"^(\d{4})-([A-Za-z]{3})$")

LANGUAGES = ("English", "French", "German", "Italian", "Japanese", "Spanish", "Chinese (Simplified)")


def parse_month(text: str) -> date:
    """'2020-Dec' (any case) → date(2020, 12, 1); ValueError names the expected form."""
    match = _MONTH_ID.match(text.strip())
    if match:
        name = match.group(2).capitalize()
        if name in MONTHS:
            return date(int(match.group(1)), MONTHS.index(name) + 1, 1)
    raise ValueError(f"{text!r} is not a month like 2020-Dec")


_DOCUMENT_ID = re.compile(r"^(\d{4}-[A-Za-z]{3})(-[A-Za-z0-9]{1,8})?$")


def document_id(text: str) -> str:
    """A month document's id as MSRC names them: '2020-nov' → '2020-Nov', also the extra documents of a
    month ('2017-May-B'). ValueError names the expected form ('2025-Fbe' is no month)."""
    match = _DOCUMENT_ID.match(text.strip())
    if match:
        try:
            return month_id(parse_month(match.group(1))) + (match.group(2) or "")
        except ValueError:
            pass
    raise ValueError(f"{text!r} is not a month document like 2020-Dec (or 2017-May-B)")


def month_id(day: date) -> str:
    return f"{day.year}-{MONTHS[day.month - 1]}"


def months_back(today: date, count: int) -> date:
    """The first day of the month `count - 1` months before `today`'s: the start of the last `count` months."""
    index = today.year * 12 + today.month - 1 - (count - 1)
    return date(index // 12, index % 12 + 1, 1)


class UpdatePointSettings(BaseModel):
    upstream: Literal["msrc", "files"] = "msrc"
    url: str = MSRC_URL
    start_month: str | None = None  # None: the last 12 months
    schedule_enabled: bool = True
    interval_hours: int = Field(default=24, ge=1, le=24 * 31)
    products: list[str] = Field(default_factory=list)  # product or family names; empty = all
    classifications: list[str] = Field(default_factory=list)  # empty = all
    languages: list[str] = Field(default_factory=lambda: ["English"])
    supersedence: Literal["immediately", "after"] = "after"
    expire_after_months: int = Field(default=3, ge=0, le=120)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        value = value.strip()
        if not value.startswith(("http://", "https://")):
            raise ValueError("the upstream URL must start with http:// or https://")
        return value if value.endswith("/") else value + "/"

    @field_validator("start_month")
    @classmethod
    def _start(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        return month_id(parse_month(value))

    def first_month(self, today: date) -> date:
        return parse_month(self.start_month) if self.start_month else months_back(today, 12)

    def selection_key(self) -> str:
        """Identifies what a month was stored under, so narrowing or widening the selection refetches."""
        text = "|".join(sorted(self.products)) + "#" + "|".join(sorted(self.classifications))
        return hashlib.sha1(text.encode()).hexdigest()[:16]

    def wants(self, *, product: str, family: str | None, classification: str) -> bool:
        if self.products and product not in self.products and (family or "") not in self.products:
            return False
        return not self.classifications or classification in self.classifications


def load(session: Session) -> tuple[UpdatePointSettings, bool]:
    return load_setting(session, key=KEY, model=UpdatePointSettings)


def save(session: Session, settings: UpdatePointSettings) -> None:
    save_setting(session, key=KEY, value=settings)

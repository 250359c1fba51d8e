"""Site-wide settings kept in the site database: one JSON row per typed settings group.

Each group is a pydantic model (update point, client agent, ...); storing them as JSON keeps the
schema stable while the groups grow, and every read is validated against the model.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TypeVar

from pydantic import BaseModel
from sqlmodel import Field, Session, SQLModel

from sumtui.timeutil import utcnow

T = TypeVar("T", bound=BaseModel)


class SiteSetting(SQLModel, table=True):
    __tablename__ = "site_setting"

    key: str = Field(primary_key=True, max_length=64)
    value: str
    saved_at: datetime


def load_setting(session: Session, *, key: str, model: type[T]) -> tuple[T, bool]:
    """The stored group, or its defaults; the flag says whether the operator ever saved it."""
    row = session.get(SiteSetting, key)
    if row is None:
        return model(), False
    return model.model_validate(json.loads(row.value)), True


def save_setting(session: Session, *, key: str, value: BaseModel) -> None:
    row = session.get(SiteSetting, key)
    text = value.model_dump_json()
    now = utcnow()
    if row is None:
        session.add(SiteSetting(key=key, value=text, saved_at=now))
    else:
        row.value, row.saved_at = text, now
        session.add(row)
    session.commit()

"""Compliance tables, stored sparsely (DESIGN.md §5): only Required / Installed / Failed rows exist;
Not required is derived (a client that reported and has no row), Unknown is a client that never reported.

`compliance_state` is update-major (drill-down "which clients need this update?" is a range scan)
and has no other index, which keeps state writes fast; per-client reads use `client.states`.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import SmallInteger
from sqlmodel import Field, SQLModel

# Stored state codes. Not required and Unknown are never stored.
REQUIRED, INSTALLED, FAILED = 1, 2, 3
# Sources: evaluated from inventory, or reported by the client's own scan (which wins).
EVALUATED, SCANNED = 0, 1


class ComplianceState(SQLModel, table=True):
    __tablename__ = "compliance_state"

    update_id: int = Field(primary_key=True)
    client_id: int = Field(primary_key=True)
    state: int = Field(sa_type=SmallInteger)
    source: int = Field(default=EVALUATED, sa_type=SmallInteger)


class ScanState(SQLModel, table=True):
    """What a client's agent last reported for an update (not required included), kept so a
    re-evaluation after a sync can merge it again."""

    __tablename__ = "scan_state"

    client_id: int = Field(primary_key=True)
    update_id: int = Field(primary_key=True)
    state: int = Field(sa_type=SmallInteger)  # 0 = not required, else a stored state code
    reported_at: datetime


class UpdateSummary(SQLModel, table=True):
    """Per collection and update: how many members are Required / Installed / Failed."""

    __tablename__ = "update_summary"

    collection_id: int = Field(primary_key=True)
    update_id: int = Field(primary_key=True)
    required: int = 0
    installed: int = 0
    failed: int = 0


class ComplianceSnapshot(SQLModel, table=True):
    """One row per day and collection, for the compliance trend on Home."""

    __tablename__ = "compliance_snapshot"

    day: date = Field(primary_key=True)
    collection_id: int = Field(primary_key=True)
    members: int = 0
    reported: int = 0
    compliant: int = 0
    required: int = 0

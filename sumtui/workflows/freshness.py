"""How the fleet's compliance states stand against the catalog: current, or older than it ("stale").

The catalog counts the months it stored and the count its derived data covers (catalog/versions.py);
this module keeps a third count, `fleet.evaluated`: the stored count the whole fleet was last evaluated
against, written only when a whole-fleet evaluation completed (sumtui.workflows.catalog_changes).
Below the stored count, some client's states may be older than the catalog.

Small on purpose (no sync, no evaluation code): the console reads it every minute for its header.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from sumtui.catalog import versions
from sumtui.fleet.models import Client

EVALUATED = "fleet.evaluated"


@dataclass(frozen=True)
class Freshness:
    stored: int  # months stored, ever (the catalog's version)
    derived: int  # the stored count the derived data covers
    evaluated: int | None  # the stored count the fleet was last evaluated against; None: never recorded
    has_clients: bool

    @property
    def derived_pending(self) -> bool:
        return self.stored > self.derived

    @property
    def behind(self) -> bool:
        """The record is behind the catalog (with clients: stale; without: only the record moves)."""
        return self.evaluated is not None and self.evaluated < self.stored

    @property
    def stale(self) -> bool:
        """Some client's states may be older than the catalog."""
        return self.has_clients and self.behind


def freshness(session: Session) -> Freshness:
    return Freshness(
        stored=versions.stored(session), derived=versions.read(session, versions.DERIVED) or 0,
        evaluated=versions.read(session, EVALUATED), has_clients=has_clients(session),
    )


def has_clients(session: Session) -> bool:
    return session.execute(select(Client.__table__.c.id).limit(1)).first() is not None

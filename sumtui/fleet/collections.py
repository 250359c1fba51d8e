"""Collections: "All Systems" built in, static sets of clients, and rule-based sets (OS product, name
pattern, domain, tag) re-evaluated when clients change; maintenance windows belong to collections.

Membership changes go through sumtui.compliance.apply.change_membership so each collection's
compliance summaries move with its members in the same transaction.
"""

from __future__ import annotations

import fnmatch
import json
from datetime import datetime

from pydantic import BaseModel, field_validator
from sqlalchemy import func
from sqlmodel import Session, col, select

from sumtui.catalog.store import chunks
from sumtui.compliance.apply import change_membership
from sumtui.fleet.models import (
    Client,
    Collection,
    CollectionCreate,
    CollectionMember,
    MaintenanceWindow,
    MaintenanceWindowCreate,
)
from sumtui.timeutil import utcnow

ALL_SYSTEMS = "All Systems"
RECURRENCES = ("once", "daily", "weekly", "monthly")
C = Client.__table__
M = CollectionMember.__table__


class FleetError(Exception):
    """A fleet operation refused: the message names what and why."""


class CollectionRule(BaseModel):
    """Every field set must match (AND). Patterns are shell-style (`WS-*`), case-insensitive."""

    os_product: str | None = None  # substring of the catalog product name, e.g. "Windows Server 2019"
    name_pattern: str | None = None
    domain: str | None = None
    tag: str | None = None

    @field_validator("os_product", "name_pattern", "domain", "tag")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value.strip() or None if isinstance(value, str) else value

    def is_empty(self) -> bool:
        return not any((self.os_product, self.name_pattern, self.domain, self.tag))

    def matches(self, *, name: str, os_product: str | None, domain: str | None, tags: list[str]) -> bool:
        if self.os_product and self.os_product.lower() not in (os_product or "").lower():
            return False
        if self.name_pattern and not fnmatch.fnmatch(name.lower(), self.name_pattern.lower()):
            return False
        if self.domain and not fnmatch.fnmatch((domain or "").lower(), self.domain.lower()):
            return False
        return not self.tag or self.tag.lower() in (t.lower() for t in tags)

    def describe(self) -> str:
        parts = [f"{k.replace('_', ' ')} {v}" for k, v in self.model_dump().items() if v]
        return " and ".join(parts) or "no rule"


def rule_of(collection: Collection) -> CollectionRule:
    return CollectionRule.model_validate(json.loads(collection.rule or "{}"))


def ensure_all_systems(session: Session) -> Collection:
    cached = session.info.get("all_systems_id")
    if cached is not None:
        found = session.get(Collection, cached)
        if found is not None:
            return found
    found = session.exec(select(Collection).where(Collection.kind == "builtin", Collection.name == ALL_SYSTEMS)).first()
    if found is not None:
        session.info["all_systems_id"] = found.id
        return found
    collection = Collection(name=ALL_SYSTEMS, kind="builtin", description="Every client of the site", created_at=utcnow())
    session.add(collection)
    session.flush()
    return collection


def get_collection(session: Session, name_or_id: str | int) -> Collection:
    if isinstance(name_or_id, int) or str(name_or_id).isdigit():
        found = session.get(Collection, int(name_or_id))
    else:
        found = session.exec(select(Collection).where(func.lower(Collection.name) == str(name_or_id).lower())).first()
    if found is None:
        raise FleetError(f"no collection named {name_or_id!r}")
    return found


def list_collections(session: Session) -> list[Collection]:
    ensure_all_systems(session)
    return list(session.exec(select(Collection).order_by(Collection.kind != "builtin", col(Collection.name))))


def create_collection(session: Session, data: CollectionCreate, *, rule: CollectionRule | None = None) -> Collection:
    name = data.name.strip()
    if not name:
        raise FleetError("a collection needs a name")
    if session.exec(select(Collection).where(func.lower(Collection.name) == name.lower())).first():
        raise FleetError(f"a collection named {name!r} already exists")
    kind = "rule" if rule is not None and not rule.is_empty() else "static"
    collection = Collection(
        name=name, description=data.description, kind=kind,
        rule=(rule or CollectionRule()).model_dump_json(exclude_none=True), created_at=utcnow(),
    )
    session.add(collection)
    session.flush()
    if kind == "rule":
        refresh_membership(session, collection_ids=[collection.id])
    return collection


def update_collection(
    session: Session, collection: Collection, *, name: str | None = None, description: str | None = None,
    rule: CollectionRule | None = None,
) -> Collection:
    if collection.kind == "builtin" and (name or rule is not None):
        raise FleetError(f"{collection.name!r} is built in: its name and membership cannot change")
    if name and name.strip().lower() != collection.name.lower():
        if session.exec(select(Collection).where(func.lower(Collection.name) == name.strip().lower())).first():
            raise FleetError(f"a collection named {name.strip()!r} already exists")
        collection.name = name.strip()
    if description is not None:
        collection.description = description
    if rule is not None:
        collection.kind = "static" if rule.is_empty() else "rule"
        collection.rule = rule.model_dump_json(exclude_none=True)
    session.add(collection)
    session.flush()
    if rule is not None and not rule.is_empty():
        refresh_membership(session, collection_ids=[collection.id])
    return collection


def delete_collection(session: Session, collection: Collection) -> None:
    if collection.kind == "builtin":
        raise FleetError(f"{collection.name!r} is built in and cannot be deleted")
    members = [(collection.id, cid) for cid in member_ids(session, collection.id)]
    change_membership(session, added=[], removed=members)
    for window in session.exec(select(MaintenanceWindow).where(MaintenanceWindow.collection_id == collection.id)).all():
        session.delete(window)
    session.flush()
    session.delete(collection)
    session.flush()


def member_ids(session: Session, collection_id: int) -> set[int]:
    return set(session.execute(select(M.c.client_id).where(M.c.collection_id == collection_id)).scalars())


def set_static_members(session: Session, collection: Collection, *, add: list[int] = (), remove: list[int] = ()) -> None:
    if collection.kind != "static":
        raise FleetError(f"{collection.name!r} is a {collection.kind} collection: its members follow its rule")
    current = member_ids(session, collection.id)
    change_membership(
        session,
        added=[(collection.id, c) for c in set(add) - current],
        removed=[(collection.id, c) for c in set(remove) & current],
    )


def refresh_membership(
    session: Session, *, client_ids: list[int] | None = None, collection_ids: list[int] | None = None,
    reported_as: dict[int, bool] | None = None,
) -> int:
    """Bring All Systems and rule collections in line with the clients; returns how many memberships changed.
    `reported_as`: see compliance.apply.change_membership."""
    all_systems = ensure_all_systems(session).id
    query = select(Collection.id, Collection.rule).where(col(Collection.kind).in_(("builtin", "rule")))
    if collection_ids is not None:
        query = query.where(col(Collection.id).in_(collection_ids))
    collections = {cid: (None if cid == all_systems else CollectionRule.model_validate_json(rule or "{}"))
                   for cid, rule in session.execute(query)}
    if not collections:
        return 0
    client_query = select(C.c.id, C.c.name, C.c.os_product, C.c.domain, C.c.tags)
    member_query = select(M.c.collection_id, M.c.client_id).where(M.c.collection_id.in_(list(collections)))
    current: set[tuple[int, int]] = set()
    if client_ids is None:
        clients = list(session.execute(client_query))
        current.update((g, c) for g, c in session.execute(member_query))
    else:
        clients = []
        for batch in chunks(sorted(set(client_ids)), 5000):
            clients.extend(session.execute(client_query.where(C.c.id.in_(batch))))
            current.update((g, c) for g, c in session.execute(member_query.where(M.c.client_id.in_(batch))))
    wanted: set[tuple[int, int]] = set()
    for client in clients:
        tags = json.loads(client.tags or "[]")
        for collection_id, rule in collections.items():
            if rule is None or rule.matches(name=client.name, os_product=client.os_product, domain=client.domain, tags=tags):
                wanted.add((collection_id, client.id))
    added, removed = sorted(wanted - current), sorted(current - wanted)
    change_membership(session, added=added, removed=removed, reported_as=reported_as)
    return len(added) + len(removed)


def add_window(session: Session, collection: Collection, data: MaintenanceWindowCreate) -> MaintenanceWindow:
    if not 0 < data.duration_minutes < 24 * 60:
        raise FleetError("a maintenance window lasts more than 0 and less than 24 hours")
    if data.recurrence not in RECURRENCES:
        raise FleetError(f"recurrence must be one of {', '.join(RECURRENCES)}")
    window = MaintenanceWindow(collection_id=collection.id, **data.model_dump())
    session.add(window)
    session.flush()
    return window


def delete_window(session: Session, window_id: int) -> MaintenanceWindow:
    """Remove one maintenance window (the caller commits); returns the row as it was, for messages."""
    window = session.get(MaintenanceWindow, window_id)
    if window is None:
        raise FleetError(f"no maintenance window with id {window_id}: it was deleted already")
    session.delete(window)
    session.flush()
    return window


def windows_of(session: Session, collection_id: int) -> list[MaintenanceWindow]:
    query = select(MaintenanceWindow).where(MaintenanceWindow.collection_id == collection_id)
    return list(session.exec(query.order_by(col(MaintenanceWindow.start_at))))


def next_window_start(window: MaintenanceWindow, after: datetime) -> datetime | None:
    """When the window next opens at or after `after` (used by deployments later)."""
    from datetime import timedelta

    start = window.start_at
    if start >= after or window.recurrence == "once":
        return start if start >= after else None
    step = {"daily": timedelta(days=1), "weekly": timedelta(weeks=1)}.get(window.recurrence)
    if step is not None:
        periods = -(-(after - start) // step)
        return start + periods * step
    months = (after.year - start.year) * 12 + after.month - start.month
    for extra in (0, 1, 2):
        index = start.month - 1 + months + extra
        try:
            candidate = start.replace(year=start.year + index // 12, month=index % 12 + 1)
        except ValueError:
            continue  # the 31st in a shorter month
        if candidate >= after:
            return candidate
    return None

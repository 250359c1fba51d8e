"""Collections: "All Systems" built in, static sets of clients, and rule-based sets (OS product, name
pattern, domain, tag) re-evaluated when clients change; maintenance windows belong to collections.

A maintenance window is a recurrence, the first occurrence's wall-clock start (each client's local
time, or UTC) and a duration under 24 hours (DESIGN.md §2). Every change to windows bumps the
`fleet.windows` counter, so whoever caches windows (the management point's policy) knows to reload.

Functions that change membership take an `apply` hook (a MembershipHook): the fleet decides which
(collection, client) pairs join or leave, the layer above moves everything that depends on membership
(compliance summaries, deployments) with them in the same transaction, and writes the rows through
`write_membership`. The workflows package passes the hook; nothing here knows what depends on it.
"""

from __future__ import annotations

import fnmatch
import json
from typing import Protocol

from pydantic import BaseModel, field_validator
from sqlalchemy import and_, bindparam, delete, func, insert
from sqlmodel import Session, col, select

from sumtui.catalog import versions
from sumtui.catalog.store import chunks
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
WINDOWS_VERSION = "fleet.windows"  # bumped in the transaction of every window change
MAX_WINDOW_MINUTES = 24 * 60  # a window lasts less than this
C = Client.__table__
M = CollectionMember.__table__


class MembershipHook(Protocol):
    """Called with the (collection id, client id) pairs joining and leaving. `reported_as` tells, for
    clients whose report is being applied in the same transaction, whether they had reported before."""

    def __call__(self, session: Session, *, added: list[tuple[int, int]], removed: list[tuple[int, int]],
                 reported_as: dict[int, bool] | None = None) -> None: ...


def write_membership(session: Session, *, added: list[tuple[int, int]], removed: list[tuple[int, int]]) -> None:
    """The membership rows themselves (a MembershipHook ends here)."""
    if removed:
        session.execute(
            delete(M).where(and_(M.c.collection_id == bindparam("b_g"), M.c.client_id == bindparam("b_c"))),
            [dict(b_g=g, b_c=c) for g, c in removed],
        )
    if added:
        session.execute(insert(M), [dict(collection_id=g, client_id=c) for g, c in added])


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


def create_collection(session: Session, data: CollectionCreate, *, apply: MembershipHook, rule: CollectionRule | None = None) -> Collection:
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
        refresh_membership(session, collection_ids=[collection.id], apply=apply)
    return collection


def update_collection(
    session: Session, collection: Collection, *, apply: MembershipHook, name: str | None = None,
    description: str | None = None, rule: CollectionRule | None = None,
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
        refresh_membership(session, collection_ids=[collection.id], apply=apply)
    return collection


def delete_collection(session: Session, collection: Collection, *, apply: MembershipHook) -> None:
    if collection.kind == "builtin":
        raise FleetError(f"{collection.name!r} is built in and cannot be deleted")
    members = [(collection.id, cid) for cid in member_ids(session, collection.id)]
    apply(session, added=[], removed=members)
    windows = session.exec(select(MaintenanceWindow).where(MaintenanceWindow.collection_id == collection.id)).all()
    for window in windows:
        session.delete(window)
    if windows:
        versions.bump(session, WINDOWS_VERSION)
    session.flush()
    session.delete(collection)
    session.flush()


def member_ids(session: Session, collection_id: int) -> set[int]:
    return set(session.execute(select(M.c.client_id).where(M.c.collection_id == collection_id)).scalars())


def set_static_members(session: Session, collection: Collection, *, apply: MembershipHook, add: list[int] = (),
                       remove: list[int] = ()) -> None:
    if collection.kind != "static":
        raise FleetError(f"{collection.name!r} is a {collection.kind} collection: its members follow its rule")
    current = member_ids(session, collection.id)
    apply(
        session,
        added=[(collection.id, c) for c in set(add) - current],
        removed=[(collection.id, c) for c in set(remove) & current],
    )


def refresh_membership(
    session: Session, *, apply: MembershipHook, client_ids: list[int] | None = None,
    collection_ids: list[int] | None = None, reported_as: dict[int, bool] | None = None,
) -> int:
    """Bring All Systems and rule collections in line with the clients; returns how many memberships changed.
    `reported_as`: see MembershipHook."""
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
    if added or removed:
        apply(session, added=added, removed=removed, reported_as=reported_as)
    return len(added) + len(removed)


def check_window(data: MaintenanceWindowCreate) -> None:
    """FleetError when the window cannot be one: 24 hours or more, no time at all, an unknown recurrence,
    a monthly day past the 28th (not every month has it)."""
    if not 0 < data.duration_minutes < MAX_WINDOW_MINUTES:
        raise FleetError(f"a maintenance window lasts more than 0 and less than 24 hours, not {data.duration_minutes} minutes")
    if data.recurrence not in RECURRENCES:
        raise FleetError(f"recurrence must be one of {', '.join(RECURRENCES)}, not {data.recurrence!r}")
    if data.start.tzinfo is not None:
        raise FleetError("a window's start is a wall-clock time (client local, or UTC with utc=True), without a zone")
    if data.recurrence == "monthly" and data.start.day > 28:
        raise FleetError("a monthly window starts on day 1 to 28 (not every month has a 29th)")


def add_window(session: Session, collection: Collection, data: MaintenanceWindowCreate) -> MaintenanceWindow:
    check_window(data)
    window = MaintenanceWindow(collection_id=collection.id, **data.model_dump())
    session.add(window)
    versions.bump(session, WINDOWS_VERSION)
    session.flush()
    return window


def delete_window(session: Session, window_id: int, *, collection_id: int | None = None) -> MaintenanceWindow:
    """Remove one maintenance window (the caller commits); returns the row as it was, for messages.
    `collection_id`: the window must belong to that collection."""
    window = session.get(MaintenanceWindow, window_id)
    if window is None or (collection_id is not None and window.collection_id != collection_id):
        raise FleetError(f"no maintenance window with id {window_id}" + (
            " in this collection" if collection_id is not None else ": it was deleted already"))
    session.delete(window)
    versions.bump(session, WINDOWS_VERSION)
    session.flush()
    return window


def windows_of(session: Session, collection_id: int) -> list[MaintenanceWindow]:
    query = select(MaintenanceWindow).where(MaintenanceWindow.collection_id == collection_id)
    return list(session.exec(query.order_by(col(MaintenanceWindow.id))))


def windows_by_collection(session: Session, collection_ids=None) -> dict[int, list[MaintenanceWindow]]:
    """Enabled windows per collection (all collections when None)."""
    query = select(MaintenanceWindow).where(col(MaintenanceWindow.enabled).is_(True))
    if collection_ids is not None:
        query = query.where(col(MaintenanceWindow.collection_id).in_(list(collection_ids)))
    out: dict[int, list[MaintenanceWindow]] = {}
    for window in session.exec(query.order_by(col(MaintenanceWindow.id))):
        out.setdefault(window.collection_id, []).append(window)
    return out

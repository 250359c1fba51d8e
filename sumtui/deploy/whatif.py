"""The what-if of a deployment, before it is made: for each client of the collection, when each update
it needs would install and restart under the scheduling rules (deploy.schedule), in the client's own
time zone (times are written with that zone's offset); how many maintenance windows that takes;
which restarts fall outside windows; and the bytes each distribution point serves.

Clients that share a time zone, windows, role and set of needed updates share one plan (a fleet has
far fewer of those than machines), so a 10,000-client collection takes a moment. A client that never
reported is planned for every update of the deployment, and its sentences say so. Nothing is stored.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo

from sqlalchemy import select
from sqlmodel import Session

from sumtui.compliance.models import FAILED, REQUIRED
from sumtui.compliance.states import decode
from sumtui.deploy.deployment_content import content_for
from sumtui.deploy.deployment_lints import lints as deployment_lints
from sumtui.deploy.deployments import ResolvedDeployment
from sumtui.deploy.schedule import (
    HORIZON,
    Behaviour,
    PlannedInstall,
    ScheduleError,
    UpdateRun,
    WindowSpec,
    open_windows,
    plan,
    resolve_time,
    window_spec,
    windows_needed,
    zone_of,
)
from sumtui.fleet.collections import windows_by_collection
from sumtui.fleet.models import Client, CollectionMember
from sumtui.timeutil import as_utc

C = Client.__table__
M = CollectionMember.__table__
LOCAL_LABEL = "client local time"
UNKNOWN_PREFIX = "if it needs it (the client has not reported yet): "


@dataclass(frozen=True)
class PlannedRow:
    client: str
    kb: str
    start: datetime | None
    end: datetime | None
    window_start: datetime | None
    window_end: datetime | None
    outside_window: bool
    restart_at: datetime | None
    pending_restart: bool
    reason: str
    zone: tzinfo
    time_zone: str

    def as_row(self) -> dict:
        def show(value: datetime | None) -> str | None:
            return value.astimezone(self.zone).isoformat() if value is not None else None

        return {"client": self.client, "kb": self.kb, "start": show(self.start), "end": show(self.end),
                "window_start": show(self.window_start), "window_end": show(self.window_end),
                "outside_window": self.outside_window, "restart_at": show(self.restart_at),
                "pending_restart": self.pending_restart, "reason": self.reason, "time_zone": self.time_zone}


@dataclass(frozen=True)
class ClientPlan:
    client: str
    time_zone: str
    updates: int
    windows_needed: int
    restarts_outside: int
    note: str = ""

    def as_row(self) -> dict:
        return {"client": self.client, "time_zone": self.time_zone, "updates": self.updates,
                "windows_needed": self.windows_needed, "restarts_outside": self.restarts_outside, "note": self.note}


@dataclass
class WhatIf:
    lints: list[str]
    installs: list[PlannedRow] = field(default_factory=list)
    clients: list[ClientPlan] = field(default_factory=list)
    bytes_per_distribution_point: dict[str, int] = field(default_factory=dict)

    def as_document(self) -> dict:
        return {"lints": self.lints, "installs": [r.as_row() for r in self.installs],
                "clients": [c.as_row() for c in self.clients],
                "bytes_per_distribution_point": self.bytes_per_distribution_point}


@dataclass(frozen=True)
class _Member:
    id: int
    name: str
    zone_name: str
    zone: tzinfo
    note: str
    is_server: bool | None
    needed: tuple[int, ...]  # update ids
    unknown: bool


def _zone(name: str | None) -> tuple[tzinfo, str, str]:
    if not name:
        return UTC, "UTC", "time zone not reported: UTC assumed"
    try:
        return zone_of(name), name, ""
    except ScheduleError as exc:
        return UTC, name, f"{exc}: UTC used"


def _members(session: Session, r: ResolvedDeployment) -> list[_Member]:
    wanted = {u.update_id for u in r.updates}
    ids = list(session.execute(select(M.c.client_id).where(M.c.collection_id == r.collection.id)).scalars())
    out = []
    query = select(C.c.id, C.c.name, C.c.time_zone, C.c.is_server, C.c.states, C.c.last_inventory, C.c.last_scan, C.c.os_product)
    for start in range(0, len(ids), 5000):
        for row in session.execute(query.where(C.c.id.in_(ids[start:start + 5000]))):
            known = row.last_scan is not None or (row.last_inventory is not None and row.os_product is not None)
            reported = row.last_scan is not None or row.last_inventory is not None
            if known:
                needed = tuple(sorted(uid for uid, value in decode(row.states).items()
                                      if uid in wanted and value & 3 in (REQUIRED, FAILED)))
            else:
                needed = tuple(sorted(wanted)) if not reported else ()
            zone, zone_name, note = _zone(row.time_zone)
            out.append(_Member(row.id, row.name, zone_name, zone, note, row.is_server, needed, not reported))
    return sorted(out, key=lambda m: m.name.casefold())


def _window_sets(session: Session, members: list[_Member]) -> tuple[dict[int, tuple[int, ...]], dict[int, WindowSpec]]:
    """(client id → the ids of the windows of every collection it is in: the union the rules use,
    window id → its spec)."""
    member_of: dict[int, list[int]] = defaultdict(list)
    ids = [m.id for m in members]
    for start in range(0, len(ids), 5000):
        for collection_id, client_id in session.execute(select(M.c.collection_id, M.c.client_id)
                                                         .where(M.c.client_id.in_(ids[start:start + 5000]))):
            member_of[client_id].append(collection_id)
    windows = windows_by_collection(session, {g for groups in member_of.values() for g in groups})
    specs = {}
    for collection_id, rows in windows.items():
        for w in rows:
            try:
                specs[w.id] = window_spec(recurrence=w.recurrence, start=w.start, duration_minutes=w.duration_minutes, utc=w.utc)
            except ScheduleError:
                continue  # a window that cannot be (24 h or more, stored before the rule): never opens
    sets = {cid: tuple(sorted({w.id for g in groups for w in windows.get(g, ()) if w.id in specs}))
            for cid, groups in member_of.items()}
    return sets, specs


def what_if(session: Session, *, resolved: ResolvedDeployment, now: datetime,
            progress: Callable[[int, int], None] | None = None) -> WhatIf:
    r = resolved
    now = as_utc(now)
    result = WhatIf(lints=deployment_lints(session, resolved=r, now=now))
    members = _members(session, r)
    window_sets, specs = _window_sets(session, members)
    by_id = {u.update_id: u for u in r.updates}
    files = content_for(session, update_ids=list(by_id), package_id=r.package.id if r.package else None)
    size_of = {uid: sum(f.size or 0 for f in fs) for uid, fs in files.items()}
    plans: dict[tuple, list[PlannedInstall]] = {}
    served = 0
    label = LOCAL_LABEL if r.local_time else "UTC"
    for index, m in enumerate(members, 1):
        kbs: dict[str, UpdateRun] = {}
        for uid in m.needed:
            u = by_id[uid]
            run = kbs.get(u.kb)
            minutes = max(u.max_run_minutes, int(run.max_run.total_seconds() // 60) if run else 0)
            kbs[u.kb] = UpdateRun(f"KB{u.kb}", timedelta(minutes=minutes), u.restart or bool(run and run.restart))
            served += size_of.get(uid, 0)
        suppressed = r.suppressed(is_server=m.is_server)
        key = (m.zone_name, window_sets.get(m.id, ()), tuple(sorted(kbs)), suppressed)
        planned = plans.get(key)
        if planned is None:
            planned = _plan(r, list(kbs.values()), [specs[w] for w in window_sets.get(m.id, ())], m.zone, suppressed, label, now)
            plans[key] = planned
        for p in planned:
            result.installs.append(PlannedRow(
                m.name, p.key, p.start, p.end, p.window.start if p.window else None, p.window.end if p.window else None,
                p.outside_window, p.restart_at, p.pending_restart, (UNKNOWN_PREFIX if m.unknown else "") + p.reason,
                m.zone, m.zone_name))
        result.clients.append(ClientPlan(m.name, m.zone_name, len(kbs), windows_needed(planned),
                                         _restarts_outside(planned), m.note))
        if progress and (index % 1000 == 0 or index == len(members)):
            progress(index, len(members))
    result.bytes_per_distribution_point = {"management point": served}
    return result


def _restarts_outside(planned: list[PlannedInstall]) -> int:
    """Restarts the plan puts outside maintenance windows (one per batch of installs that restarts)."""
    return len({p.restart_at for p in planned if p.restart_at is not None
                and ", outside maintenance windows (allowed)" in p.reason})


def _plan(r: ResolvedDeployment, updates: list[UpdateRun], specs: list, zone: tzinfo, suppressed: bool, label: str,
          now: datetime) -> list[PlannedInstall]:
    if not updates:
        return []
    behaviour = Behaviour(
        available=resolve_time(r.available, tz=zone, local=r.local_time),
        deadline=resolve_time(r.deadline, tz=zone, local=r.local_time),
        override_windows=r.override_windows, allow_restart_outside=r.allow_restart_outside,
        suppress_restart=suppressed, zone_label=label, tz=zone if r.local_time else UTC,
    )
    windows = open_windows(specs, zone, now, now + HORIZON) if specs else []
    return plan(updates, windows=windows, behaviour=behaviour, now=now)

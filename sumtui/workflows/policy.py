"""A client's policy, computed at its poll: the client agent settings, the maintenance windows of its
collections, and the deployments that target it through its collections, each with the updates the
client needs among them, where their files are on the management point, and the schedule facts the
agent resolves in its own time zone (deploy.schedule).

Built for 100,000 clients polling: everything that is the same for many clients (deployments, their
updates and content, windows per collection) is kept in a `PolicyCache`, reloaded only when a
counter says it changed (deployments, windows, package content, the catalog); per poll there is the
client's own row (its states: what it needs), its memberships and the write of its poll time, for a
whole batch of polls at once.
"""

from __future__ import annotations

import json
import re
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from sumtui.compliance.models import FAILED, REQUIRED
from sumtui.deploy.deployment_content import content_for
from sumtui.deploy.deployments import POLICY_VERSION, deployment_settings
from sumtui.deploy.fast_sql import executemany, placeholders, rows, time_converter
from sumtui.deploy.models import STORED, Deployment, DeploymentUpdate
from sumtui.deploy.schedule import ScheduleError, window_spec
from sumtui.deploy.status import iso
from sumtui.fleet import agent_settings
from sumtui.fleet.collections import WINDOWS_VERSION, windows_by_collection
from sumtui.timeutil import utcnow

DU = DeploymentUpdate.__table__
MARKER = (
    "SELECT (SELECT value FROM site_setting WHERE key = ?), (SELECT value FROM site_setting WHERE key = ?), "
    "(SELECT saved_at FROM site_setting WHERE key = ?), "
    "(SELECT count(*) FROM package_file), (SELECT max(updated_at) FROM package_file), "
    "(SELECT count(*) FROM content_file WHERE state = ?), (SELECT max(verified_at) FROM content_file)"
)


@dataclass(frozen=True)
class PolicyUpdate:
    update_id: int
    kb: str
    max_run_minutes: int
    restart: bool
    files: tuple[dict, ...]


@dataclass(frozen=True)
class PolicyDeployment:
    id: int
    head: dict  # what every client is told (name, times, behaviour)
    suppress_servers: bool
    suppress_workstations: bool
    updates: tuple[PolicyUpdate, ...]

    def for_client(self, states: dict[int, int], *, is_server: bool | None) -> dict:
        """This deployment as one client's policy: the updates it needs (required, or failed before)."""
        by_kb: dict[str, dict] = {}
        for u in self.updates:
            value = states.get(u.update_id)
            if value is None or value & 3 not in (REQUIRED, FAILED):
                continue
            entry = by_kb.get(u.kb)
            if entry is None:
                by_kb[u.kb] = {"kb": f"KB{u.kb}", "max_run_minutes": u.max_run_minutes, "restart": u.restart,
                               "files": list(u.files)}
            else:  # the same KB for two of the client's products: the longer run time, both sets of files
                entry["max_run_minutes"] = max(entry["max_run_minutes"], u.max_run_minutes)
                entry["restart"] = entry["restart"] or u.restart
                entry["files"] += [f for f in u.files if f not in entry["files"]]
        suppressed = self.suppress_servers if is_server else self.suppress_workstations
        return {**self.head, "suppress_restart": suppressed, "updates": list(by_kb.values())}


@dataclass
class PolicyData:
    settings: dict = field(default_factory=dict)  # the client agent settings
    deployments: dict[int, list[PolicyDeployment]] = field(default_factory=dict)  # collection id → deployments
    windows: dict[int, list[dict]] = field(default_factory=dict)  # collection id → windows (policy form)
    skipped: list[str] = field(default_factory=list)  # windows that cannot be, left out (why)
    # Finds the deployments' updates in a client's compact state list ("12:1 40:2 ..."): a poll reads
    # only those instead of decoding a list of hundreds.
    wanted: re.Pattern | None = None

    @property
    def collections(self) -> set[int]:
        return set(self.deployments) | set(self.windows)

    def states_of(self, text: str | None) -> dict[int, int]:
        if not text or self.wanted is None:
            return {}
        return {int(uid): int(code) for uid, code in self.wanted.findall(text)}


def load_policy_data(session: Session) -> PolicyData:
    data = PolicyData(settings=agent_settings.load(session)[0].model_dump())
    rows = session.execute(select(Deployment).where(Deployment.enabled.is_(True)).order_by(Deployment.id)).scalars().all()
    updates: dict[int, list] = defaultdict(list)
    if rows:
        for r in session.execute(select(DU).where(DU.c.deployment_id.in_([d.id for d in rows]))):
            updates[r.deployment_id].append(r)
    for d in rows:
        settings = deployment_settings(d)
        files = content_for(session, update_ids=[u.update_id for u in updates[d.id]], package_id=d.package_id)
        head = {"id": d.id, "name": d.name, "available": iso(d.available, local=d.local_time),
                "deadline": iso(d.deadline, local=d.local_time), "local_time": d.local_time,
                "override_windows": settings.install_outside_windows_at_deadline,
                "allow_restart_outside": settings.allow_restart_outside_windows}
        entries = tuple(PolicyUpdate(u.update_id, u.kb, u.max_run_minutes, u.restart,
                                     tuple(f.as_policy() for f in files.get(u.update_id, ())))
                        for u in sorted(updates[d.id], key=lambda u: u.update_id))
        data.deployments.setdefault(d.collection_id, []).append(PolicyDeployment(
            d.id, head, settings.suppress_restart_servers, settings.suppress_restart_workstations, entries))
    ids = sorted({u.update_id for ds in data.deployments.values() for d in ds for u in d.updates})
    if ids:
        data.wanted = re.compile(r"(?<![0-9])(" + "|".join(map(str, ids)) + r"):([0-9]+)")
    for collection_id, windows in windows_by_collection(session).items():
        for w in windows:
            try:
                window_spec(recurrence=w.recurrence, start=w.start, duration_minutes=w.duration_minutes, utc=w.utc)
            except ScheduleError as exc:
                data.skipped.append(f"window {w.id} of collection {collection_id}: {exc}")
                continue
            data.windows.setdefault(collection_id, []).append({
                "id": w.id, "recurrence": w.recurrence, "start": w.start.replace(tzinfo=None).isoformat(),
                "duration_minutes": w.duration_minutes, "utc": w.utc})
    return data


class PolicyCache:
    """The policy facts shared by every client, reloaded when deployments, windows or content changed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._marker = None
        self._data: PolicyData | None = None

    @staticmethod
    def marker(session: Session) -> tuple:
        """What the cached facts depend on, in one round trip: the deployment and window counters, when
        the client agent settings were saved, and the package files and stored content (their count
        and latest change)."""
        return rows(session, MARKER, (POLICY_VERSION, WINDOWS_VERSION, agent_settings.KEY, STORED))[0]

    def get(self, session: Session) -> PolicyData:
        marker = self.marker(session)
        with self._lock:
            if self._data is None or marker != self._marker:
                self._data = load_policy_data(session)
                self._marker = marker
            return self._data


@dataclass(frozen=True)
class _ClientRow:
    id: int
    token_hash: str | None
    states: str | None
    is_server: bool | None


@dataclass
class PolicyRequest:
    client_id: int
    token_hash: str


def client_policies(session: Session, requests: list[PolicyRequest], *, cache: PolicyCache, check_token,
                    now: datetime | None = None) -> list:
    """The policy of each request's client (a dict), or what `check_token(given, stored)` refused (an
    exception value): one read of the clients and their memberships for the whole batch, one write of
    their poll times."""
    now = now or utcnow()
    data = cache.get(session)
    settings = data.settings
    ids = sorted({r.client_id for r in requests})
    clients = {r[0]: _ClientRow(*r) for r in rows(
        session, f"SELECT id, token_hash, states, is_server FROM client WHERE id IN ({placeholders(len(ids))})", ids)}
    member_of: dict[int, list[int]] = defaultdict(list)
    if data.collections and clients:
        found, groups = sorted(clients), sorted(data.collections)
        for collection_id, client_id in rows(session, f"SELECT collection_id, client_id FROM collection_member WHERE client_id "
                                             f"IN ({placeholders(len(found))}) AND collection_id IN ({placeholders(len(groups))})",
                                             found + groups):
            member_of[client_id].append(collection_id)
    answers, polled = [], set()
    server_time = now.isoformat()
    for request in requests:
        row = clients.get(request.client_id)
        refused = check_token(request.token_hash, row.token_hash if row is not None else None)
        if refused is not None:
            answers.append(refused)
            continue
        polled.add(row.id)
        answers.append(_policy(row, sorted(member_of.get(row.id, ())), data, settings, server_time))
    seen = time_converter(session)(now)
    executemany(session, "UPDATE client SET last_policy_at = ?, last_contact = ? WHERE id = ?",
                [(seen, seen, cid) for cid in sorted(polled)])
    return answers


def _policy(row, collections: list[int], data: PolicyData, settings: dict, server_time: str) -> dict:
    states = data.states_of(row.states) if any(c in data.deployments for c in collections) else {}
    deployments, seen = [], set()
    windows, seen_windows = [], set()
    for collection_id in collections:
        for d in data.deployments.get(collection_id, ()):
            if d.id not in seen:
                seen.add(d.id)
                deployments.append(d.for_client(states, is_server=row.is_server))
        for w in data.windows.get(collection_id, ()):
            if w["id"] not in seen_windows:
                seen_windows.add(w["id"])
                windows.append(w)
    return {"client_id": row.id, "server_time": server_time, "client_agent": settings, "windows": windows,
            "deployments": deployments}


def policy_json(policy: dict) -> bytes:
    return json.dumps(policy, separators=(",", ":")).encode()

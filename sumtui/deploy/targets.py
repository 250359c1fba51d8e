"""Which (deployment, client, update) a deployment targets, and in what state, kept in step with the
collection's members and their compliance, with the per-state counts in the same transaction.

A deployment targets every member of its collection for every one of its updates. Pairs the update
does not apply to are "not required" and have no row (so a deployment to 100,000 clients stores only
what matters); every other pair has a row in `deployment_state`:

- before the agent reports, compliance sets it (source 0): `installed` when the client's inventory or
  scan shows the update, else `pending` (needed, failed, or not known yet for a client that never
  reported);
- the agent's state messages set it from then on (source 1, `deploy.messages`), and compliance
  overrides them only with better news: installed (the inventory lists it) or not required (a newer
  update covers it). An update the agent reported installed that a later inventory shows missing is
  pending again, and says why.

`deployment_count` holds the rows per state; every write here moves it in the same transaction, so
a deployment's status summary is one short read (DESIGN.md §5), never a count over the rows.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session

from sumtui.catalog.store import chunks
from sumtui.compliance.models import FAILED as C_FAILED
from sumtui.compliance.models import INSTALLED as C_INSTALLED
from sumtui.compliance.models import REQUIRED as C_REQUIRED
from sumtui.compliance.states import decode
from sumtui.deploy.fast_sql import (
    executemany,
    placeholders,
    rows,
    time_converter,
    time_value,
)
from sumtui.deploy.models import (
    Deployment,
    DeploymentCount,
    DeploymentState,
    DeploymentUpdate,
)
from sumtui.deploy.state_codes import (
    INSTALLED,
    NOT_REQUIRED,
    PENDING,
    SOURCE_COMPLIANCE,
)
from sumtui.fleet.models import Client, CollectionMember
from sumtui.timeutil import as_utc, utcnow

DS = DeploymentState.__table__
DC = DeploymentCount.__table__
D = Deployment.__table__
DU = DeploymentUpdate.__table__
M = CollectionMember.__table__
C = Client.__table__

# What compliance says about one (client, update), for targeting.
NEEDED, HAS_IT, NOT_APPLICABLE, UNKNOWN = "needed", "installed", "not_applicable", "unknown"

Key = tuple[int, int, int]  # (deployment id, client id, update id)


@dataclass(frozen=True)
class Target:
    """A deployment as targeting sees it."""

    id: int
    collection_id: int
    update_ids: tuple[int, ...]

    @property
    def update_set(self) -> frozenset[int]:
        return frozenset(self.update_ids)


def load_targets(session: Session, *, deployment_ids: Iterable[int] | None = None,
                 collection_ids: Iterable[int] | None = None) -> list[Target]:
    """The enabled deployments (those named, or those of these collections), with their update ids.
    (Through the driver: every inventory batch asks, see deploy.fast_sql.)"""
    sql, params = "SELECT id, collection_id FROM deployment WHERE enabled = ?", [True]
    for column, values in (("id", deployment_ids), ("collection_id", collection_ids)):
        if values is not None:
            values = sorted(set(values))
            if not values:
                return []
            sql += f" AND {column} IN ({placeholders(len(values))})"
            params += values
    heads = dict(rows(session, sql, params))
    if not heads:
        return []
    updates: dict[int, list[int]] = defaultdict(list)
    ids = sorted(heads)
    for did, uid in rows(session, f"SELECT deployment_id, update_id FROM deployment_update WHERE deployment_id IN "
                                  f"({placeholders(len(ids))}) ORDER BY deployment_id, update_id", ids):
        updates[did].append(uid)
    return [Target(did, cid, tuple(updates.get(did, ()))) for did, cid in sorted(heads.items())]


@dataclass
class Row:
    state: int
    source: int
    at: datetime | None
    agent_at: datetime | None = None


def load_rows(session: Session, *, deployment_ids: Iterable[int], client_ids: Iterable[int] | None = None) -> dict[Key, Row]:
    ids = sorted(set(deployment_ids))
    if not ids:
        return {}
    head = ("SELECT deployment_id, client_id, update_id, state, source, at, agent_at FROM deployment_state "
            f"WHERE deployment_id IN ({placeholders(len(ids))})")
    out: dict[Key, Row] = {}
    batches = [None] if client_ids is None else list(chunks(sorted(set(client_ids)), 900))
    for batch in batches:
        sql = head if batch is None else f"{head} AND client_id IN ({placeholders(len(batch))})"
        for d, c, u, state, source, at, agent_at in rows(session, sql, ids + (batch or [])):
            out[(d, c, u)] = Row(state, source, time_value(at), time_value(agent_at))
    return out


_ABSENT = -1  # no row before the batch


class RowWrites:
    """Row changes of one transaction: the last change of a key wins, and the counts move from the
    state the key had before the batch to the one it has after."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self._before: dict[Key, int] = {}
        self._after: dict[Key, dict | None] = {}

    def _touch(self, key: Key, old_state: int) -> None:
        self._before.setdefault(key, old_state)

    def insert(self, key: Key, state: int, *, source: int = SOURCE_COMPLIANCE, code: int | None = None,
               reason: str | None = None, simulated: bool = False, agent_at: datetime | None = None) -> None:
        self._touch(key, _ABSENT)
        self._after[key] = dict(state=state, source=source, code=code, reason=reason, simulated=simulated,
                                agent_at=agent_at, at=self.now)

    def update(self, key: Key, old_state: int, state: int, *, source: int = SOURCE_COMPLIANCE, code: int | None = None,
               reason: str | None = None, simulated: bool = False, agent_at: datetime | None = None) -> None:
        self._touch(key, old_state)
        self._after[key] = dict(state=state, source=source, code=code, reason=reason, simulated=simulated,
                                agent_at=agent_at, at=self.now)

    def delete(self, key: Key, old_state: int) -> None:
        self._touch(key, old_state)
        self._after[key] = None

    def plan(self) -> tuple[list[dict], list[dict], list[Key], Counter]:
        inserts, updates, deletes, delta = [], [], [], Counter()
        for key, after in self._after.items():
            before = self._before[key]
            d, c, u = key
            if before != _ABSENT:
                delta[(d, before)] -= 1
            if after is not None:
                delta[(d, after["state"])] += 1
            if before == _ABSENT and after is not None:
                inserts.append(dict(deployment_id=d, client_id=c, update_id=u, **after))
            elif before != _ABSENT and after is None:
                deletes.append(key)
            elif after is not None:
                updates.append(dict(b_d=d, b_c=c, b_u=u, **after))
        return inserts, updates, deletes, delta

    def __len__(self) -> int:
        return len(self._after)


def write(session: Session, writes: RowWrites) -> None:
    """The rows and their counts, in the caller's transaction (through the driver: the hot path of state
    messages, see deploy.fast_sql)."""
    inserts, updates, deletes, delta = writes.plan()
    executemany(session, "DELETE FROM deployment_state WHERE deployment_id = ? AND client_id = ? AND update_id = ?", deletes)

    when = time_converter(session)

    def values(r: dict) -> tuple:
        return (r["state"], r["source"], r["code"], r["reason"], r["simulated"], when(r["agent_at"]), when(r["at"]))

    executemany(session, "UPDATE deployment_state SET state = ?, source = ?, code = ?, reason = ?, simulated = ?, "
                         "agent_at = ?, at = ? WHERE deployment_id = ? AND client_id = ? AND update_id = ?",
                [(*values(r), r["b_d"], r["b_c"], r["b_u"]) for r in updates])
    executemany(session, "INSERT INTO deployment_state (deployment_id, client_id, update_id, state, source, code, reason, "
                         "simulated, agent_at, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(r["deployment_id"], r["client_id"], r["update_id"], *values(r)) for r in inserts])
    executemany(
        session,
        "INSERT INTO deployment_count (deployment_id, state, count) VALUES (?, ?, ?) "
        "ON CONFLICT (deployment_id, state) DO UPDATE SET count = deployment_count.count + excluded.count",
        [(d, s, n) for (d, s), n in delta.items() if n],
    )


# ---------------------------------------------------------------------------------------- compliance


@dataclass(frozen=True)
class ClientFacts:
    states: dict[int, int]
    known: bool  # an inventory of a mapped OS, or a scan: compliance is known
    inventoried: bool  # reported something (an unmapped OS included)
    reported_at: datetime | None  # its latest inventory or scan


def client_facts(session: Session, client_ids: Iterable[int] | None, *,
                 update_ids: Iterable[int] | None = None) -> dict[int, ClientFacts]:
    """Each client's compliance facts. With `update_ids` (a whole deployment refreshed), the states of
    those updates only, read from the update-major state table instead of decoding every client's list."""
    columns = "id, last_inventory, last_scan, os_product" + (", states" if update_ids is None else "")
    found = []
    if client_ids is None:
        found = rows(session, f"SELECT {columns} FROM client")
    else:
        for batch in chunks(sorted(set(client_ids)), 900):
            found += rows(session, f"SELECT {columns} FROM client WHERE id IN ({placeholders(len(batch))})", batch)
    states: dict[int, dict[int, int]] = defaultdict(dict)
    if update_ids is not None:
        for batch in chunks(sorted(set(update_ids)), 900):
            for uid, cid, state in rows(session, "SELECT update_id, client_id, state FROM compliance_state WHERE update_id "
                                                 f"IN ({placeholders(len(batch))})", batch):
                states[cid][uid] = state
    out = {}
    for r in found:
        cid, inventory, scan, os_product = r[:4]
        known = scan is not None or (inventory is not None and os_product is not None)
        times = [time_value(t) for t in (inventory, scan) if t is not None]
        held = states.get(cid, {}) if update_ids is not None else decode(r[4])
        out[cid] = ClientFacts(held, known, bool(times), max(times) if times else None)
    return out


def category(facts: ClientFacts | None, update_id: int) -> str:
    if facts is None or not facts.known:
        # Never reported: it may need the update. Reported, but of an OS no catalog product is: it never will.
        return NOT_APPLICABLE if facts is not None and facts.inventoried else UNKNOWN
    value = facts.states.get(update_id)
    if value is None:
        return NOT_APPLICABLE
    state = value & 3
    if state == C_INSTALLED:
        return HAS_IT
    return NEEDED if state in (C_REQUIRED, C_FAILED) else NOT_APPLICABLE


def reconcile(writes: RowWrites, key: Key, row: Row | None, what: str, facts: ClientFacts | None) -> None:
    """One pair brought in line with compliance (module docstring)."""
    if row is None:
        if what != NOT_APPLICABLE:
            writes.insert(key, INSTALLED if what == HAS_IT else PENDING)
        return
    if row.source == SOURCE_COMPLIANCE:
        if what == NOT_APPLICABLE:
            writes.delete(key, row.state)
            return
        wanted = INSTALLED if what == HAS_IT else PENDING
        if row.state != wanted:
            writes.update(key, row.state, wanted)
        return
    if what == HAS_IT:
        if row.state != INSTALLED:
            writes.update(key, row.state, INSTALLED)
        return
    if what == NOT_APPLICABLE:
        if row.state not in (INSTALLED, NOT_REQUIRED):
            writes.delete(key, row.state)
        return
    reported = facts.reported_at if facts else None
    if row.state == INSTALLED and reported is not None and row.at is not None and reported > as_utc(row.at):
        writes.update(key, row.state, PENDING, reason=(
            f"required again: the client's report of {reported:%Y-%m-%d %H:%M} UTC does not show it, although its agent "
            f"reported it installed at {as_utc(row.at):%Y-%m-%d %H:%M} UTC; the agent installs it at its next chance"))


def refresh_targets(
    session: Session, *, deployment_ids: Iterable[int] | None = None, client_ids: Iterable[int] | None = None,
    now: datetime | None = None, progress: Callable[[int, int], None] | None = None,
) -> int:
    """Bring the rows of these deployments (all enabled ones when None) for these clients (all members
    when None) in line with membership and compliance; returns the number of rows written."""
    targets = load_targets(session, deployment_ids=deployment_ids)
    if not targets:
        return 0
    now = now or utcnow()
    by_collection: dict[int, list[Target]] = defaultdict(list)
    for t in targets:
        by_collection[t.collection_id].append(t)
    members: dict[int, list[Target]] = defaultdict(list)
    groups = sorted(by_collection)
    sql = f"SELECT collection_id, client_id FROM collection_member WHERE collection_id IN ({placeholders(len(groups))})"
    if client_ids is None:
        pairs = rows(session, sql, groups)
    else:
        client_ids = sorted(set(client_ids))
        pairs = [p for batch in chunks(client_ids, 900)
                 for p in rows(session, f"{sql} AND client_id IN ({placeholders(len(batch))})", groups + batch)]
    for collection_id, client_id in pairs:
        members[client_id].extend(by_collection[collection_id])
    whole = client_ids is None and len(members) > 20000
    facts = client_facts(session, None if whole else list(members),
                         update_ids={u for t in targets for u in t.update_ids} if whole else None)
    existing = load_rows(session, deployment_ids=[t.id for t in targets], client_ids=client_ids)
    writes = RowWrites(now)
    sets = {t.id: t.update_set for t in targets}
    member_pairs: set[tuple[int, int]] = set()
    total = len(members)
    for done, (client_id, held) in enumerate(members.items(), 1):
        f = facts.get(client_id)
        for t in held:
            member_pairs.add((t.id, client_id))
            # Only what compliance holds a state for can need a row (a client never heard from: everything).
            if f is None or (not f.known and not f.inventoried):
                uids = t.update_ids
            elif not f.known:
                uids = ()
            else:
                uids = sets[t.id].intersection(f.states)
            for uid in uids:
                key = (t.id, client_id, uid)
                reconcile(writes, key, existing.pop(key, None), category(f, uid), f)
        if progress and done % 5000 == 0:
            progress(done, total)
    for key, row in existing.items():
        d, c, u = key
        if (d, c) in member_pairs and u in sets[d]:  # a member, but compliance no longer holds a state for it
            reconcile(writes, key, row, category(facts.get(c), u), facts.get(c))
        else:  # the client left the collection, or the update left the deployment
            writes.delete(key, row.state)
    write(session, writes)
    if progress:
        progress(total, total)
    return len(writes)


def follow_membership(session: Session, *, added: list[tuple[int, int]], removed: list[tuple[int, int]],
                      now: datetime | None = None) -> None:
    """Members joined or left collections: the deployments to those collections gain or lose them."""
    collections = {g for g, _ in added} | {g for g, _ in removed}
    if not collections:
        return
    targets = load_targets(session, collection_ids=collections)
    if not targets:
        return
    if removed:
        leaving: dict[int, set[int]] = defaultdict(set)
        for g, c in removed:
            leaving[g].add(c)
        writes = RowWrites(now or utcnow())
        for t in targets:
            if t.collection_id in leaving:
                for key, row in load_rows(session, deployment_ids=[t.id], client_ids=leaving[t.collection_id]).items():
                    writes.delete(key, row.state)
        write(session, writes)
    joining = defaultdict(set)
    for g, c in added:
        joining[g].add(c)
    for t in targets:
        if t.collection_id in joining:
            refresh_targets(session, deployment_ids=[t.id], client_ids=joining[t.collection_id], now=now)


def delete_rows(session: Session, deployment_id: int) -> None:
    """Every row and count of a deployment (it is being deleted)."""
    session.execute(delete(DS).where(DS.c.deployment_id == deployment_id))
    session.execute(delete(DC).where(DC.c.deployment_id == deployment_id))

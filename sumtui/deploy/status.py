"""Deployment status: counts per state (from the maintained counts: one short read however large the
collection), and per (client, update) the state with the one sentence that says why.

Agents write their sentences themselves (with the scheduling rules' words: "waiting: next maintenance
window ...", "failed 0x80070643 (installation failure; ...)"); the management point words the states
it sets (pending, installed by inventory, not required). `deployments show`, the what-if and the
console use these same sentences.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlmodel import Session

from sumtui.catalog.models import Update
from sumtui.deploy.deployments import get_deployment
from sumtui.deploy.install_codes import describe, hex_code
from sumtui.deploy.models import (
    Deployment,
    DeploymentCount,
    DeploymentState,
    DeploymentUpdate,
)
from sumtui.deploy.state_codes import (
    DONE,
    ERRORS,
    FAILED,
    INSTALLED,
    NOT_REQUIRED,
    PENDING,
    SOURCE_COMPLIANCE,
    STATE_NAMES,
    name_of,
)
from sumtui.fleet.models import Client, Collection, CollectionMember
from sumtui.timeutil import as_utc

DS = DeploymentState.__table__
DC = DeploymentCount.__table__
DU = DeploymentUpdate.__table__
C = Client.__table__
M = CollectionMember.__table__
U = Update.__table__


def iso(value: datetime | None, *, local: bool) -> str | None:
    """A deployment time as the CLI contract writes it: with its offset for UTC, without for client local time."""
    if value is None:
        return None
    return value.replace(microsecond=0).isoformat() if local else value.replace(tzinfo=UTC, microsecond=0).isoformat()


def when_text(value: datetime | None, *, local: bool, missing: str) -> str:
    if value is None:
        return missing
    return f"{value:%Y-%m-%d %H:%M} " + ("client local time" if local else "UTC")


def _utc_text(value: datetime | None) -> str:
    return f"{as_utc(value):%Y-%m-%d %H:%M} UTC" if value is not None else "never"


@dataclass(frozen=True)
class DeploymentSummary:
    id: int
    name: str
    collection: str
    available: datetime | None
    deadline: datetime | None
    local_time: bool
    updates: int
    members: int
    counts: dict[str, int]
    created_at: datetime

    @property
    def pairs(self) -> int:
        return self.updates * self.members

    @property
    def done_pct(self) -> float | None:
        if not self.pairs:
            return None
        done = sum(self.counts[name_of(code)] for code in DONE)
        return round(100.0 * done / self.pairs, 1)

    @property
    def errors(self) -> int:
        return sum(self.counts[name_of(code)] for code in ERRORS)

    def as_row(self) -> dict:
        return {"name": self.name, "collection": self.collection, "available": iso(self.available, local=self.local_time),
                "deadline": iso(self.deadline, local=self.local_time), "local_time": self.local_time,
                "updates": self.updates, "members": self.members, "done_pct": self.done_pct, "errors": self.errors,
                **self.counts}


def counts_of(session: Session, deployment: Deployment, *, members: int) -> dict[str, int]:
    """Every state's count (all ten names), "not required" including the pairs that have no row."""
    counts = dict.fromkeys(STATE_NAMES, 0)
    for state, count in session.execute(select(DC.c.state, DC.c.count).where(DC.c.deployment_id == deployment.id)):
        counts[name_of(state)] += count
    stored = sum(counts.values())
    counts[name_of(NOT_REQUIRED)] += max(0, members * deployment.update_count - stored)
    return counts


def summary_of(session: Session, deployment: Deployment) -> DeploymentSummary:
    collection = session.get(Collection, deployment.collection_id)
    members = collection.members if collection else 0
    return DeploymentSummary(deployment.id, deployment.name, collection.name if collection else "?", deployment.available,
                             deployment.deadline, deployment.local_time, deployment.update_count, members,
                             counts_of(session, deployment, members=members), deployment.created_at)


def list_deployments(session: Session) -> list[DeploymentSummary]:
    rows = session.execute(select(Deployment).order_by(Deployment.name_key)).scalars().all()
    return [summary_of(session, row) for row in rows]


# ---------------------------------------------------------------------------------------- per client


@dataclass(frozen=True)
class ClientState:
    client: str
    kb: str
    product: str
    state: str
    code: str | None  # unsigned hex
    reason: str
    at: datetime | None  # when the management point set it

    def as_row(self) -> dict:
        return {"client": self.client, "kb": f"KB{self.kb}", "product": self.product, "state": self.state, "code": self.code,
                "reason": self.reason, "at": self.at.isoformat() if self.at else None}


@dataclass(frozen=True)
class _ClientFacts:
    name: str
    known: bool
    inventoried: bool
    last_policy: datetime | None
    reported: datetime | None


def explain(*, state: int, source: int, reason: str | None, code: int | None, kb: str, client: _ClientFacts,
            deployment: Deployment) -> str:
    """The one sentence for a (client, update) state."""
    if reason:
        return reason
    if state == FAILED:
        return f"failed {describe(code) if code is not None else 'without an exit code'}; the agent retries at its next chance"
    if state == NOT_REQUIRED:
        return (f"not required: KB{kb} does not apply to this client (none of its products, or a newer update "
                "it has covers it)")
    if state == INSTALLED and source == SOURCE_COMPLIANCE:
        return f"installed: the client's inventory or scan of {_utc_text(client.reported)} shows KB{kb} (or a newer update)"
    if state == PENDING:
        if not client.known and not client.inventoried:
            return (f"not installed: the client has not reported an inventory or scan yet, so whether it needs KB{kb} "
                    "is not known")
        changed = deployment.updated_at or deployment.created_at
        if client.last_policy is None or as_utc(client.last_policy) < as_utc(changed):
            return (f"not installed: client has not polled policy since {_utc_text(changed)} (last poll: "
                    f"{_utc_text(client.last_policy)})")
        return (f"not installed: the client has the policy (last poll {_utc_text(client.last_policy)}) and has not "
                f"reported on KB{kb} yet")
    return name_of(state).replace("_", " ")


def client_states(session: Session, *, name: str, state: str | None = None) -> Iterator[ClientState]:
    """Every (client, update) pair of the deployment, "not required" ones included, by client then KB."""
    deployment = get_deployment(session, name=name)
    updates = {r.id: r for r in session.execute(
        select(U.c.id, U.c.kb, U.c.product).join(DU, DU.c.update_id == U.c.id).where(DU.c.deployment_id == deployment.id))}
    members = list(session.execute(select(M.c.client_id).where(M.c.collection_id == deployment.collection_id)).scalars())
    facts: dict[int, _ClientFacts] = {}
    query = select(C.c.id, C.c.name, C.c.last_inventory, C.c.last_scan, C.c.os_product, C.c.last_policy_at)
    for start in range(0, len(members), 5000):
        for r in session.execute(query.where(C.c.id.in_(members[start:start + 5000]))):
            times = [as_utc(t) for t in (r.last_inventory, r.last_scan) if t is not None]
            known = r.last_scan is not None or (r.last_inventory is not None and r.os_product is not None)
            facts[r.id] = _ClientFacts(r.name, known, bool(times), r.last_policy_at, max(times) if times else None)
    stored: dict[tuple[int, int], object] = {}
    for r in session.execute(select(DS).where(DS.c.deployment_id == deployment.id)):
        stored[(r.client_id, r.update_id)] = r
    order = sorted(updates.values(), key=lambda u: (len(u.kb), u.kb, u.product))
    for client_id in sorted(facts, key=lambda cid: facts[cid].name.casefold()):
        client = facts[client_id]
        for u in order:
            row = stored.get((client_id, u.id))
            code = row.state if row is not None else NOT_REQUIRED
            if state is not None and name_of(code) != state:
                continue
            reason = explain(state=code, source=row.source if row is not None else SOURCE_COMPLIANCE,
                             reason=row.reason if row is not None else None, code=row.code if row is not None else None,
                             kb=u.kb, client=client, deployment=deployment)
            yield ClientState(client.name, u.kb, u.product, name_of(code),
                              hex_code(row.code) if row is not None and row.code is not None else None, reason,
                              as_utc(row.at) if row is not None else None)


def deployment_detail(session: Session, *, name: str, state: str | None = None) -> dict:
    """`deployments show --format json`: {name, collection, available, deadline, counts, clients: [...]}."""
    deployment = get_deployment(session, name=name)
    summary = summary_of(session, deployment)
    return {
        "name": deployment.name, "description": deployment.description, "collection": summary.collection,
        "available": iso(deployment.available, local=deployment.local_time),
        "deadline": iso(deployment.deadline, local=deployment.local_time),
        "local_time": deployment.local_time, "updates": deployment.update_count, "members": summary.members,
        "counts": summary.counts,
        "clients": [s.as_row() for s in client_states(session, name=deployment.name, state=state)],
    }

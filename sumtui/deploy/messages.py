"""Agents' state messages applied to deployment status: one (deployment, KB, state) at a time, for a
whole batch of reports at once (the management point's group commit hands them over together).

Rules, each with a reason the agent is told and the history keeps (nothing an agent sends is lost:
every message becomes a `deployment_event`, with a note when it changed nothing):

- a message for a deployment that does not exist (deleted since the agent's last poll), that is not
  assigned to this client (its collection does not hold it) or for a KB the deployment does not
  install is ignored;
- messages are applied in the order the agent made them (its own clock, which orders its own
  messages whatever its skew against the management point's); one older than the state held for that
  (deployment, client, update) is stale: kept in the history, the status stays as it is;
- the status shows when the management point received a state (its own clock), never the agent's;
- a message marked simulated says so in its sentence, whatever the agent wrote.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from sumtui.catalog.store import chunks
from sumtui.deploy.fast_sql import executemany, placeholders, rows, time_converter
from sumtui.deploy.models import Deployment, DeploymentUpdate
from sumtui.deploy.state_codes import AGENT_STATES, CODES, SOURCE_AGENT
from sumtui.deploy.targets import Row, RowWrites, load_rows, write
from sumtui.fleet.models import CollectionMember
from sumtui.text import escape_controls
from sumtui.timeutil import as_utc

D = Deployment.__table__
DU = DeploymentUpdate.__table__
M = CollectionMember.__table__
MAX_REASON = 500


@dataclass(frozen=True)
class Message:
    deployment_id: int
    kb: str  # digits
    state: str  # one of state_codes.AGENT_STATES
    code: int | None = None  # the installer's exit code, unsigned
    reason: str | None = None
    at: datetime | None = None  # the agent's clock, aware
    simulated: bool = False


@dataclass
class Outcome:
    """What one client's messages of a batch did."""

    applied: int = 0
    ignored: list[tuple[Message, str]] = field(default_factory=list)
    stale: int = 0


@dataclass(frozen=True)
class _Deployment:
    id: int
    name: str
    collection_id: int
    updates: dict[str, list[int]]  # KB → update ids


def deployment_facts(session: Session, ids: set[int] | None = None) -> dict[int, _Deployment]:
    """Deployment id → what messages are checked against (all deployments when None)."""
    query = select(D.c.id, D.c.name, D.c.collection_id)
    if ids is not None:
        if not ids:
            return {}
        query = query.where(D.c.id.in_(sorted(ids)))
    heads = {r.id: r for r in session.execute(query)}
    updates: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    if heads:
        for did, uid, kb in session.execute(select(DU.c.deployment_id, DU.c.update_id, DU.c.kb)
                                            .where(DU.c.deployment_id.in_(list(heads)))):
            updates[did][kb].append(uid)
    return {did: _Deployment(did, r.name, r.collection_id, dict(updates[did])) for did, r in heads.items()}


def _memberships(session: Session, client_ids: set[int], collection_ids: set[int]) -> set[tuple[int, int]]:
    if not collection_ids:
        return set()
    groups = sorted(collection_ids)
    found = set()
    for batch in chunks(sorted(client_ids), 900):
        sql = (f"SELECT collection_id, client_id FROM collection_member WHERE client_id IN ({placeholders(len(batch))}) "
               f"AND collection_id IN ({placeholders(len(groups))})")
        found.update((g, c) for g, c in rows(session, sql, batch + groups))
    return found


def _sentence(message: Message) -> str | None:
    reason = escape_controls(message.reason.strip())[:MAX_REASON] if message.reason and message.reason.strip() else None
    if message.simulated and "simulated" not in (reason or "").lower():
        reason = f"{reason} (simulated)" if reason else f"{message.state.replace('_', ' ')} (simulated installer)"
    return reason


def apply_messages(
    session: Session, *, reports: list[tuple[int, int, list[Message]]], now: datetime,
    deployments: dict[int, _Deployment] | None = None,
) -> dict[int, Outcome]:
    """Apply (client id, serial, messages) reports, in order; the caller checked each client's token and
    serial. `deployments`: `deployment_facts` as cached by the caller (read here when None). Returns
    what happened per client."""
    outcomes: dict[int, Outcome] = defaultdict(Outcome)
    wanted = {m.deployment_id for _c, _s, messages in reports for m in messages}
    if deployments is None:
        deployments = deployment_facts(session, wanted)
    deployments = {did: deployments[did] for did in wanted if did in deployments}
    client_ids = {c for c, _s, _m in reports}
    members = _memberships(session, client_ids, {d.collection_id for d in deployments.values()})
    rows: dict = load_rows(session, deployment_ids=list(deployments), client_ids=client_ids) if deployments else {}
    writes = RowWrites(now)
    events = []
    for client_id, serial, messages in reports:
        outcome = outcomes[client_id]
        # The agent's order: its clock first (messages without a time keep their place at the end).
        ordered = sorted(enumerate(messages), key=lambda pair: (pair[1].at is None, pair[1].at or now, pair[0]))
        for _index, message in ordered:
            note = _apply(writes, rows, deployments, members, client_id, message, outcome)
            if note and not note.startswith("stale"):
                outcome.ignored.append((message, note))
            events.append(dict(deployment_id=message.deployment_id, client_id=client_id, kb=message.kb, state=message.state,
                               code=message.code, reason=_sentence(message), simulated=message.simulated,
                               agent_at=message.at, received_at=now, serial=serial, note=note))
    write(session, writes)
    when = time_converter(session)
    executemany(session, "INSERT INTO deployment_event (deployment_id, client_id, kb, state, code, reason, simulated, "
                         "agent_at, received_at, serial, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(e["deployment_id"], e["client_id"], e["kb"], e["state"], e["code"], e["reason"], e["simulated"],
                  when(e["agent_at"]), when(e["received_at"]), e["serial"], e["note"]) for e in events])
    return dict(outcomes)


def _apply(writes: RowWrites, rows: dict, deployments: dict[int, _Deployment], members: set[tuple[int, int]],
           client_id: int, message: Message, outcome: Outcome) -> str | None:
    """One message; returns a note when it changed nothing (why), else None."""
    if message.state not in AGENT_STATES:
        return f"'{escape_controls(message.state)}' is not a deployment state"
    deployment = deployments.get(message.deployment_id)
    if deployment is None:
        return f"deployment {message.deployment_id} does not exist (deleted?): the agent drops it at its next policy poll"
    if (deployment.collection_id, client_id) not in members:
        return (f"deployment '{escape_controls(deployment.name)}' is not assigned to this client (it is not a member of "
                "the deployment's collection): the agent drops it at its next policy poll")
    update_ids = deployment.updates.get(message.kb)
    if not update_ids:
        return f"KB{message.kb} is not one of the updates of deployment '{escape_controls(deployment.name)}'"
    keys = [(deployment.id, client_id, uid) for uid in update_ids]
    # The client's own products: the rows targeting made; none (compliance moved since the policy) → every one.
    held = [k for k in keys if k in rows] or keys
    state = CODES[message.state]
    newest = [rows[k] for k in held if k in rows and rows[k].source == SOURCE_AGENT and rows[k].agent_at is not None]
    if message.at is not None and newest and all(message.at < as_utc(r.agent_at) for r in newest):
        outcome.stale += 1
        return "stale: older than the state held (the agent's later message stays)"
    reason = _sentence(message)
    for key in held:
        row = rows.get(key)
        fields = dict(source=SOURCE_AGENT, code=message.code, reason=reason, simulated=message.simulated, agent_at=message.at)
        if row is None:
            writes.insert(key, state, **fields)
        else:
            writes.update(key, row.state, state, **fields)
        rows[key] = Row(state, SOURCE_AGENT, writes.now, message.at)
    outcome.applied += 1
    return None


"""Writing compliance changes: state rows, per-client counts and per-collection summaries, all in the
caller's transaction, so every summary a screen reads is current the moment a report commits.

Everything is applied as differences (old → new states, memberships gained or lost); `rebuild`
recomputes the summaries from scratch, which tests use to prove the differences right.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import bindparam, case, delete, func, insert, select, update
from sqlmodel import Session

from sumtui.catalog.store import chunks
from sumtui.compliance.models import (
    FAILED,
    INSTALLED,
    REQUIRED,
    ComplianceState,
    UpdateSummary,
)
from sumtui.compliance.states import StateMap, counts, encode
from sumtui.db.engine import executemany
from sumtui.db.orm import expire_loaded
from sumtui.fleet.collections import write_membership
from sumtui.fleet.models import (
    Client,
    Collection,
    CollectionMember,
    has_known_state,
    known_state_sql,
)

CS = ComplianceState.__table__
US = UpdateSummary.__table__
C = Client.__table__
COL = Collection.__table__
M = CollectionMember.__table__
_COLUMN = {REQUIRED: "required", INSTALLED: "installed", FAILED: "failed"}


@dataclass
class ClientChange:
    client_id: int
    old: StateMap
    new: StateMap
    was_reported: bool
    is_reported: bool
    severity: dict[int, int] = field(default_factory=dict)  # update id → severity rank, for the missing counts
    extra: dict = field(default_factory=dict)  # further client columns to set (evaluated_at, last_scan, ...)


def _compliant(reported: bool, states: StateMap) -> bool:
    required, _installed, failed = counts(states)
    return reported and required == 0 and failed == 0


def memberships(session: Session, client_ids) -> dict[int, list[int]]:
    out: dict[int, list[int]] = defaultdict(list)
    for batch in chunks(sorted(client_ids), 5000):
        for collection_id, client_id in session.execute(select(M.c.collection_id, M.c.client_id).where(M.c.client_id.in_(batch))):
            out[client_id].append(collection_id)
    return out


def apply_changes(session: Session, changes: list[ClientChange], *, member_of: dict[int, list[int]] | None = None) -> int:
    """Apply clients' state changes; returns the number of state rows written or deleted."""
    if not changes:
        return 0
    session.flush()
    member_of = member_of if member_of is not None else memberships(session, [c.client_id for c in changes])
    inserts, deletes, updates = [], [], []
    # Summary deltas are tallied once per set of collections (most clients share a few sets) and spread
    # over each set's collections at the end: the per-state work is one dict look-up, not one per collection.
    by_groups: dict[tuple[int, ...], dict[int, list[int]]] = defaultdict(dict)
    collection_delta: dict[int, list[int]] = defaultdict(lambda: [0, 0])  # reported, compliant
    client_rows = []
    for change in changes:
        old, new, cid = change.old, change.new, change.client_id
        groups = tuple(member_of.get(cid, ()))
        tally = by_groups[groups] if groups else {}
        for uid in old.keys() - new.keys():
            deletes.append((uid, cid))
            slot = _SLOT[old[uid] & 3]
            if slot is not None:
                row = tally.get(uid) or tally.setdefault(uid, [0, 0, 0])
                row[slot] -= 1
        for uid, value in new.items():
            before = old.get(uid)
            if before == value:
                continue
            state, source = value & 3, value >> 2
            row = tally.get(uid) or tally.setdefault(uid, [0, 0, 0])
            if before is None:
                inserts.append((uid, cid, state, source))
            else:
                updates.append((state, source, uid, cid))
                slot = _SLOT[before & 3]
                if slot is not None:
                    row[slot] -= 1
            slot = _SLOT[state]
            if slot is not None:
                row[slot] += 1
        required, installed, failed = counts(new)
        d_rep = int(change.is_reported) - int(change.was_reported)
        d_comp = int(change.is_reported and required == 0 and failed == 0) - int(_compliant(change.was_reported, old))
        if d_rep or d_comp:
            for group in groups:
                collection_delta[group][0] += d_rep
                collection_delta[group][1] += d_comp
        critical = important = 0
        if required:
            for uid, value in new.items():
                if value & 3 == REQUIRED:
                    rank = change.severity.get(uid, 0)
                    critical += rank >= 4
                    important += rank == 3
        client_rows.append(
            dict(b_id=cid, states=encode(new), required_count=required, installed_count=installed,
                 failed_count=failed, critical_missing=critical, important_missing=important, **change.extra)
        )
    # The state table is the hot path: straight through the driver (see db.engine.executemany).
    executemany(session, "DELETE FROM compliance_state WHERE update_id = ? AND client_id = ?", deletes)
    executemany(session, "UPDATE compliance_state SET state = ?, source = ? WHERE update_id = ? AND client_id = ?", updates)
    executemany(session, "INSERT INTO compliance_state (update_id, client_id, state, source) VALUES (?, ?, ?, ?)", inserts)
    summary: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    for groups, tally in by_groups.items():
        for uid, (r, i, f) in tally.items():
            if r or i or f:
                for group in groups:
                    total = summary[(group, uid)]
                    total[0] += r
                    total[1] += i
                    total[2] += f
    _apply_summary(session, summary)
    _apply_collection_counts(session, collection_delta, column_pairs=("reported", "compliant"))
    _update_clients(session, client_rows)
    # Rows changed behind the ORM's back: loaded clients and collections must re-read them.
    expire_loaded(session, Client, [c.client_id for c in changes])
    expire_loaded(session, Collection, list(collection_delta))
    return len(inserts) + len(deletes) + len(updates)


_SLOT = (None, 0, 1, 2)  # a state code's (`& 3`) column in the summaries: Required, Installed, Failed


def _count(summary, groups, uid, state, sign) -> None:
    index = {REQUIRED: 0, INSTALLED: 1, FAILED: 2}.get(state)
    if index is None:
        return
    for group in groups:
        summary[(group, uid)][index] += sign


def _apply_summary(session: Session, summary: dict[tuple[int, int], list[int]]) -> None:
    rows = [(g, u, r, i, f) for (g, u), (r, i, f) in summary.items() if r or i or f]
    # ON CONFLICT ... DO UPDATE is the same on SQLite and PostgreSQL; one fixed statement for every
    # batch size keeps the driver doing the work (see db.engine.executemany).
    executemany(
        session,
        "INSERT INTO update_summary (collection_id, update_id, required, installed, failed) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (collection_id, update_id) DO UPDATE SET required = update_summary.required + excluded.required, "
        "installed = update_summary.installed + excluded.installed, failed = update_summary.failed + excluded.failed",
        rows,
    )


def _apply_collection_counts(session: Session, delta: dict[int, list[int]], *, column_pairs: tuple[str, ...]) -> None:
    rows = [dict(b_id=g, **{name: d[i] for i, name in enumerate(column_pairs)}) for g, d in delta.items() if any(d)]
    if rows:
        session.execute(
            update(COL).where(COL.c.id == bindparam("b_id"))
            .values({name: COL.c[name] + bindparam(name) for name in column_pairs}),
            rows,
        )


def _update_clients(session: Session, rows: list[dict]) -> None:
    by_columns: dict[tuple[str, ...], list[dict]] = defaultdict(list)
    for row in rows:
        by_columns[tuple(sorted(row))].append(row)
    for columns, group in by_columns.items():
        values = {c: bindparam(c) for c in columns if c != "b_id"}
        session.execute(update(C).where(C.c.id == bindparam("b_id")).values(values), group)


def change_membership(
    session: Session, *, added: list[tuple[int, int]], removed: list[tuple[int, int]],
    reported_as: dict[int, bool] | None = None,
) -> None:
    """(collection id, client id) pairs joining or leaving; moves each client's states in or out of the
    collection's summaries and counts in the same transaction. `reported_as` overrides what a client's
    row says when its report is being applied in this transaction (its states are not evaluated yet)."""
    if not added and not removed:
        return
    session.flush()
    clients = {cid for _, cid in added + removed}
    facts = {}
    for batch in chunks(sorted(clients), 5000):
        for row in session.execute(
            select(C.c.id, C.c.states, C.c.last_inventory, C.c.last_scan, C.c.os_product).where(C.c.id.in_(batch))
        ):
            facts[row.id] = row
    from sumtui.compliance.states import decode

    summary: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    delta: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])  # members, reported, compliant
    for sign, pairs in ((+1, added), (-1, removed)):
        for group, cid in pairs:
            row = facts.get(cid)
            if row is None:
                continue
            states = decode(row.states)
            reported = has_known_state(last_inventory=row.last_inventory, last_scan=row.last_scan, os_product=row.os_product)
            if reported_as and cid in reported_as:
                reported = reported_as[cid]
            delta[group][0] += sign
            delta[group][1] += sign * int(reported)
            delta[group][2] += sign * int(_compliant(reported, states))
            for uid, value in states.items():
                _count(summary, [group], uid, value & 3, sign)
    write_membership(session, added=added, removed=removed)
    _apply_summary(session, summary)
    _apply_collection_counts(session, delta, column_pairs=("members", "reported", "compliant"))
    expire_loaded(session, Collection, list(delta))


def rebuild(session: Session) -> None:
    """Recompute every summary from the state rows and memberships (repair, and the tests' oracle)."""
    session.execute(delete(US))
    grouped = (
        select(
            M.c.collection_id,
            CS.c.update_id,
            func.sum(case((CS.c.state == REQUIRED, 1), else_=0)),
            func.sum(case((CS.c.state == INSTALLED, 1), else_=0)),
            func.sum(case((CS.c.state == FAILED, 1), else_=0)),
        )
        .select_from(CS.join(M, M.c.client_id == CS.c.client_id))
        .group_by(M.c.collection_id, CS.c.update_id)
    )
    session.execute(
        insert(US).from_select(["collection_id", "update_id", "required", "installed", "failed"], grouped)
    )
    reported = known_state_sql()
    stats = (
        select(
            M.c.collection_id,
            func.count(),
            func.sum(case((reported, 1), else_=0)),
            func.sum(case((reported & (C.c.required_count == 0) & (C.c.failed_count == 0), 1), else_=0)),
        )
        .select_from(M.join(C, C.c.id == M.c.client_id))
        .group_by(M.c.collection_id)
    )
    session.execute(update(COL).values(members=0, reported=0, compliant=0))
    rows = [dict(b_id=g, members=n, reported=r or 0, compliant=c or 0) for g, n, r, c in session.execute(stats)]
    if rows:
        session.execute(
            update(COL).where(COL.c.id == bindparam("b_id"))
            .values(members=bindparam("members"), reported=bindparam("reported"), compliant=bindparam("compliant")),
            rows,
        )

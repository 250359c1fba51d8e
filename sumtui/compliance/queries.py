"""Compliance as screens and scripts read it: every figure comes from the maintained summaries
(update_summary, the collection and client counts), never from a pass over the state table."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, outerjoin, select
from sqlmodel import Session

from sumtui.catalog.models import Update
from sumtui.catalog.queries import UpdateFilter, where_clauses
from sumtui.compliance.evaluate import STATE_NAMES, ClientProfile, evaluate
from sumtui.compliance.models import (
    FAILED,
    REQUIRED,
    ComplianceSnapshot,
    ComplianceState,
    ScanState,
    UpdateSummary,
)
from sumtui.compliance.products import client_products
from sumtui.compliance.states import decode
from sumtui.compliance.view import CatalogView, load_view
from sumtui.db.engine import upsert
from sumtui.fleet.models import (
    Client,
    Collection,
    CollectionMember,
    has_known_state,
    known_state_sql,
)
from sumtui.timeutil import utcnow

U = Update.__table__
US = UpdateSummary.__table__
CS = ComplianceState.__table__
C = Client.__table__
COL = Collection.__table__
M = CollectionMember.__table__
SNAP = ComplianceSnapshot.__table__


def percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


@dataclass
class UpdateCompliance:
    update_id: int
    kb: str
    product: str
    title: str
    severity: str | None
    severity_rank: int
    released: datetime | None
    required: int
    installed: int
    failed: int
    not_required: int
    unknown: int
    compliant_pct: float | None
    product_id: str = ""


UPDATE_SORTS = {
    "required": lambda s: s.c.required,
    "failed": lambda s: s.c.failed,
    "installed": lambda s: s.c.installed,
    "severity": lambda s: U.c.severity_rank,
    "released": lambda s: U.c.released,
    "kb": lambda s: U.c.kb,
    "product": lambda s: U.c.product,
}


def _summary_for(collection_id: int):
    return select(US).where(US.c.collection_id == collection_id).subquery("s")


def _only(update_ids) -> list:
    """The clause restricting rows to `update_ids` (ids, or a SELECT of ids such as an update list's); none for None."""
    return [] if update_ids is None else [U.c.id.in_(update_ids)]


def count_update_compliance(
    session: Session, *, collection_id: int, filter: UpdateFilter | None = None, only_needed: bool = False, update_ids=None,
) -> int:
    s = _summary_for(collection_id)
    query = (select(func.count()).select_from(outerjoin(U, s, s.c.update_id == U.c.id))
             .where(and_(True, *where_clauses(filter or UpdateFilter()), *_only(update_ids))))
    if only_needed:
        query = query.where(func.coalesce(s.c.required, 0) + func.coalesce(s.c.failed, 0) > 0)
    return session.execute(query).scalar_one()


def page_update_compliance(
    session: Session, *, collection_id: int, filter: UpdateFilter | None = None, sort: str = "required",
    descending: bool = True, offset: int = 0, limit: int = 100, only_needed: bool = False, update_ids=None,
) -> list[UpdateCompliance]:
    """One page of updates with their summary in a collection. `update_ids` (ids, or a SELECT of ids such
    as an update list's) restricts the rows to those updates: a list's compliance is the same rows."""
    collection = session.get(Collection, collection_id)
    members, reported = (collection.members, collection.reported) if collection else (0, 0)
    s = _summary_for(collection_id)
    order = UPDATE_SORTS.get(sort, UPDATE_SORTS["required"])(s)
    order = func.coalesce(order, 0) if sort in ("required", "failed", "installed") else order
    query = (
        select(U.c.id, U.c.kb, U.c.product, U.c.title, U.c.severity, U.c.severity_rank, U.c.released,
               func.coalesce(s.c.required, 0), func.coalesce(s.c.installed, 0), func.coalesce(s.c.failed, 0), U.c.product_id)
        .select_from(outerjoin(U, s, s.c.update_id == U.c.id))
        .where(and_(True, *where_clauses(filter or UpdateFilter()), *_only(update_ids)))
        .order_by(order.desc() if descending else order.asc(), U.c.severity_rank.desc(), U.c.id)
        .offset(offset).limit(limit)
    )
    if only_needed:
        query = query.where(func.coalesce(s.c.required, 0) + func.coalesce(s.c.failed, 0) > 0)
    out = []
    for uid, kb, product, title, severity, rank, released, required, installed, failed, product_id in session.execute(query):
        not_required = max(0, reported - required - installed - failed)
        out.append(UpdateCompliance(
            uid, kb, product, title, severity, rank, released, required, installed, failed, not_required,
            members - reported, percent(installed + not_required, members), product_id,
        ))
    return out


@dataclass
class UpdateSetCompliance:
    """A set of updates (an update list) in a collection: client × update pairs in each state."""

    updates: int
    required: int
    installed: int
    failed: int
    not_required: int
    unknown: int
    compliant_pct: float | None  # of the pairs: installed or not required


def update_set_compliance(session: Session, *, collection_id: int, members) -> dict[int, UpdateSetCompliance]:
    """Totals per set from the maintained summaries. `members` is a SELECT of (set id, update id) rows
    (e.g. every update list's items); sets without updates are absent from the answer."""
    collection = session.get(Collection, collection_id)
    clients, reported = (collection.members, collection.reported) if collection else (0, 0)
    sets = members.subquery("sets")
    set_id, update_id = sets.c[0], sets.c[1]
    s = _summary_for(collection_id)
    query = (
        select(set_id, func.count(update_id), func.coalesce(func.sum(s.c.required), 0),
               func.coalesce(func.sum(s.c.installed), 0), func.coalesce(func.sum(s.c.failed), 0))
        .select_from(outerjoin(sets, s, s.c.update_id == update_id))
        .group_by(set_id)
    )
    out = {}
    for key, updates, required, installed, failed in session.execute(query):
        not_required = max(0, updates * reported - required - installed - failed)
        out[key] = UpdateSetCompliance(updates, required, installed, failed, not_required, updates * (clients - reported),
                                       percent(installed + not_required, updates * clients))
    return out


def fleet_products(session: Session, *, candidates: set[str], view: CatalogView | None = None) -> set[str]:
    """Which of the `candidates` (product keys) at least one client has, by rule 1 (DESIGN.md §2).

    The OS and its in-box components are settled from the distinct OS products first; only products
    still open are looked for in the clients' installed KBs (only the KBs of those products matter),
    and the search stops as soon as every candidate is found."""
    view = view or load_view(session)
    found: set[str] = set()
    seen: set[tuple] = set()

    def visit(os_product, edition, installed, reported_json) -> None:
        key = (os_product, edition, installed, reported_json)
        if key in seen:
            return
        seen.add(key)
        reported = tuple(json.loads(reported_json or "[]"))
        found.update(candidates & client_products(view, os_product=os_product, installed=installed, reported=reported,
                                                  edition=edition).keys())

    for os_product, edition, reported_json in session.execute(
            select(C.c.os_product, C.c.edition, C.c.reported_products).distinct()):
        visit(os_product, edition, frozenset(), reported_json)
    open_ = candidates - found
    relevant = {info.kb for key in open_ for info in view.by_product.get(key, ())}
    if open_ and relevant:
        rows = session.execute(select(C.c.os_product, C.c.edition, C.c.installed_kbs, C.c.reported_products)
                               .execution_options(yield_per=2000))
        try:
            for os_product, edition, installed_kbs, reported_json in rows:
                visit(os_product, edition, frozenset(relevant.intersection((installed_kbs or "").split())), reported_json)
                if candidates <= found:
                    break
        finally:
            rows.close()
    return found


def clients_for_update(
    session: Session, *, update_id: int, collection_id: int | None = None, state: int = REQUIRED, offset: int = 0, limit: int = 100,
) -> list:
    """The clients in a given state for an update: a range scan of the update-major state table."""
    query = (
        select(C.c.id, C.c.name, C.c.domain, C.c.os_product, C.c.last_inventory, C.c.last_scan, C.c.required_count, CS.c.source)
        .select_from(CS.join(C, C.c.id == CS.c.client_id))
        .where(CS.c.update_id == update_id, CS.c.state == state)
    )
    if collection_id is not None:
        query = query.where(C.c.id.in_(select(M.c.client_id).where(M.c.collection_id == collection_id)))
    return list(session.execute(query.order_by(C.c.name_key).offset(offset).limit(limit)))


def count_clients_for_update(session: Session, *, update_id: int, collection_id: int | None = None, state: int = REQUIRED) -> int:
    query = select(func.count()).select_from(CS).where(CS.c.update_id == update_id, CS.c.state == state)
    if collection_id is not None:
        query = query.where(CS.c.client_id.in_(select(M.c.client_id).where(M.c.collection_id == collection_id)))
    return session.execute(query).scalar_one()


@dataclass
class ClientUpdateState:
    update_id: int
    kb: str
    product_id: str
    product: str
    title: str
    severity: str | None
    state: str  # required | installed | not_required | unknown | failed
    reason: str
    source: str  # evaluation | scan | none


def client_states(session: Session, client: Client, *, view: CatalogView | None = None, include_not_applicable: bool = False) -> list[ClientUpdateState]:
    """Every applicable update's state for one client, each with the sentence that explains it."""
    view = view or load_view(session)
    rows: dict[int, tuple[str, str, str]] = {}  # update id → (state, reason, source)
    reported = has_known_state(last_inventory=client.last_inventory, last_scan=client.last_scan, os_product=client.os_product)
    if client.last_inventory is not None:
        evaluation = evaluate(view, ClientProfile(
            client.os_product, client.build, client.ubr, frozenset((client.installed_kbs or "").split()),
            tuple(json.loads(client.reported_products or "[]")), client.edition,
        ), explain=True)
        for v in evaluation.verdicts:
            rows[v.update_id] = (STATE_NAMES[v.state], v.reason, "evaluation")
    if client.last_scan is not None:
        SS = ScanState.__table__
        for uid, state, at in session.execute(select(SS.c.update_id, SS.c.state, SS.c.reported_at).where(SS.c.client_id == client.id)):
            name = STATE_NAMES.get(state, "not_required")
            when = at.strftime("%Y-%m-%d %H:%M UTC") if at else "?"
            rows[uid] = (name, f"{name.replace('_', ' ').capitalize()}: reported by the client's own scan at {when}", "scan")
    stored = decode(client.states)
    for uid, value in stored.items():  # deployment results (failed) arrive as stored states too
        if uid not in rows and value & 3 == FAILED:
            rows[uid] = ("failed", "Failed: the client reported that the install failed", "scan")
    U_ = U
    ids = list(rows)
    if include_not_applicable or not reported:
        ids = list(view.updates)
    details = {}
    for chunk_start in range(0, len(ids), 900):
        chunk = ids[chunk_start:chunk_start + 900]
        for r in session.execute(select(U_.c.id, U_.c.kb, U_.c.product_id, U_.c.product, U_.c.title, U_.c.severity).where(U_.c.id.in_(chunk))):
            details[r.id] = r
    out = []
    caveat = f" (the inventory's KB list is incomplete: {client.inventory_note})" if client.inventory_note else ""
    for uid in ids:
        d = details.get(uid)
        if d is None:
            continue
        if not reported:
            state, reason, source = "unknown", _unknown_reason(client), "none"
        else:
            state, reason, source = rows.get(uid, ("not_required", f"Not required: {d.product} is not installed on this client", "evaluation"))
            if state == "required" and source == "evaluation":
                reason += caveat
        out.append(ClientUpdateState(uid, d.kb, d.product_id, d.product, d.title, d.severity, state, reason, source))
    order = {"failed": 0, "required": 1, "unknown": 2, "installed": 3, "not_required": 4}
    out.sort(key=lambda r: (order[r.state], -(view.updates[r.update_id].severity_rank if r.update_id in view.updates else 0), r.kb, r.product))
    return out


def _unknown_reason(client: Client) -> str:
    if client.last_inventory is not None:
        return f"Unknown: the client's OS ({client.os_name or 'not reported'}) matches no product in the catalog"
    return "Unknown: no inventory or scan from this client yet"


@dataclass
class CollectionCompliance:
    id: int
    name: str
    kind: str
    members: int
    reported: int
    compliant: int
    unknown: int
    compliant_pct: float | None


def collection_compliance(session: Session) -> list[CollectionCompliance]:
    rows = session.execute(select(COL.c.id, COL.c.name, COL.c.kind, COL.c.members, COL.c.reported, COL.c.compliant).order_by(COL.c.kind != "builtin", COL.c.name))
    return [CollectionCompliance(i, n, k, m, r, c, m - r, percent(c, m)) for i, n, k, m, r, c in rows]


@dataclass
class Triage:
    collection: CollectionCompliance | None
    most_missing: list[UpdateCompliance]
    least_compliant: list
    silent: list
    silent_count: int
    trend: list[tuple[date, float | None]]


def triage(session: Session, *, collection_id: int, silent_days: int = 7, top: int = 8, now: datetime | None = None) -> Triage:
    now = now or utcnow()
    collection = next((c for c in collection_compliance(session) if c.id == collection_id), None)
    most = page_update_compliance(
        session, collection_id=collection_id, filter=UpdateFilter(severity="Critical,Important"),
        sort="required", limit=top, only_needed=True,
    )
    # All Systems is every client: no membership filter, so both lists read the top of an index.
    scope = [] if collection and collection.kind == "builtin" else [C.c.id.in_(select(M.c.client_id).where(M.c.collection_id == collection_id))]
    least = list(session.execute(
        select(C.c.id, C.c.name, C.c.os_product, C.c.required_count, C.c.critical_missing, C.c.important_missing, C.c.failed_count)
        .where(*scope, known_state_sql(), (C.c.required_count > 0) | (C.c.failed_count > 0))
        .order_by(C.c.critical_missing.desc(), C.c.failed_count.desc(), C.c.required_count.desc())
        .limit(top)
    ))
    cutoff = now - timedelta(days=silent_days)
    never = list(session.execute(
        select(C.c.id, C.c.name, C.c.os_product, C.c.last_report.label("last")).where(*scope, C.c.last_report.is_(None)).limit(top)
    ))
    oldest = list(session.execute(
        select(C.c.id, C.c.name, C.c.os_product, C.c.last_report.label("last"))
        .where(*scope, C.c.last_report < cutoff).order_by(C.c.last_report.asc()).limit(top)
    ))
    silent_count = session.execute(
        select(func.count()).select_from(C).where(*scope, (C.c.last_report.is_(None)) | (C.c.last_report < cutoff))
    ).scalar_one()
    trend = [
        (day, percent(compliant, members_))
        for day, compliant, members_ in session.execute(
            select(SNAP.c.day, SNAP.c.compliant, SNAP.c.members).where(SNAP.c.collection_id == collection_id).order_by(SNAP.c.day.desc()).limit(30)
        )
    ][::-1]
    return Triage(collection, most, least, (never + oldest)[:top], silent_count, trend)


def take_snapshot(session: Session, *, day: date | None = None) -> int:
    """Record today's compliance of every collection (one row per day; a later call the same day updates it)."""
    day = day or utcnow().date()
    rows = []
    for c in collection_compliance(session):
        required = session.execute(select(func.coalesce(func.sum(US.c.required), 0)).where(US.c.collection_id == c.id)).scalar_one()
        rows.append(dict(day=day, collection_id=c.id, members=c.members, reported=c.reported, compliant=c.compliant, required=required))
    if rows:
        upsert(session, SNAP, rows, keys=[SNAP.c.day, SNAP.c.collection_id],
               update=["members", "reported", "compliant", "required"])
    return len(rows)


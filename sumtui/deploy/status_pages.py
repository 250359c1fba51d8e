"""Deployment status a page at a time, for the console's monitoring screens: the (client, update) pairs
of one deployment (a deployment of 60 updates to 100k clients has 6M pairs, most of them "not required"
and without a row), narrowed by state, client name and exit code; the failure codes with their meaning
and count; and how long a finished deployment took to converge.

Paging is client-major, as `deployments show` orders the pairs (client name, then KB): a `PairIndex`
holds the matching clients in that order with how many pairs each has (every client has one per update
when nothing narrows the view; otherwise one grouped read of the deployment's stored rows says how
many), so a page is found by bisection and read for its few clients only (their facts and stored rows,
by primary key), whatever its offset. The sentences are `status.explain`'s, the same `deployments show`
and the what-if print. A pair without a stored row is "not required", as in `status`.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import timedelta
from itertools import accumulate

from sqlalchemy import func, select
from sqlmodel import Session

from sumtui.deploy.install_codes import hex_code, meaning
from sumtui.deploy.models import Deployment
from sumtui.deploy.state_codes import CODES, DONE, ERRORS, FAILED, NOT_REQUIRED, SOURCE_COMPLIANCE, name_of
from sumtui.deploy.status import DS, DU, C, ClientState, M, U, _ClientFacts, explain
from sumtui.timeutil import as_utc

CHUNK = 900  # ids per IN (...): under SQLite's variable limit


@dataclass(frozen=True)
class PairQuery:
    """Which pairs of a deployment: every one, or those in `states` (names), of clients whose name
    contains each word of `search` (case ignored), with the installer exit code `code` when given."""

    deployment_id: int
    states: tuple[str, ...] = ()
    search: str = ""
    code: int | None = None

    @property
    def codes(self) -> frozenset[int]:
        return frozenset(CODES[name] for name in self.states if name in CODES)


@dataclass(frozen=True)
class PairIndex:
    """The clients with a matching pair, in `deployments show`'s order, and where each one's pairs start."""

    deployment: Deployment | None
    updates: tuple  # (id, kb, product) rows in KB order
    clients: tuple[int, ...]  # client ids
    ends: tuple[int, ...]  # ends[i]: the pairs of clients[0..i]

    @property
    def total(self) -> int:
        return self.ends[-1] if self.ends else 0


def _members(session: Session, deployment: Deployment, search: str) -> list[tuple[int, str]]:
    query = (select(C.c.id, C.c.name).join(M, M.c.client_id == C.c.id)
             .where(M.c.collection_id == deployment.collection_id))
    for word in search.strip().upper().split():
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(C.c.name_key.like(f"%{escaped}%", escape="\\"))
    # Python's casefold order, as status.client_states sorts: the same order as the CLI's.
    return sorted(session.execute(query).all(), key=lambda r: r.name.casefold())


def pair_index(session: Session, query: PairQuery) -> PairIndex:
    deployment = session.get(Deployment, query.deployment_id)
    if deployment is None:
        return PairIndex(None, (), (), ())
    updates = tuple(sorted(session.execute(select(U.c.id, U.c.kb, U.c.product).join(DU, DU.c.update_id == U.c.id)
                                           .where(DU.c.deployment_id == deployment.id)),
                           key=lambda u: (len(u.kb), u.kb, u.product)))
    members = _members(session, deployment, query.search)
    per_update = len(updates)
    if not query.states and query.code is None:
        counts = [per_update] * len(members)
    else:
        wanted = query.codes or frozenset(CODES.values())
        stored: dict[int, int] = {}  # client → stored rows (any state)
        matching: dict[int, int] = {}  # client → stored rows in a wanted state (and with the code)
        statement = select(DS.c.client_id, DS.c.state, func.count()).where(DS.c.deployment_id == deployment.id)
        if query.code is not None:
            statement = statement.where(DS.c.code == query.code)
        rowless = NOT_REQUIRED in wanted and query.code is None
        if not rowless:  # only the rows in the wanted states count: the others need not be read
            statement = statement.where(DS.c.state.in_(sorted(wanted)))
        for client_id, state, count in session.execute(statement.group_by(DS.c.client_id, DS.c.state)):
            stored[client_id] = stored.get(client_id, 0) + count
            if state in wanted:
                matching[client_id] = matching.get(client_id, 0) + count
        # Pairs without a row are not required (and have no exit code).
        counts = [matching.get(cid, 0) + (per_update - stored.get(cid, 0) if rowless else 0) for cid, _ in members]
    kept = [(cid, n) for (cid, _), n in zip(members, counts, strict=True) if n > 0]
    return PairIndex(deployment, updates, tuple(cid for cid, _ in kept), tuple(accumulate(n for _, n in kept)))


def count_pairs(session: Session, query: PairQuery) -> int:
    return pair_index(session, query).total


def page_pairs(session: Session, query: PairQuery, *, offset: int, limit: int,
               index: PairIndex | None = None) -> list[ClientState]:
    """Pairs `offset` .. `offset + limit - 1` in `deployments show`'s order, each with its sentence (`index`:
    this query's, when the caller kept it)."""
    index = index or pair_index(session, query)
    if index.deployment is None or offset >= index.total or limit <= 0:
        return []
    first = bisect_right(index.ends, offset)
    last = min(len(index.clients) - 1, bisect_right(index.ends, offset + limit - 1))
    ids = index.clients[first:last + 1]
    skip = offset - (index.ends[first - 1] if first else 0)
    pairs = _pairs_of(session, index, ids, query)
    return pairs[skip:skip + limit]


def _pairs_of(session: Session, index: PairIndex, ids: tuple[int, ...], query: PairQuery) -> list[ClientState]:
    """The matching pairs of these clients, in order (status.client_states, for a few clients)."""
    deployment = index.deployment
    facts: dict[int, _ClientFacts] = {}
    stored: dict[tuple[int, int], object] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        for r in session.execute(select(C.c.id, C.c.name, C.c.last_inventory, C.c.last_scan, C.c.os_product,
                                        C.c.last_policy_at).where(C.c.id.in_(chunk))):
            times = [as_utc(t) for t in (r.last_inventory, r.last_scan) if t is not None]
            known = r.last_scan is not None or (r.last_inventory is not None and r.os_product is not None)
            facts[r.id] = _ClientFacts(r.name, known, bool(times), r.last_policy_at, max(times) if times else None)
        for r in session.execute(select(DS).where(DS.c.deployment_id == deployment.id, DS.c.client_id.in_(chunk))):
            stored[(r.client_id, r.update_id)] = r
    wanted = query.codes
    out = []
    for client_id in ids:
        client = facts.get(client_id)
        if client is None:
            continue  # removed since the index was read
        for u in index.updates:
            row = stored.get((client_id, u.id))
            state = row.state if row is not None else NOT_REQUIRED
            if wanted and state not in wanted:
                continue
            code = row.code if row is not None else None
            if query.code is not None and code != query.code:
                continue
            reason = explain(state=state, source=row.source if row is not None else SOURCE_COMPLIANCE,
                             reason=row.reason if row is not None else None, code=code, kb=u.kb, client=client,
                             deployment=deployment)
            out.append(ClientState(client.name, u.kb, u.product, name_of(state), hex_code(code) if code is not None else None,
                                   reason, as_utc(row.at) if row is not None else None))
    return out


@dataclass(frozen=True)
class ErrorCode:
    """One failure code of a deployment: how many (client, update) pairs stand failed with it."""

    code: int | None  # None: failed without an exit code (a download failure, say)
    state: str  # failed or download_failed
    count: int

    @property
    def hex(self) -> str:
        return hex_code(self.code) if self.code is not None else "—"

    @property
    def meaning(self) -> str:
        if self.code is None:
            return "no exit code reported (see each client's sentence)"
        return meaning(self.code)


def error_codes(session: Session, *, deployment_id: int) -> list[ErrorCode]:
    """The codes of the pairs that failed, most frequent first."""
    query = (select(DS.c.code, DS.c.state, func.count()).where(DS.c.deployment_id == deployment_id,
                                                              DS.c.state.in_(sorted(ERRORS)))
             .group_by(DS.c.code, DS.c.state))
    rows = [ErrorCode(code, name_of(state), count) for code, state, count in session.execute(query)]
    return sorted(rows, key=lambda e: (-e.count, e.state != name_of(FAILED), e.code if e.code is not None else -1))


def convergence(session: Session, *, deployment_id: int, counts: dict[str, int], pairs: int) -> timedelta | None:
    """How long a deployment took from when clients could act on it to its last (client, update) pair
    arriving (installed, pending restart or not required); None while any pair is still on its way."""
    if not pairs or sum(counts.get(name_of(code), 0) for code in DONE) < pairs:
        return None
    deployment = session.get(Deployment, deployment_id)
    if deployment is None:
        return None
    last = session.execute(select(func.max(DS.c.at)).where(DS.c.deployment_id == deployment_id)).scalar_one()
    if last is None:
        return timedelta(0)
    start = as_utc(deployment.created_at)
    if deployment.available is not None and not deployment.local_time:
        start = max(start, as_utc(deployment.available))
    return max(timedelta(0), as_utc(last) - start)


def convergence_text(value: timedelta | None) -> str:
    """'2 h 05 min', '40 s'; '' while converging."""
    if value is None:
        return ""
    seconds = int(value.total_seconds())
    if seconds < 60:
        return f"{seconds} s"
    minutes, _ = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"

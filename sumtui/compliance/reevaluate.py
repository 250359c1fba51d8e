"""Re-evaluation of clients: after a sync (the whole fleet) and when a client reports (that client only).

Clients with the same inventory profile share one evaluation (a fleet has far fewer distinct patch
levels than machines), and the changes are written as differences with their summaries.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from sumtui.catalog.store import chunks
from sumtui.compliance.apply import ClientChange, apply_changes, memberships
from sumtui.compliance.evaluate import ClientProfile, evaluate_states
from sumtui.compliance.models import EVALUATED, SCANNED, ScanState
from sumtui.compliance.states import StateMap, code, decode
from sumtui.compliance.view import CatalogView, load_view
from sumtui.fleet.models import Client, has_known_state
from sumtui.timeutil import utcnow

C = Client.__table__
SS = ScanState.__table__


@dataclass
class ReevalResult:
    clients: int = 0
    evaluated: int = 0
    profiles: int = 0
    rows_written: int = 0
    seconds: float = 0.0


def profile_of(row) -> ClientProfile:
    return ClientProfile(
        os_product=row.os_product,
        build=row.build,
        ubr=row.ubr,
        installed=frozenset((row.installed_kbs or "").split()),
        reported_products=tuple(json.loads(row.reported_products or "[]")),
        edition=row.edition,
    )


def scan_states(session: Session, client_ids: Sequence[int]) -> dict[int, dict[int, int]]:
    out: dict[int, dict[int, int]] = {}
    for batch in chunks(sorted(client_ids), 5000):
        for cid, uid, state in session.execute(select(SS.c.client_id, SS.c.update_id, SS.c.state).where(SS.c.client_id.in_(batch))):
            out.setdefault(cid, {})[uid] = state
    return out


def merged_states(evaluated: dict[int, int], scanned: dict[int, int] | None) -> StateMap:
    """Evaluation, overridden update by update by what the client's own scan reported (it wins)."""
    states: StateMap = {uid: code(state, EVALUATED) for uid, state in evaluated.items()}
    for uid, state in (scanned or {}).items():
        if state == 0:
            states.pop(uid, None)
        else:
            states[uid] = code(state, SCANNED)
    return states


def reevaluate(
    session: Session,
    *,
    client_ids: Sequence[int] | None = None,
    view: CatalogView | None = None,
    progress: Callable[[int, int], None] | None = None,
    batch_size: int = 5000,
    commit_batches: bool = False,
    previously_reported: dict[int, bool] | None = None,
) -> ReevalResult:
    """Re-evaluate these clients (all when None). `previously_reported` tells, for clients whose report
    is being applied in this transaction, whether they had reported before (their row already says so)."""
    started = time.perf_counter()
    view = view or load_view(session)
    catalog_kbs = view.kbs
    severity = {uid: u.severity_rank for uid, u in view.updates.items()}
    query = select(
        C.c.id, C.c.os_product, C.c.edition, C.c.build, C.c.ubr, C.c.installed_kbs, C.c.reported_products,
        C.c.states, C.c.last_inventory, C.c.last_scan,
    ).order_by(C.c.id)
    if client_ids is not None:
        ids = sorted(set(client_ids))
        rows = [r for batch in chunks(ids, 5000) for r in session.execute(query.where(C.c.id.in_(batch)))]
    else:
        rows = list(session.execute(query))
    result = ReevalResult(clients=len(rows))
    cache: dict[tuple, dict[int, int]] = {}
    now = utcnow()
    done = 0
    for batch in chunks(rows, batch_size):
        ids = [r.id for r in batch]
        member_of = memberships(session, ids)
        scans = scan_states(session, [r.id for r in batch if r.last_scan is not None])
        changes = []
        for row in batch:
            evaluated: dict[int, int] = {}
            # An inventory of an OS the catalog does not know says nothing reliable: the client stays Unknown.
            if row.last_inventory is not None and row.os_product is not None:
                profile = profile_of(row)
                key = profile.cache_key(catalog_kbs)
                evaluated = cache.get(key)
                if evaluated is None:
                    evaluated = evaluate_states(view, profile)
                    cache[key] = evaluated
                result.evaluated += 1
            reported = has_known_state(last_inventory=row.last_inventory, last_scan=row.last_scan, os_product=row.os_product)
            was = previously_reported.get(row.id, reported) if previously_reported else reported
            changes.append(
                ClientChange(
                    client_id=row.id, old=decode(row.states), new=merged_states(evaluated, scans.get(row.id)),
                    was_reported=was, is_reported=reported, severity=severity,
                    extra={"evaluated_at": now} if reported else {},
                )
            )
        result.rows_written += apply_changes(session, changes, member_of=member_of)
        if commit_batches:
            session.commit()
        done += len(batch)
        if progress:
            progress(done, len(rows))
    result.profiles = len(cache)
    result.seconds = time.perf_counter() - started
    return result

"""NAP evaluation (SCCM 2007 checklist stage 11): updates flagged for health evaluation with an
effective date, and each client's health verdict for a network access system to consume.

A client is healthy when every flagged update that is effective by now and that it needs is
installed: an update that does not apply to it (not required) never makes it unhealthy. A client
whose compliance is not known (it never reported an inventory of a mapped OS or a scan) is unhealthy:
nothing vouches for it. Its `effective` is when it became unhealthy: the earliest effective date among
what it misses.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlmodel import Session

from sumtui.catalog.models import Update
from sumtui.compliance.models import FAILED, REQUIRED
from sumtui.compliance.states import decode
from sumtui.db.engine import upsert
from sumtui.deploy.models import NapFlag
from sumtui.fleet.models import Client
from sumtui.timeutil import as_utc, utcnow

N = NapFlag.__table__
U = Update.__table__
C = Client.__table__


def flag_updates(session: Session, *, update_ids: Iterable[int], effective: datetime, source: str,
                 now: datetime | None = None) -> int:
    """Flag updates for NAP evaluation from `effective` on (a flag already there takes the new date)."""
    ids = sorted(set(update_ids))
    now = now or utcnow()
    rows = [dict(update_id=uid, effective=as_utc(effective), source=source[:120], flagged_at=now) for uid in ids]
    for start in range(0, len(rows), 500):
        upsert(session, N, rows[start:start + 500], keys=[N.c.update_id], update=["effective", "source", "flagged_at"])
    return len(rows)


def unflag_updates(session: Session, *, update_ids: Iterable[int]) -> int:
    ids = sorted(set(update_ids))
    removed = 0
    for start in range(0, len(ids), 900):
        removed += session.execute(delete(N).where(N.c.update_id.in_(ids[start:start + 900]))).rowcount or 0
    return removed


@dataclass(frozen=True)
class NapFlagRow:
    update_id: int
    kb: str
    product: str
    effective: datetime
    source: str

    def as_row(self) -> dict:
        return {"kb": f"KB{self.kb}", "product": self.product, "effective": self.effective.isoformat(), "source": self.source}


def list_flags(session: Session) -> list[NapFlagRow]:
    query = select(N.c.update_id, U.c.kb, U.c.product, N.c.effective, N.c.source).join(U, U.c.id == N.c.update_id)
    rows = [NapFlagRow(r.update_id, r.kb, r.product, as_utc(r.effective), r.source) for r in session.execute(query)]
    return sorted(rows, key=lambda r: (r.effective, len(r.kb), r.kb))


@dataclass(frozen=True)
class NapVerdict:
    client: str
    healthy: bool
    missing: tuple[str, ...]  # 'KB5048652', ...
    effective: datetime | None  # since when unhealthy (the earliest effective date of what it misses)
    reason: str

    def as_row(self) -> dict:
        return {"client": self.client, "healthy": self.healthy, "missing": list(self.missing),
                "effective": self.effective.isoformat() if self.effective else None, "reason": self.reason}


def verdicts(session: Session, *, now: datetime | None = None, unhealthy_only: bool = False) -> list[NapVerdict]:
    """Every client's verdict, by name (only the unhealthy ones when asked)."""
    now = now or utcnow()
    flags = {f.update_id: f for f in list_flags(session) if f.effective <= now}
    out = []
    query = select(C.c.name, C.c.name_key, C.c.states, C.c.last_inventory, C.c.last_scan, C.c.os_product).order_by(C.c.name_key)
    for r in session.execute(query):
        known = r.last_scan is not None or (r.last_inventory is not None and r.os_product is not None)
        if not known:
            earliest = min((f.effective for f in flags.values()), default=None)
            verdict = NapVerdict(r.name, False, (), earliest,
                                 "unknown: the client has not reported an inventory of a known OS or a scan")
            if flags:
                out.append(verdict)
            elif not unhealthy_only:
                out.append(NapVerdict(r.name, True, (), None, "no update is flagged for NAP evaluation"))
            continue
        states = decode(r.states)
        missing = [flags[uid] for uid, value in states.items() if uid in flags and value & 3 in (REQUIRED, FAILED)]
        if missing:
            kbs = tuple(dict.fromkeys(f"KB{f.kb}" for f in sorted(missing, key=lambda f: (f.effective, f.kb))))
            out.append(NapVerdict(r.name, False, kbs, min(f.effective for f in missing),
                                  f"needs {len(kbs)} update(s) flagged for NAP evaluation and effective by now"))
        elif not unhealthy_only:
            out.append(NapVerdict(r.name, True, (), None, f"every NAP update it needs is installed ({len(flags)} flagged "
                                                         "and effective)"))
    return out

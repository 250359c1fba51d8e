"""Supersedence derived at sync time (DESIGN.md §2 rule 2), because MSRC's own `Supercedence` chains
break, components appear only in some months, and Security Only updates are never superseded.

Computed over the whole catalog after every sync or import:
- each KB's release month: the month whose document names it for the most CVEs (the later on a tie);
- each update's role: cumulative, ssu, security_only, ie_cumulative, hotpatch, dynamic or other;
- edges (newer KB supersedes older KB): MSRC's own; each month's cumulative update of a product over
  the previous one; servicing stack updates as their own family; a Security Only, IE Cumulative or
  hotpatch update of month m covered by the OS's cumulative update of month m or later.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date

from sqlalchemy import bindparam, delete, func, select
from sqlmodel import Session

from sumtui.catalog.models import Document, SupersedenceEdge, Update, UpdateSource, UpdateSupersedes
from sumtui.catalog.store import chunks

U = Update.__table__
S = UpdateSource.__table__
D = Document.__table__
SUP = UpdateSupersedes.__table__
E = SupersedenceEdge.__table__

# "the one that fixes the most CVEs for it, then by that order of subtype"
CUMULATIVE_SUBTYPES = {"monthly rollup": 4, "cumulative update": 3, "security update": 2, "update": 1}
SSU_ADVISORY = "ADV990001"  # MSRC's "Latest Servicing Stack Updates" entry
_OS_PRODUCT = re.compile(r"^Windows (Vista|7|8|8\.1|10|11|RT|Server)\b", re.IGNORECASE)


def is_os_product(name: str) -> bool:
    return bool(_OS_PRODUCT.match(name.strip())) and " on " not in name


def host_os(name: str) -> str | None:
    """'Internet Explorer 11 on Windows Server 2012 R2' → 'Windows Server 2012 R2'; an OS product → itself."""
    if is_os_product(name):
        return name
    at = name.find(" on Windows ")
    return name[at + 4 :] if at >= 0 else None


def has_cumulative_family(name: str) -> bool:
    """Products whose monthly updates are cumulative: Windows itself and the components serviced with it
    (IE, EdgeHTML Edge, .NET Framework). Office and server products ship several independent KBs a
    month, so a "biggest KB of the month" there supersedes nothing."""
    return is_os_product(name) or host_os(name) is not None


def role_of(subtype: str | None, *, ssu_advisory: bool) -> str | None:
    text = (subtype or "").lower()
    if "dynamic" in text:
        return "dynamic"
    if "servicing stack" in text or ssu_advisory:
        return "ssu"
    if "security only" in text:
        return "security_only"
    if "ie cumulative" in text:
        return "ie_cumulative"
    if "hotpatch" in text:
        return "hotpatch"
    return None


def refresh_derived(session: Session) -> int:
    """Recompute roles, release months and edges; returns the number of edges."""
    months = _kb_release_months(session)
    ssu_ids = set(session.execute(select(S.c.update_id).where(S.c.cve == SSU_ADVISORY).distinct()).scalars())
    rows = list(session.execute(select(U.c.id, U.c.kb, U.c.product_id, U.c.product, U.c.subtype, U.c.cve_count, U.c.role, U.c.kb_month)))
    roles: dict[int, str] = {}
    candidates: dict[tuple[str, date | None], list] = defaultdict(list)
    for r in rows:
        role = role_of(r.subtype, ssu_advisory=r.id in ssu_ids)
        if role:
            roles[r.id] = role
        elif has_cumulative_family(r.product) and (r.subtype or "").lower() in CUMULATIVE_SUBTYPES:
            candidates[(r.product_id, months.get(r.kb))].append(r)
    for group in candidates.values():
        best = max((r.cve_count, CUMULATIVE_SUBTYPES[(r.subtype or "").lower()]) for r in group)
        for r in group:
            if (r.cve_count, CUMULATIVE_SUBTYPES[(r.subtype or "").lower()]) == best:
                roles[r.id] = "cumulative"  # a tie makes both cumulative
    changed = []
    for r in rows:
        role, month = roles.get(r.id, "other"), months.get(r.kb)
        if (role, month) != (r.role, r.kb_month):
            changed.append(dict(b_id=r.id, role=role, kb_month=month))
    if changed:
        session.execute(U.update().where(U.c.id == bindparam("b_id")).values(role=bindparam("role"), kb_month=bindparam("kb_month")), changed)
    edges = _edges(session, rows, roles, months)
    session.execute(delete(E))
    for batch in chunks(edges.values(), 2000):
        session.execute(E.insert(), batch)
    return len(edges)


def _kb_release_months(session: Session) -> dict[str, date | None]:
    counts = session.execute(
        select(U.c.kb, D.c.month, S.c.document, func.count(func.distinct(S.c.cve)))
        .select_from(S.join(U, U.c.id == S.c.update_id).join(D, D.c.id == S.c.document))
        .group_by(U.c.kb, D.c.month, S.c.document)
    )
    best: dict[str, tuple[int, date, date | None]] = {}
    for kb, month, _doc, n in counts:
        key = (n, month or date.min, month)
        if kb not in best or key[:2] > best[kb][:2]:
            best[kb] = key
    return {kb: value[2] for kb, value in best.items()}


def _edges(session: Session, rows, roles: dict[int, str], months: dict[str, date | None]) -> dict[tuple[str, str], dict]:
    edges: dict[tuple[str, str], dict] = {}

    def add(newer: str, older: str, kind: str, product_id: str | None) -> None:
        if newer != older and (newer, older) not in edges:
            edges[(newer, older)] = dict(newer_kb=newer, older_kb=older, kind=kind, product_id=product_id)

    for kb, older, product_id in session.execute(select(U.c.kb, SUP.c.kb, U.c.product_id).join(U, U.c.id == SUP.c.update_id)):
        add(kb, older, "msrc", product_id)

    def order(r) -> tuple:
        return (months.get(r.kb) or date.min, int(r.kb))

    by_product: dict[tuple[str, str], list] = defaultdict(list)
    names: dict[str, str] = {}
    for r in rows:
        names[r.product_id] = r.product
        role = roles.get(r.id)
        if role in ("cumulative", "ssu"):
            by_product[(role, r.product_id)].append(r)
    cumulative_by_os: dict[str, list] = defaultdict(list)
    for (role, product_id), group in by_product.items():
        kind = "cumulative" if role == "cumulative" else "ssu"
        # Each month's update(s) supersede the previous month's; two tied in one month supersede
        # each other's predecessors, not each other.
        by_month: dict[date, set[str]] = defaultdict(set)
        for r in group:
            by_month[months.get(r.kb) or date.min].add(r.kb)
        ordered = sorted(by_month)
        for previous, current in zip(ordered, ordered[1:]):
            for newer in by_month[current]:
                for older in by_month[previous] - by_month[current]:
                    add(newer, older, kind, product_id)
        if role == "cumulative" and is_os_product(names[product_id]):
            cumulative_by_os[names[product_id]].extend(group)
    for r in rows:
        if roles.get(r.id) not in ("security_only", "ie_cumulative", "hotpatch"):
            continue
        os_name, month = host_os(r.product), months.get(r.kb)
        if not os_name or month is None:
            continue
        later = [c for c in cumulative_by_os.get(os_name, []) if (months.get(c.kb) or date.min) >= month]
        if later:
            cover = min(later, key=order)
            add(cover.kb, r.kb, "covered", r.product_id)
    return edges

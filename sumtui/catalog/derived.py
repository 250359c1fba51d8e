"""Supersedence derived at sync time (DESIGN.md §2 rule 2), because MSRC's own `Supercedence` chains
break, components appear only in some months, and Security Only updates are never superseded.

Computed over the whole catalog after every sync or import:
- each KB's release month: the month whose document names it for the most CVEs (the later on a tie),
  except that a KB ADV990001 names is dated by that advisory's latest revision;
- each update's role: cumulative, ssu, security_only, ie_cumulative, hotpatch, dynamic, wrong_build
  or other, from its SubType compared normalised (a row saying "Other" takes its KB's kind);
- edges (newer KB supersedes older KB): MSRC's own; each month's cumulative update of a product over
  the previous one; among an OS product's cumulative updates on one build, a higher FixedBuild
  revision over a lower one; servicing stack updates as their own family; a Security Only, IE
  Cumulative or hotpatch update of month m covered by the OS's cumulative update of month m or later.

Products are grouped by identity (catalog/identity.py), not ProductID, so a .NET line keeps one
cumulative family across MSRC's renames and id changes.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import date, datetime
from itertools import pairwise

from sqlalchemy import bindparam, delete, func, select
from sqlmodel import Session

from sumtui.catalog.identity import build_family, build_tuple, product_key, subtype_kind
from sumtui.catalog.models import (
    Document,
    SupersedenceEdge,
    Update,
    UpdateSource,
    UpdateSupersedes,
)
from sumtui.catalog.parsed import SSU_ADVISORY
from sumtui.catalog.store import chunks

U = Update.__table__
S = UpdateSource.__table__
D = Document.__table__
SUP = UpdateSupersedes.__table__
E = SupersedenceEdge.__table__

# "the one that fixes the most CVEs for it, then by that order of subtype" (normalised SubTypes)
CUMULATIVE_SUBTYPES = {"monthlyrollup": 4, "cumulativeupdate": 3, "securityupdate": 2, "update": 1}
_UNNAMED = ("", "other")  # a row that names no kind takes the kind its KB's other rows give
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
    """The role a SubType gives, however MSRC spells it ("Setup DU", "Safe OS DU", "SetupDynamic",
    "ServicingStackUpdate" …); None for the kinds that compete for the month's cumulative update."""
    kind = subtype_kind(subtype)
    # Setup and Safe OS dynamic updates ("… DU") only ever serve Windows setup: never offered.
    if "dynamic" in kind or kind.endswith("du") or kind.startswith(("setup", "safeos")):
        return "dynamic"
    if "servicingstack" in kind or kind == "ssu" or ssu_advisory:
        return "ssu"
    if "securityonly" in kind:
        return "security_only"
    if "iecumulative" in kind or "internetexplorercumulative" in kind:
        return "ie_cumulative"
    if "hotpatch" in kind:
        return "hotpatch"
    return None


def refresh_derived(session: Session) -> int:
    """Recompute roles, release months and edges; returns the number of edges."""
    months = _kb_release_months(session)
    ssu_ids = set(session.execute(select(S.c.update_id).where(S.c.cve == SSU_ADVISORY).distinct()).scalars())
    rows = list(session.execute(select(
        U.c.id, U.c.kb, U.c.product_id, U.c.product, U.c.subtype, U.c.cve_count, U.c.fixed_build, U.c.role, U.c.kb_month,
    )))
    keys = {r.id: product_key(r.product) for r in rows}
    roles, builds = _roles(rows, keys, months, ssu_ids)
    changed = []
    for r in rows:
        role, month = roles.get(r.id, "other"), months.get(r.kb)
        if (role, month) != (r.role, r.kb_month):
            changed.append(dict(b_id=r.id, role=role, kb_month=month))
    if changed:
        session.execute(U.update().where(U.c.id == bindparam("b_id")).values(role=bindparam("role"), kb_month=bindparam("kb_month")), changed)
    edges = _edges(session, rows, roles, months, keys, builds)
    session.execute(delete(E))
    for batch in chunks(edges.values(), 2000):
        session.execute(E.insert(), batch)
    return len(edges)


def _roles(rows, keys: dict[int, str], months: dict[str, date | None], ssu_ids: set[int]):
    """Each row's role (rows without one are "other"), and the build of each OS product that has one."""
    kinds = _kinds(rows)
    roles: dict[int, str] = {}
    contenders = []
    for r in rows:
        role = role_of(kinds[r.id], ssu_advisory=r.id in ssu_ids)
        if role:
            roles[r.id] = role
        elif has_cumulative_family(r.product) and kinds[r.id] in CUMULATIVE_SUBTYPES:
            contenders.append(r)
    builds = _product_builds(contenders, keys)
    candidates: dict[tuple[str, date | None], list] = defaultdict(list)
    on_build: dict[tuple[str, tuple[int, ...]], list] = defaultdict(list)  # (product, build + revision) → rows
    for r in contenders:
        fixed = _os_build(r, keys, builds)
        if fixed is not None and build_family(fixed) != builds[keys[r.id]]:
            roles[r.id] = "wrong_build"  # a catalog error (rule 4): it competes for nothing
            continue
        if fixed is not None:
            on_build[(keys[r.id], build_family(fixed) + fixed[3:])].append(r)
        candidates[(keys[r.id], months.get(r.kb))].append(r)
    for group in candidates.values():
        best = max((r.cve_count, CUMULATIVE_SUBTYPES[kinds[r.id]]) for r in group)
        for r in group:
            if (r.cve_count, CUMULATIVE_SUBTYPES[kinds[r.id]]) == best:
                roles[r.id] = "cumulative"  # a tie makes both cumulative
    # A FixedBuild revision is an OS build only a cumulative update produces: an out-of-band or second
    # release of a month is one too, though it fixes fewer CVEs than the month's. A KB listing the same
    # revision as another KB is a standalone fix shipped beside that cumulative update.
    for group in on_build.values():
        if len({r.kb for r in group}) == 1:
            for r in group:
                roles[r.id] = "cumulative"
    return roles, builds


def _kinds(rows) -> dict[int, str]:
    """Each row's normalised SubType; a row saying "Other" (or nothing) takes its KB's kind, the one
    its other product rows give most."""
    named: dict[str, Counter] = defaultdict(Counter)
    for r in rows:
        kind = subtype_kind(r.subtype)
        if kind not in _UNNAMED:
            named[r.kb][kind] += 1
    out = {}
    for r in rows:
        kind = subtype_kind(r.subtype)
        if kind in _UNNAMED and named.get(r.kb):
            kind = max(named[r.kb].items(), key=lambda item: (item[1], item[0]))[0]
        out[r.id] = kind
    return out


def _os_build(r, keys: dict[int, str], builds: dict[str, tuple[int, int, int]]) -> tuple[int, ...] | None:
    """The row's FixedBuild when it is an OS product's full build number and that product's build is known."""
    fixed = build_tuple(r.fixed_build)
    if fixed is None or len(fixed) != 4 or keys[r.id] not in builds or not is_os_product(r.product):
        return None
    return fixed


def _product_builds(contenders, keys: dict[int, str]) -> dict[str, tuple[int, int, int]]:
    """An OS product's build: the one most of its cumulative KBs' FixedBuild values are on (no product
    name says its build; a catalog error is a stray row among dozens). None on a tie: unknown."""
    seen: dict[str, dict[str, tuple[int, int, int]]] = defaultdict(dict)
    for r in contenders:
        fixed = build_tuple(r.fixed_build)
        if fixed is not None and len(fixed) == 4 and is_os_product(r.product):
            seen[keys[r.id]][r.kb] = build_family(fixed)
    out = {}
    for key, by_kb in seen.items():
        ranked = Counter(by_kb.values()).most_common(2)
        if len(ranked) == 1 or ranked[0][1] > ranked[1][1]:
            out[key] = ranked[0][0]
    return out


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
    months = {kb: value[2] for kb, value in best.items()}
    # ADV990001 sits in a years-old document and is edited in place: its KBs are as new as the
    # advisory's latest revision that named them.
    advisory = session.execute(
        select(U.c.kb, func.max(S.c.cve_revised))
        .select_from(S.join(U, U.c.id == S.c.update_id))
        .where(S.c.cve == SSU_ADVISORY, S.c.cve_revised.is_not(None))
        .group_by(U.c.kb)
    )
    for kb, revised in advisory:
        if isinstance(revised, str):  # a raw aggregate on SQLite comes back as text
            revised = datetime.fromisoformat(revised)
        if revised is not None:
            months[kb] = date(revised.year, revised.month, 1)
    return months


def _edges(session: Session, rows, roles: dict[int, str], months: dict[str, date | None], keys: dict[int, str],
           builds: dict[str, tuple[int, int, int]]) -> dict[tuple[str, str], dict]:
    edges: dict[tuple[str, str], dict] = {}

    def add(newer: str, older: str, kind: str, product_id: str | None) -> None:
        if newer != older and (newer, older) not in edges:
            edges[(newer, older)] = dict(newer_kb=newer, older_kb=older, kind=kind, product_id=product_id)

    for kb, older, product_id in session.execute(select(U.c.kb, SUP.c.kb, U.c.product_id).join(U, U.c.id == SUP.c.update_id)):
        add(kb, older, "msrc", product_id)

    def order(r) -> tuple:
        return (months.get(r.kb) or date.min, int(r.kb))

    by_product: dict[tuple[str, str], list] = defaultdict(list)
    for r in rows:
        role = roles.get(r.id)
        if role in ("cumulative", "ssu"):
            by_product[(role, keys[r.id])].append(r)
    cumulative_by_os: dict[str, list] = defaultdict(list)
    for (role, key), group in by_product.items():
        # Each month's update(s) supersede the previous month's; two tied in one month supersede
        # each other's predecessors, not each other.
        by_month: dict[date, dict[str, str]] = defaultdict(dict)
        for r in group:
            by_month[months.get(r.kb) or date.min].setdefault(r.kb, r.product_id)
        ordered = sorted(by_month)
        for previous, current in pairwise(ordered):
            for newer, product_id in by_month[current].items():
                for older in by_month[previous].keys() - by_month[current].keys():
                    add(newer, older, role, product_id)
        if role == "cumulative" and is_os_product(group[0].product):
            cumulative_by_os[key].extend(group)
            _revision_edges(group, keys, builds, add)
    for r in rows:
        if roles.get(r.id) not in ("security_only", "ie_cumulative", "hotpatch"):
            continue
        os_name, month = host_os(r.product), months.get(r.kb)
        if not os_name or month is None:
            continue
        later = [c for c in cumulative_by_os.get(product_key(os_name), []) if (months.get(c.kb) or date.min) >= month]
        if later:
            cover = min(later, key=order)
            add(cover.kb, r.kb, "covered", r.product_id)
    return edges


def _revision_edges(group, keys, builds, add) -> None:
    """Among one OS product's cumulative updates on its build, each higher FixedBuild revision
    supersedes the next lower one (out-of-band and second releases of a month)."""
    by_revision: dict[int, dict[str, str]] = defaultdict(dict)
    for r in group:
        fixed = _os_build(r, keys, builds)
        if fixed is not None and build_family(fixed) == builds[keys[r.id]]:
            by_revision[fixed[3]].setdefault(r.kb, r.product_id)
    ordered = sorted(by_revision)
    for lower, higher in pairwise(ordered):
        for newer, product_id in by_revision[higher].items():
            for older in by_revision[lower].keys() - by_revision[higher].keys():
                add(newer, older, "revision", product_id)

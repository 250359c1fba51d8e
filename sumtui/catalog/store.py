"""Storing a parsed month: merge its facts into the catalog in one transaction, in batches.

Each month's contribution is kept as `update_source` rows and replaced wholesale when the month is
stored again; the merged `catalog_update` rows are recomputed for every update the month touches.
Nothing here deletes an update: a month that drops a KB leaves the update as an earlier sync stored it.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, delete, select, update
from sqlmodel import Session

from sumtui.catalog.models import (
    MSRC_CLASSIFICATION,
    SEVERITY_RANK,
    Document,
    Product,
    Update,
    UpdateSource,
    UpdateSupersedes,
    Vulnerability,
)
from sumtui.catalog.parsed import SSU_ADVISORY, Fact, ParsedMonth
from sumtui.catalog.settings import UpdatePointSettings, parse_month
from sumtui.db.engine import dialect_insert
from sumtui.timeutil import utcnow

CHUNK = 500
# Impact names ordered by how bad they are, to pick the impact that goes with the worst threat.
IMPACT_RANK = {
    "Remote Code Execution": 7,
    "Elevation of Privilege": 6,
    "Security Feature Bypass": 5,
    "Information Disclosure": 4,
    "Denial of Service": 3,
    "Spoofing": 2,
    "Tampering": 1,
}

U = Update.__table__
S = UpdateSource.__table__
SUP = UpdateSupersedes.__table__
P = Product.__table__
V = Vulnerability.__table__
D = Document.__table__


@dataclass
class StoreResult:
    month: str
    updates: int = 0  # updates the month names (after the product/classification selection)
    updates_new: int = 0
    updates_revised: int = 0
    vulnerabilities: int = 0


def chunks(items: Iterable, size: int = CHUNK) -> Iterator[list]:
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def month_start(month: ParsedMonth) -> date | None:
    try:
        return parse_month(month.id)
    except ValueError:
        released = month.initial_release
        return date(released.year, released.month, 1) if released else None


def store_month(
    session: Session,
    month: ParsedMonth,
    *,
    source: str,
    settings: UpdatePointSettings,
    upstream_revision: str | None = None,
) -> StoreResult:
    """Merge one month into the catalog. The caller commits (one transaction per month)."""
    result = StoreResult(month=month.id, vulnerabilities=len(month.vulnerabilities))
    _store_document(session, month, source=source, settings=settings, upstream_revision=upstream_revision)
    products, renamed = _store_products(session, month)
    facts = [
        f
        for f in month.facts
        if f.product_id in products
        and settings.wants(
            product=products[f.product_id][0], family=products[f.product_id][1], classification=MSRC_CLASSIFICATION
        )
    ]
    ids, new_ids = _ensure_updates(session, facts, products)
    named = set(ids.values())
    # Replace this month's word on the updates it still names; an update it no longer names (dropped
    # by a revision, or outside a narrowed selection) keeps what earlier syncs stored: its CVEs and
    # supersedence stay, not an empty husk.
    for batch in chunks(sorted(named)):
        session.execute(delete(S).where(S.c.document == month.id, S.c.update_id.in_(batch)))
    _insert_sources(session, facts, ids, month.id)
    revised = recompute_updates(session, named)
    _rename_updates(session, renamed, skip=named)
    _store_vulnerabilities(session, month)
    result.updates = len(ids)
    result.updates_new = len(new_ids)
    result.updates_revised = len(revised - new_ids)
    session.execute(update(D).where(D.c.id == month.id).values(updates=len(ids)))
    return result


def _store_document(session, month, *, source, settings, upstream_revision) -> None:
    values = dict(
        alias=month.alias,
        title=month.title,
        month=month_start(month),
        initial_release=month.initial_release,
        current_release=month.current_release,
        upstream_revision=upstream_revision,
        selection=settings.selection_key(),
        source=source[:1000],
        fetched_at=utcnow(),
        vulnerabilities=len(month.vulnerabilities),
    )
    stmt = dialect_insert(session, D).values(id=month.id, **values)
    session.execute(stmt.on_conflict_do_update(index_elements=[D.c.id], set_=values))


def _store_products(
    session: Session, month: ParsedMonth
) -> tuple[dict[str, tuple[str, str | None]], dict[str, str]]:
    """Upsert the month's product tree. Returns id → (name, family) for every known product, and
    id → new name for the products this month renamed.

    A product's name and family are the ones its newest month gives: storing an older month after a
    newer one (a first sync of several months, a late import) must not bring back an old spelling.
    """
    known = {row.id: row for row in session.execute(select(P))}
    this = month_start(month)
    inserts, updates = [], []
    names = {pid: (row.name, row.family) for pid, row in known.items()}
    renamed: dict[str, str] = {}
    for product in month.products.values():
        row = known.get(product.id)
        if row is None:
            inserts.append(
                dict(id=product.id, name=product.name, family=product.family, first_month=month.id, last_month=month.id)
            )
            names[product.id] = (product.name, product.family)
            continue
        first, last = row.first_month, row.last_month
        newest = _month_or_none(last)
        if this and _month_or_none(first) and this < _month_or_none(first):
            first = month.id
        # An undated month (an ID that is not "YYYY-Mon", no release date) is the newest only when
        # nothing dated is known: it cannot be ordered against one.
        is_newest = newest is None if this is None else (newest is None or this >= newest)
        if this is not None and is_newest:
            last = month.id
        name, family = row.name, row.family
        if is_newest:
            name, family = product.name, product.family or row.family
        elif not family:
            family = product.family
        if name != row.name:
            renamed[product.id] = name
        names[product.id] = (name, family)
        if (row.name, row.family, row.first_month, row.last_month) != (name, family, first, last):
            updates.append({"b_id": product.id, "name": name, "family": family, "first_month": first, "last_month": last})
    if inserts:
        session.execute(P.insert(), inserts)
    if updates:
        session.execute(
            P.update()
            .where(P.c.id == bindparam("b_id"))
            .values(name=bindparam("name"), family=bindparam("family"),
                    first_month=bindparam("first_month"), last_month=bindparam("last_month")),
            updates,
        )
    return names, renamed


def _rename_updates(session: Session, renamed: dict[str, str], *, skip: set[int]) -> None:
    """Updates keep a copy of their product's name (screens sort and search by it): a rename refreshes
    every update of the product, not only the ones this month names. Not counted as revisions."""
    if not renamed:
        return
    for pid, name in renamed.items():
        session.execute(update(U).where(U.c.product_id == pid).values(product=name[:300]))
    ids: set[int] = set()
    for batch in chunks(sorted(renamed)):
        ids.update(session.execute(select(U.c.id).where(U.c.product_id.in_(batch))).scalars())
    recompute_updates(session, ids - skip)


def _month_or_none(month_id: str | None) -> date | None:
    try:
        return parse_month(month_id) if month_id else None
    except ValueError:
        return None


def _ensure_updates(session, facts: list[Fact], products) -> tuple[dict[tuple[str, str], int], set[int]]:
    keys = {(f.kb, f.product_id) for f in facts}
    ids = _update_ids(session, keys)
    missing = keys - ids.keys()
    if missing:
        rows = []
        for kb, pid in sorted(missing):
            name = products[pid][0]
            rows.append(dict(kb=kb, product_id=pid, product=name, title=f"KB{kb} for {name}", search="", digest=""))
        session.execute(U.insert(), rows)
        fresh = _update_ids(session, missing)
        ids.update(fresh)
        return ids, set(fresh.values())
    return ids, set()


def _update_ids(session, keys: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    out: dict[tuple[str, str], int] = {}
    for batch in chunks(sorted({kb for kb, _ in keys})):
        for row in session.execute(select(U.c.id, U.c.kb, U.c.product_id).where(U.c.kb.in_(batch))):
            if (row.kb, row.product_id) in keys:
                out[(row.kb, row.product_id)] = row.id
    return out


def _insert_sources(session, facts: list[Fact], ids, document: str) -> None:
    merged: dict[tuple[int, str], dict] = {}
    for f in facts:
        key = (ids[(f.kb, f.product_id)], f.cve)
        row = merged.get(key)
        if row is None:
            merged[key] = dict(
                update_id=key[0], document=document, cve=f.cve, severity=f.severity, impact=f.impact,
                subtype=f.subtype, restart=f.restart, url=f.url, fixed_build=f.fixed_build,
                supersedes=",".join(f.supersedes), cve_revised=f.cve_revised,
            )
            continue
        # The same KB listed twice under one CVE: keep the union of what both say.
        kbs = [k for k in row["supersedes"].split(",") if k]
        row["supersedes"] = ",".join(kbs + [k for k in f.supersedes if k not in kbs])
        if SEVERITY_RANK.get(f.severity or "", 0) > SEVERITY_RANK.get(row["severity"] or "", 0):
            row["severity"], row["impact"] = f.severity, f.impact
        for name in ("subtype", "restart", "url", "fixed_build"):
            row[name] = row[name] or getattr(f, name)
    if merged:
        session.execute(S.insert(), list(merged.values()))


def recompute_updates(session: Session, update_ids: set[int]) -> set[int]:
    """Rebuild the merged view of these updates from all their sources; returns the ids whose facts changed."""
    if not update_ids:
        return set()
    docs = {row.id: row for row in session.execute(select(D.c.id, D.c.month, D.c.initial_release, D.c.current_release))}
    changed: set[int] = set()
    for batch in chunks(sorted(update_ids)):
        current = {row.id: row for row in session.execute(select(U.c.id, U.c.kb, U.c.product, U.c.digest).where(U.c.id.in_(batch)))}
        sources: dict[int, list] = defaultdict(list)
        for row in session.execute(select(S).where(S.c.update_id.in_(batch))):
            sources[row.update_id].append(row)
        values, supersedes = [], []
        for update_id in batch:
            rows = sources.get(update_id)
            head = current.get(update_id)
            if not rows or head is None:
                continue  # every source dropped by a later month: keep what was stored
            merged, kbs = _merge(head.kb, head.product, rows, docs)
            supersedes.extend(dict(update_id=update_id, kb=kb) for kb in kbs)
            if merged["digest"] != head.digest:
                changed.add(update_id)
                merged["b_id"] = update_id
                values.append(merged)
        if values:
            cols = [c for c in values[0] if c != "b_id"]
            session.execute(U.update().where(U.c.id == bindparam("b_id")).values({c: bindparam(c) for c in cols}), values)
        session.execute(delete(SUP).where(SUP.c.update_id.in_(batch)))
        if supersedes:
            session.execute(SUP.insert(), supersedes)
    return changed


def _merge(kb: str, product: str, rows: list, docs: dict) -> tuple[dict, list[str]]:
    cves = sorted({r.cve for r in rows})
    worst = max(rows, key=lambda r: (SEVERITY_RANK.get(r.severity or "", 0), IMPACT_RANK.get(r.impact or "", 0), r.impact or ""))
    per_doc = Counter(r.document for r in rows)

    def doc_month(doc_id: str) -> date:
        row = docs.get(doc_id)
        return (row.month if row is not None and row.month else None) or date.min

    # The release month: the document that names the KB for the most CVEs, the later on a tie.
    release = max(per_doc, key=lambda d: (per_doc[d], doc_month(d), d))
    newest_first = sorted(rows, key=lambda r: (doc_month(r.document), r.document), reverse=True)

    def latest(name: str) -> str | None:
        values = Counter(getattr(r, name) for r in newest_first if getattr(r, name))
        if not values:
            return None
        newest_doc = next(r.document for r in newest_first if getattr(r, name))
        in_newest = Counter(getattr(r, name) for r in newest_first if r.document == newest_doc and getattr(r, name))
        return in_newest.most_common(1)[0][0]

    kbs: list[str] = []
    for r in newest_first:
        kbs.extend(k for k in r.supersedes.split(",") if k and k not in kbs)
    release_doc = docs.get(release)
    released: datetime | None = release_doc.initial_release if release_doc is not None else None
    revised = max((docs[d].current_release for d in per_doc if d in docs and docs[d].current_release), default=None)
    subtype = latest("subtype")
    month = doc_month(release)
    advisory = _advisory_date(rows)
    if advisory is not None:
        released, month = advisory, date(advisory.year, advisory.month, 1)
    prefix = f"{month.year}-{month.month:02d} " if month != date.min else ""
    title = f"{prefix}{subtype or 'Security Update'} for {product} (KB{kb})"
    merged = dict(
        title=title[:500],
        classification=MSRC_CLASSIFICATION,
        subtype=subtype,
        severity=worst.severity,
        severity_rank=SEVERITY_RANK.get(worst.severity or "", 0),
        impact=worst.impact,
        released=released,
        revised=revised,
        document=release,
        restart=latest("restart"),
        url=latest("url"),
        fixed_build=latest("fixed_build"),
        cve_count=len(cves),
        search=" ".join([f"kb{kb}", title, product, *cves]).lower(),
    )
    fingerprint = json.dumps([merged, cves, sorted(kbs)], default=str, sort_keys=True)
    merged["digest"] = hashlib.sha1(fingerprint.encode()).hexdigest()
    return merged, sorted(kbs, key=int)


def _advisory_date(rows: list) -> datetime | None:
    """When ADV990001 names the update: the advisory's latest revision that named it, which dates it
    (the document hosting the advisory is years older than the KBs it lists); else None."""
    return max((r.cve_revised for r in rows if r.cve == SSU_ADVISORY and r.cve_revised), default=None)


def _store_vulnerabilities(session: Session, month: ParsedMonth) -> None:
    rows = {}
    for v in month.vulnerabilities:
        advisories = [
            dict(description=a.description, url=a.url, subtype=a.subtype, products=list(a.products)) for a in v.advisories
        ]
        rows[v.cve] = dict(cve=v.cve, title=v.title, document=month.id, advisories=json.dumps(advisories))
    for batch in chunks(rows.values()):
        stmt = dialect_insert(session, V).values(batch)
        session.execute(
            stmt.on_conflict_do_update(
                index_elements=[V.c.cve],
                set_=dict(title=stmt.excluded.title, document=stmt.excluded.document, advisories=stmt.excluded.advisories),
            )
        )

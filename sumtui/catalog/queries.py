"""Catalog queries: filter, sort and page the updates; one update's detail; the export shape.

The console pages through these (it never loads the whole catalog); the CLI exports through them.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime, timedelta

from sqlalchemy import Integer, and_, cast, func, or_, select
from sqlmodel import Session

from sumtui.catalog.models import (
    SEVERITY_RANK,
    Document,
    Product,
    Update,
    UpdateSource,
    UpdateSupersedes,
    Vulnerability,
)
from sumtui.catalog.search_words import escape_like, search_terms, starts_word
from sumtui.catalog.settings import parse_month
from sumtui.timeutil import utcnow

U = Update.__table__
S = UpdateSource.__table__
SUP = UpdateSupersedes.__table__
P = Product.__table__


@dataclass
class UpdateFilter:
    """What the updates screen, the saved search folders and `sumtui updates` filter on."""

    text: str | None = None  # every word must start a word of the KB, title, product or CVEs
    product: str | None = None  # substring of the product name, or its exact id
    family: str | None = None
    classification: str | None = None
    severity: str | None = None  # one severity, or several separated by commas
    kb: str | None = None
    cve: str | None = None
    superseded: bool | None = None
    expired: bool | None = None
    released_within_days: int | None = None
    document: str | None = None

    def to_json(self) -> str:
        return json.dumps({k: v for k, v in asdict(self).items() if v not in (None, "")}, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> UpdateFilter:
        data = json.loads(text or "{}")
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    def merged(self, other: UpdateFilter) -> UpdateFilter:
        """This filter narrowed by every field the other one sets."""
        out = UpdateFilter(**asdict(self))
        for key, value in asdict(other).items():
            if value not in (None, ""):
                setattr(out, key, value)
        return out

    def describe(self) -> str:
        parts = [f"{k.replace('_', ' ')}={v}" for k, v in asdict(self).items() if v not in (None, "")]
        return ", ".join(parts) or "all updates"


def _like(term: str) -> str:
    return f"%{escape_like(term)}%"


def normalize_kb(text: str) -> str:
    return text.strip().upper().removeprefix("KB").strip()


def _search_word(term: str, *, typing: bool):
    """One typed word against the search text ("kb5048685 2024-12 cumulative update for … cve-2024-49138"):
    it starts a word there (see search_words); a number of five digits or more also finds the KB it begins
    ("5048685" finds kb5048685; shorter numbers are years, versions and months, not KBs)."""
    # The text's first word, kb<KB>, is also in its title as "(KB…)": no pattern for the start is needed.
    clause = starts_word(U.c.search, term, at_start=False, typing=typing)
    if term.isdigit() and len(term) >= 5:
        clause = or_(clause, U.c.search.like(f"kb{term}%"))
    return clause


def where_clauses(f: UpdateFilter, *, now: datetime | None = None) -> list:
    clauses = []
    for term, typing in search_terms(f.text):
        clauses.append(_search_word(term, typing=typing))
    if f.product:
        clauses.append(or_(U.c.product_id == f.product, func.lower(U.c.product).like(_like(f.product.lower()), escape="\\")))
    if f.family:
        family_ids = select(P.c.id).where(func.lower(P.c.family) == f.family.lower())
        clauses.append(U.c.product_id.in_(family_ids))
    if f.classification:
        clauses.append(func.lower(U.c.classification) == f.classification.lower())
    if f.severity:
        wanted = [s.strip().lower() for s in f.severity.split(",") if s.strip()]
        clauses.append(func.lower(U.c.severity).in_(wanted))
    if f.kb:
        clauses.append(U.c.kb == normalize_kb(f.kb))
    if f.cve:
        ids = select(S.c.update_id).where(func.upper(S.c.cve) == f.cve.strip().upper())
        clauses.append(U.c.id.in_(ids))
    if f.superseded is not None:
        clauses.append(U.c.superseded.is_(f.superseded))
    if f.expired is not None:
        clauses.append(U.c.expired.is_(f.expired))
    if f.released_within_days is not None:
        clauses.append(U.c.released >= (now or utcnow()) - timedelta(days=f.released_within_days))
    if f.document:
        clauses.append(U.c.document == f.document)
    return clauses


SORT_COLUMNS = {
    "kb": cast(U.c.kb, Integer),
    "product": U.c.product,
    "title": U.c.title,
    "classification": U.c.classification,
    "severity": U.c.severity_rank,
    "released": U.c.released,
    "revised": U.c.revised,
    "cves": U.c.cve_count,
    "subtype": U.c.subtype,
    "state": U.c.superseded,
}


def count_updates(session: Session, *, filter: UpdateFilter | None = None) -> int:
    query = select(func.count()).select_from(U).where(and_(True, *where_clauses(filter or UpdateFilter())))
    return session.execute(query).scalar_one()


def page_updates(
    session: Session,
    *,
    filter: UpdateFilter | None = None,
    sort: str = "released",
    descending: bool = True,
    offset: int = 0,
    limit: int = 100,
) -> list:
    """One page of update rows (the columns the grid shows), ordered and stable."""
    order = SORT_COLUMNS.get(sort, U.c.released)
    order = order.desc() if descending else order.asc()
    tiebreak = U.c.id.desc() if descending else U.c.id.asc()
    query = (
        select(
            U.c.id, U.c.kb, U.c.product, U.c.title, U.c.classification, U.c.subtype, U.c.severity,
            U.c.released, U.c.cve_count, U.c.superseded, U.c.expired,
        )
        .where(and_(True, *where_clauses(filter or UpdateFilter())))
        .order_by(order, tiebreak)
        .offset(offset)
        .limit(limit)
    )
    return list(session.execute(query))


def _cves_by_update(session: Session, ids: list[int] | None) -> dict[int, list[str]]:
    query = select(S.c.update_id, S.c.cve).distinct()
    if ids is not None:
        query = query.where(S.c.update_id.in_(ids))
    out: dict[int, list[str]] = defaultdict(list)
    for update_id, cve in session.execute(query):
        out[update_id].append(cve)
    return out


def _supersedence(session: Session) -> tuple[dict[int, list[str]], dict[tuple[str, str], list[str]]]:
    """(update id → KBs it supersedes, (kb, product id) → KBs of same-product updates superseding it)."""
    supersedes: dict[int, list[str]] = defaultdict(list)
    superseded_by: dict[tuple[str, str], list[str]] = defaultdict(list)
    query = select(SUP.c.update_id, SUP.c.kb, U.c.kb.label("by_kb"), U.c.product_id).join(U, U.c.id == SUP.c.update_id)
    for update_id, kb, by_kb, product_id in session.execute(query):
        supersedes[update_id].append(kb)
        superseded_by[(kb, product_id)].append(by_kb)
    return supersedes, superseded_by


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def export_updates(session: Session, *, filter: UpdateFilter | None = None, sort: str = "kb", descending: bool = False) -> list[dict]:
    """Every matching update with its CVEs and supersedence both ways: what `sumtui updates --format json` prints."""
    order = SORT_COLUMNS.get(sort, SORT_COLUMNS["kb"])
    query = (
        select(U, P.c.family)
        .join(P, P.c.id == U.c.product_id)
        .where(and_(True, *where_clauses(filter or UpdateFilter())))
        .order_by(order.desc() if descending else order.asc(), U.c.product_id)
    )
    rows = list(session.execute(query))
    cves = _cves_by_update(session, None if len(rows) > 500 else [r.id for r in rows])
    supersedes, superseded_by = _supersedence(session)
    out = []
    for r in rows:
        out.append(
            {
                "kb": r.kb,
                "product": r.product,
                "product_id": r.product_id,
                "family": r.family,
                "title": r.title,
                "classification": r.classification,
                "subtype": r.subtype,
                "severity": r.severity,
                "impact": r.impact,
                "released": _iso(r.released),
                "revised": _iso(r.revised),
                "document": r.document,
                "cves": sorted(cves.get(r.id, [])),
                "supersedes": sorted(supersedes.get(r.id, []), key=int),
                "superseded_by": sorted(set(superseded_by.get((r.kb, r.product_id), [])), key=int),
                "superseded": bool(r.superseded),
                "expired": bool(r.expired),
                "restart": r.restart,
                "url": r.url,
                "fixed_build": r.fixed_build,
            }
        )
    return out


@dataclass
class CveLine:
    cve: str
    title: str | None
    severity: str | None
    impact: str | None
    document: str


@dataclass
class RelatedUpdate:
    kb: str
    product: str
    update_id: int | None  # None when the KB is not in the catalog (an older month not synced)
    released: datetime | None = None


@dataclass
class UpdateDetail:
    update: Update
    family: str | None
    cves: list[CveLine] = field(default_factory=list)
    other_products: list[RelatedUpdate] = field(default_factory=list)
    supersedes: list[RelatedUpdate] = field(default_factory=list)
    superseded_by: list[RelatedUpdate] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)


def document_order(document: str) -> tuple:
    """Month documents in date order ("2024-Sep" before "2024-Oct"), any other id after them by name."""
    try:
        return (0, parse_month(document), document)
    except ValueError:
        return (1, date.max, document)


def update_detail(session: Session, *, update_id: int) -> UpdateDetail | None:
    update = session.get(Update, update_id)
    if update is None:
        return None
    product = session.get(Product, update.product_id)
    detail = UpdateDetail(update=update, family=product.family if product else None)
    titles = dict(
        session.execute(
            select(Vulnerability.__table__.c.cve, Vulnerability.__table__.c.title).where(
                Vulnerability.__table__.c.cve.in_(select(S.c.cve).where(S.c.update_id == update_id))
            )
        ).all()
    )
    seen = set()
    for row in session.execute(select(S).where(S.c.update_id == update_id).order_by(S.c.cve, S.c.document)):
        if row.cve not in seen:
            seen.add(row.cve)
            detail.cves.append(CveLine(row.cve, titles.get(row.cve), row.severity, row.impact, row.document))
        if row.document not in detail.documents:
            detail.documents.append(row.document)
    detail.cves.sort(key=lambda c: (-SEVERITY_RANK.get(c.severity or "", 0), c.cve))
    detail.documents.sort(key=document_order)
    for row in session.execute(
        select(U.c.id, U.c.product, U.c.released).where(U.c.kb == update.kb, U.c.id != update_id).order_by(U.c.product)
    ):
        detail.other_products.append(RelatedUpdate(update.kb, row.product, row.id, row.released))
    for (kb,) in session.execute(select(SUP.c.kb).where(SUP.c.update_id == update_id)):
        match = session.execute(
            select(U.c.id, U.c.product, U.c.released).where(U.c.kb == kb, U.c.product_id == update.product_id)
        ).first()
        detail.supersedes.append(RelatedUpdate(kb, match.product if match else update.product, match.id if match else None, match.released if match else None))
    for row in session.execute(
        select(U.c.id, U.c.kb, U.c.product, U.c.released)
        .join(SUP, SUP.c.update_id == U.c.id)
        .where(SUP.c.kb == update.kb, U.c.product_id == update.product_id)
    ):
        detail.superseded_by.append(RelatedUpdate(row.kb, row.product, row.id, row.released))
    detail.supersedes.sort(key=lambda r: int(r.kb), reverse=True)
    detail.superseded_by.sort(key=lambda r: int(r.kb))
    return detail


def catalog_counts(session: Session) -> dict[str, int]:
    """Headline figures for Home and the header."""
    total, superseded, expired = session.execute(
        select(func.count(), func.sum(cast(U.c.superseded, Integer)), func.sum(cast(U.c.expired, Integer)))
    ).one()
    documents = session.execute(select(func.count()).select_from(Document.__table__)).scalar_one()
    products = session.execute(select(func.count(func.distinct(U.c.product_id)))).scalar_one()
    return {
        "updates": total or 0,
        "superseded": superseded or 0,
        "expired": expired or 0,
        "documents": documents or 0,
        "products": products or 0,
    }

"""Clients: creating and updating them from inventories, and reading them back for screens and scripts.

An inventory with OS facts (systeminfo, the agent's JSON) describes the whole machine and replaces
the client's KB list; a bare hotfix list (wmic qfe, Get-HotFix) or a partial agent report only adds
KBs to it and never erases a fact it does not carry. A client whose OS maps to no catalog product is
kept and marked unmapped, never dropped.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlmodel import Session

from sumtui.catalog.models import SEVERITY_RANK
from sumtui.catalog.search_words import fold_case, search_terms, starts_word
from sumtui.catalog.store import chunks
from sumtui.db.orm import expire_loaded
from sumtui.fleet.inventory.model import Inventory
from sumtui.fleet.models import Client, CollectionMember, has_known_state
from sumtui.timeutil import utcnow

C = Client.__table__
M = CollectionMember.__table__
HOTFIX_ONLY = ("qfe", "get-hotfix")


def name_key(name: str) -> str:
    """How Windows compares host names: NFKC, then each character upper-cased on its own ("ſrv01" and
    "SRV01" are one machine). A character whose upper case is longer stays as it is, so "STRAßE" and
    "STRASSE" stay two machines (str.upper() would merge them)."""
    text = unicodedata.normalize("NFKC", name.strip())
    return "".join(_upper(ch) for ch in text)[:255]


def _upper(ch: str) -> str:
    upper = ch.upper()
    return upper if len(upper) == 1 else ch


@dataclass
class InventoryApplied:
    client: Client
    created: bool
    was_reported: bool
    kbs_added: int
    mapped: bool


# The columns an inventory changes (and reads): shared by the ORM path and the management point's batch path.
FACT_COLUMNS = (
    "os_name", "build", "ubr", "architecture", "is_server", "edition", "domain", "reported_products", "os_product",
    "end_of_support", "out_of_support", "installed_kbs", "inventory_note", "last_inventory", "last_report",
    "last_contact", "source", "agent_version", "time_zone",
)


def inventory_changes(current, inventory: Inventory, *, source: str, now: datetime) -> tuple[dict, int, bool]:
    """The client's new fact columns after this inventory, from its current ones (an ORM object or a
    row with FACT_COLUMNS and last_scan): (values, KBs added, whether the OS maps to a product)."""
    from sumtui.fleet.lifecycle import end_of_servicing, past_end
    from sumtui.fleet.osmap import map_os

    values = {name: getattr(current, name) for name in FACT_COLUMNS}
    before = set((values["installed_kbs"] or "").split())
    hotfix_list = inventory.source_format in HOTFIX_ONLY
    if hotfix_list or inventory.partial:
        kbs = before | set(inventory.installed_kbs)
    else:
        kbs = set(inventory.installed_kbs)
    if not hotfix_list:
        # A fact the inventory lacks is kept (a partial agent report carries only some); text is cut
        # to its column's width, so an overlong value from outside never fails the whole write.
        same_build = inventory.build is None or inventory.build == values["build"]
        values["os_name"] = _clip(inventory.os_name, 255) or values["os_name"]
        values["build"] = inventory.build or values["build"]
        values["ubr"] = inventory.ubr if inventory.ubr is not None else (values["ubr"] if same_build else None)
        values["architecture"] = inventory.architecture or values["architecture"]
        if inventory.is_server is not None:
            values["is_server"] = inventory.is_server
        values["edition"] = _clip(inventory.edition, 64) or values["edition"]
        if inventory.domain:
            values["domain"] = _clip(inventory.domain, 255)
        if inventory.products:
            values["reported_products"] = json.dumps(sorted(set(inventory.products)))
        if inventory.time_zone:
            values["time_zone"] = _clip(inventory.time_zone, 64)
    match = map_os(os_name=values["os_name"], build=values["build"], architecture=values["architecture"], is_server=values["is_server"])
    values["os_product"] = match.product if match else None
    end = end_of_servicing(values["os_product"], values["edition"]) if values["os_product"] else None
    values["end_of_support"] = end
    values["out_of_support"] = past_end(end, now)
    values["installed_kbs"] = " ".join(sorted(kbs, key=int))
    if not (hotfix_list or inventory.partial) or not inventory.kb_list_complete:
        values["inventory_note"] = "; ".join(inventory.warnings)[:500] if not inventory.kb_list_complete else None
    values["last_inventory"] = now
    last_scan = getattr(current, "last_scan", None)
    values["last_report"] = max(now, last_scan) if last_scan else now
    if source == "agent":
        values["last_contact"] = now
        values["source"] = "agent"
        values["agent_version"] = _clip(inventory.agent_version, 32) or values["agent_version"]
    return values, len(kbs - before), match is not None


def _clip(text: str | None, width: int) -> str | None:
    return text[:width] if text else text


def apply_inventory(
    session: Session, inventory: Inventory, *, name: str | None = None, source: str = "imported",
    now: datetime | None = None, flush: bool = True,
) -> InventoryApplied:
    """Create or update the client an inventory describes (does not commit)."""
    now = now or utcnow()
    host = (name or inventory.name or "").strip()
    if not host:
        raise ValueError("the inventory names no machine: give one with --name")
    client = find_client(session, host)
    created = client is None
    if created:
        client = Client(name=host, name_key=name_key(host), created_at=now, source=source)
    was_reported = not created and has_known_state(
        last_inventory=client.last_inventory, last_scan=client.last_scan, os_product=client.os_product
    )
    values, added, mapped = inventory_changes(client, inventory, source=source, now=now)
    for key, value in values.items():
        setattr(client, key, value)
    session.add(client)
    if flush:
        session.flush()
    return InventoryApplied(client, created, was_reported, added, mapped)


def apply_agent_inventories(session: Session, reports: list[tuple[int, Inventory]], *, now: datetime | None = None) -> dict[int, bool]:
    """The management point's batch path: inventories of registered clients (by id), applied with one
    read and one executemany instead of an ORM object each. Returns client id → whether it had
    reported before this batch."""
    now = now or utcnow()
    ids = sorted({cid for cid, _ in reports})
    columns = [C.c.id, C.c.last_scan, *(C.c[name] for name in FACT_COLUMNS)]
    rows = {}
    for batch in chunks(ids, 5000):
        for row in session.execute(select(*columns).where(C.c.id.in_(batch))):
            rows[row.id] = row
    was: dict[int, bool] = {}
    latest: dict[int, dict] = {}
    for cid, inventory in reports:
        current = latest.get(cid)
        row = rows[cid]
        if cid not in was:
            was[cid] = has_known_state(last_inventory=row.last_inventory, last_scan=row.last_scan, os_product=row.os_product)
        base = _Facts({**row._mapping, **current}) if current else row
        values, _added, _mapped = inventory_changes(base, inventory, source="agent", now=now)
        latest[cid] = values
    update_rows = [dict(b_id=cid, **values) for cid, values in latest.items()]
    if update_rows:
        session.execute(
            update(C).where(C.c.id == bindparam("b_id")).values({name: bindparam(name) for name in FACT_COLUMNS}),
            update_rows,
        )
        expire_loaded(session, Client, list(latest))
    return was


class _Facts(dict):
    """A row's columns with a later report's values on top, read like a row."""

    __getattr__ = dict.get


ROLES = ("server", "workstation")
MISSING_SEVERITIES = ("Critical", "Important", "Moderate", "Low")  # "misses an update of severity ≥ S"


@dataclass
class ClientFilter:
    text: str | None = None  # words that start a word of the name, domain or OS product
    collection_id: int | None = None
    os_product: str | None = None
    unmapped: bool | None = None
    out_of_support: bool | None = None
    not_reported_days: int | None = None  # no inventory or scan for at least N days (or never)
    non_compliant: bool | None = None
    role: str | None = None  # server | workstation: what its OS is
    missing_severity: str | None = None  # misses (Required) an update of this severity or a worse one


# Separators after which a typed word may start, per column: "ws-001" and "00012" both find WS-00012,
# "example" finds lab.example.com, "core" finds "Windows Server 2019 (Server Core installation)".
# Host names have no spaces; each separator is one more LIKE per row.
_NAME_SEPARATORS = "-_."
_DOMAIN_SEPARATORS = "."
_PRODUCT_SEPARATORS = " ("

# A callable giving the ids of clients with a Required update of a severity rank in [rank, Moderate]:
# the compliance package's (its state table is above this layer), for the Moderate and Low filters.
RequiringQuery = Callable[[int], object]


def _role_clause(role: str):
    by_name = fold_case(C.c.os_product).like("%server%")
    if role == "server":
        return or_(C.c.is_server.is_(True), and_(C.c.is_server.is_(None), by_name))
    if role == "workstation":
        return or_(C.c.is_server.is_(False), and_(C.c.is_server.is_(None), C.c.os_product.is_not(None), ~by_name))
    raise ValueError(f"unknown role {role!r}: one of {', '.join(ROLES)}")


def _missing_clause(severity: str, requiring: RequiringQuery | None):
    """Misses an update of `severity` or worse. Critical and Important come from the client row's maintained
    counts; Moderate and Low, rare in the catalog, from the state rows of those few updates."""
    rank = SEVERITY_RANK.get(severity.capitalize())
    if rank is None:
        raise ValueError(f"unknown severity {severity!r}: one of {', '.join(MISSING_SEVERITIES)}")
    # "+ 0": most clients miss something Critical, so reading the triage index for this range costs more
    # than scanning the table (SQLite takes the index when it can: 3× slower at 100k clients); the index
    # still gives the worst-first order.
    clause = C.c.critical_missing + 0 > 0
    if rank <= 3:
        clause = or_(clause, C.c.important_missing > 0)
    if rank <= 2:
        if requiring is None:
            raise ValueError(f"the {severity} filter needs the compliance state rows (pass `requiring`)")
        clause = or_(clause, C.c.id.in_(requiring(rank)))
    return clause


def where_clauses(f: ClientFilter, *, now: datetime | None = None, requiring: RequiringQuery | None = None) -> list:
    """SQL conditions for a filter. `requiring`: see RequiringQuery (needed by the Moderate and Low filters)."""
    clauses = []
    for term, typing in search_terms(f.text):
        # The OS product first: most words typed here are in it ("windows 10"), and OR stops at a match.
        clauses.append(or_(starts_word(fold_case(C.c.os_product), term, _PRODUCT_SEPARATORS, typing=typing),
                           starts_word(fold_case(C.c.name), term, _NAME_SEPARATORS, typing=typing),
                           starts_word(fold_case(C.c.domain), term, _DOMAIN_SEPARATORS, typing=typing)))
    if f.collection_id is not None:
        clauses.append(C.c.id.in_(select(M.c.client_id).where(M.c.collection_id == f.collection_id)))
    if f.os_product:
        clauses.append(func.lower(C.c.os_product).like(f"%{f.os_product.lower()}%"))
    if f.unmapped is not None:
        clauses.append(C.c.os_product.is_(None) if f.unmapped else C.c.os_product.is_not(None))
    if f.out_of_support is not None:
        clauses.append(C.c.out_of_support.is_(f.out_of_support))
    if f.not_reported_days is not None:
        from datetime import timedelta

        cutoff = (now or utcnow()) - timedelta(days=f.not_reported_days)
        clauses.append(or_(C.c.last_report.is_(None), C.c.last_report < cutoff))
    if f.non_compliant:
        clauses.append(or_(C.c.required_count > 0, C.c.failed_count > 0))
    if f.role:
        clauses.append(_role_clause(f.role))
    if f.missing_severity:
        clauses.append(_missing_clause(f.missing_severity, requiring))
    return clauses


# Sort key → columns. "critical" is worst first: the triage index's order (ix_client_triage).
CLIENT_SORTS = {
    "name": (C.c.name_key,),
    "os": (C.c.os_product,),
    "required": (C.c.required_count,),
    "critical": (C.c.critical_missing, C.c.failed_count, C.c.required_count),
    "last_inventory": (C.c.last_inventory,),
    "domain": (C.c.domain,),
}


def count_clients(session: Session, *, filter: ClientFilter | None = None, requiring: RequiringQuery | None = None) -> int:
    clauses = where_clauses(filter or ClientFilter(), requiring=requiring)
    return session.execute(select(func.count()).select_from(C).where(and_(True, *clauses))).scalar_one()


def page_clients(session: Session, *, filter: ClientFilter | None = None, sort: str = "name", descending: bool = False,
                 offset: int = 0, limit: int = 100, requiring: RequiringQuery | None = None) -> list:
    # Ties go the same way as the order, so a descending page reads an index backwards without a sort.
    order = [c.desc() if descending else c.asc() for c in (*CLIENT_SORTS.get(sort, CLIENT_SORTS["name"]), C.c.id)]
    query = (
        select(C.c.id, C.c.name, C.c.domain, C.c.os_product, C.c.os_name, C.c.build, C.c.ubr, C.c.source,
               C.c.last_inventory, C.c.last_scan, C.c.required_count, C.c.installed_count, C.c.failed_count,
               C.c.critical_missing, C.c.important_missing, C.c.out_of_support, C.c.states)
        .where(and_(True, *where_clauses(filter or ClientFilter(), requiring=requiring)))
        .order_by(*order)
        .offset(offset).limit(limit)
    )
    return list(session.execute(query))


def find_client(session: Session, name: str) -> Client | None:
    return session.execute(select(Client).where(Client.name_key == name_key(name))).scalars().first()


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value else None


def export_client(client: Client) -> dict:
    """A client as `sumtui clients --format json` prints it."""
    reported = has_known_state(last_inventory=client.last_inventory, last_scan=client.last_scan, os_product=client.os_product)
    build = client.build
    if build and client.ubr is not None:
        build = f"{build}.{client.ubr}"
    return {
        "name": client.name,
        "domain": client.domain,
        "os": client.os_name,
        "os_product": client.os_product,
        "build": build,
        "architecture": client.architecture,
        "edition": client.edition,
        "installed_kbs": [f"KB{kb}" for kb in (client.installed_kbs or "").split()],
        "source": client.source,
        "agent_version": client.agent_version,
        "last_inventory": _iso(client.last_inventory),
        "last_scan": _iso(client.last_scan),
        "last_contact": _iso(client.last_contact),
        "last_policy": _iso(client.last_policy_at),
        "time_zone": client.time_zone,
        "out_of_support": client.out_of_support,
        "inventory_note": client.inventory_note,
        "end_of_support": _iso(client.end_of_support),
        "tags": json.loads(client.tags or "[]"),
        "reported": reported,
        "required": client.required_count if reported else None,
        "installed": client.installed_count if reported else None,
        "failed": client.failed_count if reported else None,
        "compliant": (client.required_count == 0 and client.failed_count == 0) if reported else None,
    }

"""Clients: creating and updating them from inventories, and reading them back for screens and scripts.

An inventory with OS facts (systeminfo, the agent's JSON) describes the whole machine and replaces
the client's KB list; a bare hotfix list (wmic qfe, Get-HotFix) only adds KBs to it. A client whose
OS maps to no catalog product is kept and marked unmapped, never dropped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, func, or_, select
from sqlmodel import Session

from sumtui.fleet.inventory.model import Inventory
from sumtui.fleet.models import Client, CollectionMember, has_known_state
from sumtui.timeutil import utcnow

C = Client.__table__
M = CollectionMember.__table__
HOTFIX_ONLY = ("qfe", "get-hotfix")


def name_key(name: str) -> str:
    return name.strip().upper()


@dataclass
class InventoryApplied:
    client: Client
    created: bool
    was_reported: bool
    kbs_added: int
    mapped: bool


def apply_inventory(
    session: Session, inventory: Inventory, *, name: str | None = None, source: str = "imported",
    now: datetime | None = None, client: Client | None = None, flush: bool = True,
) -> InventoryApplied:
    """Create or update the client an inventory describes (does not commit). `client`, when the caller
    has already loaded it (an agent's report), saves the lookup by name."""
    from sumtui.fleet.lifecycle import end_of_servicing
    from sumtui.fleet.osmap import map_os

    now = now or utcnow()
    host = (name or inventory.name or "").strip()
    if not host:
        raise ValueError("the inventory names no machine: give one with --name")
    if client is None:
        client = find_client(session, host)
    created = client is None
    if created:
        client = Client(name=host, name_key=name_key(host), created_at=now, source=source)
    was_reported = not created and has_known_state(
        last_inventory=client.last_inventory, last_scan=client.last_scan, os_product=client.os_product
    )
    before = set((client.installed_kbs or "").split())
    if inventory.source_format in HOTFIX_ONLY:
        kbs = before | set(inventory.installed_kbs)
    else:
        kbs = set(inventory.installed_kbs)
        client.os_name = inventory.os_name or client.os_name
        client.build = inventory.build or client.build
        client.ubr = inventory.ubr if inventory.ubr is not None else (client.ubr if inventory.build == client.build else None)
        client.architecture = inventory.architecture or client.architecture
        client.is_server = inventory.is_server if inventory.is_server is not None else client.is_server
        client.edition = inventory.edition or client.edition
        if inventory.domain:
            client.domain = inventory.domain
        if inventory.products:
            client.reported_products = json.dumps(sorted(set(inventory.products)))
    match = map_os(os_name=client.os_name, build=client.build, architecture=client.architecture, is_server=client.is_server)
    client.os_product = match.product if match else None
    end = end_of_servicing(client.os_product, client.edition) if client.os_product else None
    client.end_of_support = end
    client.out_of_support = bool(end and end < now.date())
    client.installed_kbs = " ".join(sorted(kbs, key=int))
    if inventory.source_format not in HOTFIX_ONLY or not inventory.kb_list_complete:
        client.inventory_note = "; ".join(inventory.warnings)[:500] if not inventory.kb_list_complete else None
    client.last_inventory = now
    client.last_report = max(now, client.last_scan) if client.last_scan else now
    client.last_contact = now if source == "agent" else client.last_contact
    if source == "agent":
        client.source = "agent"
        client.agent_version = inventory.agent_version or client.agent_version
    session.add(client)
    if flush:
        session.flush()
    return InventoryApplied(client, created, was_reported, len(kbs - before), match is not None)


@dataclass
class ClientFilter:
    text: str | None = None  # name, domain or OS product
    collection_id: int | None = None
    os_product: str | None = None
    unmapped: bool | None = None
    out_of_support: bool | None = None
    not_reported_days: int | None = None  # no inventory or scan for at least N days (or never)
    non_compliant: bool | None = None


def where_clauses(f: ClientFilter, *, now: datetime | None = None) -> list:
    clauses = []
    for term in (f.text or "").lower().split():
        like = f"%{term}%"
        clauses.append(or_(func.lower(C.c.name).like(like), func.lower(C.c.domain).like(like), func.lower(C.c.os_product).like(like)))
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
    return clauses


CLIENT_SORTS = {
    "name": C.c.name_key,
    "os": C.c.os_product,
    "required": C.c.required_count,
    "critical": C.c.critical_missing,
    "last_inventory": C.c.last_inventory,
    "domain": C.c.domain,
}


def count_clients(session: Session, *, filter: ClientFilter | None = None) -> int:
    return session.execute(select(func.count()).select_from(C).where(and_(True, *where_clauses(filter or ClientFilter())))).scalar_one()


def page_clients(session: Session, *, filter: ClientFilter | None = None, sort: str = "name", descending: bool = False,
                 offset: int = 0, limit: int = 100) -> list:
    order = CLIENT_SORTS.get(sort, C.c.name_key)
    query = (
        select(C.c.id, C.c.name, C.c.domain, C.c.os_product, C.c.os_name, C.c.build, C.c.ubr, C.c.source,
               C.c.last_inventory, C.c.last_scan, C.c.required_count, C.c.installed_count, C.c.failed_count,
               C.c.critical_missing, C.c.important_missing, C.c.out_of_support)
        .where(and_(True, *where_clauses(filter or ClientFilter())))
        .order_by(order.desc() if descending else order.asc(), C.c.id)
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

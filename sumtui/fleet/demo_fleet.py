"""A generated fleet for the demo site and the benchmarks: an OS mix drawn from the catalog's own
products, patch levels spread over its months, some clients silent for weeks and some never
reporting. Every generated client has source "generated" and the tag "generated", so nobody takes
the demo's figures for a real fleet's.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, select
from sqlmodel import Session

from sumtui.catalog.derived import host_os, is_os_product
from sumtui.catalog.models import Update
from sumtui.catalog.store import chunks
from sumtui.fleet.clients import name_key
from sumtui.fleet.collections import (
    CollectionRule,
    MembershipHook,
    add_window,
    create_collection,
    ensure_all_systems,
)
from sumtui.fleet.lifecycle import end_of_servicing, past_end
from sumtui.fleet.models import Client, CollectionCreate, MaintenanceWindowCreate
from sumtui.fleet.osmap import map_os, product_info
from sumtui.timeutil import utcnow

GENERATED = "generated"
_KERNELS = ((10240, "10.0"), (9600, "6.3"), (9200, "6.2"), (7600, "6.1"), (0, "6.0"))
_EDITIONS = {False: ("Enterprise", "Pro", "Education"), True: ("Standard", "Datacenter")}


@dataclass
class Chain:
    """One OS product's monthly updates in the catalog, oldest first."""

    product: str
    months: list[date]
    cumulative: dict[date, list[tuple[str, str | None]]]  # month → [(kb, fixed build)]
    security_only: dict[date, list[str]]
    ssu: dict[date, list[str]]
    components: dict[date, list[str]]  # cumulative KBs of components (.NET, IE) by month


def _kernel(build: int) -> str:
    return next(kernel for floor, kernel in _KERNELS if build >= floor)


def catalog_chains(session: Session) -> list[Chain]:
    U = Update.__table__
    rows = session.execute(select(U.c.kb, U.c.product, U.c.role, U.c.kb_month, U.c.fixed_build).where(U.c.kb_month.is_not(None)))
    chains: dict[str, Chain] = {}
    component_rows = []
    for kb, product, role, month, fixed in rows:
        if not is_os_product(product):
            if role == "cumulative" and host_os(product):
                component_rows.append((host_os(product), month, kb))
            continue
        info = product_info(product)
        if info is None or info.product != product:
            continue  # Server Core and renamed products: clients map to the main name
        chain = chains.setdefault(product, Chain(product, [], defaultdict(list), defaultdict(list), defaultdict(list), defaultdict(list)))
        if role == "cumulative":
            chain.cumulative[month].append((kb, fixed))
        elif role == "security_only":
            chain.security_only[month].append(kb)
        elif role == "ssu":
            chain.ssu[month].append(kb)
    for os_name, month, kb in component_rows:
        if os_name in chains:
            chains[os_name].components[month].append(kb)
    for chain in chains.values():
        chain.months = sorted(chain.cumulative)
    return [c for c in chains.values() if c.months]


def _weight(product: str) -> float:
    info = product_info(product)
    if info is None:
        return 0.0
    weight = 1.0 if info.is_server else 3.0
    if info.architecture != "x64":
        weight *= 0.1
    return weight


def generate_clients(session: Session, *, count: int, apply: MembershipHook, seed: int = 7, now: datetime | None = None,
                     silent_share: float = 0.06, never_share: float = 0.03) -> list[int]:
    """Add `count` generated clients and the demo collections; returns the new clients' ids. Their
    memberships and states are the caller's (sumtui.workflows.demo)."""
    now = now or utcnow()
    rng = random.Random(seed)
    chains = catalog_chains(session)
    if not chains:
        raise ValueError("the catalog has no Windows cumulative updates to build a fleet from: sync or import first")
    weights = [_weight(c.product) for c in chains]
    taken = {n for (n,) in session.execute(select(Client.__table__.c.name_key))}
    rows, serial = [], 0
    for _ in range(count):
        chain = rng.choices(chains, weights)[0]
        info = product_info(chain.product)
        prefix = "SRV" if info.is_server else "WS"
        while True:
            serial += 1
            name = f"{prefix}-{serial:05d}"
            if name_key(name) not in taken:
                break
        rows.append(_client_row(rng, chain, info, name, now, silent_share, never_share))
    # Collections first: their rules must meet the new clients only through the caller's membership
    # refresh, which counts them as not yet evaluated.
    _demo_collections(session, now, apply)
    table = Client.__table__
    for batch in chunks(rows, 2000):
        session.execute(insert(table), batch)
    session.flush()
    names = [r["name_key"] for r in rows]
    return [i for batch in chunks(names, 5000)
            for (i,) in session.execute(select(table.c.id).where(table.c.name_key.in_(batch)))]


def _client_row(rng: random.Random, chain: Chain, info, name: str, now: datetime, silent_share: float, never_share: float) -> dict:
    months = chain.months
    # Most machines are on the latest month or one behind; a tail lags further.
    lags = range(len(months) + 1)  # the last one: nothing from the catalog's window installed
    lag = rng.choices(lags, [(45, 25, 12, 8, 5)[i] if i < 5 else 2 for i in lags])[0]
    level = months[-1 - lag] if lag < len(months) else None
    installed: set[str] = set()
    ubr = None
    if level is not None:
        if chain.security_only.get(level) and rng.random() < 0.25:
            for month in months:  # security-only shops install every month's Security Only
                if month <= level:
                    installed.update(chain.security_only.get(month, []))
        else:
            kb, fixed = rng.choice(chain.cumulative[level])
            installed.add(kb)
            if fixed and fixed.count(".") == 3 and rng.random() < 0.5:
                ubr = int(fixed.rsplit(".", 1)[1])
        for month, kbs in chain.ssu.items():
            if month <= level and rng.random() < 0.7:
                installed.update(kbs)
        for month, kbs in chain.components.items():
            if month <= level and rng.random() < 0.6:
                installed.update(kbs)
    edition = rng.choice(_EDITIONS[info.is_server])
    family = info.family if info.family != "Windows Server" else f"Windows Server {info.version}"
    os_name = f"Microsoft {family} {edition}"
    build = f"{_kernel(info.build)}.{info.build}"
    mapped = map_os(os_name=os_name, build=build, architecture=info.architecture, is_server=info.is_server)
    roll = rng.random()
    if roll < never_share:
        last = None  # registered, never reported: Unknown
    elif roll < never_share + silent_share:
        last = now - timedelta(days=rng.randint(10, 45), hours=rng.randint(0, 23))
    else:
        last = now - timedelta(hours=rng.randint(0, 72), minutes=rng.randint(0, 59))
    tags = [GENERATED] + (["pilot"] if rng.random() < 0.05 else [])
    end = end_of_servicing(mapped.product, edition) if mapped else None
    return dict(
        name=name, name_key=name_key(name), domain=rng.choices(["corp.example", "lab.example"], [9, 1])[0],
        os_name=os_name, build=build, ubr=ubr, architecture=info.architecture, is_server=info.is_server,
        edition=edition, os_product=mapped.product if mapped else None, source=GENERATED, agent_version=None,
        installed_kbs=" ".join(sorted(installed, key=int)) if last else "", reported_products="[]",
        tags=json.dumps(tags), created_at=now - timedelta(days=90), last_inventory=last, last_scan=None, last_report=last,
        last_contact=last, out_of_support=past_end(end, now), end_of_support=end, token_hash=None,
        report_serial=0, needs_full_resend=False, evaluated_at=None, required_count=0, installed_count=0,
        failed_count=0, critical_missing=0, important_missing=0, states="",
    )


def _demo_collections(session: Session, now: datetime, apply: MembershipHook) -> None:
    ensure_all_systems(session)
    from sumtui.fleet.collections import FleetError

    wanted = [
        ("Servers", "Every Windows Server", CollectionRule(os_product="Windows Server")),
        ("Workstations", "Windows 10 and 11 desktops", CollectionRule(name_pattern="WS-*")),
        ("Pilot ring", "Machines that get updates first", CollectionRule(tag="pilot")),
    ]
    for name, description, rule in wanted:
        try:
            collection = create_collection(session, CollectionCreate(name=name, description=description), rule=rule, apply=apply)
        except FleetError:
            continue  # already there
        if name == "Servers":
            saturday = (now - timedelta(days=(now.weekday() - 5) % 7)).replace(hour=22, minute=0, second=0, microsecond=0)
            add_window(session, collection, MaintenanceWindowCreate(
                name="Saturday night", start=saturday.astimezone(UTC).replace(tzinfo=None), duration_minutes=240,
                recurrence="weekly", utc=True))

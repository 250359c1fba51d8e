"""An in-memory view of the catalog shaped for evaluation: built once per batch of clients (a sync's
fleet-wide re-evaluation, a group of agent reports), then shared by every client in it.

Products are identified by `product_key` (catalog/identity.py), not ProductID: MSRC's .NET Framework
ids drift between months and its names change when a version range narrows, while the .NET line
stays one product (DESIGN.md §2 rule 1). A product is shown by its newest name.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from sumtui.catalog.derived import host_os, is_os_product
from sumtui.catalog.identity import build_tuple, dotnet_versions, product_key
from sumtui.catalog.models import SupersedenceEdge, Update

__all__ = ["CatalogView", "UpdateInfo", "build_tuple", "load_view", "product_key"]


@dataclass(frozen=True)
class UpdateInfo:
    id: int
    kb: str
    product_key: str
    product: str
    role: str
    kb_month: date | None
    severity_rank: int
    fixed_build: tuple[int, ...] | None  # only for OS cumulative updates (rule 3) and wrong_build rows (rule 4)


@dataclass
class CatalogView:
    updates: dict[int, UpdateInfo] = field(default_factory=dict)
    by_product: dict[str, list[UpdateInfo]] = field(default_factory=lambda: defaultdict(list))
    product_names: dict[str, str] = field(default_factory=dict)  # key → display name (the newest)
    # key of a .NET product → every version its names (old and new) spell out, to tell in-box ones
    dotnet: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    # key of an OS product → keys of products "X on <that OS>"
    components: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    os_products: set[str] = field(default_factory=set)  # keys of OS products
    host_of: dict[str, str] = field(default_factory=dict)  # component key → its OS's key
    products_of_kb: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    superseded_by: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # older KB → newer KBs
    # SSU update id → KBs of later cumulative updates of its product (rule 3)
    later_cumulative: dict[int, frozenset[str]] = field(default_factory=dict)
    _ancestors: dict[str, frozenset[str]] = field(default_factory=dict)
    kbs: frozenset[str] = frozenset()  # every KB in the catalog, set by load_view

    def ancestors(self, kb: str) -> frozenset[str]:
        """Every KB that supersedes `kb`, transitively, across all products (rule 2)."""
        cached = self._ancestors.get(kb)
        if cached is not None:
            return cached
        seen: set[str] = set()
        stack = list(self.superseded_by.get(kb, ()))
        while stack:
            newer = stack.pop()
            if newer in seen or newer == kb:
                continue
            seen.add(newer)
            stack.extend(self.superseded_by.get(newer, ()))
        result = frozenset(seen)
        self._ancestors[kb] = result
        return result


def load_view(session: Session) -> CatalogView:
    view = CatalogView()
    U = Update.__table__
    rows = session.execute(
        select(U.c.id, U.c.kb, U.c.product, U.c.role, U.c.kb_month, U.c.severity_rank, U.c.fixed_build)
    )
    cumulative_by_product: dict[str, list[UpdateInfo]] = defaultdict(list)
    newest: dict[str, date] = {}
    names: set[tuple[str, str]] = set()
    for r in rows:
        key = product_key(r.product)
        os_build = (r.role == "cumulative" and is_os_product(r.product)) or r.role == "wrong_build"
        info = UpdateInfo(
            r.id, r.kb, key, r.product, r.role, r.kb_month, r.severity_rank,
            build_tuple(r.fixed_build) if os_build else None,
        )
        view.updates[r.id] = info
        view.by_product[key].append(info)
        names.add((key, r.product))
        month = r.kb_month or date.min
        if key not in newest or month > newest[key]:
            # One product under several names (a renamed .NET line): shown as its newest month names it.
            newest[key] = month
            view.product_names[key] = r.product
        view.products_of_kb[r.kb].add(key)
        if r.role == "cumulative":
            cumulative_by_product[key].append(info)
    for key, name in names:
        if versions := dotnet_versions(name):
            view.dotnet[key] |= versions
    for key, name in view.product_names.items():
        if is_os_product(name):
            view.os_products.add(key)
            continue
        host = host_os(name)
        if host is not None:
            view.components[product_key(host)].append(key)
            view.host_of[key] = product_key(host)
    E = SupersedenceEdge.__table__
    for newer, older in session.execute(select(E.c.newer_kb, E.c.older_kb)):
        view.superseded_by[older].add(newer)
    view.kbs = frozenset(view.products_of_kb)
    for info in view.updates.values():
        if info.role == "ssu":
            later = cumulative_by_product.get(info.product_key, [])
            view.later_cumulative[info.id] = frozenset(
                c.kb for c in later if c.kb_month and info.kb_month and c.kb_month > info.kb_month
            )
    return view

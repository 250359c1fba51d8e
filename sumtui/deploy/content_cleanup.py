"""Cleaning up content: what expired or superseded updates no longer need (`sumtui content cleanup
[--dry-run]`): their place in packages, and the store files nothing else refers to.

An update leaves its packages when the catalog marks it expired, or superseded (for an update taken
without a product: when every catalog row of its KB is). A store file goes when no remaining package
update refers to it and the `keep` hook (content that deployments still use) does not name it.
Content the catalog does not know (a manifest's own files) is never removed by catalog facts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlmodel import Session

from sumtui.catalog.models import SupersedenceEdge, Update
from sumtui.deploy.content.store import ContentStore
from sumtui.deploy.content_verify import file_names
from sumtui.deploy.models import ContentFile, Package, PackageFile, PackageUpdate


@dataclass(frozen=True)
class CleanupItem:
    package: str
    kb: str
    product: str | None
    why: str  # "expired" | "superseded by KB…"


@dataclass(frozen=True)
class CleanupFile:
    sha1: str
    file_names: tuple[str, ...]
    size: int
    why: str


@dataclass
class CleanupResult:
    updates: list[CleanupItem] = field(default_factory=list)
    files: list[CleanupFile] = field(default_factory=list)
    dry_run: bool = True

    @property
    def bytes(self) -> int:
        return sum(f.size for f in self.files)


def cleanup_content(
    session: Session,
    *,
    store: ContentStore,
    dry_run: bool = True,
    keep: Callable[[Session], set[str]] | None = None,
) -> CleanupResult:
    """What cleanup would remove (`dry_run`), or remove it: package updates and store files."""
    result = CleanupResult(dry_run=dry_run)
    flags, newer = _catalog_facts(session)
    packages = dict(session.execute(select(Package.id, Package.name)).all())
    drop: list[int] = []
    for u in session.execute(select(PackageUpdate).order_by(PackageUpdate.package_id, PackageUpdate.kb)).scalars():
        why = _why(flags.get(u.kb), newer.get(u.kb, ()), u.product_id)
        if why:
            drop.append(u.id)
            result.updates.append(CleanupItem(packages.get(u.package_id, "?"), u.kb, u.product, why))
    query = select(PackageFile.sha1)
    if drop:
        query = query.where(PackageFile.package_update_id.not_in(drop))
    needed = {r[0] for r in session.execute(query)} | (set(keep(session)) if keep else set())
    names = file_names(session)
    sizes = {c.sha1: c.size for c in session.execute(select(ContentFile)).scalars()}
    for sha1, path in store.stored():
        if sha1 in needed:
            continue
        known = names.get(sha1, ())
        why = "only expired or superseded updates use it" if known else "no package uses it"
        result.files.append(CleanupFile(sha1, known, sizes.get(sha1) or path.stat().st_size, why))
    if dry_run:
        return result
    if drop:
        session.execute(delete(PackageFile).where(PackageFile.package_update_id.in_(drop)))
        session.execute(delete(PackageUpdate).where(PackageUpdate.id.in_(drop)))
    for f in result.files:
        store.remove(f.sha1)
        session.execute(delete(ContentFile).where(ContentFile.sha1 == f.sha1))
    session.flush()
    return result


def _catalog_facts(session: Session) -> tuple[dict[str, dict[str, tuple[bool, bool]]], dict[str, tuple[str, ...]]]:
    """(kb → product id → (expired, superseded)) for the KBs in packages, and each one's superseders."""
    kbs = {r[0] for r in session.execute(select(PackageUpdate.kb).distinct())}
    flags: dict[str, dict[str, tuple[bool, bool]]] = {}
    newer: dict[str, set[str]] = {}
    if not kbs:
        return flags, {}
    for kb, product_id, expired, superseded in session.execute(
        select(Update.kb, Update.product_id, Update.expired, Update.superseded).where(Update.kb.in_(kbs))
    ):
        flags.setdefault(kb, {})[product_id] = (bool(expired), bool(superseded))
    for newer_kb, older_kb in session.execute(
        select(SupersedenceEdge.newer_kb, SupersedenceEdge.older_kb).where(SupersedenceEdge.older_kb.in_(kbs))
    ):
        newer.setdefault(older_kb, set()).add(newer_kb)
    return flags, {k: tuple(sorted(v)) for k, v in newer.items()}


def _why(rows: dict[str, tuple[bool, bool]] | None, newer: tuple[str, ...], product_id: str) -> str | None:
    if not rows:
        return None  # not in the catalog (a manifest's own content)
    chosen = [rows[product_id]] if product_id in rows else (list(rows.values()) if not product_id else [])
    if not chosen:
        return None
    if all(expired for expired, _ in chosen):
        return "expired"
    if all(expired or superseded for expired, superseded in chosen):
        return f"superseded by {', '.join('KB' + k for k in newer[:3])}" if newer else "superseded"
    return None

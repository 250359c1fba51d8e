"""Deployment packages: create, list, show, rename, delete; what each holds and where its files stand.

Names follow SCCM's limits (name up to 50 characters, description up to 127) and are unique
ignoring case and width (`naming.name_key`), like update lists and templates. A package's files
live in the content store by SHA-1; deleting a package removes its rows only, and `content cleanup`
removes store files no package needs any more.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import case, delete, func, select
from sqlmodel import Session

from sumtui.deploy import naming
from sumtui.deploy.models import (
    DOWNLOADED,
    MISSING,
    QUARANTINED,
    STORED,
    ContentFile,
    Package,
    PackageFile,
    PackageUpdate,
)
from sumtui.text import escape_controls
from sumtui.timeutil import utcnow


class PackageError(Exception):
    """A package operation cannot be done; the message says why and names the package."""


def check_name(name: str | None) -> str:
    """A package name as stored: trimmed, 1 to 50 characters, every character printable."""
    return naming.check_name(name, what="package", error=PackageError)


def check_description(description: str | None) -> str | None:
    return naming.check_description(description, what="package", error=PackageError)


def find_package(session: Session, *, name: str) -> Package | None:
    """The package of this name, ignoring case and width (names are typed by people)."""
    return session.execute(select(Package).where(Package.name_key == naming.name_key(name or ""))).scalar_one_or_none()


def get_package(session: Session, *, name: str) -> Package:
    package = find_package(session, name=name)
    if package is None:
        raise PackageError(f"no package named {escape_controls(name)!r} (see `sumtui packages`; create one with "
                           "`sumtui packages create NAME`)")
    return package


def create_package(session: Session, *, name: str, description: str | None = None) -> Package:
    value = check_name(name)
    if find_package(session, name=value) is not None:
        raise PackageError(f"a package named {escape_controls(value)!r} already exists")
    package = Package(name=value, name_key=naming.name_key(value), description=check_description(description),
                      created_at=utcnow())
    session.add(package)
    session.flush()
    return package


def edit_package(session: Session, *, name: str, new_name: str | None = None, description: str | None = None) -> Package:
    """Rename a package and/or change its description (None leaves a field as it is; "" clears the description)."""
    package = get_package(session, name=name)
    if new_name is not None:
        value = check_name(new_name)
        other = find_package(session, name=value)
        if other is not None and other.id != package.id:
            raise PackageError(f"a package named {escape_controls(value)!r} already exists")
        package.name, package.name_key = value, naming.name_key(value)
    if description is not None:
        package.description = check_description(description)
    package.updated_at = utcnow()
    session.add(package)
    session.flush()
    return package


def delete_package(session: Session, *, name: str) -> Package:
    """Remove a package and its rows; its files stay in the store until `content cleanup`."""
    package = get_package(session, name=name)
    session.execute(delete(PackageFile).where(PackageFile.package_id == package.id))
    session.execute(delete(PackageUpdate).where(PackageUpdate.package_id == package.id))
    session.execute(delete(Package).where(Package.id == package.id))
    session.flush()
    return package


@dataclass(frozen=True)
class PackageSummary:
    id: int
    name: str
    description: str | None
    updates: int
    files: int
    downloaded: int
    missing: int
    quarantined: int
    bytes: int  # of the distinct files downloaded

    @property
    def complete(self) -> bool:
        return self.files > 0 and self.downloaded == self.files

    def as_row(self) -> dict:
        return {"name": self.name, "description": self.description, "updates": self.updates, "files": self.files,
                "downloaded": self.downloaded, "missing": self.missing, "quarantined": self.quarantined,
                "bytes": self.bytes, "complete": self.complete}


def list_packages(session: Session) -> list[PackageSummary]:
    """Every package with its counts (files counted once per package and SHA-1)."""
    packages = session.execute(select(Package).order_by(func.lower(Package.name))).scalars().all()
    updates = dict(session.execute(select(PackageUpdate.package_id, func.count()).group_by(PackageUpdate.package_id)).all())
    files = session.execute(
        select(PackageFile.package_id, PackageFile.sha1, PackageFile.state, PackageFile.size).distinct()
    ).all()
    counts: dict[int, Counter] = {}
    sizes: dict[int, int] = {}
    seen: set[tuple[int, str]] = set()
    for package_id, sha1, state, size in files:
        if (package_id, sha1) in seen:
            continue
        seen.add((package_id, sha1))
        counts.setdefault(package_id, Counter())[state] += 1
        if state == DOWNLOADED:
            sizes[package_id] = sizes.get(package_id, 0) + (size or 0)
    result = []
    for p in packages:
        c = counts.get(p.id, Counter())
        result.append(PackageSummary(
            id=p.id, name=p.name, description=p.description, updates=updates.get(p.id, 0), files=sum(c.values()),
            downloaded=c[DOWNLOADED], missing=c[MISSING], quarantined=c[QUARANTINED], bytes=sizes.get(p.id, 0),
        ))
    return result


def package_detail(session: Session, *, name: str) -> dict:
    """The CLI contract's `packages show` document: {name, description, files: [{kb, file_name, sha1,
    sha256, size, state}], ...} plus each file's reason and each update's state."""
    package = get_package(session, name=name)
    files = session.execute(
        select(PackageFile).where(PackageFile.package_id == package.id).order_by(PackageFile.kb, PackageFile.file_name)
    ).scalars().all()
    # SHA-256 as the source gave it, else as the store recorded it when the file was verified.
    recorded = dict(session.execute(select(ContentFile.sha1, ContentFile.sha256).where(
        ContentFile.sha1.in_({f.sha1 for f in files}), ContentFile.state == STORED)).all()) if files else {}
    listed, seen = [], set()
    for f in files:
        if (f.kb, f.sha1) in seen:
            continue
        seen.add((f.kb, f.sha1))
        sha256 = f.sha256 or (recorded.get(f.sha1) if f.state == DOWNLOADED else None)
        listed.append({"kb": f.kb, "file_name": f.file_name, "sha1": f.sha1, "sha256": sha256, "size": f.size,
                       "state": f.state, "reason": f.reason, "url": f.url, "origin": f.origin,
                       "languages": [x for x in f.languages.split(",") if x]})
    updates = session.execute(
        select(PackageUpdate).where(PackageUpdate.package_id == package.id).order_by(PackageUpdate.kb, PackageUpdate.product_id)
    ).scalars().all()
    return {
        "name": package.name, "description": package.description, "files": listed,
        "updates": [{"kb": u.kb, "product_id": u.product_id or None, "product": u.product, "source": u.source,
                     "state": u.state, "reason": u.reason} for u in updates],
    }


# --- a package's files and updates, a page at a time (the console's grids) ------------------------

# Problems first: what the operator has to act on is at the top of the grid.
_FILE_ORDER = case((PackageFile.state == QUARANTINED, 0), (PackageFile.state == MISSING, 1), else_=2)


@dataclass(frozen=True)
class PackageFileRow:
    """One file of a package (a file two products of a KB share is one row), where it stands and why."""

    kb: str
    file_name: str
    sha1: str
    size: int | None
    state: str  # downloaded | missing | quarantined
    reason: str | None  # "not yet fetched", a hash mismatch, an HTTP error...
    origin: str  # catalog | operator | folder
    languages: str


def _files_of(package_id: int):
    return (select(PackageFile.kb, PackageFile.sha1, func.min(PackageFile.file_name).label("file_name"),
                   func.max(PackageFile.size).label("size"), func.min(PackageFile.state).label("state"),
                   func.min(PackageFile.reason).label("reason"), func.min(PackageFile.origin).label("origin"),
                   func.min(PackageFile.languages).label("languages"), func.min(_FILE_ORDER).label("rank"))
            .where(PackageFile.package_id == package_id).group_by(PackageFile.kb, PackageFile.sha1))


def count_package_files(session: Session, *, package_id: int) -> int:
    return session.execute(select(func.count()).select_from(_files_of(package_id).subquery())).scalar_one()


def page_package_files(session: Session, *, package_id: int, offset: int = 0, limit: int = 100) -> list[PackageFileRow]:
    """The package's files, quarantined then missing then downloaded, each by KB and file name."""
    rows = _files_of(package_id).subquery()
    query = (select(rows.c.kb, rows.c.file_name, rows.c.sha1, rows.c.size, rows.c.state, rows.c.reason, rows.c.origin,
                    rows.c.languages)
             .order_by(rows.c.rank, func.length(rows.c.kb), rows.c.kb, rows.c.file_name, rows.c.sha1)
             .offset(offset).limit(limit))
    return [PackageFileRow(*row) for row in session.execute(query)]


@dataclass(frozen=True)
class PackageUpdateRow:
    kb: str
    product_id: str
    product: str | None
    source: str  # catalog | manifest | folder
    state: str  # pending | downloaded | incomplete | failed
    reason: str | None
    files: int


def count_package_updates(session: Session, *, package_id: int) -> int:
    return session.execute(select(func.count()).select_from(PackageUpdate)
                           .where(PackageUpdate.package_id == package_id)).scalar_one()


def page_package_updates(session: Session, *, package_id: int, offset: int = 0, limit: int = 100) -> list[PackageUpdateRow]:
    """The package's updates by KB and product, each with its state, why, and how many files it needs."""
    files = (select(func.count()).select_from(PackageFile)
             .where(PackageFile.package_update_id == PackageUpdate.id).scalar_subquery())
    query = (select(PackageUpdate.kb, PackageUpdate.product_id, PackageUpdate.product, PackageUpdate.source,
                    PackageUpdate.state, PackageUpdate.reason, files)
             .where(PackageUpdate.package_id == package_id)
             .order_by(func.length(PackageUpdate.kb), PackageUpdate.kb, PackageUpdate.product_id)
             .offset(offset).limit(limit))
    return [PackageUpdateRow(*row) for row in session.execute(query)]

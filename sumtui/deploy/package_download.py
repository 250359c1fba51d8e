"""Downloading updates into a deployment package: from the Microsoft Update Catalog, a manifest or a
folder, verified into the content store, with the package's per-update and per-file state kept
current as each file lands.

`download_package` is one call for the CLI, a console worker and tests: it takes a session, plain
arguments and optional callbacks (`progress` for a bar, `cancel` as a callable or an Event), and
returns a plain result naming every update and file that failed and why. Run it in a thread of its
own (it runs the catalog look-ups in an event loop of its own). Each file's outcome is committed as it
arrives, so a cancelled or interrupted download keeps what it finished.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, select
from sqlmodel import Session

from sumtui.catalog import settings as update_point
from sumtui.catalog.models import Update
from sumtui.deploy.content.download import (
    DownloadProgress,
    cancel_check,
    download_files,
)
from sumtui.deploy.content.manifest import ManifestEntry, folder_entries, in_folder
from sumtui.deploy.content.names import kb_number
from sumtui.deploy.content.resolver import KbResolution, ResolvedFile, Wanted, resolve
from sumtui.deploy.content.store import ContentStore
from sumtui.deploy.content.transfer import (
    CANCELLED,
    PRESENT,
    QUARANTINED,
    STORED,
    FileJob,
    FileOutcome,
)
from sumtui.deploy.content.urls import CATALOG, CATALOG_URL, OPERATOR, UrlPolicy
from sumtui.deploy.models import (
    COMPLETE,
    DOWNLOADED,
    FAILED,
    INCOMPLETE,
    MISSING,
    PENDING,
    STORE_QUARANTINED,
    ContentFile,
    Package,
    PackageFile,
    PackageUpdate,
)
from sumtui.deploy.models import (
    STORED as STORE_STORED,
)
from sumtui.deploy.packages import PackageError, get_package
from sumtui.timeutil import utcnow

FOLDER = "folder"


@dataclass(frozen=True)
class WantedUpdate:
    """An update to put in a package: a KB, and the catalog product it is for (None: every file of the KB)."""

    kb: str
    product_id: str | None = None
    product: str | None = None


def wanted_from_kbs(session: Session, texts: Sequence[str]) -> list[WantedUpdate]:
    """'KB4592440' → one WantedUpdate per product the catalog has for that KB (one without a product
    when the catalog does not know it); 'KB4592440@10483' → that product only. ValueError names a bad one."""
    result: list[WantedUpdate] = []
    for text in texts:
        kb_text, _, product_id = text.partition("@")
        kb = kb_number(kb_text)
        query = select(Update.product_id, Update.product).where(Update.kb == kb).order_by(Update.product_id)
        if product_id:
            query = query.where(Update.product_id == product_id.strip())
        rows = session.execute(query).all()
        if product_id and not rows:
            raise ValueError(f"{text!r}: the catalog has no update KB{kb} for product id {product_id.strip()!r}")
        if not rows:
            result.append(WantedUpdate(kb=kb))
        result.extend(WantedUpdate(kb=kb, product_id=pid, product=name) for pid, name in rows)
    seen, unique = set(), []
    for item in result:
        if (item.kb, item.product_id) not in seen:
            seen.add((item.kb, item.product_id))
            unique.append(item)
    return unique


@dataclass(frozen=True)
class CatalogSource:
    """Files found through the Microsoft Update Catalog, in the site's languages (or `languages`)."""

    catalog_url: str = CATALOG_URL
    languages: Sequence[str] | None = None  # None: the update point's languages
    all_languages: bool = False


@dataclass(frozen=True)
class ManifestSource:
    """Files listed by a manifest; from `folder` by file name when given, else from their URLs."""

    entries: Sequence[ManifestEntry]
    folder: Path | None = None


@dataclass(frozen=True)
class FolderSource:
    """Files of a folder whose names carry the KB and end in their SHA-1."""

    folder: Path


Source = CatalogSource | ManifestSource | FolderSource


@dataclass
class PackageProgress:
    phase: str  # "resolving" | "downloading" | "done"
    kbs_done: int = 0
    kbs_total: int = 0
    download: DownloadProgress | None = None


@dataclass
class UpdateResult:
    kb: str
    product_id: str | None
    product: str | None
    state: str
    reason: str | None


@dataclass
class PackageDownloadResult:
    package: str
    updates: list[UpdateResult] = field(default_factory=list)
    files: list[FileOutcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    cancelled: bool = False

    @property
    def ok(self) -> bool:
        return not self.cancelled and all(u.state == COMPLETE for u in self.updates)

    def failures(self) -> list[str]:
        """One line per file or update that failed, naming it and why."""
        lines = [f"KB{getattr(o.job, 'kb', '?')} {o.job.file_name}: {o.reason}" for o in self.files
                 if not o.ok and o.status != CANCELLED]
        for u in self.updates:
            if u.state == FAILED:
                reason = u.reason or "failed"
                named = f"KB{u.kb}{' (' + u.product + ')' if u.product else ''}"
                lines.append(reason if reason.startswith(named) else f"{named}: {reason}")
        return lines


@dataclass(frozen=True)
class _PlannedFile:
    kb: str
    file_name: str
    sha1: str
    sha256: str | None
    size: int | None
    url: str | None
    origin: str
    catalog_update_id: str | None = None
    languages: tuple[str, ...] = ()


@dataclass
class _PlannedUpdate:
    wanted: WantedUpdate
    source: str
    files: list[_PlannedFile] = field(default_factory=list)
    error: str | None = None


@dataclass(frozen=True)
class _Job(FileJob):
    kb: str = ""


def download_package(
    session: Session,
    *,
    store: ContentStore,
    name: str,
    wanted: Sequence[WantedUpdate],
    source: Source,
    policy: UrlPolicy | None = None,
    progress: Callable[[PackageProgress], None] | None = None,
    cancel=None,
    concurrency: int = 4,
    timeout: float = 60.0,
    retries: int = 3,
    backoff: float = 1.0,
    free_bytes: Callable[[], int] | None = None,
) -> PackageDownloadResult:
    """Put `wanted` into package `name` from `source` and fetch what the store lacks.

    PackageError when the package does not exist or nothing is wanted; NotEnoughSpace (nothing
    fetched) when the content disk is short. Everything else is reported per update and file."""
    package = get_package(session, name=name)
    policy = policy or UrlPolicy()
    cancelled = cancel_check(cancel)
    result = PackageDownloadResult(package=package.name)
    report = progress or (lambda _p: None)
    if isinstance(source, ManifestSource) and not wanted:
        wanted = [WantedUpdate(kb=kb) for kb in dict.fromkeys(e.kb for e in source.entries)]
    if not wanted:
        raise PackageError("nothing to download: give KBs, an update list or a manifest")

    report(PackageProgress("resolving", 0, len({w.kb for w in wanted})))
    plans = _plan(session, wanted, source, result=result, report=report, cancelled=cancelled)
    update_ids = _record_plan(session, package, plans, store)
    session.commit()
    keys = {(w.kb, w.product_id or "") for w in wanted}
    if cancelled():
        result.cancelled = True
        result.updates = _settle(session, package, keys)
        session.commit()
        return result

    jobs = _jobs(session, update_ids)

    def on_done(outcome: FileOutcome) -> None:
        record_outcome(session, package, outcome)
        session.commit()

    def on_progress(p: DownloadProgress) -> None:
        report(PackageProgress("downloading", download=p))

    if jobs:
        result.files = download_files(
            jobs, store=store, policy=policy, concurrency=concurrency, progress=on_progress, on_done=on_done,
            cancel=cancelled, timeout=timeout, retries=retries, backoff=backoff, free_bytes=free_bytes,
        )
    result.cancelled = cancelled() or any(o.status == CANCELLED for o in result.files)
    result.updates = _settle(session, package, keys)
    session.commit()
    report(PackageProgress("done"))
    return result


# --- planning: which files each wanted update needs


def _plan(session: Session, wanted: Sequence[WantedUpdate], source: Source, *, result, report, cancelled) -> list[_PlannedUpdate]:
    if isinstance(source, CatalogSource):
        return _plan_catalog(session, wanted, source, result=result, report=report, cancelled=cancelled)
    if isinstance(source, ManifestSource):
        entries = in_folder(source.entries, source.folder) if source.folder is not None else list(source.entries)
        return _plan_entries(wanted, entries, source="manifest", missing="the manifest lists no file for it")
    entries, problems = folder_entries(source.folder, list(dict.fromkeys(w.kb for w in wanted)))
    plans = _plan_entries(wanted, entries, source=FOLDER, missing=f"no file for it in {source.folder}")
    for plan in plans:
        problem = problems.get(plan.wanted.kb)
        if problem and not plan.files:
            plan.error = problem
        elif problem:
            result.notes.append(problem)
    return plans


def _plan_entries(wanted: Sequence[WantedUpdate], entries: Sequence[ManifestEntry], *, source: str, missing: str) -> list[_PlannedUpdate]:
    by_kb: dict[str, list[ManifestEntry]] = {}
    for entry in entries:
        by_kb.setdefault(entry.kb, []).append(entry)
    plans = []
    for item in wanted:
        plan = _PlannedUpdate(item, source)
        for e in by_kb.get(item.kb, []):
            origin = FOLDER if e.local is not None else OPERATOR
            plan.files.append(_PlannedFile(kb=e.kb, file_name=e.file_name, sha1=e.sha1, sha256=e.sha256, size=e.size,
                                           url=str(e.local) if e.local is not None else e.url, origin=origin))
        if not plan.files:
            plan.error = missing
        plans.append(plan)
    return plans


def catalog_asks(wanted: Sequence[WantedUpdate]) -> dict[str, Wanted]:
    """What to ask the catalog for each KB: the products wanted, or every row when one of the KB's
    wanted updates names no product."""
    asks: dict[str, list[tuple[str, str]] | None] = {}
    for item in wanted:
        products = asks.setdefault(item.kb, [])
        if item.product_id is None or products is None:
            asks[item.kb] = None
        else:
            products.append((item.product_id, item.product or item.product_id))
    return {kb: Wanted(kb=kb, products=tuple(products or ())) for kb, products in asks.items()}


def _plan_catalog(session: Session, wanted: Sequence[WantedUpdate], source: CatalogSource, *, result, report,
                  cancelled) -> list[_PlannedUpdate]:
    languages = None
    if not source.all_languages:
        languages = list(source.languages) if source.languages is not None else update_point.load(session)[0].languages
    asks = catalog_asks(wanted)

    def step(done: int, total: int) -> None:
        report(PackageProgress("resolving", done, total))

    answers = asyncio.run(resolve(list(asks.values()), catalog_url=source.catalog_url, languages=languages,
                                  progress=step, cancel=cancelled))
    by_kb: dict[str, KbResolution] = {a.kb: a for a in answers}
    plans = []
    for answer in answers:
        result.notes.extend(answer.notes)
    for item in wanted:
        answer = by_kb[item.kb]
        plan = _PlannedUpdate(item, "catalog")
        if answer.error and not answer.files:
            plan.error = answer.error
        else:
            whole_kb = item.product_id is None or not asks[item.kb].products  # no product told the rows apart
            files: list[ResolvedFile] = [f for f in answer.files if whole_kb or item.product_id in f.product_ids]
            if not files:
                plan.error = answer.unmatched.get(item.product_id or "", f"KB{item.kb}: no file of it is for {item.product}")
            for f in files:
                plan.files.append(_PlannedFile(kb=item.kb, file_name=f.file_name, sha1=f.sha1, sha256=f.sha256,
                                               size=f.size, url=f.url, origin=CATALOG, catalog_update_id=f.update_id,
                                               languages=f.languages))
        plans.append(plan)
    return plans


# --- the package's rows


def _record_plan(session: Session, package: Package, plans: list[_PlannedUpdate], store: ContentStore) -> list[int]:
    """Write the plan into the package's rows; the ids of the package updates it touched."""
    now = utcnow()
    touched: list[int] = []
    stored = _stored(session, {f.sha1 for p in plans for f in p.files})
    for plan in plans:
        w = plan.wanted
        row = session.execute(select(PackageUpdate).where(
            PackageUpdate.package_id == package.id, PackageUpdate.kb == w.kb, PackageUpdate.product_id == (w.product_id or ""),
        )).scalar_one_or_none()
        if row is None:
            row = PackageUpdate(package_id=package.id, kb=w.kb, product_id=w.product_id or "", updated_at=now)
        if plan.error and not plan.files and row.id is not None and row.state == COMPLETE:
            # A source that cannot offer it now does not undo what an earlier download completed.
            touched.append(row.id)
            continue
        row.product, row.source, row.updated_at = w.product, plan.source, now
        row.state, row.reason = (FAILED, plan.error) if not plan.files else (PENDING, None)
        session.add(row)
        session.flush()
        touched.append(row.id)
        if not plan.files:
            continue
        session.execute(delete(PackageFile).where(PackageFile.package_update_id == row.id))
        for f in {f.sha1: f for f in plan.files}.values():
            present = f.sha1 in stored and store.has(f.sha1)  # the index and the disk agree
            session.add(PackageFile(
                package_id=package.id, package_update_id=row.id, kb=f.kb, file_name=f.file_name, sha1=f.sha1,
                sha256=f.sha256, size=f.size, url=f.url, origin=f.origin, catalog_update_id=f.catalog_update_id,
                languages=",".join(f.languages), state=DOWNLOADED if present else MISSING,
                reason=None if present else "not yet fetched", updated_at=now,
            ))
    package.updated_at = now
    session.add(package)
    session.flush()
    return touched


def _stored(session: Session, sha1s: set[str]) -> set[str]:
    if not sha1s:
        return set()
    rows = session.execute(select(ContentFile.sha1).where(ContentFile.sha1.in_(sha1s), ContentFile.state == STORE_STORED))
    return {r[0] for r in rows}


def _jobs(session: Session, update_ids: list[int]) -> list[_Job]:
    """A job per file of these package updates not yet downloaded."""
    if not update_ids:
        return []
    rows = session.execute(select(PackageFile).where(PackageFile.package_update_id.in_(update_ids),
                                                     PackageFile.state != DOWNLOADED).order_by(PackageFile.id)).scalars().all()
    jobs, seen = [], set()
    for f in rows:
        if f.sha1 in seen:
            continue
        seen.add(f.sha1)
        local = Path(f.url) if f.origin == FOLDER and f.url else None
        # The catalog's size is its search row's: a hint, not a promise (the hashes are the check).
        exact = f.size if f.origin != CATALOG else None
        jobs.append(_Job(file_name=f.file_name, sha1=f.sha1, sha256=f.sha256, size=exact, size_hint=f.size,
                         url=None if local is not None else f.url, origin=CATALOG if f.origin == CATALOG else OPERATOR,
                         local=local, kb=f.kb))
    return jobs


def record_outcome(session: Session, package: Package, outcome: FileOutcome) -> None:
    """Write one file's outcome: the store's index, and the package rows that wait for this SHA-1."""
    now = utcnow()
    sha1 = outcome.job.sha1
    content = session.get(ContentFile, sha1)
    if outcome.status in (STORED, PRESENT):
        if content is None:
            content = ContentFile(sha1=sha1)
        if outcome.status == STORED or content.state != STORE_STORED:
            content.sha256, content.size = outcome.sha256 or content.sha256, outcome.size
            content.state, content.reason, content.stored_at, content.verified_at = STORE_STORED, None, now, now
        session.add(content)
        if outcome.job.sha256 and content.sha256 and outcome.job.sha256 != content.sha256:
            _set(session, package.id, sha1, MISSING, f"the stored copy's SHA-256 is {content.sha256}, expected {outcome.job.sha256}")
            return
        # Every package waiting for this file has it now.
        for f in session.execute(select(PackageFile).where(PackageFile.sha1 == sha1)).scalars():
            f.state, f.reason, f.updated_at = DOWNLOADED, None, now
            f.size = outcome.size if outcome.size is not None else f.size
            session.add(f)
        return
    if outcome.status == QUARANTINED:
        if content is None or content.state != STORE_STORED:
            content = content or ContentFile(sha1=sha1)
            content.state, content.reason, content.size = STORE_QUARANTINED, outcome.reason, outcome.size
            session.add(content)
        _set(session, package.id, sha1, QUARANTINED, outcome.reason)
        return
    _set(session, package.id, sha1, MISSING, outcome.reason)


def _set(session: Session, package_id: int, sha1: str, state: str, reason: str | None) -> None:
    now = utcnow()
    for f in session.execute(select(PackageFile).where(PackageFile.package_id == package_id, PackageFile.sha1 == sha1)).scalars():
        f.state, f.reason, f.updated_at = state, reason, now
        session.add(f)


def settle_updates(session: Session, *, package_id: int) -> None:
    """Recompute each update's state of a package from its files (after a download, verify or repair)."""
    now = utcnow()
    updates = session.execute(select(PackageUpdate).where(PackageUpdate.package_id == package_id)).scalars().all()
    files: dict[int, list[PackageFile]] = {}
    for f in session.execute(select(PackageFile).where(PackageFile.package_id == package_id)).scalars():
        files.setdefault(f.package_update_id, []).append(f)
    for u in updates:
        mine = files.get(u.id, [])
        if not mine:
            if u.state != FAILED:
                u.state, u.reason = FAILED, u.reason or "no files"
        elif all(f.state == DOWNLOADED for f in mine):
            u.state, u.reason = COMPLETE, None
        else:
            bad = [f for f in mine if f.state != DOWNLOADED]
            u.state = INCOMPLETE
            u.reason = f"{len(bad)} of {len(mine)} file(s) not downloaded: " + "; ".join(
                f"{f.file_name}: {f.reason or f.state}" for f in bad[:3])
        u.updated_at = now
        session.add(u)
    session.flush()


def _settle(session: Session, package: Package, keys: set[tuple[str, str]]) -> list[UpdateResult]:
    """Settle every update of the package; the results of those this download was asked for."""
    settle_updates(session, package_id=package.id)
    rows = session.execute(select(PackageUpdate).where(PackageUpdate.package_id == package.id)
                           .order_by(PackageUpdate.kb, PackageUpdate.product_id)).scalars().all()
    return [UpdateResult(kb=u.kb, product_id=u.product_id or None, product=u.product, state=u.state, reason=u.reason)
            for u in rows if (u.kb, u.product_id) in keys]


"""Verifying the content store: re-hash every stored file, quarantine what changed, and optionally
fetch it again (`sumtui content verify [--repair]`).

Takes a session and a store and returns a plain result; progress goes through a callback and
cancel is a callable or an Event, like downloads. Files are hashed by a small pool of threads
(hashlib releases the GIL on large blocks), so a big store is read at the speed of the disk.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent import futures
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlmodel import Session

from sumtui.deploy.content.download import cancel_check, download_files
from sumtui.deploy.content.store import Cancelled, ContentStore, hash_file
from sumtui.deploy.content.transfer import CANCELLED, FileJob, FileOutcome
from sumtui.deploy.content.urls import CATALOG, OPERATOR, UrlPolicy
from sumtui.deploy.models import (
    DOWNLOADED,
    MISSING,
    QUARANTINED,
    STORE_MISSING,
    STORE_QUARANTINED,
    STORED,
    ContentFile,
    Package,
    PackageFile,
)
from sumtui.deploy.package_download import FOLDER, record_outcome, settle_updates
from sumtui.timeutil import utcnow


@dataclass
class VerifyProgress:
    files_total: int
    bytes_total: int
    files_done: int = 0
    bytes_done: int = 0
    bad: int = 0


@dataclass(frozen=True)
class VerifiedFile:
    sha1: str
    file_names: tuple[str, ...]
    size: int | None
    state: str  # ok | changed | missing | untracked | repaired | still bad
    reason: str | None = None


@dataclass
class VerifyResult:
    files: list[VerifiedFile] = field(default_factory=list)
    repairs: list[FileOutcome] = field(default_factory=list)
    cancelled: bool = False

    @property
    def bad(self) -> list[VerifiedFile]:
        return [f for f in self.files if f.state in ("changed", "missing", "still bad")]

    @property
    def ok(self) -> bool:
        return not self.bad and not self.cancelled


def file_names(session: Session) -> dict[str, tuple[str, ...]]:
    """The names each stored SHA-1 goes by in packages."""
    names: dict[str, set[str]] = {}
    for sha1, name in session.execute(select(PackageFile.sha1, PackageFile.file_name)):
        names.setdefault(sha1, set()).add(name)
    return {k: tuple(sorted(v)) for k, v in names.items()}


def verify_content(
    session: Session,
    *,
    store: ContentStore,
    repair: bool = False,
    policy: UrlPolicy | None = None,
    progress: Callable[[VerifyProgress], None] | None = None,
    cancel=None,
    workers: int = 2,
    retries: int = 3,
    backoff: float = 1.0,
    timeout: float = 60.0,
) -> VerifyResult:
    """Re-hash every file the store index says is stored (and any file in the store it does not know).

    A file whose bytes no longer give its SHA-1 (or its recorded SHA-256) is moved to quarantine and
    every package that has it shows it quarantined; a file that vanished shows missing. With
    `repair`, every such file (and any already quarantined or missing) is fetched again from where
    its packages got it, with the same verification as a download."""
    cancelled = cancel_check(cancel)
    store.ensure()
    names = file_names(session)
    index = {c.sha1: c for c in session.execute(select(ContentFile)).scalars()}
    on_disk = dict(store.stored())
    targets = [sha1 for sha1, c in index.items() if c.state == STORED] + [s for s in on_disk if s not in index]
    sizes = {s: (on_disk[s].stat().st_size if s in on_disk else 0) for s in targets}
    state = VerifyProgress(files_total=len(targets), bytes_total=sum(sizes.values()))
    result = VerifyResult()
    now = utcnow()

    def check(sha1: str):
        path = on_disk.get(sha1)
        if path is None:
            return sha1, None
        return sha1, hash_file(path, cancel=cancelled)

    if progress:
        progress(state)
    with futures.ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="sumtui-verify") as pool:
        jobs = [pool.submit(check, sha1) for sha1 in sorted(targets, key=lambda s: sizes[s], reverse=True)]
        for job in futures.as_completed(jobs):
            try:
                sha1, hashes = job.result()
            except Cancelled:
                result.cancelled = True
                continue
            content = index.get(sha1)
            known = names.get(sha1, ())
            if hashes is None:
                content.state, content.reason = STORE_MISSING, "the stored file is gone"
                _mark(session, sha1, MISSING, "the stored file is gone from the content folder")
                result.files.append(VerifiedFile(sha1, known, content.size, "missing", content.reason))
            elif hashes.sha1 != sha1 or (content is not None and content.sha256 and hashes.sha256 != content.sha256):
                moved = store.quarantine_stored(sha1)
                what = (f"SHA-1 is now {hashes.sha1}" if hashes.sha1 != sha1 else f"SHA-256 is now {hashes.sha256}")
                reason = f"changed on disk: {what} (quarantined as {moved.name if moved else '?'})"
                content = content or ContentFile(sha1=sha1)
                content.state, content.reason = STORE_QUARANTINED, reason
                _mark(session, sha1, QUARANTINED, reason)
                result.files.append(VerifiedFile(sha1, known, hashes.size, "changed", reason))
            elif content is None:
                session.add(ContentFile(sha1=sha1, sha256=hashes.sha256, size=hashes.size, state=STORED,
                                        stored_at=now, verified_at=now))
                result.files.append(VerifiedFile(sha1, known, hashes.size, "untracked",
                                                 "in the store but not in its index: indexed now"))
            else:
                content.verified_at, content.size = now, hashes.size
                content.sha256 = content.sha256 or hashes.sha256
                result.files.append(VerifiedFile(sha1, known, hashes.size, "ok"))
            if content is not None:
                session.add(content)
            state.files_done += 1
            state.bytes_done += sizes.get(sha1, 0)
            state.bad += 0 if result.files[-1].state in ("ok", "untracked") else 1
            if progress:
                progress(state)
    session.flush()
    _settle_all(session)
    session.commit()
    if repair and not result.cancelled:
        _repair(session, store=store, result=result, policy=policy or UrlPolicy(), cancel=cancelled,
                retries=retries, backoff=backoff, timeout=timeout)
    return result


def _mark(session: Session, sha1: str, state: str, reason: str) -> None:
    now = utcnow()
    for f in session.execute(select(PackageFile).where(PackageFile.sha1 == sha1)).scalars():
        f.state, f.reason, f.updated_at = state, reason, now
        session.add(f)


def _settle_all(session: Session) -> None:
    for (package_id,) in session.execute(select(Package.id)).all():
        settle_updates(session, package_id=package_id)


def _repair(session: Session, *, store: ContentStore, result: VerifyResult, policy: UrlPolicy, cancel, retries, backoff,
            timeout) -> None:
    """Fetch every bad or quarantined file again from a source one of its packages recorded."""
    bad = {f.sha1 for f in result.bad}
    bad |= {c.sha1 for c in session.execute(select(ContentFile).where(ContentFile.state != STORED)).scalars()}
    bad |= {r[0] for r in session.execute(select(PackageFile.sha1).where(PackageFile.state != DOWNLOADED))}
    jobs = []
    for sha1 in sorted(bad):
        source = session.execute(select(PackageFile).where(PackageFile.sha1 == sha1, PackageFile.url.is_not(None))
                                 .order_by(PackageFile.id)).scalars().first()
        if source is None:
            continue
        local = Path(source.url) if source.origin == FOLDER else None
        exact = source.size if source.origin != CATALOG else None  # a catalog size is a hint (see package_download)
        jobs.append(FileJob(file_name=source.file_name, sha1=sha1, sha256=source.sha256, size=exact, size_hint=source.size,
                            url=None if local else source.url, origin=CATALOG if source.origin == CATALOG else OPERATOR,
                            local=local))
    if not jobs:
        return
    by_package = {}
    for f in session.execute(select(PackageFile).where(PackageFile.sha1.in_([j.sha1 for j in jobs]))).scalars():
        by_package.setdefault(f.sha1, f.package_id)

    def on_done(outcome: FileOutcome) -> None:
        package = session.get(Package, by_package[outcome.job.sha1])
        record_outcome(session, package, outcome)
        session.commit()

    result.repairs = download_files(jobs, store=store, policy=policy, on_done=on_done, cancel=cancel, retries=retries,
                                    backoff=backoff, timeout=timeout)
    result.cancelled = result.cancelled or any(o.status == CANCELLED for o in result.repairs)
    outcomes = {o.job.sha1: o for o in result.repairs}
    names = file_names(session)
    checked = {f.sha1 for f in result.files}

    def after(sha1: str, size: int | None, reason: str | None) -> VerifiedFile:
        outcome = outcomes.get(sha1)
        if outcome is not None and outcome.ok:
            return VerifiedFile(sha1, names.get(sha1, ()), outcome.size, "repaired", reason)
        return VerifiedFile(sha1, names.get(sha1, ()), size, "still bad", outcome.reason if outcome else reason)

    result.files = [after(f.sha1, f.size, f.reason) if f.state in ("changed", "missing") else f for f in result.files]
    # Files that were already quarantined or missing before this run: repaired, or still bad.
    result.files += [after(sha1, o.size, o.reason) for sha1, o in outcomes.items() if sha1 not in checked]
    _settle_all(session)
    session.commit()

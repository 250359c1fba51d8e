"""Downloading a batch of files into the content store: bounded concurrency, a free-space check
before the first byte, progress in bytes and files, and cancel.

Called from any thread (a console worker, the CLI, a test). `progress` and `on_done` are always
called in the calling thread, so a caller may touch its database session from them; the transfers
run in a small pool of threads (`concurrency`). Cancel is a callable or anything with `is_set()`
(a threading.Event): transfers stop at the next buffer, keep their partial files for a later resume,
and report `cancelled`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent import futures
from dataclasses import dataclass, field

from sumtui.deploy.content.errors import NotEnoughSpace
from sumtui.deploy.content.store import ContentStore
from sumtui.deploy.content.transfer import (
    CANCELLED,
    FAILED,
    Fetcher,
    FileJob,
    FileOutcome,
)
from sumtui.deploy.content.urls import UrlPolicy

RESERVE = 64 << 20  # left free on the content disk beyond what the batch needs
PROGRESS_EVERY = 0.1  # seconds between progress calls while bytes flow


@dataclass
class DownloadProgress:
    files_total: int
    bytes_total: int | None  # None when some sizes are unknown
    files_done: int = 0
    files_failed: int = 0
    bytes_done: int = 0
    current: list[str] = field(default_factory=list)  # file names in flight


def cancel_check(cancel) -> Callable[[], bool]:
    """A callable answering "cancelled?" from None, a callable or an Event-like object."""
    if cancel is None:
        return lambda: False
    if hasattr(cancel, "is_set"):
        return cancel.is_set
    return cancel


def space_needed(jobs: Iterable[FileJob], store: ContentStore) -> int:
    """Bytes the batch will add to the content disk: known sizes of files not yet stored, less what
    their partial files already hold."""
    total = 0
    for job in jobs:
        size = job.expected_bytes
        if size is None or store.has(job.sha1):
            continue
        partial = store.partial_for(job.sha1)
        held = partial.stat().st_size if partial.exists() else 0
        total += max(0, size - held)
    return total


def check_space(jobs: Sequence[FileJob], store: ContentStore, *, free_bytes: Callable[[], int] | None = None,
                reserve: int = RESERVE) -> None:
    needed = space_needed(jobs, store)
    if not needed:
        return
    free = (free_bytes or store.free_bytes)()
    if free - reserve < needed:
        raise NotEnoughSpace(
            f"the content folder {store.root} has {_mb(free)} free; these files need {_mb(needed)} "
            f"(plus {_mb(reserve)} kept free): free some space or move the content folder (SUMTUI_CONTENT_DIR)")


def _mb(n: int) -> str:
    return f"{n / (1 << 20):,.1f} MiB"


def download_files(
    jobs: Sequence[FileJob],
    *,
    store: ContentStore,
    policy: UrlPolicy | None = None,
    concurrency: int = 4,
    progress: Callable[[DownloadProgress], None] | None = None,
    on_done: Callable[[FileOutcome], None] | None = None,
    cancel=None,
    timeout: float = 60.0,
    retries: int = 3,
    backoff: float = 1.0,
    free_bytes: Callable[[], int] | None = None,
    reserve: int = RESERVE,
    fetcher: Fetcher | None = None,
) -> list[FileOutcome]:
    """Fetch every job (one transfer per SHA-1: a file listed twice is fetched once) and return an
    outcome per job, in the order given. NotEnoughSpace before anything starts when the disk is short."""
    asked = cancel_check(cancel)
    stop = threading.Event()  # set when the caller's thread is interrupted (Ctrl-C): workers stop too

    def cancelled() -> bool:
        return stop.is_set() or asked()

    store.ensure()
    unique: dict[str, FileJob] = {}
    for job in jobs:
        unique.setdefault(job.sha1, job)
    check_space(list(unique.values()), store, free_bytes=free_bytes, reserve=reserve)
    fetcher = fetcher or Fetcher(store, policy or UrlPolicy(), timeout=timeout, retries=retries, backoff=backoff)
    sizes = [job.expected_bytes for job in unique.values()]
    state = DownloadProgress(files_total=len(unique), bytes_total=None if None in sizes else sum(sizes))
    lock = threading.Lock()

    def report() -> None:
        if progress is not None:
            with lock:
                snapshot = DownloadProgress(state.files_total, state.bytes_total, state.files_done, state.files_failed,
                                            state.bytes_done, list(state.current))
            progress(snapshot)

    def run(job: FileJob) -> FileOutcome:
        if cancelled():
            return FileOutcome(job, CANCELLED, "cancelled before it started")
        with lock:
            state.current.append(job.file_name)

        def on_bytes(n: int) -> None:
            with lock:
                state.bytes_done += n

        try:
            return fetcher.fetch(job, cancelled=cancelled, on_bytes=on_bytes)
        except Exception as exc:  # noqa: BLE001 - a bug must not hang the batch: it becomes this file's failure
            return FileOutcome(job, FAILED, f"unexpected error: {type(exc).__name__}: {exc}")
        finally:
            with lock:
                state.current.remove(job.file_name)

    by_sha1: dict[str, FileOutcome] = {}
    report()
    with futures.ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="sumtui-download") as pool:
        pending = {pool.submit(run, job) for job in unique.values()}
        try:
            while pending:
                done, pending = futures.wait(pending, timeout=PROGRESS_EVERY, return_when=futures.FIRST_COMPLETED)
                for future in done:
                    outcome = future.result()
                    by_sha1[outcome.job.sha1] = outcome
                    with lock:
                        state.files_done += 1
                        state.files_failed += 0 if outcome.ok else 1
                    if on_done is not None:
                        on_done(outcome)
                report()
        except BaseException:
            stop.set()  # the pool's exit waits for the workers: make them stop at their next buffer
            raise
    return [_for(job, by_sha1[job.sha1]) for job in jobs]


def _for(job: FileJob, outcome: FileOutcome) -> FileOutcome:
    """The outcome of the transfer that served `job` (another job with the same SHA-1 may have run it)."""
    if outcome.job is job:
        return outcome
    return FileOutcome(job, outcome.status, outcome.reason, outcome.sha256, outcome.size)

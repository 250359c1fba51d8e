"""Fetching one file into the content store: over HTTP (resumable) or from a local folder, verified.

The bytes go to `partial/<sha1>.part` while SHA-1 and SHA-256 are computed on the way (three stages:
the reader hashes SHA-1, a thread hashes SHA-256, a writer thread writes, with a few recycled 1 MiB
buffers between them, so memory stays flat whatever the file size). Then:
- both hashes match what the catalog or manifest said → an atomic move into the store;
- they do not → the file goes to quarantine and is never served;
- a cut connection → the next attempt asks for the rest with `Range: bytes=N-` (a server that
  ignores it gets a fresh start); the partial file stays for a later run when the attempts run out;
- an HTML page where a file was expected, a size that disagrees, an HTTP error, a full disk → a
  one-line reason, and nothing in the store (a full disk also drops the partial file to free space).
"""

from __future__ import annotations

import errno
import hashlib
import http.client
import mmap
import os
import queue
import re
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn
from urllib.parse import urljoin

from sumtui.deploy.content.errors import ContentError, UrlRefused
from sumtui.deploy.content.http_conn import open_request
from sumtui.deploy.content.store import CHUNK, Cancelled, ContentStore, is_disk_full
from sumtui.deploy.content.urls import OPERATOR, UrlPolicy
from sumtui.errors import one_line
from sumtui.text import escape_controls

# Outcome statuses.
STORED, PRESENT, QUARANTINED, FAILED, CANCELLED = "stored", "present", "quarantined", "failed", "cancelled"
BUFFERS = 6  # in flight between the reader, the SHA-256 stage and the writer
WRITE_BACK_EVERY = 64 << 20
DIRECT_ALIGN = 4096  # O_DIRECT writes: offset and length a multiple of the logical block size (4096 covers them)
_O_DIRECT = getattr(os, "O_DIRECT", 0)  # Linux and some BSDs
MAX_REDIRECTS = 5
_RANGE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+|\*)")


@dataclass(frozen=True)
class FileJob:
    """One file to bring into the store. `url` (with its origin: catalog or operator) or `local`."""

    file_name: str
    sha1: str
    sha256: str | None = None
    size: int | None = None  # exact: a file of another size is refused
    url: str | None = None
    origin: str = OPERATOR
    local: Path | None = None
    size_hint: int | None = None  # about this big (the catalog row's size): for progress and the space check only

    @property
    def expected_bytes(self) -> int | None:
        return self.size if self.size is not None else self.size_hint

    @property
    def source(self) -> str:
        return str(self.local) if self.local is not None else (self.url or "")


@dataclass(frozen=True)
class FileOutcome:
    job: FileJob
    status: str  # stored | present | quarantined | failed | cancelled
    reason: str | None = None
    sha256: str | None = None  # what the stored bytes hash to
    size: int | None = None

    @property
    def ok(self) -> bool:
        return self.status in (STORED, PRESENT)


class _Failed(Exception):
    """This file cannot be fetched from this source; retrying will not help."""


class _Restart(Exception):
    """The server sent the whole file instead of the rest: start from byte 0."""


class _Pipe:
    """The stages after the reader: SHA-256, then the write, each in a thread of its own, fed recycled
    buffers in order.

    Full buffers go to the disk with O_DIRECT where the file system takes it: the page cache copy of a
    buffered write costs more CPU than either digest here (and varies wildly on a busy virtual
    machine), and the download has to reach the disk anyway. The buffers are page-aligned (anonymous
    mmaps) and a multiple of the block size; the last, short buffer, a file resumed at an odd offset,
    or a file system that refuses O_DIRECT take the ordinary buffered path."""

    def __init__(self, fh, sha256, path: Path | None = None) -> None:
        self.fh, self.sha256 = fh, sha256
        self.error: OSError | None = None
        self._direct: int | None = None  # an O_DIRECT descriptor on the same file
        self._positioned = False  # once a write went around `fh`, buffered writes give their offset too
        self._advise = True  # the kernel takes write-back hints
        self._written = self._flushed = 0
        try:
            self._fd = fh.fileno()
            self._written = self._flushed = os.fstat(self._fd).st_size
        except (AttributeError, OSError):
            self._fd = None
        if path is not None and self._fd is not None and _O_DIRECT and self._written % DIRECT_ALIGN == 0:
            try:
                self._direct = os.open(path, os.O_WRONLY | _O_DIRECT)
            except OSError:  # tmpfs and a few others: buffered writes only
                self._direct = None
        self._todo: queue.Queue = queue.Queue()  # read, to hash
        self._hashed: queue.Queue = queue.Queue()  # hashed, to write
        self._free: queue.Queue = queue.Queue()
        for _ in range(BUFFERS):
            self._free.put(mmap.mmap(-1, CHUNK) if self._direct is not None else bytearray(CHUNK))
        self._threads = [threading.Thread(target=self._hash, name="sumtui-content-sha256", daemon=True),
                         threading.Thread(target=self._run, name="sumtui-content-writer", daemon=True)]
        for thread in self._threads:
            thread.start()

    def buffer(self):
        return self._free.get()

    def give_back(self, buffer) -> None:
        self._free.put(buffer)

    def push(self, buffer, n: int) -> None:
        self._todo.put((buffer, n))

    def _hash(self) -> None:
        """SHA-256 in a thread of its own (hashlib lets go of the GIL on buffers this big): with the
        reader's SHA-1 and the writer's I/O, the three stages overlap on two cores."""
        while (item := self._todo.get()) is not None:
            buffer, n = item
            self.sha256.update(memoryview(buffer)[:n])
            self._hashed.put(item)
        self._hashed.put(None)

    def _run(self) -> None:
        while (item := self._hashed.get()) is not None:
            buffer, n = item
            if self.error is None:  # after a failed write, keep draining so the reader never blocks
                try:
                    view = memoryview(buffer)[:n]
                    if not self._write_direct(view):
                        self._write(view)
                        self._write_back()
                except OSError as exc:
                    self.error = exc
                except Exception as exc:  # noqa: BLE001 - the reader waits for this buffer: never die holding it
                    self.error = OSError(errno.EIO, f"{type(exc).__name__}: {exc}")
            self._free.put(buffer)

    def _write_direct(self, view: memoryview) -> bool:
        """Write a whole number of blocks around the page cache; False when it must go the buffered way."""
        if self._direct is None or len(view) % DIRECT_ALIGN:
            return False
        try:
            _write_all(lambda v, at: os.pwrite(self._direct, v, at), view, self._written)
        except OSError as exc:
            if exc.errno != errno.EINVAL:  # a full disk or an I/O error is the download's
                raise
            self._stop_direct()  # the file system took the open but not the write: buffered from here
            return False
        self._written += len(view)
        self._flushed = self._written  # nothing of it waits in the page cache
        self._positioned = True
        return True

    def _write(self, view: memoryview) -> None:
        if self._positioned:
            _write_all(lambda v, at: os.pwrite(self._fd, v, at), view, self._written)
        else:
            _write_all(lambda v, _at: self.fh.write(v), view, self._written)
        self._written += len(view)

    def _write_back(self) -> None:
        """Start writing what is in the page cache to disk while the download goes on, so the fsync
        before the file enters the store has little left to wait for (and a big file does not fill
        the page cache with dirty pages). A hint: where the kernel does not take it, nothing changes."""
        if self._fd is None or not self._advise:
            return
        if self._written - self._flushed >= WRITE_BACK_EVERY:
            try:
                os.posix_fadvise(self._fd, self._flushed, self._written - self._flushed, os.POSIX_FADV_DONTNEED)
            except (AttributeError, OSError):
                self._advise = False
            self._flushed = self._written

    def _stop_direct(self) -> None:
        if self._direct is not None:
            os.close(self._direct)
            self._direct = None

    def close(self) -> None:
        self._todo.put(None)
        for thread in self._threads:
            thread.join()
        self._stop_direct()
        try:
            self.fh.close()
        except OSError as exc:
            self.error = self.error or exc


def _write_all(write, view: memoryview, offset: int) -> None:
    """`write(view, offset)` until every byte is written (a write may take fewer)."""
    while view:
        written = write(view, offset)
        view = view[written:]
        offset += written


class Fetcher:
    """Brings files into one store under one URL policy; `fetch` is safe to call from many threads."""

    def __init__(self, store: ContentStore, policy: UrlPolicy, *, timeout: float = 60.0, retries: int = 3,
                 backoff: float = 1.0, sleep: Callable[[float], None] = time.sleep) -> None:
        self.store, self.policy = store, policy
        self.timeout, self.retries, self.backoff, self.sleep = timeout, retries, backoff, sleep

    # --- entry point

    def fetch(self, job: FileJob, *, cancelled: Callable[[], bool], on_bytes: Callable[[int], None]) -> FileOutcome:
        if self.store.has(job.sha1):
            return FileOutcome(job, PRESENT, size=self.store.size_of(job.sha1))
        try:
            with self.store.claim(job.sha1):
                return self._fetch(job, cancelled=cancelled, on_bytes=on_bytes)
        except BlockingIOError:
            return FileOutcome(job, FAILED, "another sumtui process is downloading this file; try again when it is done")
        except OSError as exc:  # the content folder itself (cannot create, disk full on open)
            if is_disk_full(exc):
                return FileOutcome(job, FAILED, f"the disk of the content folder is full ({self.store.root}); nothing was stored")
            return FileOutcome(job, FAILED, f"content folder {self.store.root}: {exc.strerror or one_line(exc)}")

    def _fetch(self, job: FileJob, *, cancelled, on_bytes) -> FileOutcome:
        if self.store.has(job.sha1):  # stored by whoever held the claim before us
            return FileOutcome(job, PRESENT, size=self.store.size_of(job.sha1))
        try:
            if job.local is not None:
                return self._from_folder(job, cancelled=cancelled, on_bytes=on_bytes)
            if not job.url:
                return FileOutcome(job, FAILED, "no URL and no folder to take it from")
            return self._from_http(job, cancelled=cancelled, on_bytes=on_bytes)
        except Cancelled:
            return FileOutcome(job, CANCELLED, "cancelled (a partial download is kept for resuming)")
        except (_Failed, ContentError) as exc:
            partial = self.store.partial_for(job.sha1)
            if partial.exists() and partial.stat().st_size == 0:
                partial.unlink(missing_ok=True)
            return FileOutcome(job, FAILED, str(exc))

    # --- sources

    def _from_folder(self, job: FileJob, *, cancelled, on_bytes) -> FileOutcome:
        path = job.local
        try:
            source = open(path, "rb", buffering=0)  # noqa: SIM115 - closed by the `with` below; its error is this file's
        except OSError as exc:
            raise _Failed(f"{escape_controls(str(path))}: cannot read ({exc.strerror or one_line(exc)})") from None
        with source:
            size = _fstat_size(source)
            if job.size is not None and size != job.size:
                raise _Failed(f"{escape_controls(str(path))} is {size} bytes; expected {job.size}")
            sha1, sha256 = hashlib.sha1(), hashlib.sha256()
            pipe = _Pipe(self._open_partial(job, resume=False), sha256, self.store.partial_for(job.sha1))
            try:
                self._pump(pipe, source.readinto, sha1, cancelled=cancelled, on_bytes=on_bytes, sniff=False)
            finally:
                pipe.close()
            self._check_write(pipe, job)
        return self._finish(job, sha1, sha256)

    def _from_http(self, job: FileJob, *, cancelled, on_bytes) -> FileOutcome:
        url = self.policy.fetch_url(job.url, origin=job.origin)
        partial = self.store.partial_for(job.sha1)
        sha1, sha256 = hashlib.sha1(), hashlib.sha256()
        offset = self._resume_point(job, partial, sha1, sha256, cancelled=cancelled)
        reported = [offset]  # bytes shown to the progress callback, corrected when an attempt is lost

        def count(n: int) -> None:
            reported[0] += n
            on_bytes(n)

        on_bytes(offset)
        attempt = 0
        while True:
            if cancelled():
                raise Cancelled(job.file_name)
            try:
                self._attempt(job, url, offset, sha1, sha256, cancelled=cancelled, on_bytes=count)
                break
            except _Restart:
                count(-reported[0])
                offset, sha1, sha256 = 0, hashlib.sha1(), hashlib.sha256()
                self.store.drop_partial(job.sha1)
                continue
            except ssl.SSLCertVerificationError as exc:
                raise _Failed(f"{escape_controls(url)}: the server's TLS certificate is not trusted "
                              f"({exc.verify_message or one_line(exc)})") from None
            except (http.client.HTTPException, OSError) as exc:  # cut connections, timeouts, 5xx, unreachable hosts
                reason = one_line(exc, with_type=True)
            offset = partial.stat().st_size if partial.exists() else 0
            count(offset - reported[0])
            attempt += 1
            if attempt > self.retries:
                kept = f"; {offset} bytes kept for resuming" if offset else ""
                raise _Failed(f"{escape_controls(url)}: {reason} after {attempt} attempts{kept}")
            self.sleep(self.backoff * (2 ** (attempt - 1)))
        return self._finish(job, sha1, sha256)

    def _resume_point(self, job: FileJob, partial: Path, sha1, sha256, *, cancelled) -> int:
        """Bytes already in the partial file from an earlier attempt, hashed so the digests continue."""
        try:
            size = partial.stat().st_size
        except FileNotFoundError:
            return 0
        if size == 0 or (job.size is not None and size > job.size):
            self.store.drop_partial(job.sha1)
            return 0
        buffer = bytearray(CHUNK)
        view = memoryview(buffer)
        with open(partial, "rb", buffering=0) as fh:
            while n := fh.readinto(buffer):
                if cancelled():
                    raise Cancelled(job.file_name)
                sha1.update(view[:n])
                sha256.update(view[:n])
        return size

    # --- one HTTP attempt

    def _open(self, url: str, offset: int, job: FileJob):
        headers = {"Range": f"bytes={offset}-"} if offset else {}
        for _ in range(MAX_REDIRECTS + 1):
            conn, response = open_request(url, headers=headers, timeout=self.timeout)
            if response.status in (301, 302, 303, 307, 308) and response.getheader("Location"):
                target = urljoin(url, response.getheader("Location"))
                conn.close()
                try:
                    url = self.policy.check_redirect(target, origin=job.origin)
                except UrlRefused as exc:
                    raise _Failed(str(exc)) from None
                continue
            return conn, response, url
        raise _Failed(f"{escape_controls(url)}: more than {MAX_REDIRECTS} redirects")

    def _attempt(self, job: FileJob, url: str, offset: int, sha1, sha256, *, cancelled, on_bytes) -> None:
        conn, response, final = self._open(url, offset, job)
        shown = escape_controls(final)
        try:
            status = response.status
            if offset and status == 416 and job.size in (None, offset):
                return  # the partial file already holds every byte
            if offset and status in (200, 416):
                raise _Restart()
            if status == 206:
                match = _RANGE.match(response.getheader("Content-Range") or "")
                if not offset or not match or int(match.group(1)) != offset:
                    raise _Restart()
                total = int(match.group(3)) if match.group(3) != "*" else None
            elif status == 200:
                length = response.getheader("Content-Length")
                total = int(length) if length and length.isdigit() else None
            elif status >= 500 or status == 429:
                raise http.client.HTTPException(f"HTTP {status} {response.reason}")
            else:
                raise _Failed(f"{shown}: HTTP {status} {response.reason}")
            kind = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
            if kind in ("text/html", "application/xhtml+xml") and not _is_html_name(job.file_name):
                raise _Failed(f"{shown}: the server answered with an HTML page ({kind}) instead of the file "
                              "(a login page, a proxy's or an error page?)")
            if job.size is not None and total is not None and total != job.size:
                raise _Failed(f"{shown}: the server offers {total} bytes; expected {job.size}")
            length = response.getheader("Content-Length")
            expected = int(length) if length and length.isdigit() else None
            pipe = _Pipe(self._open_partial(job, resume=offset > 0), sha256, self.store.partial_for(job.sha1))
            try:
                received = self._pump(pipe, response.readinto, sha1, cancelled=cancelled, on_bytes=on_bytes,
                                      sniff=offset == 0 and not _is_html_name(job.file_name), where=shown)
            finally:
                pipe.close()
                self._check_write(pipe, job)
            if expected is not None and received < expected:
                # http.client's readinto reports a closed connection as the end of the body.
                raise http.client.IncompleteRead(b"", expected - received)
        finally:
            conn.close()

    # --- shared stages

    def _pump(self, pipe: _Pipe, readinto, sha1, *, cancelled, on_bytes, sniff: bool, where: str = "") -> int:
        """Read until the source ends; the bytes read."""
        first, total = sniff, 0
        while True:
            if cancelled():
                raise Cancelled(where)
            if pipe.error is not None:
                return total
            buffer = pipe.buffer()
            try:
                n = readinto(buffer)
            except BaseException:
                pipe.give_back(buffer)
                raise
            if not n:
                pipe.give_back(buffer)
                return total
            if first:
                first = False
                head = bytes(buffer[:64]).lstrip().lower()
                if head.startswith((b"<!doctype html", b"<html")):
                    pipe.give_back(buffer)
                    raise _Failed(f"{where}: the server sent an HTML page instead of the file")
            sha1.update(memoryview(buffer)[:n])
            pipe.push(buffer, n)
            total += n
            on_bytes(n)

    def _open_partial(self, job: FileJob, *, resume: bool):
        try:
            return self.store.open_partial(job.sha1, resume=resume)
        except OSError as exc:  # a local problem: never retried as if the network had failed
            self._disk_error(job, exc)

    def _check_write(self, pipe: _Pipe, job: FileJob) -> None:
        if pipe.error is not None:
            self._disk_error(job, pipe.error)

    def _disk_error(self, job: FileJob, error: OSError) -> NoReturn:
        self.store.drop_partial(job.sha1)
        if is_disk_full(error):
            raise _Failed(f"{escape_controls(job.file_name)}: the disk of the content folder is full "
                          f"({self.store.root}); nothing was stored")
        raise _Failed(f"{escape_controls(job.file_name)}: cannot write to the content folder ({error.strerror or one_line(error)})")

    def _finish(self, job: FileJob, sha1, sha256) -> FileOutcome:
        partial = self.store.partial_for(job.sha1)
        size = partial.stat().st_size if partial.exists() else 0
        got1, got256 = sha1.hexdigest(), sha256.hexdigest()
        if job.size is not None and size != job.size:
            problem = f"{size} bytes where {job.size} were expected"
        elif got1 != job.sha1:
            problem = f"SHA-1 is {got1}, expected {job.sha1}"
        elif job.sha256 and got256 != job.sha256:
            problem = f"SHA-256 is {got256}, expected {job.sha256}"
        else:
            self.store.commit(partial, job.sha1)
            return FileOutcome(job, STORED, sha256=got256, size=size)
        moved = self.store.quarantine(partial, job.sha1)
        return FileOutcome(job, QUARANTINED, f"hash mismatch: {problem} (quarantined as {moved.name})", sha256=got256, size=size)


def _is_html_name(name: str) -> bool:
    return name.lower().endswith((".htm", ".html"))


def _fstat_size(fh) -> int:
    return os.fstat(fh.fileno()).st_size

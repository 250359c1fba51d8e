"""The content store: update files under the site's content folder, one copy per SHA-1.

    <content_dir>/files/ab/<sha1>        verified files, named by their SHA-1 (never by outside names)
    <content_dir>/partial/<sha1>.part    downloads in progress, kept for resuming with HTTP Range
    <content_dir>/partial/<sha1>.lock    who is writing that partial file (one process at a time)
    <content_dir>/quarantine/<sha1>.<n>  files that did not match their hash: kept to look at, never served

A file reaches `files/` only by an atomic rename of a finished, flushed and verified partial file
in the same folder tree, so a crash, a cut connection or a full disk never leaves half a file where
the management point serves from. Packages refer to files by hash, so a file shared by several
packages is stored once.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: one process per content folder is the operator's rule there
    fcntl = None

from sumtui.deploy.content.errors import ContentError
from sumtui.deploy.content.names import is_sha1

CHUNK = 1 << 20


@dataclass(frozen=True)
class Hashes:
    sha1: str
    sha256: str
    size: int


def hash_file(path: Path, *, cancel: Callable[[], bool] | None = None) -> Hashes:
    """SHA-1 and SHA-256 of a file, read once in large blocks (hashlib releases the GIL on blocks this
    big, so threads hashing several files at once use several cores)."""
    sha1, sha256, size = hashlib.sha1(), hashlib.sha256(), 0
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    with open(path, "rb", buffering=0) as fh:
        while True:
            if cancel is not None and cancel():
                raise Cancelled(str(path))
            n = fh.readinto(buffer)
            if not n:
                break
            chunk = view[:n]
            sha1.update(chunk)
            sha256.update(chunk)
            size += n
    return Hashes(sha1=sha1.hexdigest(), sha256=sha256.hexdigest(), size=size)


class Cancelled(Exception):
    """The operator cancelled; what was done so far stays (partial files are kept for resuming)."""


class ContentStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.files = self.root / "files"
        self.partial = self.root / "partial"
        self.quarantine_dir = self.root / "quarantine"

    def ensure(self) -> None:
        for folder in (self.files, self.partial, self.quarantine_dir):
            folder.mkdir(parents=True, exist_ok=True)

    @staticmethod
    def _check(sha1: str) -> str:
        if not is_sha1(sha1):
            raise ContentError(f"{sha1!r} is not a SHA-1 (40 lowercase hex digits)")
        return sha1

    def path_for(self, sha1: str) -> Path:
        sha1 = self._check(sha1)
        return self.files / sha1[:2] / sha1

    def partial_for(self, sha1: str) -> Path:
        return self.partial / f"{self._check(sha1)}.part"

    def has(self, sha1: str) -> bool:
        return self.path_for(sha1).is_file()

    def size_of(self, sha1: str) -> int | None:
        try:
            return self.path_for(sha1).stat().st_size
        except FileNotFoundError:
            return None

    def open_partial(self, sha1: str, *, resume: bool):
        """The partial file for `sha1`, opened for appending when resuming, truncated otherwise."""
        self.ensure()
        return open(self.partial_for(sha1), "ab" if resume else "wb", buffering=0)

    def commit(self, partial: Path, sha1: str) -> Path:
        """Move a verified partial file into the store (atomic; a copy already there wins)."""
        target = self.path_for(sha1)
        target.parent.mkdir(parents=True, exist_ok=True)
        _fsync(partial)
        if target.exists():
            partial.unlink(missing_ok=True)
            return target
        os.replace(partial, target)
        _fsync_dir(target.parent)
        return target

    def quarantine(self, partial: Path, sha1: str) -> Path:
        """Move a file that did not match `sha1` out of the way, under a name that never collides."""
        self.quarantine_dir.mkdir(parents=True, exist_ok=True)
        n = 0
        while (target := self.quarantine_dir / f"{self._check(sha1)}.{n}").exists():
            n += 1
        os.replace(partial, target)
        return target

    def quarantine_stored(self, sha1: str) -> Path | None:
        """Move a stored file whose bytes no longer match its name out of the served folder."""
        path = self.path_for(sha1)
        if not path.exists():
            return None
        return self.quarantine(path, sha1)

    def remove(self, sha1: str) -> int:
        """Delete a stored file; the bytes freed (0 when it was not there)."""
        path = self.path_for(sha1)
        try:
            size = path.stat().st_size
            path.unlink()
        except FileNotFoundError:
            return 0
        return size

    def stored(self) -> Iterator[tuple[str, Path]]:
        """(sha1, path) of every file in the store, whatever the database says."""
        if not self.files.is_dir():
            return
        for folder in sorted(self.files.iterdir()):
            if not folder.is_dir():
                continue
            for path in sorted(folder.iterdir()):
                if is_sha1(path.name) and path.name[:2] == folder.name:
                    yield path.name, path

    @contextmanager
    def claim(self, sha1: str):
        """Hold the right to write `sha1`'s partial file: two processes (the console and a timer, say)
        never append to the same one. BlockingIOError when another holds it."""
        self.ensure()
        fd = os.open(self.partial / f"{self._check(sha1)}.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            yield
        finally:
            os.close(fd)  # closing releases the lock; the small lock file stays for the next claim

    def drop_partial(self, sha1: str) -> None:
        self.partial_for(sha1).unlink(missing_ok=True)

    def free_bytes(self) -> int:
        folder = self.root
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        return shutil.disk_usage(folder).free


def is_disk_full(exc: OSError) -> bool:
    return exc.errno in (errno.ENOSPC, errno.EDQUOT)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    if os.name != "posix":
        return
    try:
        _fsync(path)
    except OSError:  # some filesystems refuse fsync on a folder: the rename is still atomic
        pass

"""Content downloads write full buffers with O_DIRECT where the file system takes it, and fall back to
buffered writes for the short last buffer, an odd resume offset, or a file system that refuses it:
the stored bytes are the same either way, and a full disk is still the download's error."""

from __future__ import annotations

import errno
import hashlib
import os

import pytest

from sumtui.deploy.content import transfer
from sumtui.deploy.content.download import download_files
from sumtui.deploy.content.store import CHUNK, ContentStore
from sumtui.deploy.content.transfer import FAILED, STORED, FileJob
from tests.deploy.catalog_server import CatalogServer

DATA = os.urandom(3 * CHUNK + 12345)  # three full buffers and a short tail
SHA1 = hashlib.sha1(DATA).hexdigest()
NAME = f"windows10.0-kb4592440-x64_{SHA1}.msu"

needs_o_direct = pytest.mark.skipif(not getattr(os, "O_DIRECT", 0), reason="no O_DIRECT on this system")


@pytest.fixture
def server():
    with CatalogServer() as running:
        running.put_file(f"/{NAME}", DATA)
        yield running


@pytest.fixture
def direct_fds(monkeypatch):
    """The descriptors opened with O_DIRECT (recorded as they are opened)."""
    opened: list[int] = []
    real_open = os.open

    def recording_open(path, flags, *args, **kwargs):
        fd = real_open(path, flags, *args, **kwargs)
        if flags & getattr(os, "O_DIRECT", 0):
            opened.append(fd)
        return fd

    monkeypatch.setattr(os, "open", recording_open)
    return opened


def fetch(server, store):
    job = FileJob(NAME, SHA1, size=len(DATA), url=f"{server.url}{NAME}")
    return download_files([job], store=store, backoff=0)


def pipe_write(path, chunks: list[bytes], *, resume: bool) -> transfer._Pipe:
    sha256 = hashlib.sha256()
    pipe = transfer._Pipe(open(path, "ab" if resume else "wb", buffering=0), sha256, path)
    for chunk in chunks:
        buffer = pipe.buffer()
        buffer[: len(chunk)] = chunk
        pipe.push(buffer, len(chunk))
    pipe.close()
    return pipe


@needs_o_direct
def test_full_buffers_go_direct_and_the_tail_buffered(tmp_path, direct_fds):
    path = tmp_path / "file.part"
    chunks = [DATA[i:i + CHUNK] for i in range(0, len(DATA), CHUNK)]
    pipe = pipe_write(path, chunks, resume=False)
    if not direct_fds:
        pytest.skip("this file system refuses O_DIRECT: only the buffered path runs here")
    assert pipe.error is None
    assert path.read_bytes() == DATA
    assert pipe.sha256.hexdigest() == hashlib.sha256(DATA).hexdigest()


def test_a_resume_at_an_odd_offset_is_written_buffered(tmp_path, direct_fds):
    path = tmp_path / "file.part"
    path.write_bytes(DATA[:1000])
    rest = DATA[1000:]
    pipe = pipe_write(path, [rest[i:i + CHUNK] for i in range(0, len(rest), CHUNK)], resume=True)
    assert direct_fds == []  # 1000 is no multiple of the block size
    assert pipe.error is None
    assert path.read_bytes() == DATA


def test_a_file_system_that_refuses_direct_writes_gets_buffered_ones(server, tmp_path, direct_fds, monkeypatch):
    real_pwrite = os.pwrite

    def refusing(fd, data, offset):
        if fd in direct_fds:
            raise OSError(errno.EINVAL, "Invalid argument")
        return real_pwrite(fd, data, offset)

    monkeypatch.setattr(os, "pwrite", refusing)
    store = ContentStore(tmp_path / "content")
    [outcome] = fetch(server, store)
    assert outcome.status == STORED, outcome.reason
    assert store.path_for(SHA1).read_bytes() == DATA


@needs_o_direct
def test_a_full_disk_on_a_direct_write_fails_the_file_and_leaves_nothing(server, tmp_path, direct_fds, monkeypatch):
    real_pwrite = os.pwrite
    written = [0]

    def filling(fd, data, offset):
        if fd in direct_fds:
            if written[0] >= CHUNK:
                raise OSError(errno.ENOSPC, "No space left on device")
            written[0] += len(data)
        return real_pwrite(fd, data, offset)

    monkeypatch.setattr(os, "pwrite", filling)
    store = ContentStore(tmp_path / "content")
    [outcome] = fetch(server, store)
    if not direct_fds:
        pytest.skip("this file system refuses O_DIRECT: only the buffered path runs here")
    assert outcome.status == FAILED
    assert outcome.reason.startswith(f"{NAME}: the disk of the content folder is full")
    assert list(store.stored()) == [] and list(store.partial.glob("*.part")) == []

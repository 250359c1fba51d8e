"""Downloads into the content store from a real loopback server: verified, resumed, refused, quarantined,
cancelled, bounded; and never anything half-written in the store."""

from __future__ import annotations

import errno
import hashlib
import os
import threading

import pytest

from sumtui.deploy.content.download import download_files
from sumtui.deploy.content.errors import NotEnoughSpace
from sumtui.deploy.content.store import ContentStore
from sumtui.deploy.content.transfer import (
    CANCELLED,
    FAILED,
    PRESENT,
    QUARANTINED,
    STORED,
    FileJob,
)
from sumtui.deploy.content.urls import CATALOG, UrlPolicy
from tests.deploy.catalog_server import CatalogServer

DATA = os.urandom(3 * (1 << 20) + 12345)  # more than a few read buffers
SHA1 = hashlib.sha1(DATA).hexdigest()
PATH = f"/c/msdownload/update/software/secu/2020/12/windows10.0-kb4592440-x64_{SHA1}.msu"


@pytest.fixture
def server():
    with CatalogServer() as running:
        running.put_file(PATH, DATA)
        yield running


@pytest.fixture
def store(tmp_path):
    return ContentStore(tmp_path / "content")


def job(server, **kw) -> FileJob:
    values = {"file_name": PATH.rsplit("/", 1)[1], "sha1": SHA1, "size": len(DATA), "url": server.url.rstrip("/") + PATH}
    values.update(kw)
    return FileJob(**values)


def fetch(jobs, store, **kw):
    kw.setdefault("backoff", 0)
    return download_files(jobs, store=store, **kw)


def only_in_store(store) -> list[str]:
    return [sha1 for sha1, _ in store.stored()]


def partials(store) -> list[str]:
    return sorted(p.name for p in store.partial.glob("*.part")) if store.partial.exists() else []


def test_a_file_is_verified_and_moved_into_the_store(server, store):
    seen = []
    [outcome] = fetch([job(server)], store, progress=seen.append)
    assert (outcome.status, outcome.size, outcome.sha256) == (STORED, len(DATA), hashlib.sha256(DATA).hexdigest())
    assert store.path_for(SHA1).read_bytes() == DATA
    assert store.path_for(SHA1).parent.name == SHA1[:2]
    assert partials(store) == []
    last = seen[-1]
    assert (last.files_done, last.files_total, last.bytes_done, last.bytes_total, last.files_failed) == (1, 1, len(DATA), len(DATA), 0)


def test_a_stored_file_is_not_fetched_again(server, store):
    fetch([job(server)], store)
    [again] = fetch([job(server)], store)
    assert again.status == PRESENT and server.count(PATH) == 1


def test_a_file_listed_twice_is_fetched_once(server, store):
    outcomes = fetch([job(server), job(server, file_name="copy.msu")], store)
    assert [o.status for o in outcomes] == [STORED, STORED]
    assert outcomes[1].job.file_name == "copy.msu"
    assert server.count(PATH) == 1


def test_a_connection_cut_mid_file_resumes_with_range(server, store):
    server.cut(PATH, after=1_000_000)
    [outcome] = fetch([job(server)], store)
    assert outcome.status == STORED
    ranges = [h.get("range") for m, p, h, _ in server.requests if p == PATH]
    assert ranges == [None, "bytes=1000000-"]
    assert store.path_for(SHA1).read_bytes() == DATA


def test_a_partial_file_survives_a_failed_run_and_the_next_run_resumes_it(server, store):
    server.cut(PATH, after=2_000_000, times=2)
    [first] = fetch([job(server)], store, retries=1)
    assert first.status == FAILED and "bytes kept for resuming" in first.reason
    assert only_in_store(store) == [] and partials(store) == [f"{SHA1}.part"]
    [second] = fetch([job(server)], store)
    assert second.status == STORED
    assert [h.get("range") for m, p, h, _ in server.requests if p == PATH][-1] == "bytes=2000000-"


def test_a_server_that_ignores_range_gets_a_fresh_start(server, store):
    server.cut(PATH, after=1_500_000)
    fetch([job(server)], store, retries=0)
    server.ignore_range(PATH)
    [outcome] = fetch([job(server)], store)
    assert outcome.status == STORED and store.path_for(SHA1).read_bytes() == DATA


def test_a_hash_mismatch_is_quarantined_and_never_stored(server, store):
    wrong = hashlib.sha1(b"something else").hexdigest()
    [outcome] = fetch([job(server, sha1=wrong)], store)
    assert outcome.status == QUARANTINED
    assert outcome.reason.startswith(f"hash mismatch: SHA-1 is {SHA1}, expected {wrong} (quarantined as {wrong}.0)")
    assert only_in_store(store) == [] and partials(store) == []
    assert (store.quarantine_dir / f"{wrong}.0").read_bytes() == DATA


def test_a_sha256_mismatch_is_quarantined(server, store):
    [outcome] = fetch([job(server, sha256="0" * 64)], store)
    assert outcome.status == QUARANTINED and "SHA-256 is" in outcome.reason
    assert only_in_store(store) == []


def test_html_instead_of_the_file_is_refused(server, store):
    server.raw(PATH, 200, "<html><body>Please sign in to the proxy</body></html>")
    [outcome] = fetch([job(server)], store)
    assert outcome.status == FAILED
    assert "the server answered with an HTML page (text/html) instead of the file" in outcome.reason
    assert only_in_store(store) == [] and partials(store) == []
    assert not store.quarantine_dir.exists() or not any(store.quarantine_dir.iterdir())


def test_html_labelled_as_a_file_is_refused_too(server, store):
    server.raw(PATH, 200, b"<!DOCTYPE html><html><body>error</body></html>", "application/octet-stream")
    [outcome] = fetch([job(server, size=None)], store)
    assert outcome.status == FAILED and "sent an HTML page instead of the file" in outcome.reason
    assert only_in_store(store) == [] and partials(store) == []


def test_a_size_that_disagrees_is_refused_before_writing(server, store):
    [outcome] = fetch([job(server, size=len(DATA) + 1)], store)
    assert outcome.status == FAILED and f"offers {len(DATA)} bytes; expected {len(DATA) + 1}" in outcome.reason
    assert partials(store) == []


def test_http_errors_name_the_url_and_5xx_is_retried(server, store):
    [missing] = fetch([job(server, url=server.url + "nope.msu")], store)
    assert missing.status == FAILED and missing.reason == f"{server.url}nope.msu: HTTP 404 Not Found"
    assert server.count("/nope.msu") == 1
    server.fail(PATH, 503, times=2)
    [busy] = fetch([job(server)], store)
    assert busy.status == STORED and server.count(PATH) == 3


def test_redirects_are_followed_within_the_policy(server, store):
    server.redirect("/old.msu", server.url.rstrip("/") + PATH)
    [outcome] = fetch([job(server, url=server.url + "old.msu")], store)
    assert outcome.status == STORED
    server.redirect("/away.msu", "ftp://127.0.0.1/x.msu")
    [refused] = fetch([job(server, sha1="1" * 40, url=server.url + "away.msu")], store)
    assert refused.status == FAILED and refused.reason.startswith("redirect to ftp://127.0.0.1/x.msu: only http")


def test_catalog_urls_off_the_allow_list_are_refused_and_a_mirror_takes_them(server, store):
    url = "http://download.windowsupdate.com" + PATH
    [refused] = fetch([job(server, url="http://evil.example" + PATH, origin=CATALOG)], store)
    assert refused.status == FAILED and "evil.example is not a Microsoft download host" in refused.reason
    [mirrored] = fetch([job(server, url=url, origin=CATALOG)], store, policy=UrlPolicy(content_url=server.url))
    assert mirrored.status == STORED and server.count(PATH) == 1


def test_not_enough_free_space_stops_before_the_first_byte(server, store):
    with pytest.raises(NotEnoughSpace, match="these files need 3.0 MiB"):
        fetch([job(server)], store, free_bytes=lambda: 64 << 20)
    assert server.count(PATH) == 0


class _FullDisk:
    """A partial file on a disk that fills up after `room` bytes."""

    def __init__(self, fh, room: int) -> None:
        self.fh, self.room = fh, room

    def write(self, data) -> int:
        if len(data) > self.room:
            raise OSError(errno.ENOSPC, "No space left on device")
        self.room -= len(data)
        return self.fh.write(data)

    def close(self) -> None:
        self.fh.close()


class _FillingStore(ContentStore):
    def open_partial(self, sha1: str, *, resume: bool):
        return _FullDisk(super().open_partial(sha1, resume=resume), room=1 << 20)


def test_a_disk_that_fills_mid_file_leaves_nothing_behind(server, tmp_path):
    store = _FillingStore(tmp_path / "content")
    [outcome] = fetch([job(server)], store)
    assert outcome.status == FAILED
    assert outcome.reason.startswith(f"{job(server).file_name}: the disk of the content folder is full")
    assert only_in_store(store) == [] and partials(store) == []


def test_cancel_stops_mid_file_and_keeps_the_partial_for_resuming(server, store):
    calls = [0]

    def cancel() -> bool:
        calls[0] += 1
        return calls[0] > 3

    [outcome] = fetch([job(server)], store, cancel=cancel)
    assert outcome.status == CANCELLED
    assert only_in_store(store) == []
    held = store.partial_for(SHA1).stat().st_size
    assert 0 < held < len(DATA)
    [resumed] = fetch([job(server)], store)
    assert resumed.status == STORED
    assert [h.get("range") for m, p, h, _ in server.requests if p == PATH][-1] == f"bytes={held}-"


def test_an_event_cancels_files_not_yet_started(server, store):
    stop = threading.Event()
    stop.set()
    [outcome] = fetch([job(server)], store, cancel=stop)
    assert outcome.status == CANCELLED and server.count(PATH) == 0


def test_concurrency_is_bounded(server, store):
    jobs = []
    for i in range(6):
        data = f"file {i} ".encode() * 1000
        path = f"/f{i}.cab"
        server.put_file(path, data)
        server.delay(path, 0.05)
        jobs.append(FileJob(f"f{i}.cab", hashlib.sha1(data).hexdigest(), url=server.url + f"f{i}.cab"))
    outcomes = fetch(jobs, store, concurrency=2)
    assert [o.status for o in outcomes] == [STORED] * 6
    assert 1 <= server.max_active <= 2


def test_a_folder_source_is_verified_like_a_download(tmp_path, store):
    good = tmp_path / "good.cab"
    good.write_bytes(DATA)
    [stored] = fetch([FileJob("good.cab", SHA1, local=good)], store)
    assert stored.status == STORED and store.path_for(SHA1).read_bytes() == DATA
    other = tmp_path / "other.cab"
    other.write_bytes(b"not it")
    wrong = hashlib.sha1(b"expected").hexdigest()
    [bad] = fetch([FileJob("other.cab", wrong, local=other)], store)
    assert bad.status == QUARANTINED and not store.has(wrong)
    [gone] = fetch([FileJob("gone.cab", "2" * 40, local=tmp_path / "gone.cab")], store)
    assert gone.status == FAILED and "cannot read" in gone.reason

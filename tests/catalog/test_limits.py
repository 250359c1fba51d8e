"""Deadlines and size limits on catalog documents: a download has one deadline from request to last
byte (a server dripping a byte at a time is cut off), and a document over the size limit is refused
before it is parsed: from the announced Content-Length, while a chunked body streams in (never read
whole), and from a file's size on import (a 300 MB file is never read into memory)."""

from __future__ import annotations

import asyncio
import json
import tracemalloc

import pytest

from sumtui.catalog.cvrf import MAX_DOCUMENT_BYTES, parse_document
from sumtui.catalog.errors import BadDocument, UpstreamError
from sumtui.catalog.msrc import MsrcClient
from sumtui.catalog.sync import import_files, read_document
from tests.catalog.slow_upstream import SlowUpstream
from tests.catalog.test_sync import errors, nov, sync
from tests.cvrf_builder import write

MB = 1024 * 1024


def fetch(url: str, **options):
    async def go():
        async with MsrcClient(url, retries=0, backoff=0.01, **options) as client:
            return await client.month("2020-Nov")

    return asyncio.run(go())


def test_a_dripping_server_is_cut_off_at_the_deadline_not_per_read():
    # 300 bytes at one per 0.1 s: every read gets a byte well inside 1 s, the whole needs 30 s.
    with SlowUpstream(["2020-Nov"], mode="drip", total=300, interval=0.1) as upstream:
        with pytest.raises(UpstreamError) as failure:
            fetch(upstream.url, timeout=1.0)
        sent = upstream.sent
    assert str(failure.value) == f"GET {upstream.url}cvrf/2020-Nov: timed out after 1 attempt (each allowed 1 s for the whole document)"
    assert sent < 300 and not upstream.finished.is_set()


def test_a_sync_records_the_cut_off_month_and_goes_on(sqlite_site):
    with SlowUpstream(["2020-Nov"], mode="drip", total=300, interval=0.1) as upstream:
        run = sync(sqlite_site, upstream.url, timeout=1.0, retries=0)
    assert (run.status, run.months_failed) == ("failed", 1)
    assert "timed out after 1 attempt" in errors(sqlite_site, run)[0][1]


def test_an_announced_body_over_the_limit_is_refused_before_it_is_read():
    with SlowUpstream(["2020-Nov"], mode="announce", total=300 * MB) as upstream:
        with pytest.raises(BadDocument) as refused:
            fetch(upstream.url, timeout=30.0)
    assert str(refused.value).startswith(f"{upstream.url}cvrf/2020-Nov: 300 MB, over the 256 MB limit")


def test_a_chunked_body_is_cut_off_at_the_limit_while_streaming():
    tracemalloc.start()
    try:
        with SlowUpstream(["2020-Nov"], mode="chunked", total=64 * MB) as upstream:
            with pytest.raises(BadDocument) as refused:
                fetch(upstream.url, timeout=30.0, max_size=2 * MB)
            sent = upstream.sent
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "over the 2 MB limit" in str(refused.value)
    assert not upstream.finished.is_set() and sent < 64 * MB
    assert peak < 16 * MB  # the body was never held beyond the limit (plus buffers)


def test_a_300_mb_file_is_refused_from_its_size_without_reading_it(sqlite_site, tmp_path):
    huge = tmp_path / "huge.json"
    with huge.open("wb") as handle:
        handle.truncate(300 * MB)  # sparse: costs no disk
    write(tmp_path / "2020-Nov.json", nov())
    tracemalloc.start()
    try:
        run = import_files(sqlite_site.engine, [huge, tmp_path / "2020-Nov.json"])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (run.status, run.months_fetched, run.months_failed) == ("partial", 1, 1)
    assert errors(sqlite_site, run)[0] == (str(huge), f"{huge}: 300 MB, over the 256 MB limit for a catalog document "
                                           "(refused before parsing; raise it with --max-size if this is really a month)")
    assert peak < 32 * MB


def test_the_limit_is_configurable_and_applies_to_parsing_too(tmp_path):
    path = tmp_path / "2020-Nov.json"
    write(path, nov())
    size = path.stat().st_size
    assert read_document(path, max_size=size) == path.read_bytes()
    with pytest.raises(BadDocument, match="over the 1 KB limit"):
        read_document(path, max_size=1024)
    with pytest.raises(BadDocument, match="over the 1 KB limit"):
        parse_document(path.read_bytes(), name="nov", max_size=1024)
    assert parse_document(json.dumps(nov()).encode(), name="nov").id == "2020-Nov"
    assert MAX_DOCUMENT_BYTES == 256 * MB

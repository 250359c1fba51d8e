"""Catalog sync end to end against a real HTTP server in the MSRC API layout (tests/mirror.py, loopback).

Covers: the index in both shapes; months chosen by `since`, by the update point's start month or the
last 12 months, and by explicit IDs; index entries that are not monthly security documents skipped
unless asked for; month URLs built from the configured base (never the index's CvrfUrl); a re-sync of
an unchanged upstream downloading nothing and writing no catalog row; a revised month refetched and
counted; retries on 5xx; months that stay broken, come back empty, time out or are missing (the run
goes on, is "partial", and records each error with its month); an unreachable host and a failing
index (run "failed"); cancelling the task (run "cancelled"); XML from a server that ignores the
Accept header; the product selection narrowing what is stored and a change of it refetching.
Backoffs and timeouts are tiny so the whole module runs in a few seconds.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from datetime import date

import pytest
from sqlalchemy import select

from sumtui.catalog import settings as update_point
from sumtui.catalog.models import Document, SyncRun
from sumtui.catalog.queries import export_updates
from sumtui.catalog.runs import run_errors
from sumtui.catalog.sync import sync_catalog
from tests.catalog.rows import snapshot
from tests.catalog.xmldoc import to_xml
from tests.cvrf_builder import Fix, Vuln, month_doc
from tests.mirror import XML_TYPE, MirrorServer, index_entry

PRODUCTS = {"11569": "Windows 10 Version 1809 for x64-based Systems", "11571": "Windows Server 2019"}


def nov(current: str | None = None) -> dict:
    return month_doc(2020, 11, PRODUCTS, [
        Vuln("CVE-2020-17087", [Fix("4586793", ["11569", "11571"])]),
        Vuln("CVE-2020-17088", [Fix("4586793", ["11569"])], severity="Critical"),
    ], current=current)


def dec(current: str | None = None, *, extra: bool = False) -> dict:
    vulns = [Vuln("CVE-2020-17095", [Fix("4592440", ["11569", "11571"], supersedes="4586793")])]
    if extra:  # the revision: one more CVE for the client's update, and a new KB
        vulns += [Vuln("CVE-2020-17096", [Fix("4592440", ["11569"]), Fix("4592449", ["11571"])])]
    return month_doc(2020, 12, PRODUCTS, vulns, current=current)


@pytest.fixture
def mirror():
    with MirrorServer() as server:
        server.put_index(["2020-Nov", "2020-Dec"])
        server.put_month("2020-Nov", nov())
        server.put_month("2020-Dec", dec())
        yield server


def sync(site, mirror_or_url, **kw):
    kw.setdefault("since", date(2020, 1, 1))
    kw.setdefault("timeout", 2.0)
    kw.setdefault("retries", 2)
    kw.setdefault("backoff", 0.01)
    url = mirror_or_url if isinstance(mirror_or_url, str) else mirror_or_url.url
    return asyncio.run(sync_catalog(site.engine, url=url, **kw))


def keys(site) -> set[tuple[str, str]]:
    with site.session() as session:
        return {(u["kb"], u["product_id"]) for u in export_updates(session)}


def errors(site, run) -> list[tuple[str | None, str]]:
    with site.session() as session:
        return [(e.month, e.reason) for e in run_errors(session, run_id=run.id)]


@pytest.mark.parametrize("bare", [False, True], ids=["value-object", "bare-array"])
def test_index_in_both_shapes(sqlite_site, mirror, bare):
    mirror.put_index(["2020-Nov", "2020-Dec"], bare=bare)
    run = sync(sqlite_site, mirror)
    assert (run.status, run.months_fetched, run.months_unchanged, run.months_failed) == ("ok", 2, 0, 0)
    assert (run.updates_new, run.updates_superseded) == (4, 2)
    assert keys(sqlite_site) == {("4586793", "11569"), ("4586793", "11571"), ("4592440", "11569"), ("4592440", "11571")}
    # Month documents are asked for as JSON, at <base>cvrf/<ID>, oldest first.
    months = [(path, headers["accept"]) for _, path, headers in mirror.requests if path.startswith("/cvrf/")]
    assert months == [("/cvrf/2020-Nov", "application/json"), ("/cvrf/2020-Dec", "application/json")]


def test_months_chosen_by_since(sqlite_site, mirror):
    run = sync(sqlite_site, mirror, since=date(2020, 12, 1))
    assert run.months_fetched == 1
    assert mirror.count("/cvrf/2020-Nov") == 0 and mirror.count("/cvrf/2020-Dec") == 1


def test_months_chosen_by_the_start_month_setting_or_the_last_twelve(sqlite_site, mirror):
    mirror.put_index(["2019-Nov", "2020-Nov", "2020-Dec"])
    # No start month: the last 12 months before "today" (2021-Jan → from 2020-Feb).
    run = sync(sqlite_site, mirror, since=None, today=date(2021, 1, 20))
    assert run.months_failed == 0 and mirror.count("/cvrf/2019-Nov") == 0 and mirror.count("/cvrf/") == 2
    with sqlite_site.session() as session:
        update_point.save(session, update_point.UpdatePointSettings(start_month="2020-dec"))
    mirror.reset_requests()
    run = sync(sqlite_site, mirror, since=None, force=True, today=date(2021, 1, 20))
    assert [p for _, p, _ in mirror.requests if p.startswith("/cvrf/")] == ["/cvrf/2020-Dec"]


def test_months_chosen_by_id_even_outside_since_or_the_index(sqlite_site, mirror):
    mirror.put_month("2017-May-B", nov())  # any document: only who asks for it matters here
    run = sync(sqlite_site, mirror, since=date(2030, 1, 1), months=["2020-nov", "2017-May-B"])
    assert run.months_fetched == 2
    assert mirror.count("/cvrf/2020-Nov") == 1 and mirror.count("/cvrf/2017-May-B") == 1
    assert mirror.count("/cvrf/2020-Dec") == 0


def test_entries_that_are_not_monthly_security_documents_are_skipped(sqlite_site, mirror):
    mariner = {**index_entry("2020-Oct"), "DocumentTitle": "Mariner Release Notes"}
    extra = {**index_entry("2017-May"), "ID": "2017-May-B", "Alias": "2017-May-B", "DocumentTitle": "May 8 2017 Security Updates"}
    mirror.put_index([mariner, extra, "2020-Nov", "2020-Dec"])
    mirror.put_month("2017-May-B", month_doc(2017, 5, PRODUCTS, []))  # the real one is empty
    run = sync(sqlite_site, mirror, since=date(2000, 1, 1))
    assert (run.status, run.months_fetched) == ("ok", 2)
    assert mirror.count("/cvrf/2020-Oct") == 0 and mirror.count("/cvrf/2017-May-B") == 0
    # Asked for by ID, the empty extra document is fetched, and refused as empty.
    run = sync(sqlite_site, mirror, months=["2017-May-B"])
    assert mirror.count("/cvrf/2017-May-B") == 1
    assert (run.status, run.months_failed) == ("failed", 1)
    assert errors(sqlite_site, run)[0][0] == "2017-May-B"
    assert "no vulnerabilities" in errors(sqlite_site, run)[0][1]


def test_month_urls_come_from_the_base_not_cvrf_url(sqlite_site, mirror):
    # The index's CvrfUrl points at api.msrc.microsoft.com; a base with a path must be used as is.
    mirror.serve_raw("/api/v3.0/updates", json.dumps({"value": [index_entry("2020-Dec")]}))
    mirror.serve_raw("/api/v3.0/cvrf/2020-Dec", json.dumps(dec()))
    run = sync(sqlite_site, mirror.url + "api/v3.0")  # no trailing slash on purpose
    assert (run.status, run.months_fetched) == ("ok", 1)
    assert [p for _, p, _ in mirror.requests] == ["/api/v3.0/updates", "/api/v3.0/cvrf/2020-Dec"]
    with sqlite_site.session() as session:
        assert session.get(Document, "2020-Dec").source == mirror.url + "api/v3.0/cvrf/2020-Dec"


def test_resync_of_an_unchanged_upstream_downloads_and_writes_nothing(site, mirror):
    first = sync(site, mirror)
    assert first.months_fetched == 2
    before, downloads = snapshot(site), mirror.count("/cvrf/")
    second = sync(site, mirror)
    assert mirror.count("/cvrf/") == downloads  # not one month document
    assert mirror.count("/updates") == 2
    assert (second.status, second.months_fetched, second.months_unchanged) == ("ok", 0, 2)
    assert (second.updates_new, second.updates_revised, second.updates_superseded, second.updates_expired) == (0, 0, 0, 0)
    assert snapshot(site) == before  # Document.fetched_at included: not even the document rows were touched
    with site.session() as session:
        assert len(session.execute(select(SyncRun)).all()) == 2  # the run itself is recorded


def test_a_revised_month_is_fetched_again_and_counted(site, mirror):
    sync(site, mirror)
    mirror.put_index([index_entry("2020-Nov"), index_entry("2020-Dec", current="2021-01-05T08:00:00Z")])
    mirror.put_month("2020-Dec", dec(current="2021-01-05T08:00:00Z", extra=True))
    run = sync(site, mirror)
    assert mirror.count("/cvrf/2020-Dec") == 2 and mirror.count("/cvrf/2020-Nov") == 1
    assert (run.status, run.months_fetched, run.months_unchanged) == ("ok", 1, 1)
    # KB4592449 is new; both KB4592440 updates are revised (one gained a CVE, and the month's new
    # CurrentReleaseDate is their revised date).
    assert (run.updates_new, run.updates_revised) == (1, 2)
    with site.session() as session:
        updates = {(u["kb"], u["product_id"]): u for u in export_updates(session)}
        assert session.get(Document, "2020-Dec").upstream_revision == "2021-01-05T08:00:00Z"
    assert updates[("4592440", "11569")]["cves"] == ["CVE-2020-17095", "CVE-2020-17096"]
    assert updates[("4592440", "11569")]["revised"].startswith("2021-01-05")
    # The month is now up to date: nothing more to fetch.
    assert sync(site, mirror).months_fetched == 0 and mirror.count("/cvrf/2020-Dec") == 2


def test_a_5xx_that_recovers_is_retried(sqlite_site, mirror):
    mirror.fail("/cvrf/2020-Dec", status=500, times=2)
    mirror.fail("/updates", status=503, times=1)
    run = sync(sqlite_site, mirror, retries=2)
    assert (run.status, run.months_fetched, run.months_failed) == ("ok", 2, 0)
    assert mirror.count("/cvrf/2020-Dec") == 3 and mirror.count("/updates") == 2
    assert errors(sqlite_site, run) == []


def test_a_month_that_stays_broken_is_recorded_and_the_others_stored(sqlite_site, mirror):
    mirror.fail("/cvrf/2020-Nov", status=500)
    run = sync(sqlite_site, mirror, retries=2)
    assert (run.status, run.months_fetched, run.months_failed) == ("partial", 1, 1)
    assert mirror.count("/cvrf/2020-Nov") == 3
    [(month, reason)] = errors(sqlite_site, run)
    assert month == "2020-Nov"
    assert reason == f"GET {mirror.url}cvrf/2020-Nov: HTTP 500 Internal Server Error after 3 attempts"
    assert run.message == reason
    assert keys(sqlite_site) == {("4592440", "11569"), ("4592440", "11571")}
    # Nothing was stored for November, so the next sync (upstream healed) fetches it.
    mirror.clear_faults()
    again = sync(sqlite_site, mirror)
    assert (again.status, again.months_fetched, again.months_unchanged) == ("ok", 1, 1)


def test_an_empty_month_is_a_failure_and_keeps_earlier_data(site, mirror):
    sync(site, mirror)
    before = snapshot(site)
    mirror.put_index([index_entry("2020-Nov"), index_entry("2020-Dec", current="2021-01-05T08:00:00Z")])
    mirror.put_month("2020-Dec", month_doc(2020, 12, PRODUCTS, [], current="2021-01-05T08:00:00Z"))
    run = sync(site, mirror)
    # Nothing was fetched and the one month that needed work failed: the run failed (so a scheduled
    # sync does not count it as a good one), though November is still current.
    assert (run.status, run.months_fetched, run.months_unchanged, run.months_failed) == ("failed", 0, 1, 1)
    [(month, reason)] = errors(site, run)
    assert month == "2020-Dec" and "has no vulnerabilities" in reason and reason.startswith(f"{mirror.url}cvrf/2020-Dec: ")
    assert snapshot(site) == before
    # The stored revision did not move: once the upstream serves the month again, it is fetched.
    mirror.put_month("2020-Dec", dec(current="2021-01-05T08:00:00Z"))
    assert sync(site, mirror).months_fetched == 1


def test_a_timeout_is_retried_then_recorded(sqlite_site, mirror):
    mirror.delay("/cvrf/2020-Dec", 10.0)
    started = time.monotonic()
    run = sync(sqlite_site, mirror, timeout=0.2, retries=1)
    assert time.monotonic() - started < 8  # gave up on its own (~0.5 s), not when the server answered
    assert (run.status, run.months_fetched, run.months_failed) == ("partial", 1, 1)
    assert mirror.count("/cvrf/2020-Dec") == 2
    assert errors(sqlite_site, run) == [("2020-Dec", f"GET {mirror.url}cvrf/2020-Dec: timed out after 2 attempts "
                                                 "(each allowed 0.2 s for the whole document)")]


def test_a_missing_month_fails_at_once(sqlite_site, mirror):
    run = sync(sqlite_site, mirror, months=["2020-Dec", "2019-Jan"], retries=3)
    assert (run.status, run.months_fetched, run.months_failed) == ("partial", 1, 1)
    assert mirror.count("/cvrf/2019-Jan") == 1  # a 404 is not retried
    assert errors(sqlite_site, run) == [("2019-Jan", f"GET {mirror.url}cvrf/2019-Jan: HTTP 404 Not Found")]


def test_a_malformed_month_is_recorded(sqlite_site, mirror):
    mirror.serve_raw("/cvrf/2020-Dec", json.dumps(dec())[:300])
    run = sync(sqlite_site, mirror)
    assert (run.status, run.months_failed) == ("partial", 1)
    [(month, reason)] = errors(sqlite_site, run)
    assert month == "2020-Dec" and "malformed JSON" in reason and "\n" not in reason


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_host_fails_the_run(sqlite_site):
    url = f"http://127.0.0.1:{_closed_port()}/"
    run = sync(sqlite_site, url, retries=1)
    assert (run.status, run.months_fetched, run.months_failed) == ("failed", 0, 0)
    [(month, reason)] = errors(sqlite_site, run)
    assert month is None
    assert reason.startswith(f"GET {url}updates: cannot connect (") and reason.endswith("after 2 attempts")
    assert run.message == f"no index: {reason}"


@pytest.mark.parametrize("fault", ["500", "malformed", "not-an-index"])
def test_a_failing_index_fails_the_run(sqlite_site, mirror, fault):
    if fault == "500":
        mirror.fail("/updates", status=500)
    else:
        mirror.serve_raw("/updates", "{not json" if fault == "malformed" else '{"error": "nope"}')
    run = sync(sqlite_site, mirror, retries=1)
    assert run.status == "failed" and run.months_fetched == 0
    assert mirror.count("/cvrf/") == 0
    expected = {"500": "HTTP 500", "malformed": "malformed index JSON", "not-an-index": "not an MSRC index"}[fault]
    assert expected in errors(sqlite_site, run)[0][1]
    with sqlite_site.session() as session:
        assert session.execute(select(Document)).first() is None


def test_cancelling_the_task_records_a_cancelled_run(sqlite_site, mirror):
    mirror.delay("/cvrf/2020-Dec", 30)

    async def scenario():
        task = asyncio.create_task(sync_catalog(sqlite_site.engine, url=mirror.url, since=date(2020, 1, 1),
                                                timeout=60, backoff=0.01))
        # Wait until November is stored and December is hanging on the server, then cancel.
        for _ in range(2000):
            with sqlite_site.session() as session:
                stored = session.get(Document, "2020-Nov") is not None
            if stored and mirror.count("/cvrf/2020-Dec"):
                break
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    started = time.monotonic()
    asyncio.run(scenario())
    assert time.monotonic() - started < 10
    with sqlite_site.session() as session:
        [run] = session.execute(select(SyncRun)).scalars().all()
    assert (run.status, run.months_fetched, run.message) == ("cancelled", 1, "cancelled by the operator")
    assert run.ended_at is not None
    assert keys(sqlite_site) == {("4586793", "11569"), ("4586793", "11571")}
    with sqlite_site.session() as session:
        # November's flags were brought up to date on the way out, December was not half-stored.
        assert session.get(Document, "2020-Dec") is None


def test_xml_from_a_server_that_ignores_the_accept_header(sqlite_site, mirror):
    # The mirror itself honours Accept (put_month(id, json, xml=...) still gives our client JSON), so
    # an upstream that ignores it is played by serving the XML whatever is asked: once labelled as
    # XML, once mislabelled as JSON.
    mirror.serve_raw("/cvrf/2020-Nov", to_xml(nov()), content_type=XML_TYPE)
    mirror.serve_raw("/cvrf/2020-Dec", to_xml(dec()))
    run = sync(sqlite_site, mirror)
    assert (run.status, run.months_fetched) == ("ok", 2)
    assert len(keys(sqlite_site)) == 4
    with sqlite_site.session() as session:
        by_kb = {(u["kb"], u["product_id"]): u for u in export_updates(session)}
    assert by_kb[("4586793", "11569")]["cves"] == ["CVE-2020-17087", "CVE-2020-17088"]
    assert by_kb[("4586793", "11569")]["superseded_by"] == ["4592440"]


def test_a_month_served_with_both_forms_is_read_as_json(sqlite_site, mirror):
    mirror.put_month("2020-Dec", dec(), xml=b"<not-even-cvrf/>")
    run = sync(sqlite_site, mirror)
    assert (run.status, run.months_fetched) == ("ok", 2)


def test_the_product_selection_narrows_what_is_stored_and_a_change_refetches(sqlite_site, mirror):
    with sqlite_site.session() as session:
        update_point.save(session, update_point.UpdatePointSettings(products=["Windows Server 2019"]))
    run = sync(sqlite_site, mirror)
    assert run.updates_new == 2
    assert keys(sqlite_site) == {("4586793", "11571"), ("4592440", "11571")}
    assert sync(sqlite_site, mirror).months_fetched == 0  # same selection: nothing to do
    with sqlite_site.session() as session:
        update_point.save(session, update_point.UpdatePointSettings(products=[]))
    run = sync(sqlite_site, mirror)
    assert (run.months_fetched, run.months_unchanged, run.updates_new) == (2, 0, 2)
    assert mirror.count("/cvrf/") == 4
    assert len(keys(sqlite_site)) == 4


def test_progress_is_reported(sqlite_site, mirror):
    seen = []
    sync(sqlite_site, mirror, progress=seen.append)
    assert [p.phase for p in seen][0] == "index"
    assert seen[-1].phase == "finishing"
    month_steps = [p for p in seen if p.phase == "month" and p.month]
    assert [(p.month, p.months_done, p.months_total) for p in month_steps] == [("2020-Nov", 1, 2), ("2020-Dec", 2, 2)]
    assert month_steps[-1].updates_new == 4


def test_a_hostile_month_is_recorded_not_a_crash(sqlite_site, mirror):
    mirror.serve_raw("/cvrf/2020-Dec", b"[" * 100_000)  # json.loads would raise RecursionError
    run = sync(sqlite_site, mirror)
    assert (run.status, run.months_fetched, run.months_failed) == ("partial", 1, 1)
    assert errors(sqlite_site, run) == [("2020-Dec", f"{mirror.url}cvrf/2020-Dec: nested too deeply to be a CVRF document")]


def test_an_unexpected_crash_still_closes_the_run(sqlite_site, mirror, monkeypatch):
    import sumtui.catalog.sync as sync_module

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(sync_module, "ingest_document", broken)
    with pytest.raises(RuntimeError):
        sync(sqlite_site, mirror)
    with sqlite_site.session() as session:
        [run] = session.execute(select(SyncRun)).scalars().all()
    # Left "running", it would show as a sync in progress for ever (checklist, header).
    assert (run.status, run.message) == ("failed", "unexpected error: RuntimeError: database went away")


def test_a_month_listed_twice_in_the_index_is_fetched_once(sqlite_site, mirror):
    # The real index repeats entries (e.g. "1999-Sep" twice); the newest revision is the one to keep.
    mirror.put_index([index_entry("2020-Nov"), index_entry("2020-Dec"),
                      index_entry("2020-Dec", current="2021-01-05T08:00:00Z")])
    run = sync(sqlite_site, mirror)
    assert (run.status, run.months_fetched) == ("ok", 2)
    assert mirror.count("/cvrf/2020-Dec") == 1
    with sqlite_site.session() as session:
        assert session.get(Document, "2020-Dec").upstream_revision == "2021-01-05T08:00:00Z"
    assert sync(sqlite_site, mirror).months_fetched == 0

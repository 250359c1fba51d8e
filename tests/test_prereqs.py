"""Prerequisite checks: each gives a verdict and a fix hint, and the report is kept for the checklist."""

from __future__ import annotations

import asyncio
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from sqlalchemy import create_engine, text

from sumtui.workflows import prereqs


@pytest.fixture
def loopback_upstream():
    """A real HTTP server on loopback that answers the index path like the MSRC API."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.path)
            status = 200 if self.path.endswith("/updates") else 404
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"value": []}')

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/cvrf/v3.0/", seen
    server.shutdown()
    server.server_close()


def test_database_check_writes_nothing(site):
    result = prereqs.check_database(site.engine)
    assert result.ok, result.verdict
    assert "reachable and writable" in result.verdict
    with site.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM site_setting")).scalar() == 0


def test_database_check_fails_on_a_read_only_database(sqlite_site):
    path = sqlite_site.engine.url.database
    readonly = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    result = prereqs.check_database(readonly)
    readonly.dispose()
    assert result.status == "failed"
    assert "readonly" in result.verdict.replace("-", "").replace(" ", "")
    assert result.fix


def test_schema_check_notices_an_old_revision(sqlite_site):
    assert prereqs.check_schema(sqlite_site.engine).ok
    with sqlite_site.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0000'"))
    result = prereqs.check_schema(sqlite_site.engine)
    assert result.status == "failed" and "0000" in result.verdict and result.fix


def test_folder_check_creates_the_folder(tmp_path):
    target = tmp_path / "a" / "content"
    result = prereqs.check_folder(target, key="folder_content", title="Content folder")
    assert result.ok and target.is_dir()
    assert list(target.iterdir()) == []  # the probe file is gone


def test_folder_check_fails_where_a_file_is_in_the_way(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = prereqs.check_folder(blocker / "content", key="folder_content", title="Content folder")
    assert result.status == "failed" and str(blocker) in result.verdict and result.fix


def test_upstream_check_reads_the_index_path(loopback_upstream):
    url, seen = loopback_upstream
    result = asyncio.run(prereqs.check_upstream(url))
    assert result.ok and "HTTP 200" in result.verdict
    assert seen == ["/cvrf/v3.0/updates"]


@pytest.mark.parametrize("status", [404, 503])
def test_upstream_check_reports_the_http_status(status):
    transport = httpx.MockTransport(lambda request: httpx.Response(status))
    result = asyncio.run(prereqs.check_upstream("http://mirror.test/cvrf/v3.0/", transport=transport))
    assert result.status == "failed" and f"HTTP {status}" in result.verdict and result.fix


def test_upstream_check_reports_a_connection_error():
    def refuse(request):
        raise httpx.ConnectError("connection refused", request=request)

    result = asyncio.run(prereqs.check_upstream("http://mirror.test/", transport=httpx.MockTransport(refuse)))
    assert result.status == "failed" and "connection refused" in result.verdict


def test_offline_files_need_no_upstream():
    transport = httpx.MockTransport(lambda request: pytest.fail("no request expected"))
    result = asyncio.run(prereqs.check_upstream("http://mirror.test/", upstream="files", transport=transport))
    assert result.ok and "offline" in result.verdict


def healthy_mp(request):
    return httpx.Response(200, json={"status": "ok", "site": "s", "version": "0.1.0", "catalog_updates": 0, "clients": 3,
                                     "batches": 1, "reports": 2})


def test_run_checks_and_the_saved_report(sqlite_site, tmp_path, loopback_upstream):
    url, _ = loopback_upstream
    report = prereqs.run_checks(sqlite_site.engine, folders={"content": tmp_path / "content"}, url=url,
                                mp_transport=httpx.MockTransport(healthy_mp))
    assert [c.key for c in report.checks] == ["database", "schema", "folder_content", "upstream", "management_point"]
    assert report.checks[-1].ok and "3 clients" in report.checks[-1].verdict
    assert report.all_green and report.failed == []
    with sqlite_site.session() as session:
        assert prereqs.load_report(session) is None
        prereqs.save_report(session, report)
    with sqlite_site.session() as session:
        loaded = prereqs.load_report(session)
    assert loaded == report


def test_the_management_point_check_probes_the_stored_url(sqlite_site, tmp_path, loopback_upstream):
    from sumtui.fleet import management_point

    seen = []

    def answer(request):
        seen.append(str(request.url))
        return healthy_mp(request)

    with sqlite_site.session() as session:
        management_point.save(session, management_point.ManagementPointSettings(url="http://mp.example:9001"))
    url, _ = loopback_upstream
    prereqs.run_checks(sqlite_site.engine, folders={}, url=url, mp_transport=httpx.MockTransport(answer))
    assert seen == ["http://mp.example:9001/api/v1/health"]


def test_a_management_point_that_does_not_answer_fails_with_how_to_start_it():
    from tests.server.conftest import free_port

    port = free_port()
    result = asyncio.run(prereqs.check_management_point(f"http://127.0.0.1:{port}/", timeout=2))
    assert result.status == "failed" and result.verdict.startswith(f"GET http://127.0.0.1:{port}/api/v1/health")
    assert f"start it with `sumtui serve --host 127.0.0.1 --port {port}`" in result.fix


def test_a_report_with_a_failure_is_not_green():
    report = prereqs.PrereqReport(checks=[
        prereqs.CheckResult(key="a", title="A", status="ok", verdict=""),
        prereqs.CheckResult(key="b", title="B", status="failed", verdict=""),
    ])
    assert not report.all_green and [c.key for c in report.failed] == ["b"]
    assert not prereqs.PrereqReport().all_green


def test_the_management_point_fix_names_the_site():
    # As the Management point screen does: `sumtui serve` alone would open the default site, not this one.
    from tests.server.conftest import free_port

    port = free_port()
    result = asyncio.run(prereqs.check_management_point(f"http://127.0.0.1:{port}/", timeout=2,
                                                        database="/srv/sumtui/site one.db"))
    assert f"start it with `sumtui --db '/srv/sumtui/site one.db' serve --host 127.0.0.1 --port {port}`" in result.fix
    other = asyncio.run(prereqs.check_management_point(f"http://127.0.0.1:{port}/", timeout=2))
    assert "with --db or SUMTUI_DB naming this site's database" in other.fix


def test_the_offline_demo_skips_the_upstream_instead_of_failing(sqlite_site, tmp_path):
    transport = httpx.MockTransport(lambda request: pytest.fail("the offline demo asks nothing of the internet"))
    report = prereqs.run_checks(sqlite_site.engine, folders={"content": tmp_path / "content"},
                                url="https://api.msrc.microsoft.com/cvrf/v3.0/", transport=transport,
                                mp_transport=httpx.MockTransport(healthy_mp), offline=True)
    upstream = next(c for c in report.checks if c.key == "upstream")
    assert (upstream.status, upstream.verdict, upstream.fix) == ("unavailable", "skipped: offline demo", "")
    assert report.failed == [] and report.all_green

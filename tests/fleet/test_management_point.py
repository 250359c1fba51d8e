"""The management point setting, the health probe (a real server, a closed port, odd answers) and the command lines."""

from __future__ import annotations

import asyncio
import shlex

import httpx
import pytest
from pydantic import ValidationError

from sumtui.fleet import management_point as mp
from tests.server.conftest import RunningServer, free_port


def test_the_setting_defaults_to_loopback_and_is_stored(sqlite_site):
    with sqlite_site.session() as session:
        settings, saved = mp.load(session)
        assert (settings.url, saved) == ("http://127.0.0.1:8530/", False)
        mp.save(session, mp.ManagementPointSettings(url=" http://mp.example:9000 "))
    with sqlite_site.session() as session:
        settings, saved = mp.load(session)
    assert (settings.url, saved) == ("http://mp.example:9000/", True)


@pytest.mark.parametrize("url, problem", [
    ("ftp://mp.example/", "must start with http:// or https://"),
    ("http://", "names no host"),
    ("http://mp.example:port/", "port that is not a number"),
])
def test_a_bad_url_is_refused_with_a_reason(url, problem):
    with pytest.raises(ValidationError, match=problem):
        mp.ManagementPointSettings(url=url)


def test_probe_reads_a_real_management_point(sqlite_site):
    with RunningServer(sqlite_site) as server:
        status = asyncio.run(mp.probe(server.url))
    assert status.reachable and status.error is None
    assert status.site == sqlite_site.name and status.version
    assert (status.clients, status.catalog_updates, status.reports) == (0, 0, 0)
    assert status.verdict.startswith(f"127.0.0.1:{server.port} answers: sumtui ")
    assert "0 clients" in status.verdict


def test_probe_of_a_closed_port_says_so_in_one_line():
    url = f"http://127.0.0.1:{free_port()}"
    status = asyncio.run(mp.probe(url, timeout=2))
    assert not status.reachable
    assert status.url == url + "/"
    assert status.verdict.startswith(f"GET {url}/api/v1/health: ") and "\n" not in status.verdict


@pytest.mark.parametrize("response, verdict", [
    (httpx.Response(404), "HTTP 404 Not Found"),
    (httpx.Response(200, text="<html>hello</html>"), "not as a sumtui management point"),
    (httpx.Response(200, json={"status": "degraded"}), "not as a sumtui management point"),
])
def test_probe_refuses_what_is_not_a_management_point(response, verdict):
    transport = httpx.MockTransport(lambda request: response)
    status = asyncio.run(mp.probe("http://mp.test/", transport=transport))
    assert not status.reachable and verdict in status.verdict


def test_probe_reports_a_timeout():
    def slow(request):
        raise httpx.ReadTimeout("timed out", request=request)

    status = asyncio.run(mp.probe("http://mp.test/", timeout=0.5, transport=httpx.MockTransport(slow)))
    assert not status.reachable and status.verdict.endswith("no answer within 0.5 s")


def test_probe_asks_the_health_path_under_the_base_url():
    seen = []

    def answer(request):
        seen.append(str(request.url))
        return httpx.Response(200, json={"status": "ok", "site": "s", "version": "9", "catalog_updates": 5,
                                         "clients": 2500, "batches": 3, "reports": 1200})

    status = asyncio.run(mp.probe("http://mp.test/sumtui", transport=httpx.MockTransport(answer)))
    assert seen == ["http://mp.test/sumtui/api/v1/health"]
    assert status.reachable and (status.clients, status.batches, status.reports) == (2500, 3, 1200)
    assert status.verdict == "mp.test answers: sumtui 9, site s, 2,500 clients, 1,200 reports in 3 batches since it started"


def test_command_lines_for_the_server_and_the_agents():
    assert mp.serve_command("http://10.0.0.5:8530/") == "sumtui serve --host 10.0.0.5 --port 8530"
    assert mp.serve_command("http://mp.example/", database="/srv/my site/site.db") == (
        "sumtui --db '/srv/my site/site.db' serve --host mp.example --port 80")
    line = mp.agent_command("http://mp.example:8530", "abc-DEF_123")
    assert line == "sumtui agent --server http://mp.example:8530/ --enroll-key abc-DEF_123"
    assert shlex.split(line)[-1] == "abc-DEF_123"

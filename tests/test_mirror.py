"""The local MSRC mirror used by catalog tests and benchmarks behaves like the API and injects faults."""

from __future__ import annotations

import http.client
import json
import time

import httpx
import pytest

from tests.mirror import MirrorServer

JSON = {"Accept": "application/json"}
MONTH = {"DocumentTracking": {"Identification": {"ID": {"Value": "2024-Jul"}}}, "Vulnerability": []}
XML = "<cvrf:cvrfdoc xmlns:cvrf=\"http://www.icasi.org/CVRF/schema/cvrf/1.1\"/>"


@pytest.fixture
def mirror():
    with MirrorServer() as server:
        server.put_index(["2024-Jul", "2024-Aug"])
        server.put_month("2024-Jul", MONTH, xml=XML)
        yield server


def test_serves_index_and_month_in_api_layout(mirror):
    with httpx.Client(base_url=mirror.url) as client:
        index = client.get("updates", headers=JSON)
        month = client.get("cvrf/2024-Jul", headers=JSON)
        missing = client.get("cvrf/1999-Jan", headers=JSON)
    assert mirror.url.startswith("http://127.0.0.1:") and mirror.url.endswith("/")
    assert [e["ID"] for e in index.json()["value"]] == ["2024-Jul", "2024-Aug"]
    assert index.json()["value"][0]["DocumentTitle"] == "July 2024 Security Updates"
    assert month.status_code == 200 and month.json() == MONTH
    assert month.headers["content-type"].startswith("application/json")
    assert missing.status_code == 404
    assert [(m, p) for m, p, _ in mirror.requests] == [("GET", "/updates"), ("GET", "/cvrf/2024-Jul"), ("GET", "/cvrf/1999-Jan")]
    assert mirror.requests[1][2]["accept"] == "application/json"
    assert mirror.count("/cvrf/") == 2 and mirror.count("cvrf/2024-Jul") == 1 and mirror.count() == 3


def test_json_or_xml_by_accept_header(mirror):
    with httpx.Client(base_url=mirror.url) as client:
        as_json = client.get("cvrf/2024-Jul", headers=JSON)
        as_xml = client.get("cvrf/2024-Jul")
        no_xml = client.get("updates", headers={"Accept": "application/xml"})
    assert as_json.json() == MONTH
    assert as_xml.text == XML and as_xml.headers["content-type"].startswith("application/xml")
    assert no_xml.json()["value"]  # no XML version: JSON is served


def test_fails_n_times_then_recovers(mirror):
    mirror.fail("/cvrf/2024-Jul", status=503, times=2)
    with httpx.Client(base_url=mirror.url) as client:
        statuses = [client.get("cvrf/2024-Jul", headers=JSON).status_code for _ in range(3)]
        other = client.get("updates", headers=JSON).status_code
    assert statuses == [503, 503, 200]
    assert other == 200
    assert mirror.count("/cvrf/2024-Jul") == 3


def test_always_fails(mirror):
    mirror.fail("updates", status=500)
    with httpx.Client(base_url=mirror.url) as client:
        assert [client.get("updates").status_code for _ in range(4)] == [500] * 4
    mirror.clear_faults()
    with httpx.Client(base_url=mirror.url) as client:
        assert client.get("updates").status_code == 200


@pytest.mark.parametrize("body", [b"", b'{"DocumentTracking": {"Identif', b"\xff\xfe not utf-8"])
def test_raw_bodies_are_served_byte_for_byte(mirror, body):
    mirror.serve_raw("/cvrf/2024-Jul", body, status=200, content_type="application/json")
    with httpx.Client(base_url=mirror.url) as client:
        response = client.get("cvrf/2024-Jul", headers=JSON)
    assert response.status_code == 200 and response.content == body


def test_raw_status_and_bare_index(mirror):
    mirror.serve_raw("cvrf/2024-Aug", "<html>maintenance</html>", status=503, content_type="text/html")
    mirror.put_index(["2024-Jul"], bare=True)
    with httpx.Client(base_url=mirror.url) as client:
        raw = client.get("cvrf/2024-Aug")
        index = client.get("updates")
    assert raw.status_code == 503 and raw.text == "<html>maintenance</html>"
    assert isinstance(index.json(), list) and index.json()[0]["ID"] == "2024-Jul"


def test_delay_trips_a_client_timeout_and_stop_does_not_wait_for_it():
    server = MirrorServer().start()
    server.put_index([])
    server.delay("/updates", 5.0)
    with httpx.Client(base_url=server.url, timeout=0.2) as client:
        with pytest.raises(httpx.ReadTimeout):
            client.get("updates")
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 2.0
    assert server.count("/updates") == 1


def test_a_held_answer_waits_for_its_release(mirror):
    import threading

    released = mirror.hold("/cvrf/2024-Jul")
    answers: list[int] = []

    def fetch() -> None:
        with httpx.Client(base_url=mirror.url, timeout=30) as client:
            answers.append(client.get("cvrf/2024-Jul", headers=JSON).status_code)

    worker = threading.Thread(target=fetch)
    worker.start()
    while mirror.count("/cvrf/2024-Jul") == 0:  # the request is in, and held
        time.sleep(0.01)
    assert answers == [] and worker.is_alive()
    released.set()
    worker.join(timeout=30)
    assert answers == [200]


def test_serves_a_folder_in_api_layout(tmp_path):
    (tmp_path / "cvrf").mkdir()
    (tmp_path / "updates").write_text(json.dumps({"value": [{"ID": "2017-Jan"}]}))
    (tmp_path / "cvrf" / "2017-Jan").write_text(json.dumps(MONTH))
    (tmp_path / "cvrf" / "2017-Jan.xml").write_text(XML)
    with MirrorServer(tmp_path) as server, httpx.Client(base_url=server.url) as client:
        assert client.get("updates", headers=JSON).json() == {"value": [{"ID": "2017-Jan"}]}
        assert client.get("cvrf/2017-Jan", headers=JSON).json() == MONTH
        assert client.get("cvrf/2017-Jan").text == XML
    # httpx would resolve "..": send the raw path to check that nothing outside the folder is served
    (tmp_path / "cvrf" / "secret").mkdir()
    with MirrorServer(tmp_path / "cvrf" / "secret") as server:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        connection.request("GET", "/../2017-Jan")
        assert connection.getresponse().status == 404
        connection.close()

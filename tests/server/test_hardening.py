"""The management point under hostile or broken clients: numbers and dates out of range, oversized
chunked bodies, unknown routes, an internal error on a keep-alive connection, slow headers and bodies,
and guessing credentials. Every answer is 4xx JSON of one shape (a forced internal error: 500 JSON),
and the connection stays usable whenever the request was read to its end."""

from __future__ import annotations

import asyncio
import json
import select
import time

import httpx
import pytest

from sumtui.server.limits import Limits
from sumtui.server.throttle import FailureThrottle
from tests.compliance.scenario import CU
from tests.server.conftest import RunningServer
from tests.server.rawhttp import RawConnection, error_of
from tests.server.test_api import inventory, register


@pytest.fixture
def agent(http, enroll):
    return register(http, enroll)


@pytest.mark.parametrize("path", [
    "api/v1/clients/99999999999999999999/policy",
    "api/v1/clients/9223372036854775808/policy",
    "api/v1/clients/2147483648/policy",
    "api/v1/clients/0/policy",
    "api/v1/clients/-5/policy",
    "api/v1/clients/1e3/policy",
])
def test_client_ids_out_of_range_are_refused(http, agent, path):
    _cid, auth = agent
    answer = http.get(path, headers=auth)
    assert answer.status_code == 422, answer.text
    assert "client_id" in error_of(answer.content)


def test_serials_out_of_range_are_refused(http, agent, catalog_site):
    cid, auth = agent
    for serial in (2**31, 2**63, 10**40):
        answer = http.post(f"api/v1/clients/{cid}/inventory", json={"serial": serial, "inventory": inventory()}, headers=auth)
        assert answer.status_code == 422 and "serial" in error_of(answer.content)
        scan = http.post(f"api/v1/clients/{cid}/scan", json={"serial": serial, "states": []}, headers=auth)
        assert scan.status_code == 422 and "serial" in error_of(scan.content)
    # The largest serial that fits is taken (a gap, but an inventory is complete).
    assert http.post(f"api/v1/clients/{cid}/inventory", json={"serial": 2**31 - 1, "inventory": inventory()},
                     headers=auth).json()["serial"] == 2**31 - 1


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:30:00-01:00"])
def test_times_out_of_range_are_refused(http, agent, catalog_site, when):
    cid, auth = agent
    answer = http.post(f"api/v1/clients/{cid}/inventory",
                       json={"serial": 1, "inventory": {**inventory(), "collected_at": when}}, headers=auth)
    assert answer.status_code == 422
    assert "collected_at" in error_of(answer.content)
    from sumtui.fleet.models import Client

    with catalog_site.session() as session:
        assert session.get(Client, cid).last_inventory is None


def test_oversized_chunked_bodies_are_refused_on_every_endpoint_and_the_connection_goes_on(mp, agent):
    cid, auth = agent
    with RawConnection(mp.port) as conn:
        for path in ("/api/v1/register", f"/api/v1/clients/{cid}/inventory", f"/api/v1/clients/{cid}/scan", "/nowhere"):
            status, _headers, body = conn.chunked("POST", path, 3 * 1024 * 1024, headers=auth)
            assert status == 413, body
            assert "larger than" in error_of(body)
        status, _headers, body = conn.request("GET", "/api/v1/health")
        assert status == 200 and json.loads(body)["status"] == "ok"


def test_unknown_routes_and_methods_answer_in_the_one_shape(http):
    missing = http.get("api/v2/anything")
    assert missing.status_code == 404 and error_of(missing.content) == "no such endpoint: /api/v2/anything"
    wrong = http.delete("api/v1/register")
    assert wrong.status_code == 405 and error_of(wrong.content) == "DELETE is not allowed on /api/v1/register"
    assert http.get("api/v1/register").status_code == 405
    bad_json = http.post("api/v1/register", content=b"{", headers={"Content-Type": "application/json"})
    assert bad_json.status_code == 422 and error_of(bad_json.content)


def test_an_internal_error_is_json_and_the_connection_stays_usable(mp, agent, monkeypatch):
    from sumtui.workflows import agent_protocol

    def broken(*_args, **_kwargs):
        raise RuntimeError("injected fault")

    monkeypatch.setattr(agent_protocol, "policies", broken)
    cid, auth = agent
    with RawConnection(mp.port) as conn:
        status, headers, body = conn.request("GET", f"/api/v1/clients/{cid}/policy", headers=auth)
        assert status == 500 and headers["content-type"] == "application/json"
        assert "internal error" in error_of(body) and "injected" not in error_of(body)
        assert headers.get("connection") != "close"
        status, _headers, body = conn.request("GET", "/api/v1/health")  # the same connection
        assert status == 200 and json.loads(body)["status"] == "ok"


def test_a_malformed_request_gets_a_json_refusal(mp):
    with RawConnection(mp.port) as conn:
        conn.send(b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n")
        status, headers, body = conn.response()
    assert status == 400 and headers["content-type"] == "application/json" and "malformed" in error_of(body)


def test_oversized_headers_are_refused(catalog_site):
    # A small limit, so the whole request arrives in one read: the server never closes on unread bytes.
    with RunningServer(catalog_site, limits=Limits(max_header_bytes=1024)) as server, RawConnection(server.port) as conn:
        conn.send(b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 2000 + b"\r\n\r\n")
        status, _headers, body = conn.response()
        assert status == 431 and error_of(body) == "request headers larger than 1024 bytes" and conn.closed()


@pytest.fixture
def impatient(catalog_site):
    with RunningServer(catalog_site, limits=Limits(header_timeout=0.5, body_timeout=0.5)) as server:
        yield server


def drip(conn: RawConnection, data: bytes, *, every: float = 0.1, upto: float = 60.0) -> None:
    """Send `data` a byte at a time until the server answers or hangs up (`upto`: a server that never does)."""
    deadline = time.monotonic() + upto
    for byte in data:
        if select.select([conn.sock], [], [], 0)[0]:
            return  # the server spoke (or closed)
        try:
            conn.send(bytes([byte]))
        except (BrokenPipeError, ConnectionResetError):
            return
        assert time.monotonic() < deadline, "the server kept listening to a client that never finished"
        time.sleep(every)
    raise AssertionError("everything was sent, slowly, and the server never cut the client off")


def test_headers_sent_slowly_are_cut_off(impatient):
    with RawConnection(impatient.port) as conn:
        drip(conn, b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 2000 + b"\r\n\r\n")
        status, headers, body = conn.response()
        assert status == 408 and "headers not received" in error_of(body)
        assert headers["connection"] == "close" and conn.closed()


def test_a_connection_that_never_speaks_is_closed(impatient):
    with RawConnection(impatient.port) as conn:
        status, _headers, _body = conn.response()  # waits; the server speaks first, then closes
        assert status == 408 and conn.closed()


def test_a_body_sent_slowly_is_cut_off(impatient, catalog_site):
    with RawConnection(impatient.port) as conn:
        conn.send(b"POST /api/v1/register HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 5000\r\n\r\n")
        drip(conn, b'{"name": "' + b"A" * 4000)
        status, headers, body = conn.response()
        assert status == 408 and "body not received" in error_of(body)
        assert headers["connection"] == "close" and conn.closed()


def test_repeated_bad_credentials_slow_that_address_down_and_no_other(catalog_site, enroll):
    waits: list[float] = []

    async def recorded(seconds: float) -> None:
        waits.append(seconds)
        await asyncio.sleep(0)

    # A clock that stands still: the waits are exactly the throttle's arithmetic, not measured time.
    throttle = FailureThrottle(base=1.0, cap=30.0, clock=lambda: 1000.0)
    with RunningServer(catalog_site, throttle=throttle, sleep=recorded) as server:
        with httpx.Client(base_url=server.url, timeout=10) as http:
            cid, auth = register(http, enroll, "GOOD-1")
            retry_after = []
            for _ in range(3):
                answer = http.get(f"api/v1/clients/{cid}/policy", headers={"Authorization": "Bearer guessed"})
                assert answer.status_code == 403
                retry_after.append(int(answer.headers["retry-after"]))
            wrong_key = http.post("api/v1/register", json={"enrollment_key": "guessed", "name": "NEW-9"})
            assert wrong_key.status_code == 403
            retry_after.append(int(wrong_key.headers["retry-after"]))
        assert retry_after == [1, 2, 4, 8]
        assert waits == [1.0, 2.0, 4.0]  # each guess waited twice as long as the one before
        # A good client on another address is not slowed at all.
        elsewhere = httpx.HTTPTransport(local_address="127.0.0.2")
        with httpx.Client(base_url=server.url, timeout=10, transport=elsewhere) as other:
            for serial in (1, 2):
                answer = other.post(f"api/v1/clients/{cid}/inventory",
                                    json={"serial": serial, "inventory": inventory("GOOD-1", CU[1])}, headers=auth)
                assert answer.json()["accepted"]
        assert waits == [1.0, 2.0, 4.0]
        assert throttle.delay("127.0.0.2") == 0.0 and throttle.delay("127.0.0.1") == 8.0


def test_the_throttle_spaces_parallel_calls_caps_and_forgets():
    now = [0.0]
    throttle = FailureThrottle(base=0.5, cap=4.0, forget_after=60.0, clock=lambda: now[0])
    assert throttle.admit("10.0.0.1") == 0.0
    for _ in range(6):
        throttle.failed("10.0.0.1")
    assert throttle.delay("10.0.0.1") == 4.0  # capped
    # Three calls arriving together from that address queue up behind each other.
    assert [throttle.admit("10.0.0.1") for _ in range(3)] == [4.0, 8.0, 12.0]
    assert throttle.admit("10.0.0.2") == 0.0
    now[0] = 100.0  # a quiet spell
    assert throttle.delay("10.0.0.1") == 0.0 and throttle.admit("10.0.0.1") == 0.0

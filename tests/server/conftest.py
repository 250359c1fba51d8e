"""A real management point on a free loopback port (uvicorn in a thread) over a scenario catalog."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RunningServer:
    def __init__(self, site) -> None:
        import uvicorn

        from sumtui.server.app import create_app

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        config = uvicorn.Config(create_app(site), host="127.0.0.1", port=self.port, log_level="warning", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> RunningServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the management point did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def mp(catalog_site):
    with RunningServer(catalog_site) as running:
        yield running


@pytest.fixture
def http(mp):
    with httpx.Client(base_url=mp.url, timeout=10) as client:
        yield client


@pytest.fixture
def enroll(catalog_site):
    from sumtui.fleet.enrollment import enrollment_key

    with catalog_site.session() as session:
        key = enrollment_key(session)
        session.commit()
    return key

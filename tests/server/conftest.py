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
    """The management point as `sumtui serve` runs it (its limits, its connection deadlines);
    `options` go to `uvicorn_config` (limits, throttle, sleep)."""

    def __init__(self, site, host: str = "127.0.0.1", **options) -> None:
        import uvicorn

        from sumtui.server.run import uvicorn_config

        self.port = free_port()
        self.host = host
        self.url = f"http://{host}:{self.port}/"
        config = uvicorn_config(site, host=host, port=self.port, **options)
        self.app = config.app
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
    """The site's enrollment key, made for the test (the site keeps only its hash)."""
    from sumtui.fleet.enrollment import rotate_enrollment_key

    with catalog_site.session() as session:
        return rotate_enrollment_key(session)

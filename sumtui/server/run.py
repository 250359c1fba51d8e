"""Running the management point on uvicorn (`sumtui serve`, and the tests' real servers)."""

from __future__ import annotations

from sumtui.server.limits import Limits
from sumtui.site import Site


def uvicorn_config(site: Site, *, host: str = "127.0.0.1", port: int = 8530, limits: Limits | None = None,
                   log_level: str = "warning", **app_options):
    """The server as `sumtui serve` runs it: the app, its request limits, and uvicorn's httptools
    connection with header and body deadlines (`server/connections.py`)."""
    import uvicorn

    from sumtui.server.app import create_app
    from sumtui.server.connections import guarded_protocol

    limits = limits or Limits()
    # uvloop when installed (a dependency off Windows), else asyncio's loop; httptools is a dependency.
    return uvicorn.Config(create_app(site, limits=limits, **app_options), host=host, port=port, log_level=log_level,
                          access_log=False, loop="auto", http=guarded_protocol(limits))


def serve(site: Site, *, host: str = "127.0.0.1", port: int = 8530, log_level: str = "warning") -> None:
    import uvicorn

    uvicorn.Server(uvicorn_config(site, host=host, port=port, log_level=log_level)).run()

"""Running the management point on uvicorn (`sumtui serve`)."""

from __future__ import annotations

from sumtui.site import Site


def serve(site: Site, *, host: str = "127.0.0.1", port: int = 8530, log_level: str = "warning") -> None:
    import uvicorn

    from sumtui.server.app import create_app

    # "auto" picks uvloop and httptools when installed (they are dependencies), else the pure-Python ones.
    uvicorn.run(create_app(site), host=host, port=port, log_level=log_level, access_log=False, loop="auto", http="auto")

"""`sumtui serve`: the management point's command. The web framework is imported only when it runs."""

from __future__ import annotations

import argparse
import sys


def port_number(text: str) -> int:
    """A TCP port to listen on: refused as bad usage (exit 2) before anything binds, never wrapped or
    silently replaced (99999 would otherwise reach the socket layer, and 0 means "any free port")."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (1-65535)")
    return port


def register(sub) -> None:
    serve = sub.add_parser("serve", help="run the management point (HTTP API for agents)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=port_number, default=8530, help="TCP port, 1-65535 (default 8530)")
    serve.set_defaults(handler=serve_cmd)


def serve_cmd(args: argparse.Namespace) -> int:
    from sumtui.server.run import serve
    from sumtui.site import open_site

    site = open_site(args.db)
    print(f"sumtui management point for {site.name} on http://{args.host}:{args.port}/ (API docs at /docs)", file=sys.stderr)
    serve(site, host=args.host, port=args.port)
    return 0

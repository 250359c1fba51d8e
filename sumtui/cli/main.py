"""The `sumtui` command: parses arguments, opens the site and dispatches to a command.

Exit codes (DESIGN.md §3): 0 success, 1 the operation failed (one line on stderr saying why and what
to do), 2 bad usage. Heavy modules are imported per command so `sumtui --help` and the console start fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from sumtui import __version__


class CommandError(Exception):
    """A command failed for a reason the operator can act on; printed as one line, exit 1."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sumtui",
        description="Software-update management of a fleet, from a terminal. With no command: the console.",
    )
    parser.add_argument("--version", action="version", version=f"sumtui {__version__}")
    parser.add_argument("--db", metavar="URL", help="site database: SQLAlchemy URL or SQLite file (default: SUMTUI_DB, the config file, then the user data folder)")
    parser.add_argument("--readonly", action="store_true", help="console: hide destructive and fleet-changing actions")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    from sumtui.cli import catalog_cmds, fleet_cmds, site_cmds

    site_cmds.register(sub)
    catalog_cmds.register(sub)
    fleet_cmds.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        from sumtui.cli.site_cmds import console

        handler = console
    try:
        return handler(args) or 0
    except CommandError as exc:
        print(f"sumtui: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("sumtui: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`sumtui updates | head`): not an error worth a traceback.
        sys.stderr.close()
        return 0


def open_site_or_fail(args, *, migrate: bool = True):
    from sumtui.site import SiteError, open_site

    try:
        return open_site(getattr(args, "db", None), migrate=migrate)
    except SiteError as exc:
        raise CommandError(f"{exc} (check --db / SUMTUI_DB, or run `sumtui locate`)") from None

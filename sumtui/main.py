"""The `sumtui` command: the one entry point above the shells.

Each shell registers its own commands (`cli`: catalog, fleet and site queries; `tui`: the console
and the demo; `server`: serve; `agent`: agent), so no shell imports another. This module parses the
arguments, runs the handler and turns failures into exit codes (DESIGN.md §3): 0 success, 1 the
operation failed (one line on stderr saying why and what to do), 2 bad usage. Heavy modules are
imported per command, so `sumtui --help` and the console start fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from sumtui import __version__
from sumtui.errors import CommandError


class SubcommandParser(argparse.ArgumentParser):
    """The parser of a command (`sumtui updates …`): an argument it does not know is refused with its own
    usage (exit 2), not left over for the top-level parser, whose usage says nothing about the command."""

    def parse_known_args(self, args=None, namespace=None):
        namespace, extras = super().parse_known_args(args, namespace)
        if extras:
            self.error(f"unrecognized arguments: {' '.join(extras)}")
        return namespace, extras


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sumtui",
        description="Software-update management of a fleet, from a terminal. With no command: the console.",
    )
    parser.add_argument("--version", action="version", version=f"sumtui {__version__}")
    parser.add_argument("--db", metavar="URL", help="site database: SQLAlchemy URL or SQLite file (default: SUMTUI_DB, the config file, then the user data folder)")
    parser.add_argument("--readonly", action="store_true", help="console: hide destructive and fleet-changing actions")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=SubcommandParser)

    from sumtui import cli
    from sumtui.agent import command as agent
    from sumtui.server import command as server
    from sumtui.tui import command as console

    console.register(sub)
    cli.register(sub)
    server.register(sub)
    agent.register(sub)
    parser.set_defaults(handler=console.console_cmd)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from sumtui.cli.output import print_error
    from sumtui.site import SiteError

    args = build_parser().parse_args(argv)
    try:
        return args.handler(args) or 0
    except CommandError as exc:
        print_error(exc)
        return 1
    except SiteError as exc:
        print_error(f"{exc} (check --db / SUMTUI_DB, or run `sumtui locate`)")
        return 1
    except KeyboardInterrupt:
        print("sumtui: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`sumtui updates | head`): not an error worth a traceback.
        sys.stderr.close()
        return 0

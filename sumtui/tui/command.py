"""The console's commands: `sumtui` with no command, and `sumtui demo`. Textual is imported only when
the console starts, so registering these costs nothing to other commands."""

from __future__ import annotations

import argparse
import sys

from sumtui.errors import CommandError


def register(sub) -> None:
    demo = sub.add_parser("demo", help="build the demo site (bundled sample catalog, generated fleet) and open the console on it")
    demo.add_argument("--rebuild", action="store_true", help="throw the demo site away and build it again")
    demo.add_argument("--no-console", action="store_true", help="build the demo site only (for scripts)")
    demo.add_argument("--clients", type=int, default=None, metavar="N",
                      help="size of the generated fleet when the site is built (default 2500; implies --rebuild when given)")
    demo.set_defaults(handler=demo_cmd)


def console_cmd(args: argparse.Namespace) -> int:
    """No command: the console on the site."""
    from sumtui.site import open_site

    site = open_site(args.db)
    from sumtui.tui.app import run_console

    return run_console(site, readonly=args.readonly)


def demo_cmd(args: argparse.Namespace) -> int:
    from sumtui.workflows.demo import DEFAULT_CLIENTS, DemoError, build_demo

    if args.clients is not None and args.clients < 0:
        print("sumtui demo: error: --clients must not be negative", file=sys.stderr)
        return 2
    try:
        site = build_demo(
            rebuild=args.rebuild or args.clients is not None, db=args.db,
            clients=DEFAULT_CLIENTS if args.clients is None else args.clients,
            announce=print if args.no_console else None,
        )
    except DemoError as exc:
        raise CommandError(str(exc)) from None
    if args.no_console:
        print(f"demo site ready: {site.display_url()}")
        return 0
    from sumtui.tui.app import run_console

    return run_console(site, readonly=args.readonly, demo=True)

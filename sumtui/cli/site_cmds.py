"""Site commands: the console (default), the demo site and `locate`."""

from __future__ import annotations

import argparse
import sys


def register(sub) -> None:
    demo = sub.add_parser("demo", help="build the demo site (bundled sample catalog, generated fleet) and open the console on it")
    demo.add_argument("--rebuild", action="store_true", help="throw the demo site away and build it again")
    demo.add_argument("--no-console", action="store_true", help="build the demo site only (for scripts)")
    demo.add_argument("--clients", type=int, default=None, metavar="N",
                      help="size of the generated fleet when the site is built (default 2500; implies --rebuild when given)")
    demo.set_defaults(handler=demo_cmd)

    locate = sub.add_parser("locate", help="print where config, database and content live")
    locate.add_argument("--json", action="store_true")
    locate.set_defaults(handler=locate_cmd)


def console(args: argparse.Namespace) -> int:
    from sumtui.cli.main import open_site_or_fail

    site = open_site_or_fail(args)
    from sumtui.tui.app import run_console

    return run_console(site, readonly=args.readonly)


def demo_cmd(args: argparse.Namespace) -> int:
    from sumtui.cli.main import CommandError
    from sumtui.demo import DemoError, build_demo

    from sumtui.demo import DEFAULT_CLIENTS

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


def locate_cmd(args: argparse.Namespace) -> int:
    import json

    from sumtui import paths
    from sumtui.site import content_dir_for, resolve_url

    url = resolve_url(args.db)
    info = {
        "config": str(paths.config_file()),
        "database": url,
        "content": str(content_dir_for(url)),
        "data": str(paths.data_dir()),
        "demo": str(paths.demo_site().root),
        "agent_state": str(paths.state_dir()),
    }
    if args.json:
        print(json.dumps(info, indent=2))
    else:
        width = max(map(len, info))
        for key, value in info.items():
            print(f"{key:<{width}}  {value}")
    return 0

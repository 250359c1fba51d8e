"""Site commands: `locate`."""

from __future__ import annotations

import argparse


def register(sub) -> None:
    locate = sub.add_parser("locate", help="print where config, database and content live")
    locate.add_argument("--json", action="store_true")
    locate.set_defaults(handler=locate_cmd)


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

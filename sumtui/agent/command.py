"""`sumtui agent` (and `sumtui-agent`, the agent-only install): the client agent's command.

It imports only what the agent runs on (httpx, pydantic, the inventory parsers): no database, console
or web framework, so an endpoint needs none of them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sumtui.errors import CommandError


def register(sub) -> None:
    _arguments(sub.add_parser("agent", help="run the client agent on this machine"))


def _arguments(agent: argparse.ArgumentParser) -> None:
    agent.add_argument("--server", required=True, metavar="URL", help="management point, e.g. http://mp.example:8530/")
    agent.add_argument("--enroll-key", metavar="KEY", help="site enrollment key (needed the first time)")
    agent.add_argument("--once", action="store_true", help="report once and exit")
    agent.add_argument("--inventory", type=Path, metavar="FILE", help="report this inventory file instead of collecting one")
    agent.add_argument("--name", help="report under this machine name")
    agent.add_argument("--state-dir", type=Path, help="where the agent keeps its registration and queue")
    agent.add_argument("--installer", choices=("native", "simulated"), default="native",
                       help="native: wusa/DISM on Windows (default); simulated: installs nothing and says so in every "
                            "state it reports (demos and tests; only when named)")
    agent.add_argument("--simulate-fail", metavar="KB=CODE,...",
                       help="with --installer simulated: these KBs fail with these exit codes (e.g. KB5048652=0x80070643)")
    agent.add_argument("--poll-seconds", type=_seconds, metavar="N",
                       help="poll policy every N seconds instead of the site's policy polling interval")
    agent.set_defaults(handler=agent_cmd)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0.1 <= value <= 86400:
        raise argparse.ArgumentTypeError(f"{text}: between 0.1 and 86400 seconds")
    return value


def agent_cmd(args: argparse.Namespace) -> int:
    from sumtui import paths
    from sumtui.agent.collect import CollectError
    from sumtui.agent.installers import InstallerError, make_installer, parse_failures
    from sumtui.agent.main import AgentError, run_agent
    from sumtui.agent.state import StateError
    from sumtui.fleet.inventory import InventoryError

    if not args.server.startswith(("http://", "https://")):
        print(f"sumtui agent: error: --server {args.server!r} is not an http:// or https:// URL", file=sys.stderr)
        return 2
    try:
        failures = parse_failures(args.simulate_fail)
        installer = make_installer(args.installer, fail=failures)
    except (ValueError, InstallerError) as exc:
        print(f"sumtui agent: error: {exc}", file=sys.stderr)
        return 2
    try:
        return run_agent(
            server=args.server, state_dir=args.state_dir or paths.state_dir() / "agent", enroll_key=args.enroll_key,
            inventory_file=args.inventory, name=args.name, once=args.once, installer=installer,
            poll_seconds=args.poll_seconds,
        )
    except (AgentError, CollectError, InventoryError, StateError) as exc:
        raise CommandError(str(exc)) from None


def main(argv: list[str] | None = None) -> int:
    """`sumtui-agent …`: the same as `sumtui agent …`, for endpoints with the agent-only install."""
    from sumtui import __version__

    parser = argparse.ArgumentParser(prog="sumtui-agent", description="The sumtui client agent.")
    parser.add_argument("--version", action="version", version=f"sumtui-agent {__version__}")
    _arguments(parser)
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except CommandError as exc:
        print(f"sumtui-agent: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130

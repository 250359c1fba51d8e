"""NAP evaluation commands: `sumtui nap [--all]` lists unhealthy clients (every client with --all) for a
network access system to consume; `nap flag` / `nap unflag` / `nap flags` manage the updates flagged
for NAP evaluation and their effective dates. Thin: they call sumtui.deploy.nap.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from sumtui.cli.named_cmds import domain_errors
from sumtui.cli.output import FORMATS, ID, STATE, TEXT, TIME, emit


def _when(text: str) -> datetime:
    value = text.strip()
    try:
        parsed = datetime.fromisoformat(value[:-1] + "+00:00" if value[-1:] in "zZ" else value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO 8601 time like 2026-12-10T02:00:00Z") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def register(sub) -> None:
    nap = sub.add_parser("nap", help="NAP evaluation: clients' health verdicts, updates flagged for it")
    nap.add_argument("--format", choices=FORMATS, default="table")
    nap.add_argument("--all", action="store_true", help="healthy clients too (default: the unhealthy ones)")
    nap.add_argument("--now", type=_when, metavar="ISO", help="evaluate at this time (default: now)")
    nap.set_defaults(handler=nap_cmd)
    nsub = nap.add_subparsers(dest="nap_command", metavar="SUBCOMMAND")
    for verb, text in (("flag", "flag updates for NAP evaluation from an effective date"),
                       ("unflag", "stop evaluating updates for NAP")):
        cmd = nsub.add_parser(verb, help=text)
        what = cmd.add_mutually_exclusive_group(required=True)
        what.add_argument("--updates", metavar="KB[,KB...]", help="KB4592440 or KB4592440@PRODUCT_ID, comma-separated")
        what.add_argument("--list", dest="list_name", metavar="L", help="every update of this update list")
        if verb == "flag":
            cmd.add_argument("--effective", type=_when, metavar="ISO", help="from when (default: now)")
        cmd.set_defaults(handler=flag_cmd, verb=verb)
    flags = nsub.add_parser("flags", help="the updates flagged for NAP evaluation")
    flags.add_argument("--format", choices=FORMATS, default="table", dest="flags_format")
    flags.set_defaults(handler=flags_cmd)


def _site(args):
    from sumtui.site import open_site

    return open_site(args.db)


def nap_cmd(args: argparse.Namespace) -> int:
    from sumtui.deploy.nap import verdicts

    site = _site(args)
    with site.session() as session:
        rows = [v.as_row() for v in verdicts(session, now=args.now, unhealthy_only=not args.all)]
    if args.format == "table":
        for row in rows:
            row["missing_text"] = " ".join(row["missing"])
            row["state"] = "healthy" if row["healthy"] else "unhealthy"
    emit(rows, fmt=args.format, columns=[
        ("client", "Client", ID), ("state", "Health", STATE), ("effective", "Since", TIME), ("missing_text", "Missing", TEXT),
        ("reason", "Why", TEXT),
    ] if args.format == "table" else [(k, k) for k in ("client", "healthy", "missing", "effective", "reason")])
    return 0


def _update_ids(session, args) -> list[int]:
    from sumtui.deploy.lists import list_updates, resolve_refs

    if args.list_name:
        return [u.update_id for u in list_updates(session, name=args.list_name)]
    refs = [r.strip() for r in (args.updates or "").split(",") if r.strip()]
    return [u.update_id for u in resolve_refs(session, refs=refs)]


def flag_cmd(args: argparse.Namespace) -> int:
    from sumtui.deploy.lists import ListError
    from sumtui.deploy.nap import flag_updates, unflag_updates
    from sumtui.timeutil import utcnow

    site = _site(args)
    with site.session() as session, domain_errors(ListError):
        ids = _update_ids(session, args)
        if args.verb == "flag":
            when = args.effective or utcnow()
            source = f"list {args.list_name}" if args.list_name else "operator"
            count = flag_updates(session, update_ids=ids, effective=when, source=source)
            message = f"{count} update(s) flagged for NAP evaluation from {when:%Y-%m-%d %H:%M} UTC"
        else:
            count = unflag_updates(session, update_ids=ids)
            message = f"{count} update(s) no longer evaluated for NAP"
        session.commit()
    print(f"sumtui: {message}", file=sys.stderr)
    return 0


def flags_cmd(args: argparse.Namespace) -> int:
    from sumtui.deploy.nap import list_flags

    site = _site(args)
    with site.session() as session:
        rows = [f.as_row() for f in list_flags(session)]
    emit(rows, fmt=args.flags_format, columns=[
        ("kb", "KB", ID), ("product", "Product", TEXT), ("effective", "Effective", TIME), ("source", "Flagged by", TEXT),
    ] if args.flags_format == "table" else [(k, k) for k in ("kb", "product", "effective", "source")])
    return 0

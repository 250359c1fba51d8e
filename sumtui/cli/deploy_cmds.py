"""Deployment commands: `sumtui deploy create | whatif` and `sumtui deployments [show | delete | export |
import]`. Thin: each parses its arguments, opens the site and calls sumtui.deploy.

`deploy create` prints the summary and the lints and asks (a typed "yes"; `--yes` for scripts);
`deploy whatif` takes the same arguments, stores nothing and shows when each update would install on
each client (`--now ISO` fixes the clock). Times are ISO 8601: with an offset (or Z) an instant; with
`--local-time`, wall-clock times each client reads in its own time zone. Exit codes: 0 done, 1 failed
or not confirmed (the message says why), 2 bad usage.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime

from sumtui.cli.named_cmds import (
    add_file_commands,
    confirm,
    confirmed_delete,
    domain_errors,
    export_toml,
    reviewed_import,
)
from sumtui.cli.output import FORMATS, ID, NUMBER, STATE, TEXT, TIME, emit

NOUN = "deployment"
STATES = ("pending", "downloading", "downloaded", "download_failed", "waiting_window", "installing", "installed",
          "pending_restart", "failed", "not_required")


def _when(text: str) -> datetime:
    value = text.strip()
    try:
        return datetime.fromisoformat(value[:-1] + "+00:00" if value[-1:] in "zZ" else value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO 8601 time like 2026-12-10T02:00 or "
                                         "2026-12-10T02:00:00+00:00") from None


def _available(text: str) -> datetime | None:
    return None if text.strip().lower() == "now" else _when(text)


DURATION = "duration"  # --deadline duration: the template's duration after the available time


def _deadline(text: str) -> datetime | str:
    return DURATION if text.strip().lower() == DURATION else _when(text)


def _kbs(text: str) -> list[str]:
    items = [item.strip() for item in text.split(",") if item.strip()]
    if not items:
        raise argparse.ArgumentTypeError("give KB numbers: KB4592440[,KB4592441...]")
    return items


def _deployment_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME")
    parser.add_argument("--collection", metavar="C", help="the target collection (default: the template's)")
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--list", dest="list_name", metavar="L", help="deploy the updates of this update list")
    what.add_argument("--updates", type=_kbs, action="append", metavar="KB[,KB...]",
                      help="KB4592440 (the products the site's clients have) or KB4592440@PRODUCT_ID")
    parser.add_argument("--template", metavar="T", help="start from this deployment template's settings")
    parser.add_argument("--description", metavar="D")
    parser.add_argument("--available", type=_available, default=None, metavar="now|ISO",
                        help="when clients may install (default: now, as soon as possible)")
    parser.add_argument("--deadline", type=_deadline, metavar="ISO|duration",
                        help="makes the deployment mandatory: installed by then; `duration`: the template's "
                             "duration after the available time (SCCM's 2 weeks without a template)")
    parser.add_argument("--local-time", action="store_true", default=None,
                        help="times are wall-clock times in each client's own time zone (default: UTC, or the template's)")
    parser.add_argument("--package", metavar="P", help="the deployment package clients download the files from")
    parser.add_argument("--override-windows", action="store_true", default=None,
                        help="at the deadline, install outside maintenance windows")
    parser.add_argument("--allow-restart-outside", action="store_true", default=None,
                        help="allow restarts outside maintenance windows")
    parser.add_argument("--suppress-restart", choices=("servers", "workstations", "both", "none"),
                        help="restarts suppressed on these clients (they stay pending restart)")
    parser.add_argument("--nap", action="store_true", help="flag the updates for NAP evaluation")
    parser.add_argument("--nap-effective", type=_when, metavar="ISO", help="when NAP evaluation starts (default: now)")


def register(sub) -> None:
    deploy = sub.add_parser("deploy", help="deploy updates to a collection on a schedule, or see what would happen")
    dsub = deploy.add_subparsers(dest="deploy_command", metavar="SUBCOMMAND", required=True)
    create = dsub.add_parser("create", help="create a deployment: shows the summary and the lints, then asks")
    _deployment_arguments(create)
    create.add_argument("--yes", action="store_true", help="do not ask")
    create.set_defaults(handler=create_cmd)
    whatif = dsub.add_parser("whatif", help="when each update would install on each client (nothing is stored)")
    _deployment_arguments(whatif)
    whatif.add_argument("--now", type=_when, metavar="ISO", help="the time to plan from (default: now)")
    whatif.add_argument("--format", choices=FORMATS, default="table")
    whatif.set_defaults(handler=whatif_cmd)

    deployments = sub.add_parser("deployments", help="deployments and their status per client")
    deployments.add_argument("--format", choices=FORMATS, default="table")
    deployments.set_defaults(handler=deployments_cmd)
    psub = deployments.add_subparsers(dest="deployments_command", metavar="SUBCOMMAND")
    add_file_commands(psub, noun=NOUN, order="updates in KB order", handlers={
        "delete": delete_cmd, "show": show_cmd, "export": export_cmd, "import": import_cmd})
    psub.choices["show"].add_argument("--state", choices=STATES, help="only the (client, update) pairs in this state")


def _site(args):
    from sumtui.site import open_site

    return open_site(args.db)


def _errors() -> tuple[type[Exception], ...]:
    from sumtui.deploy.deployments import DeploymentError
    from sumtui.deploy.toml_io import TomlFileError

    return (DeploymentError, TomlFileError)


def _spec(args: argparse.Namespace):
    from sumtui.deploy.deployments import DeploymentSpec

    refs = [ref for group in (args.updates or []) for ref in group]
    return DeploymentSpec(
        name=args.name, collection=args.collection, refs=refs, list_name=args.list_name, template=args.template,
        description=args.description, available=args.available,
        deadline=None if args.deadline == DURATION else args.deadline, deadline_from_duration=args.deadline == DURATION,
        local_time=args.local_time,
        package=args.package, override_windows=args.override_windows, allow_restart_outside=args.allow_restart_outside,
        suppress_restart=args.suppress_restart, nap=args.nap, nap_effective=args.nap_effective,
    )


def _show(lines: list[str], out=None) -> None:
    from sumtui.text import escape_controls

    for line in lines:
        print(escape_controls(line), file=out or sys.stdout)


def create_cmd(args: argparse.Namespace) -> int:
    from sumtui.deploy.deployment_lints import lints
    from sumtui.deploy.deployment_summary import summary_lines
    from sumtui.deploy.deployments import create_deployment, resolve
    from sumtui.timeutil import utcnow

    site = _site(args)
    spec = _spec(args)
    with site.session() as session, domain_errors(*_errors()):
        resolved = resolve(session, spec=spec)
        found = lints(session, resolved=resolved, now=utcnow())
        lines = summary_lines(resolved)
        collection, members, count = resolved.collection.name, resolved.collection.members, len(resolved.updates)
        session.rollback()
    _show(lines)
    _show([f"warning: {text}" for text in found] or ["no warnings"])
    if not confirm(f"Create deployment {resolved.name!r} of {count} update(s) to {collection!r}?", yes=args.yes):
        return 1
    with site.session() as session, domain_errors(*_errors()):
        created = create_deployment(session, spec=spec)
        name = created.name
        session.commit()
    print(f"sumtui: deployment {name!r} created: {count} update(s) to {collection!r} ({members} member(s)); clients get "
          "it at their next policy poll", file=sys.stderr)
    return 0


def whatif_cmd(args: argparse.Namespace) -> int:
    from sumtui.deploy.deployments import resolve
    from sumtui.deploy.whatif import what_if
    from sumtui.timeutil import utcnow

    now = args.now or utcnow()
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    site = _site(args)
    with site.session() as session, domain_errors(*_errors()):
        resolved = resolve(session, spec=_spec(args), now=now)
        result = what_if(session, resolved=resolved, now=now)
        session.rollback()
    if args.format == "json":
        print(json.dumps(result.as_document(), indent=2))
        return 0
    rows = [r.as_row() for r in result.installs]
    emit(rows, fmt=args.format, columns=[
        ("client", "Client", ID), ("kb", "KB", ID), ("start", "Starts", TIME), ("restart_at", "Restarts", TIME),
        ("reason", "Why", TEXT),
    ] if args.format == "table" else [(k, k) for k in ("client", "kb", "start", "end", "window_start", "window_end",
                                                      "outside_window", "restart_at", "reason", "time_zone")])
    sys.stdout.flush()  # the rows before the notes, when both go to one terminal
    _show([f"warning: {text}" for text in result.lints], out=sys.stderr)
    for dp, size in result.bytes_per_distribution_point.items():
        print(f"sumtui: {dp} serves {size / 1e6:.1f} MB; {sum(c.windows_needed for c in result.clients)} window(s) used "
              f"by {len(result.clients)} client(s)", file=sys.stderr)
    return 0


def deployments_cmd(args: argparse.Namespace) -> int:
    from sumtui.deploy.status import list_deployments

    site = _site(args)
    with site.session() as session:
        rows = [s.as_row() for s in list_deployments(session)]
    emit(rows, fmt=args.format, columns=[
        ("name", "Name", ID), ("collection", "Collection", TEXT), ("updates", "Upd.", NUMBER), ("members", "Clients", NUMBER),
        ("done_pct", "%Done", NUMBER), ("installed", "Inst.", NUMBER), ("pending", "Pend.", NUMBER),
        ("errors", "Err.", NUMBER), ("deadline", "Deadline", TIME),
    ] if args.format == "table" else [(k, k) for k in ("name", "collection", "available", "deadline", "local_time", "updates",
                                                      "members", "done_pct", "errors", *STATES)])
    return 0


def show_cmd(args: argparse.Namespace) -> int:
    from sumtui.deploy.status import deployment_detail

    site = _site(args)
    with site.session() as session, domain_errors(*_errors()):
        detail = deployment_detail(session, name=args.name, state=args.state)
    if args.show_format == "json":
        print(json.dumps(detail, indent=2))
        return 0
    if args.show_format == "table":
        counts = ", ".join(f"{k} {v}" for k, v in detail["counts"].items() if v)
        _show([f"{detail['name']} → {detail['collection']}: {counts or 'no clients'}"])
    emit(detail["clients"], fmt=args.show_format, columns=[
        ("client", "Client", ID), ("kb", "KB", ID), ("state", "State", STATE), ("code", "Code", ID), ("reason", "Why", TEXT),
    ] if args.show_format == "table" else [(k, k) for k in ("client", "kb", "product", "state", "code", "reason", "at")])
    return 0


def delete_cmd(args: argparse.Namespace) -> int:
    from sumtui.deploy.deployments import delete_deployment, get_deployment

    def question(session) -> str:
        found = get_deployment(session, name=args.name)
        return (f"Delete deployment {found.name!r} ({found.update_count} update(s)) with its status? Clients drop it at "
                "their next policy poll; what they installed stays installed.")

    return confirmed_delete(_site(args), yes=args.yes, question=question, errors=_errors(), noun=NOUN,
                            delete=lambda session: delete_deployment(session, name=args.name).name)


def export_cmd(args: argparse.Namespace) -> int:
    from sumtui.deploy.deployments_io import export_deployment
    from sumtui.deploy.toml_io import dump_deployment

    return export_toml(_site(args), render=lambda session: dump_deployment(export_deployment(session, name=args.name)),
                       output=args.output, errors=_errors())


def import_cmd(args: argparse.Namespace) -> int:
    from sumtui.deploy.deployments_io import (
        apply_deployment_import,
        plan_deployment_import,
    )
    from sumtui.deploy.toml_io import parse_deployment, read_file

    return reviewed_import(
        _site(args), files=args.files, yes=args.yes, noun=NOUN, errors=_errors(),
        read=lambda path: parse_deployment(read_file(path), source=str(path)),
        plan=lambda session, document: plan_deployment_import(session, document=document),
        apply=lambda session, plan: apply_deployment_import(session, plan=plan),
    )

"""Collection commands: `sumtui collections [create | show | windows | members | delete]`. Thin: each
parses its arguments, opens the site and calls the fleet's collections through sumtui.workflows
(membership moves compliance summaries and deployments with it).

Maintenance windows are written as the scheduling rules read them: `daily 02:00 120m`, `sat 22:00
180m`, `monthly 15 03:00 90m` or `2026-12-12 01:00 240m`, in each client's local time (or UTC with
`--utc`), each under 24 hours. Exit codes: 0 done, 1 refused (the message says why), 2 bad usage.
"""

from __future__ import annotations

import argparse
import json
import sys

from sumtui.cli.named_cmds import confirm, domain_errors
from sumtui.cli.output import FORMATS, ID, NUMBER, STATE, TEXT, emit

RULE_FIELDS = {"os_product": "os_product", "os": "os_product", "name": "name_pattern", "name_pattern": "name_pattern",
               "domain": "domain", "tag": "tag"}


def _rule_item(text: str) -> tuple[str, str]:
    field, sep, pattern = text.partition("=")
    key = RULE_FIELDS.get(field.strip().lower())
    if not sep or key is None or not pattern.strip():
        raise argparse.ArgumentTypeError(
            f"{text!r}: a rule is FIELD=PATTERN with FIELD one of os_product, name, domain, tag (e.g. name=WS-*)")
    return key, pattern.strip()


def register(sub) -> None:
    col = sub.add_parser("collections", help="collections of clients, their members and maintenance windows")
    col.add_argument("--format", choices=FORMATS, default="table")
    col.set_defaults(handler=collections_cmd)
    csub = col.add_subparsers(dest="collections_command", metavar="SUBCOMMAND")

    create = csub.add_parser("create", help="a new collection: static members, or a membership rule")
    create.add_argument("name", metavar="NAME")
    create.add_argument("--rule", action="append", type=_rule_item, default=[], metavar="FIELD=PATTERN",
                        help="membership rule (several: all must match): os_product=..., name=WS-*, domain=..., tag=...")
    create.add_argument("--member", action="append", default=[], metavar="CLIENT", help="a static member (several allowed)")
    create.add_argument("--description", metavar="D")
    create.set_defaults(handler=create_cmd)

    show = csub.add_parser("show", help="a collection: its rule, members and maintenance windows")
    show.add_argument("name", metavar="NAME")
    show.add_argument("--format", choices=FORMATS, default="table", dest="show_format")
    show.set_defaults(handler=show_cmd)

    windows = csub.add_parser("windows", help="a collection's maintenance windows: list, --add or --remove")
    windows.add_argument("name", metavar="NAME")
    windows.add_argument("--add", action="append", default=[], metavar="WINDOW",
                         help="'daily 02:00 120m', 'sat 22:00 180m', 'monthly 15 03:00 90m' or '2026-12-12 01:00 240m' "
                              "(client local time; under 24 hours)")
    windows.add_argument("--utc", action="store_true", help="the windows added are in UTC, not each client's local time")
    windows.add_argument("--remove", action="append", type=int, default=[], metavar="ID", help="remove the window with this id")
    windows.add_argument("--format", choices=FORMATS, default="table", dest="windows_format")
    windows.set_defaults(handler=windows_cmd)

    members = csub.add_parser("members", help="add or remove static members")
    members.add_argument("name", metavar="NAME")
    members.add_argument("--add", action="append", default=[], metavar="CLIENT")
    members.add_argument("--remove", action="append", default=[], metavar="CLIENT")
    members.set_defaults(handler=members_cmd)

    delete = csub.add_parser("delete", help="delete a collection (asks first; refused while deployments target it)")
    delete.add_argument("name", metavar="NAME")
    delete.add_argument("--yes", action="store_true", help="do not ask")
    delete.set_defaults(handler=delete_cmd)


def _site(args):
    from sumtui.site import open_site

    return open_site(args.db)


def _errors() -> tuple[type[Exception], ...]:
    from sumtui.deploy.schedule import ScheduleError
    from sumtui.fleet.collections import FleetError

    return (FleetError, ScheduleError)


def collections_cmd(args: argparse.Namespace) -> int:
    from sqlalchemy import func, select

    from sumtui.deploy.deployments import deployments_of_collection
    from sumtui.fleet.collections import (
        ensure_all_systems,
        rule_of,
        windows_by_collection,
    )
    from sumtui.fleet.models import Collection

    site = _site(args)
    with site.session() as session:
        ensure_all_systems(session)
        session.commit()
        windows = windows_by_collection(session)
        rows = []
        for c in session.execute(select(Collection).order_by(Collection.kind != "builtin", func.lower(Collection.name))).scalars():
            rule = rule_of(c)
            rows.append({"name": c.name, "kind": c.kind, "rule": rule.describe() if c.kind == "rule" else "",
                         "members": c.members, "reported": c.reported, "compliant": c.compliant,
                         "windows": len(windows.get(c.id, [])), "deployments": len(deployments_of_collection(session, c.id)),
                         "description": c.description})
    emit(rows, fmt=args.format, columns=[
        ("name", "Name", ID), ("kind", "Kind", STATE), ("members", "Members", NUMBER), ("compliant", "Compliant", NUMBER),
        ("windows", "Windows", NUMBER), ("deployments", "Depl.", NUMBER), ("rule", "Rule", TEXT),
    ] if args.format == "table" else [(k, k) for k in ("name", "kind", "rule", "members", "reported", "compliant", "windows",
                                                      "deployments", "description")])
    return 0


def _client_ids(session, names: list[str]) -> list[int]:
    from sumtui.errors import CommandError
    from sumtui.fleet.clients import find_client
    from sumtui.text import escape_controls

    ids, unknown = [], []
    for name in names:
        client = find_client(session, name)
        if client is None:
            unknown.append(name)
        else:
            ids.append(client.id)
    if unknown:
        raise CommandError(f"no client named {', '.join(repr(escape_controls(n)) for n in unknown)} (see `sumtui clients`)")
    return ids


def create_cmd(args: argparse.Namespace) -> int:
    from sumtui.fleet.collections import CollectionRule
    from sumtui.fleet.models import CollectionCreate
    from sumtui.workflows.collections import create_collection, set_static_members

    if args.rule and args.member:
        print("sumtui collections create: a collection has a rule or static members, not both", file=sys.stderr)
        return 2
    site = _site(args)
    with site.session() as session, domain_errors(*_errors()):
        rule = CollectionRule(**dict(args.rule)) if args.rule else None
        collection = create_collection(session, CollectionCreate(name=args.name, description=args.description), rule=rule)
        if args.member:
            set_static_members(session, collection, add=_client_ids(session, args.member))
        session.commit()
        session.refresh(collection)
        text = f"with the rule {rule.describe()}" if rule else f"with {collection.members} static member(s)"
        print(f"sumtui: collection {collection.name!r} created {text} ({collection.members} member(s))", file=sys.stderr)
    return 0


def _window_row(w) -> dict:
    from sumtui.deploy.schedule import ScheduleError, window_spec

    try:
        text = window_spec(recurrence=w.recurrence, start=w.start, duration_minutes=w.duration_minutes, utc=w.utc).describe()
    except ScheduleError as exc:
        text = f"never opens: {exc}"
    return {"id": w.id, "recurrence": w.recurrence, "start": w.start.replace(tzinfo=None).isoformat(timespec="minutes"),
            "duration_minutes": w.duration_minutes, "utc": w.utc, "text": text, "name": w.name}


def collection_document(session, name: str) -> dict:
    """`collections show --format json`: {name, description, kind, rule, members: [...], windows: [...]}."""
    from sqlalchemy import select

    from sumtui.fleet.collections import get_collection, member_ids, rule_of, windows_of
    from sumtui.fleet.models import Client

    collection = get_collection(session, name)
    ids = sorted(member_ids(session, collection.id))
    names = []
    for start in range(0, len(ids), 5000):
        names += session.execute(select(Client.name).where(Client.id.in_(ids[start:start + 5000]))).scalars().all()
    return {"name": collection.name, "description": collection.description, "kind": collection.kind,
            "rule": rule_of(collection).model_dump(exclude_none=True), "members": sorted(names, key=str.casefold),
            "windows": [_window_row(w) for w in windows_of(session, collection.id)]}


def show_cmd(args: argparse.Namespace) -> int:
    site = _site(args)
    with site.session() as session, domain_errors(*_errors()):
        document = collection_document(session, args.name)
    if args.show_format == "json":
        print(json.dumps(document, indent=2))
        return 0
    if args.show_format == "table":
        from sumtui.text import escape_controls

        rule = ", ".join(f"{k}={v}" for k, v in document["rule"].items()) or "none (static members)"
        print(escape_controls(f"{document['name']} ({document['kind']}): rule {rule}; {len(document['members'])} member(s)"))
        for w in document["windows"]:
            print(escape_controls(f"  window {w['id']}: {w['text']}"))
    emit([{"member": m} for m in document["members"]], fmt=args.show_format, columns=[("member", "Member", ID)])
    return 0


def windows_cmd(args: argparse.Namespace) -> int:
    from sumtui.deploy.schedule import parse_window
    from sumtui.fleet.collections import (
        add_window,
        delete_window,
        get_collection,
        windows_of,
    )
    from sumtui.fleet.models import MaintenanceWindowCreate
    from sumtui.timeutil import utcnow

    site = _site(args)
    with site.session() as session, domain_errors(*_errors()):
        collection = get_collection(session, args.name)
        for window_id in args.remove:
            gone = delete_window(session, window_id, collection_id=collection.id)
            print(f"sumtui: window {gone.id} ({_window_row(gone)['text']}) removed from {collection.name!r}", file=sys.stderr)
        for text in args.add:
            spec = parse_window(text, utc=args.utc, today=utcnow().date())
            added = add_window(session, collection, MaintenanceWindowCreate(
                name=spec.describe(), recurrence=spec.recurrence, start=spec.start,
                duration_minutes=int(spec.duration.total_seconds() // 60), utc=spec.utc))
            print(f"sumtui: window {added.id} ({spec.describe()}) added to {collection.name!r}", file=sys.stderr)
        session.commit()
        rows = [_window_row(w) for w in windows_of(session, collection.id)]
    emit(rows, fmt=args.windows_format, columns=[
        ("id", "Id", ID), ("text", "Window", TEXT), ("recurrence", "Repeats", STATE), ("start", "First start", ID),
        ("duration_minutes", "Minutes", NUMBER), ("utc", "UTC", STATE),
    ] if args.windows_format == "table" else [(k, k) for k in ("id", "recurrence", "start", "duration_minutes", "utc", "text")])
    return 0


def members_cmd(args: argparse.Namespace) -> int:
    from sumtui.fleet.collections import get_collection
    from sumtui.workflows.collections import set_static_members

    if not args.add and not args.remove:
        print("sumtui collections members: give --add CLIENT or --remove CLIENT", file=sys.stderr)
        return 2
    site = _site(args)
    with site.session() as session, domain_errors(*_errors()):
        collection = get_collection(session, args.name)
        set_static_members(session, collection, add=_client_ids(session, args.add), remove=_client_ids(session, args.remove))
        session.commit()
        session.refresh(collection)
        print(f"sumtui: {collection.name!r} has {collection.members} member(s)", file=sys.stderr)
    return 0


def delete_cmd(args: argparse.Namespace) -> int:
    from sumtui.fleet.collections import get_collection
    from sumtui.workflows.collections import delete_collection

    site = _site(args)
    with site.session() as session, domain_errors(*_errors()):
        collection = get_collection(session, args.name)
        question = f"Delete collection {collection.name!r} ({collection.members} member(s); the clients stay)?"
    if not confirm(question, yes=args.yes):
        return 1
    with site.session() as session, domain_errors(*_errors()):
        collection = get_collection(session, args.name)
        delete_collection(session, collection)
        session.commit()
    print(f"sumtui: collection {args.name!r} deleted", file=sys.stderr)
    return 0

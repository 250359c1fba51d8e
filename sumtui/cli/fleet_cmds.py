"""Fleet and compliance commands: clients, compliance, enroll-key."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sumtui.cli.arguments import severity_list
from sumtui.cli.output import FORMATS, ID, NUMBER, STATE, TEXT, TIME, emit, print_error

STATES = ("required", "installed", "failed", "not_required", "unknown")


def register(sub) -> None:
    clients = sub.add_parser("clients", help="list clients, or import inventories (offline scan)")
    clients.add_argument("--collection", help="only members of this collection (name or id)")
    clients.add_argument("--search", help="words in name, domain or OS product")
    clients.add_argument("--format", choices=FORMATS, default="table")
    clients.add_argument("--pending", action="store_true",
                         help="registrations of known names held for approval, with the client's and the request's facts")
    clients.set_defaults(handler=clients_cmd)
    csub = clients.add_subparsers(dest="clients_command", metavar="SUBCOMMAND")
    for verb, text in (("approve", "give the held registration of NAME the client's identity (at the agent's next attempt)"),
                       ("reject", "refuse the held registration of NAME (the client and its agent are untouched)")):
        decide = csub.add_parser(verb, help=text)
        decide.add_argument("names", nargs="+", metavar="NAME")
        decide.set_defaults(handler=registration_cmd, verb=verb)
    reset = csub.add_parser("reset-registration", help="revoke NAME's agent token now; the next registration of "
                                                       "the name is accepted directly (a reinstalled machine)")
    reset.add_argument("names", nargs="+", metavar="NAME")
    reset.set_defaults(handler=registration_cmd, verb="reset")
    imp = csub.add_parser("import", help="import inventories (systeminfo, wmic qfe, Get-HotFix, agent JSON) and evaluate them")
    imp.add_argument("files", nargs="+", metavar="FILE")
    imp.add_argument("--name", help="the machine these files describe (default: the host name inside each file)")
    imp.add_argument("--format", choices=FORMATS, default="table", dest="import_format")
    imp.set_defaults(handler=clients_import_cmd)

    comp = sub.add_parser("compliance", help="which clients need which updates")
    comp.add_argument("--collection", help="collection name or id (default: All Systems)")
    comp.add_argument("--client", metavar="NAME", help="one client: each update's state and why")
    comp.add_argument("--by", choices=("update", "client", "collection"), default="update")
    comp.add_argument("--severity", type=severity_list,
                      help="Critical, Important, Moderate or Low, or the start of one (comma-separated for several)")
    comp.add_argument("--state", choices=STATES, help="only rows in this state")
    comp.add_argument("--all", action="store_true", help="with --client: also updates for products it does not have")
    comp.add_argument("--list", dest="update_list", metavar="NAME", help="only the updates of this update list (by update, or with --client)")
    comp.add_argument("--format", choices=FORMATS, default="table")
    comp.set_defaults(handler=compliance_cmd)

    key = sub.add_parser("enroll-key", help="make the site enrollment key agents register with, and print it once")
    key.add_argument("--rotate", action="store_true",
                     help="make a new key and print it (registered agents keep working; the old key stops at once)")
    key.set_defaults(handler=enroll_key_cmd)

def _site(args):
    from sumtui.site import open_site

    return open_site(args.db)


def clients_import_cmd(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from sumtui.compliance.view import load_view
    from sumtui.errors import one_line
    from sumtui.workflows.intake import import_inventory_file

    site = _site(args)
    failed, rows = 0, []
    with site.session() as session:
        view = load_view(session)
    for file in args.files:
        result = import_inventory_file(site, Path(file), view=view, name=args.name)
        if not result.ok:
            print_error(result.error)
            failed += 1
            continue
        rows.append(dict(
            file=result.file, name=result.client, format=result.format, os_product=result.product or "(unmapped)",
            kbs=result.kbs, kbs_added=result.kbs_added, required=result.required, created=result.created,
            warning=result.warnings,
        ))
    if rows:
        from sumtui.workflows.snapshots import take_snapshots

        try:
            with site.session() as session:
                take_snapshots(session)
                session.commit()
        except SQLAlchemyError as exc:
            print_error(f"today's compliance snapshot not recorded: {one_line(exc)}")
            failed += 1
    emit(rows, fmt=args.import_format, columns=[
        ("name", "Client", ID), ("format", "Format", STATE), ("os_product", "OS product", TEXT), ("kbs", "KBs", NUMBER),
        ("kbs_added", "Added", NUMBER), ("required", "Required", NUMBER), ("warning", "Note", TEXT), ("file", "File", TEXT),
    ])
    return 1 if failed else 0


def _collection(session, name):
    from sumtui.errors import CommandError
    from sumtui.fleet.collections import FleetError, ensure_all_systems, get_collection

    if not name:
        return ensure_all_systems(session)
    try:
        return get_collection(session, name)
    except FleetError as exc:
        raise CommandError(str(exc)) from None


def clients_cmd(args: argparse.Namespace) -> int:
    if args.pending:
        return _held_registrations(args)
    from sqlalchemy import select

    from sumtui.fleet.clients import ClientFilter, export_client, where_clauses
    from sumtui.fleet.models import Client

    site = _site(args)
    with site.session() as session:
        collection_id = _collection(session, args.collection).id if args.collection else None
        flt = ClientFilter(text=args.search, collection_id=collection_id)
        query = select(Client).where(*where_clauses(flt)).order_by(Client.name_key)
        rows = [export_client(c) for c in session.execute(query).scalars()]
    for row in rows:
        row["kb_count"] = len(row["installed_kbs"])
        if args.format == "table":  # minutes, UTC: json and csv keep the exact time
            row["last_seen"] = (row["last_inventory"] or "")[:16].replace("T", " ")
        row["state"] = "unknown" if not row["reported"] else "compliant" if row["compliant"] else f"{row['required']} required"
    emit(rows, fmt=args.format, columns=[
        ("name", "Name", ID), ("domain", "Domain", TEXT), ("os_product", "OS product", TEXT), ("build", "Build", ID),
        ("kb_count", "KBs", NUMBER), ("state", "Compliance", STATE), ("source", "Source", STATE),
        ("last_seen", "Last inventory", TIME),
    ] if args.format == "table" else [
        ("name", "name"), ("domain", "domain"), ("os", "os"), ("os_product", "os_product"), ("build", "build"),
        ("architecture", "architecture"), ("installed_kbs", "installed_kbs"), ("source", "source"),
        ("last_inventory", "last_inventory"), ("last_scan", "last_scan"), ("required", "required"),
        ("out_of_support", "out_of_support"),
    ])
    return 0


def _list_update_ids(session, name):
    from sumtui.deploy.lists import ListError, list_update_ids
    from sumtui.errors import CommandError

    try:
        return list_update_ids(session, name=name)
    except ListError as exc:
        raise CommandError(str(exc)) from None


def compliance_cmd(args: argparse.Namespace) -> int:
    if args.update_list and args.by != "update" and not args.client:
        print("sumtui compliance: --list goes with --by update (the default) or --client", file=sys.stderr)
        return 2
    site = _site(args)
    if args.client:
        return _client_compliance(site, args)
    from sumtui.catalog.queries import UpdateFilter
    from sumtui.compliance.queries import collection_compliance, page_update_compliance

    with site.session() as session:
        if args.by == "collection":
            rows = [vars(c) for c in collection_compliance(session)]
            emit(rows, fmt=args.format, columns=[
                ("name", "Collection", ID), ("kind", "Kind", STATE), ("members", "Members", NUMBER),
                ("reported", "Reported", NUMBER), ("compliant", "Compliant", NUMBER), ("unknown", "Unknown", NUMBER),
                ("compliant_pct", "%OK", NUMBER)])
            return 0
        collection = _collection(session, args.collection)
        if args.by == "client":
            return _by_client(session, collection, args)
        rows = page_update_compliance(
            session, collection_id=collection.id, filter=UpdateFilter(severity=args.severity),
            limit=1_000_000, only_needed=args.state in ("required", "failed"),
            update_ids=_list_update_ids(session, args.update_list) if args.update_list else None,
        )
    out = []
    for r in rows:
        if args.state == "installed" and not r.installed:
            continue
        if args.state == "not_required" and not r.not_required:
            continue
        if args.state == "unknown" and not r.unknown:
            continue
        out.append(dict(kb=r.kb, product_id=r.product_id, product=r.product, title=r.title, severity=r.severity, required=r.required,
                        installed=r.installed, failed=r.failed, not_required=r.not_required, unknown=r.unknown,
                        compliant_pct=r.compliant_pct, kb_id=f"KB{r.kb}"))
    emit(out, fmt=args.format, columns=[
        ("kb_id", "KB", ID), ("product", "Product", TEXT), ("severity", "Severity", STATE), ("required", "Req.", NUMBER),
        ("installed", "Inst.", NUMBER), ("not_required", "Not req.", NUMBER), ("unknown", "Unkn.", NUMBER),
        ("failed", "Fail.", NUMBER), ("compliant_pct", "%OK", NUMBER),
    ] if args.format == "table" else [(k, k) for k in ("kb", "product", "title", "severity", "required", "installed",
                                                      "failed", "not_required", "unknown", "compliant_pct")])
    return 0


def _by_client(session, collection, args) -> int:
    from sqlalchemy import select

    from sumtui.fleet.clients import ClientFilter, export_client, where_clauses
    from sumtui.fleet.models import Client

    query = select(Client).where(*where_clauses(ClientFilter(collection_id=collection.id)))
    rows = []
    for client in session.execute(query.order_by(Client.required_count.desc(), Client.name_key)).scalars():
        row = export_client(client)
        state = "unknown" if not row["reported"] else "failed" if row["failed"] else "required" if row["required"] else "installed"
        if args.state and args.state != state and not (args.state == "not_required" and state == "installed"):
            continue
        row["state"] = "compliant" if state == "installed" else state
        row["critical"] = client.critical_missing
        if args.format == "table":  # minutes, UTC: json and csv keep the exact time
            row["last_inventory"] = (row["last_inventory"] or "")[:16].replace("T", " ")
        rows.append(row)
    emit(rows, fmt=args.format, columns=[
        ("name", "Client", ID), ("os_product", "OS product", TEXT), ("state", "State", STATE), ("required", "Req.", NUMBER),
        ("critical", "Crit.", NUMBER), ("failed", "Fail.", NUMBER), ("installed", "Inst.", NUMBER),
        ("last_inventory", "Last inventory", TIME),
    ])
    return 0


def _client_compliance(site, args) -> int:
    from sumtui.compliance.queries import client_states
    from sumtui.errors import CommandError
    from sumtui.fleet.clients import find_client

    with site.session() as session:
        client = find_client(session, args.client)
        if client is None:
            raise CommandError(f"no client named {args.client!r} (see `sumtui clients`)")
        states = client_states(session, client, include_not_applicable=args.all)
        if args.update_list:
            listed = set(session.execute(_list_update_ids(session, args.update_list)).scalars())
            states = [s for s in states if s.update_id in listed]
    wanted = {s.strip().lower() for s in (args.severity or "").split(",") if s.strip()}
    rows = [
        dict(kb=s.kb, product_id=s.product_id, product=s.product, title=s.title, severity=s.severity,
             state=s.state, reason=s.reason, source=s.source, kb_id=f"KB{s.kb}")
        for s in states
        if (not args.state or s.state == args.state) and (not wanted or (s.severity or "").lower() in wanted)
    ]
    emit(rows, fmt=args.format, columns=[
        ("kb_id", "KB", ID), ("product", "Product", TEXT), ("severity", "Severity", STATE), ("state", "State", STATE),
        ("reason", "Why", TEXT),
    ] if args.format == "table" else [(k, k) for k in ("kb", "product_id", "product", "title", "severity", "state", "reason", "source")])
    return 0


def enroll_key_cmd(args: argparse.Namespace) -> int:
    from sumtui.errors import CommandError
    from sumtui.fleet import management_point
    from sumtui.fleet.enrollment import create_enrollment_key, rotate_enrollment_key

    site = _site(args)
    with site.session() as session:
        key = rotate_enrollment_key(session) if args.rotate else create_enrollment_key(session)
        url = management_point.load(session)[0].url
    if key is None:
        raise CommandError("this site already has an enrollment key, and it cannot be shown again (the site keeps only "
                           "a hash of it): `sumtui enroll-key --rotate` makes a new one (registered agents keep working)")
    print(f"{'New' if args.rotate else 'Site'} enrollment key, shown only now (the site keeps only a hash of it).")
    # Scripts read the key as the last word of the last line.
    print(f"Agents register with: {management_point.agent_command(url, key)}")
    return 0


def registration_cmd(args: argparse.Namespace) -> int:
    from sumtui.errors import CommandError
    from sumtui.fleet import registrations

    action = {"approve": registrations.approve, "reject": registrations.reject, "reset": registrations.reset_registration}[args.verb]
    done = {"approve": "approved: its agent gets the identity at its next attempt",
            "reject": "rejected", "reset": "reset: its token no longer works; the next registration of the name is accepted"}
    site = _site(args)
    failed = 0
    for name in args.names:
        with site.session() as session:
            try:
                action(session, name=name)
            except registrations.RegistrationError as exc:
                session.rollback()
                print_error(exc)
                failed += 1
                continue
        print(f"{name}: registration {done[args.verb]}")
    if failed and failed == len(args.names):
        raise CommandError(f"nothing {'was reset' if args.verb == 'reset' else args.verb + 'd'}")
    return 1 if failed else 0


def _held_registrations(args: argparse.Namespace) -> int:
    from sumtui.fleet.registrations import export_held, list_held

    site = _site(args)
    with site.session() as session:
        held = list_held(session)
    if args.format == "json":
        emit([export_held(view) for view in held], fmt="json", columns=[])
        return 0
    rows = [dict(name=v.name, state=v.state, requested=v.requested_at.isoformat(timespec="seconds"),
                 last_attempt=v.last_attempt_at.isoformat(timespec="seconds"), attempts=v.attempts, address=v.address,
                 client=v.client.line() if v.client else "(no client of this name any more)",
                 request=v.request.line()) for v in held]
    emit(rows, fmt=args.format, columns=[
        ("name", "Name", ID), ("state", "State", STATE), ("requested", "Requested", TIME), ("attempts", "Tries", NUMBER),
        ("address", "From", ID), ("client", "The client now", TEXT), ("request", "The request", TEXT),
    ] if args.format == "table" else [(k, k) for k in ("name", "state", "requested", "last_attempt", "attempts", "address",
                                                      "client", "request")])
    return 0

"""Fleet and compliance commands: clients, collections, compliance, enroll-key, serve, agent."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sumtui.cli.output import FORMATS, emit

STATES = ("required", "installed", "failed", "not_required", "unknown")


def register(sub) -> None:
    clients = sub.add_parser("clients", help="list clients, or import inventories (offline scan)")
    clients.add_argument("--collection", help="only members of this collection (name or id)")
    clients.add_argument("--search", help="words in name, domain or OS product")
    clients.add_argument("--format", choices=FORMATS, default="table")
    clients.set_defaults(handler=clients_cmd)
    csub = clients.add_subparsers(dest="clients_command", metavar="SUBCOMMAND")
    imp = csub.add_parser("import", help="import inventories (systeminfo, wmic qfe, Get-HotFix, agent JSON) and evaluate them")
    imp.add_argument("files", nargs="+", metavar="FILE")
    imp.add_argument("--name", help="the machine these files describe (default: the host name inside each file)")
    imp.add_argument("--format", choices=FORMATS, default="table", dest="import_format")
    imp.set_defaults(handler=clients_import_cmd)

    comp = sub.add_parser("compliance", help="which clients need which updates")
    comp.add_argument("--collection", help="collection name or id (default: All Systems)")
    comp.add_argument("--client", metavar="NAME", help="one client: each update's state and why")
    comp.add_argument("--by", choices=("update", "client", "collection"), default="update")
    comp.add_argument("--severity", help="Critical, Important, Moderate or Low (comma-separated for several)")
    comp.add_argument("--state", choices=STATES, help="only rows in this state")
    comp.add_argument("--all", action="store_true", help="with --client: also updates for products it does not have")
    comp.add_argument("--format", choices=FORMATS, default="table")
    comp.set_defaults(handler=compliance_cmd)

    key = sub.add_parser("enroll-key", help="print the site enrollment key agents register with")
    key.add_argument("--rotate", action="store_true", help="make a new key (registered agents keep working)")
    key.set_defaults(handler=enroll_key_cmd)

    serve = sub.add_parser("serve", help="run the management point (HTTP API for agents)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8530)
    serve.set_defaults(handler=serve_cmd)

    agent = sub.add_parser("agent", help="run the client agent on this machine")
    agent.add_argument("--server", required=True, metavar="URL", help="management point, e.g. http://mp.example:8530/")
    agent.add_argument("--enroll-key", metavar="KEY", help="site enrollment key (needed the first time)")
    agent.add_argument("--once", action="store_true", help="report once and exit")
    agent.add_argument("--inventory", type=Path, metavar="FILE", help="report this inventory file instead of collecting one")
    agent.add_argument("--name", help="report under this machine name")
    agent.add_argument("--state-dir", type=Path, help="where the agent keeps its registration and queue")
    agent.set_defaults(handler=agent_cmd)


def _site(args):
    from sumtui.cli.main import open_site_or_fail

    return open_site_or_fail(args)


def clients_import_cmd(args: argparse.Namespace) -> int:
    from sumtui.compliance.intake import ingest_inventory
    from sumtui.compliance.view import load_view
    from sumtui.fleet.inventory import InventoryError, parse_inventory

    site = _site(args)
    failed, rows = 0, []
    with site.session() as session:
        view = load_view(session)
    for file in args.files:
        path = Path(file)
        try:
            inventory = parse_inventory(path.read_bytes(), name=str(path))
        except OSError as exc:
            print(f"sumtui: {path}: cannot read ({exc.strerror or exc})", file=sys.stderr)
            failed += 1
            continue
        except InventoryError as exc:
            print(f"sumtui: {exc}", file=sys.stderr)
            failed += 1
            continue
        with site.session() as session:
            try:
                applied = ingest_inventory(session, inventory, name=args.name, view=view)
                session.commit()
            except ValueError as exc:
                session.rollback()
                print(f"sumtui: {path}: {exc}", file=sys.stderr)
                failed += 1
                continue
            c = applied.client
            rows.append(dict(
                file=str(path), name=c.name, format=inventory.source_format, os_product=c.os_product or "(unmapped)",
                kbs=len((c.installed_kbs or "").split()), kbs_added=applied.kbs_added, required=c.required_count,
                created=applied.created,
                warning="; ".join(inventory.warnings) or ("out of support" if c.out_of_support else ""),
            ))
    if rows:
        from sumtui.compliance.queries import take_snapshot

        with site.session() as session:
            take_snapshot(session)
            session.commit()
    emit(rows, fmt=args.import_format, columns=[
        ("name", "Client"), ("format", "Format"), ("os_product", "OS product"), ("kbs", "KBs"),
        ("kbs_added", "Added"), ("required", "Required"), ("warning", "Note"), ("file", "File"),
    ])
    return 1 if failed else 0


def _collection(session, name):
    from sumtui.cli.main import CommandError
    from sumtui.fleet.collections import FleetError, ensure_all_systems, get_collection

    if not name:
        return ensure_all_systems(session)
    try:
        return get_collection(session, name)
    except FleetError as exc:
        raise CommandError(str(exc)) from None


def clients_cmd(args: argparse.Namespace) -> int:
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
        row["state"] = "unknown" if not row["reported"] else "compliant" if row["compliant"] else f"{row['required']} required"
    emit(rows, fmt=args.format, columns=[
        ("name", "Name"), ("domain", "Domain"), ("os_product", "OS product"), ("build", "Build"),
        ("kb_count", "KBs"), ("state", "Compliance"), ("source", "Source"), ("last_inventory", "Last inventory"),
    ] if args.format == "table" else [
        ("name", "name"), ("domain", "domain"), ("os", "os"), ("os_product", "os_product"), ("build", "build"),
        ("architecture", "architecture"), ("installed_kbs", "installed_kbs"), ("source", "source"),
        ("last_inventory", "last_inventory"), ("last_scan", "last_scan"), ("required", "required"),
        ("out_of_support", "out_of_support"),
    ])
    return 0


def compliance_cmd(args: argparse.Namespace) -> int:
    site = _site(args)
    if args.client:
        return _client_compliance(site, args)
    from sumtui.catalog.queries import UpdateFilter
    from sumtui.compliance.queries import collection_compliance, page_update_compliance

    with site.session() as session:
        if args.by == "collection":
            rows = [vars(c) for c in collection_compliance(session)]
            emit(rows, fmt=args.format, columns=[(k, k) for k in ("name", "kind", "members", "reported", "compliant", "unknown", "compliant_pct")])
            return 0
        collection = _collection(session, args.collection)
        if args.by == "client":
            return _by_client(session, collection, args)
        rows = page_update_compliance(
            session, collection_id=collection.id, filter=UpdateFilter(severity=args.severity),
            limit=1_000_000, only_needed=args.state in ("required", "failed"),
        )
    out = []
    for r in rows:
        if args.state == "installed" and not r.installed:
            continue
        if args.state == "not_required" and not r.not_required:
            continue
        if args.state == "unknown" and not r.unknown:
            continue
        out.append(dict(kb=r.kb, product=r.product, title=r.title, severity=r.severity, required=r.required,
                        installed=r.installed, failed=r.failed, not_required=r.not_required, unknown=r.unknown,
                        compliant_pct=r.compliant_pct, kb_id=f"KB{r.kb}"))
    emit(out, fmt=args.format, columns=[
        ("kb_id", "KB"), ("product", "Product"), ("severity", "Severity"), ("required", "Required"),
        ("installed", "Installed"), ("not_required", "Not req."), ("unknown", "Unknown"), ("failed", "Failed"),
        ("compliant_pct", "% compliant"),
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
        rows.append(row)
    emit(rows, fmt=args.format, columns=[
        ("name", "Client"), ("os_product", "OS product"), ("state", "State"), ("required", "Required"),
        ("critical", "Critical"), ("failed", "Failed"), ("installed", "Installed"), ("last_inventory", "Last inventory"),
    ])
    return 0


def _client_compliance(site, args) -> int:
    from sumtui.cli.main import CommandError
    from sumtui.compliance.queries import client_states
    from sumtui.fleet.clients import find_client

    with site.session() as session:
        client = find_client(session, args.client)
        if client is None:
            raise CommandError(f"no client named {args.client!r} (see `sumtui clients`)")
        states = client_states(session, client, include_not_applicable=args.all)
    wanted = {s.strip().lower() for s in (args.severity or "").split(",") if s.strip()}
    rows = [
        dict(kb=s.kb, product_id=s.product_id, product=s.product, title=s.title, severity=s.severity,
             state=s.state, reason=s.reason, source=s.source, kb_id=f"KB{s.kb}")
        for s in states
        if (not args.state or s.state == args.state) and (not wanted or (s.severity or "").lower() in wanted)
    ]
    emit(rows, fmt=args.format, columns=[
        ("kb_id", "KB"), ("product", "Product"), ("severity", "Severity"), ("state", "State"), ("reason", "Why"),
    ] if args.format == "table" else [(k, k) for k in ("kb", "product_id", "product", "title", "severity", "state", "reason", "source")])
    return 0


def enroll_key_cmd(args: argparse.Namespace) -> int:
    from sumtui.fleet.enrollment import enrollment_key, rotate_enrollment_key

    site = _site(args)
    with site.session() as session:
        key = rotate_enrollment_key(session) if args.rotate else enrollment_key(session)
    print(key)
    return 0


def serve_cmd(args: argparse.Namespace) -> int:
    from sumtui.server.run import serve

    site = _site(args)
    print(f"sumtui management point for {site.name} on http://{args.host}:{args.port}/ (API docs at /docs)", file=sys.stderr)
    serve(site, host=args.host, port=args.port)
    return 0


def agent_cmd(args: argparse.Namespace) -> int:
    from sumtui import paths
    from sumtui.agent.collect import CollectError
    from sumtui.agent.main import AgentError, run_agent
    from sumtui.agent.state import StateError
    from sumtui.cli.main import CommandError
    from sumtui.fleet.inventory import InventoryError

    if not args.server.startswith(("http://", "https://")):
        print(f"sumtui agent: error: --server {args.server!r} is not an http:// or https:// URL", file=sys.stderr)
        return 2
    try:
        return run_agent(
            server=args.server, state_dir=args.state_dir or paths.state_dir() / "agent", enroll_key=args.enroll_key,
            inventory_file=args.inventory, name=args.name, once=args.once,
        )
    except (AgentError, CollectError, InventoryError, StateError) as exc:
        raise CommandError(str(exc)) from None

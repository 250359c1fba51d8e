"""Catalog commands: sync, import, updates, runs."""

from __future__ import annotations

import argparse
import json
import sys
import time
from contextlib import contextmanager

from sumtui.cli.output import FORMATS, emit


def _month(text: str) -> str:
    from sumtui.catalog.settings import month_id, parse_month

    try:
        return month_id(parse_month(text))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _url(text: str) -> str:
    if not text.startswith(("http://", "https://")):
        raise argparse.ArgumentTypeError(f"{text!r} is not an http:// or https:// URL")
    return text if text.endswith("/") else text + "/"


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must not be negative")
    return value


def register(sub) -> None:
    sync = sub.add_parser("sync", help="synchronize the catalog from the MSRC CVRF API (or a mirror)")
    sync.add_argument("--url", type=_url, help="upstream base URL (default: the update point setting, MSRC's API)")
    sync.add_argument("--since", type=_month, metavar="YYYY-Mon", help="first month to sync (default: setting, else the last 12 months)")
    sync.add_argument("--month", action="append", default=[], metavar="ID", help="sync this month document (repeatable)")
    sync.add_argument("--force", action="store_true", help="fetch months even when the upstream says they are unchanged")
    sync.add_argument("--if-due", action="store_true", help="sync only when the configured interval has passed (cron, timers)")
    sync.add_argument("--json", action="store_true", help="print the run record as JSON")
    sync.add_argument("--timeout", type=float, default=30.0, help="seconds per HTTP request (default 30)")
    sync.add_argument("--retries", type=_positive, default=3, help="retries on timeouts and 5xx (default 3)")
    sync.set_defaults(handler=sync_cmd)

    imp = sub.add_parser("import", help="import CVRF documents (JSON or XML) from files: the offline catalog")
    imp.add_argument("files", nargs="+", metavar="FILE")
    imp.add_argument("--json", action="store_true", help="print the run record as JSON")
    imp.set_defaults(handler=import_cmd)

    upd = sub.add_parser("updates", help="list updates in the catalog")
    upd.add_argument("text", nargs="?", help="words that must all appear in KB, title, product or CVEs")
    upd.add_argument("--product", help="product name (substring) or product id")
    upd.add_argument("--family", help="product family, e.g. Windows")
    upd.add_argument("--classification")
    upd.add_argument("--severity", help="Critical, Important, Moderate or Low (comma-separated for several)")
    upd.add_argument("--kb")
    upd.add_argument("--cve")
    upd.add_argument("--superseded", action=argparse.BooleanOptionalAction, default=None)
    upd.add_argument("--expired", action=argparse.BooleanOptionalAction, default=None)
    upd.add_argument("--released-within", type=_positive, metavar="DAYS")
    upd.add_argument("--sort", default="kb", choices=["kb", "product", "title", "severity", "released", "revised", "cves"])
    upd.add_argument("--desc", action="store_true", help="sort descending")
    upd.add_argument("--format", choices=FORMATS, default="table")
    upd.set_defaults(handler=updates_cmd)

    runs = sub.add_parser("runs", help="sync and import history")
    runs.add_argument("--limit", type=_positive, default=20)
    runs.add_argument("--format", choices=FORMATS, default="table")
    runs.set_defaults(handler=runs_cmd)


@contextmanager
def _progress_bar(enabled: bool):
    """A rich progress bar on stderr for people, yielding the progress callback; nothing when stderr
    is not a terminal (scripts and cron get the one-line summary only)."""
    if not enabled:
        yield lambda _p: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[detail]}"),
        TimeElapsedColumn(), console=Console(stderr=True), transient=True,
    )
    task = progress.add_task("sync", total=None, detail="")

    def update(p) -> None:
        progress.update(
            task, description=p.phase, total=p.months_total or None, completed=p.months_done,
            detail=f"{p.month or ''} new {p.updates_new} revised {p.updates_revised} failed {p.failed}",
        )

    with progress:
        yield update


def _reevaluate(site, run) -> None:
    """A catalog that changed changes what every client needs: re-evaluate the fleet (if any)."""
    if not run.months_fetched:
        return
    from sqlalchemy import func, select

    from sumtui.compliance.intake import after_catalog_change
    from sumtui.fleet.models import Client

    with site.session() as session:
        if not session.execute(select(func.count()).select_from(Client)).scalar_one():
            return
        result = after_catalog_change(session)
        session.commit()
    print(f"re-evaluated {result.clients} client(s) in {result.seconds:.1f} s", file=sys.stderr)


def _report(run, errors, *, as_json: bool, elapsed: float) -> int:
    from sumtui.catalog.runs import run_record

    if as_json:
        print(json.dumps(run_record(run, errors), indent=2))
    else:
        print(
            f"{run.kind} {run.status}: {run.months_fetched} month(s) fetched, {run.months_unchanged} unchanged, "
            f"{run.months_failed} failed; updates {run.updates_new} new, {run.updates_revised} revised, "
            f"{run.updates_superseded} superseded, {run.updates_expired} expired ({elapsed:.1f} s)"
        )
    for error in errors:
        print(f"sumtui: {error.reason}", file=sys.stderr)
    return 0 if run.status == "ok" else 1


def sync_cmd(args: argparse.Namespace) -> int:
    import asyncio

    from sumtui.catalog import settings as update_point
    from sumtui.catalog.runs import is_due, run_errors
    from sumtui.catalog.sync import sync_catalog
    from sumtui.cli.main import open_site_or_fail
    from sumtui.timeutil import age

    site = open_site_or_fail(args)
    if args.if_due:
        with site.session() as session:
            settings, _ = update_point.load(session)
            due, last = is_due(session, interval_hours=settings.interval_hours)
        if not settings.schedule_enabled:
            print("sync not run: the update point's sync schedule is disabled")
            return 0
        if not due:
            print(f"sync not due: last good sync {age(last.ended_at)} ago, interval {settings.interval_hours} h")
            return 0
    started = time.perf_counter()
    with _progress_bar(sys.stderr.isatty()) as update:
        run = asyncio.run(
            sync_catalog(
                site.engine, url=args.url, since=_since(args.since), months=args.month, force=args.force,
                progress=update, timeout=args.timeout, retries=args.retries,
            )
        )
    _reevaluate(site, run)
    with site.session() as session:
        errors = run_errors(session, run_id=run.id)
    return _report(run, errors, as_json=args.json, elapsed=time.perf_counter() - started)


def _since(text: str | None):
    from sumtui.catalog.settings import parse_month

    return parse_month(text) if text else None


def import_cmd(args: argparse.Namespace) -> int:
    from sumtui.catalog.runs import run_errors
    from sumtui.catalog.sync import import_files
    from sumtui.cli.main import open_site_or_fail

    site = open_site_or_fail(args)
    started = time.perf_counter()
    with _progress_bar(sys.stderr.isatty() and len(args.files) > 1) as update:
        run = import_files(site.engine, args.files, progress=update)
    _reevaluate(site, run)
    with site.session() as session:
        errors = run_errors(session, run_id=run.id)
    return _report(run, errors, as_json=args.json, elapsed=time.perf_counter() - started)


def updates_cmd(args: argparse.Namespace) -> int:
    from sumtui.catalog.queries import UpdateFilter, export_updates
    from sumtui.cli.main import open_site_or_fail

    site = open_site_or_fail(args)
    flt = UpdateFilter(
        text=args.text, product=args.product, family=args.family, classification=args.classification,
        severity=args.severity, kb=args.kb, cve=args.cve, superseded=args.superseded, expired=args.expired,
        released_within_days=args.released_within,
    )
    with site.session() as session:
        rows = export_updates(session, filter=flt, sort=args.sort, descending=args.desc)
    for row in rows:
        row["state"] = "expired" if row["expired"] else "superseded" if row["superseded"] else "active"
        row["released_day"] = (row["released"] or "")[:10]
        row["kb_id"] = f"KB{row['kb']}"
        row["cve_count"] = len(row["cves"])
    emit(
        rows,
        fmt=args.format,
        columns=[("kb_id", "KB"), ("product", "Product"), ("subtype", "Type"), ("severity", "Severity"),
                 ("released_day", "Released"), ("cve_count", "CVEs"), ("state", "State")]
        if args.format == "table"
        else [("kb", "kb"), ("product_id", "product_id"), ("product", "product"), ("title", "title"),
              ("classification", "classification"), ("subtype", "subtype"), ("severity", "severity"),
              ("impact", "impact"), ("released", "released"), ("revised", "revised"), ("document", "document"),
              ("cves", "cves"), ("supersedes", "supersedes"), ("superseded_by", "superseded_by"),
              ("restart", "restart"), ("url", "url"), ("fixed_build", "fixed_build"), ("superseded", "superseded"),
              ("expired", "expired")],
    )
    if args.format == "table":
        print(f"{len(rows)} update(s)", file=sys.stderr)
    return 0


def runs_cmd(args: argparse.Namespace) -> int:
    from sumtui.catalog.runs import list_runs, run_errors, run_record
    from sumtui.cli.main import open_site_or_fail

    site = open_site_or_fail(args)
    with site.session() as session:
        records = [run_record(r, run_errors(session, run_id=r.id)) for r in list_runs(session, limit=args.limit)]
    if args.format == "json":
        emit(records, fmt="json", columns=[])
        return 0
    rows = [
        dict(id=r["id"], kind=r["kind"], status=r["status"], started=(r["started_at"] or "")[:19],
             fetched=r["months"]["fetched"], unchanged=r["months"]["unchanged"], failed=r["months"]["failed"],
             new=r["updates"]["new"], revised=r["updates"]["revised"], errors=len(r["errors"]), source=r["source"])
        for r in records
    ]
    emit(rows, fmt=args.format, columns=[(k, k.capitalize()) for k in
         ("id", "kind", "status", "started", "fetched", "unchanged", "failed", "new", "revised", "errors", "source")])
    return 0

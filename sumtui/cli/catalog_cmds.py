"""Catalog commands: sync, import, updates, runs.

`sync` and `import` go through sumtui.workflows.catalog_changes: derived data left pending by an
earlier run is completed, and the fleet is re-evaluated whenever its states are older than the catalog
(after this run, or after one that was killed before it could). A database that refuses to write (a
full disk, a read-only file) ends the command with one line and exit 1, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sumtui.cli.arguments import severity_list
from sumtui.cli.output import FORMATS, ID, NUMBER, STATE, TEXT, TIME, emit, print_error
from sumtui.errors import CommandError, one_line

DEFAULT_MAX_SIZE_MB = 256  # sumtui.catalog.cvrf.MAX_DOCUMENT_BYTES, without importing the catalog for --help


def _month(text: str) -> str:
    from sumtui.catalog.settings import month_id, parse_month

    try:
        return month_id(parse_month(text))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _document(text: str) -> str:
    from sumtui.catalog.settings import document_id

    try:
        return document_id(text)
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


def _megabytes(text: str) -> int:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of megabytes") from None
    if not value > 0 or value > 1024 * 1024:
        raise argparse.ArgumentTypeError(f"{text!r} must be more than 0 and at most 1048576 (MB)")
    return int(value * 1024 * 1024)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= 86400:
        raise argparse.ArgumentTypeError(f"{text!r} must be more than 0 and at most 86400 seconds")
    return value


def _max_size_option(parser) -> None:
    parser.add_argument(
        "--max-size", type=_megabytes, default=DEFAULT_MAX_SIZE_MB * 1024 * 1024, metavar="MB",
        help=f"refuse a catalog document larger than this before parsing it (default {DEFAULT_MAX_SIZE_MB} MB; "
             "a real month is 1-7 MB)",
    )


def register(sub) -> None:
    sync = sub.add_parser("sync", help="synchronize the catalog from the MSRC CVRF API (or a mirror)")
    sync.add_argument("--url", type=_url, help="upstream base URL (default: the update point setting, MSRC's API)")
    sync.add_argument("--since", type=_month, metavar="YYYY-Mon", help="first month to sync (default: setting, else the last 12 months)")
    sync.add_argument("--month", action="append", default=[], type=_document, metavar="ID",
                      help="sync this month document, e.g. 2025-Feb (repeatable)")
    sync.add_argument("--force", action="store_true", help="fetch months even when the upstream says they are unchanged")
    sync.add_argument("--if-due", action="store_true", help="sync only when the configured interval has passed (cron, timers)")
    sync.add_argument("--json", action="store_true", help="print the run record as JSON")
    sync.add_argument("--timeout", type=_seconds, default=30.0,
                      help="seconds allowed for each document, from the request to its last byte (default 30)")
    sync.add_argument("--retries", type=_positive, default=3, help="retries on timeouts and 5xx (default 3)")
    _max_size_option(sync)
    sync.set_defaults(handler=sync_cmd)

    imp = sub.add_parser("import", help="import CVRF documents (JSON or XML) from files: the offline catalog")
    imp.add_argument("files", nargs="+", metavar="FILE")
    imp.add_argument("--json", action="store_true", help="print the run record as JSON")
    _max_size_option(imp)
    imp.set_defaults(handler=import_cmd)

    upd = sub.add_parser("updates", help="list updates in the catalog")
    upd.add_argument("text", nargs="?", help="words that must all appear in KB, title, product or CVEs")
    upd.add_argument("--product", help="product name (substring) or product id")
    upd.add_argument("--family", help="product family, e.g. Windows")
    upd.add_argument("--classification")
    upd.add_argument("--severity", type=severity_list,
                     help="Critical, Important, Moderate or Low, or the start of one (comma-separated for several)")
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
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

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


@contextmanager
def _refused_writes(what: str) -> Iterator[None]:
    """A database that cannot be written (full disk, read-only file, gone) or a run that could not be
    recorded: one line naming the command and the cause, exit 1 (sumtui.main)."""
    from sqlalchemy.exc import SQLAlchemyError

    from sumtui.catalog.errors import CatalogError

    try:
        yield
    except (SQLAlchemyError, CatalogError, OSError) as exc:
        raise CommandError(f"{what} failed: {one_line(exc)} (what was stored before is kept)") from exc


def _evaluate_fleet(site) -> None:
    """The fleet against what is stored now, when its states are older than the catalog: after this
    run's months, or after an earlier run that stopped before evaluating (killed, failed, cancelled)."""
    from sumtui.workflows.catalog_changes import bring_fleet_up_to_date

    with _refused_writes("re-evaluating the fleet"), site.session() as session:
        result = bring_fleet_up_to_date(session)
        session.commit()
    if result is not None:
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
        print_error(error.reason)
    return 0 if run.status == "ok" else 1


def sync_cmd(args: argparse.Namespace) -> int:
    import asyncio

    from sumtui.catalog import settings as update_point
    from sumtui.catalog.runs import is_due, run_errors
    from sumtui.site import open_site
    from sumtui.timeutil import age
    from sumtui.workflows import catalog_changes

    site = open_site(args.db)
    if args.if_due:
        with site.session() as session:
            settings, _ = update_point.load(session)
            due, last = is_due(session, interval_hours=settings.interval_hours)
        if not settings.schedule_enabled:
            print("sync not run: the update point's sync schedule is disabled")
            return 0
        if not due:
            _evaluate_fleet(site)  # what a run killed since the last good one left is still completed
            print(f"sync not due: last good sync {age(last.ended_at)} ago, interval {settings.interval_hours} h")
            return 0
    started = time.perf_counter()
    with _refused_writes("sync"), _progress_bar(sys.stderr.isatty()) as update:
        run = asyncio.run(
            catalog_changes.sync(
                site.engine, url=args.url, since=_since(args.since), months=args.month, force=args.force,
                progress=update, timeout=args.timeout, retries=args.retries, max_size=args.max_size,
            )
        )
    _evaluate_fleet(site)
    with site.session() as session:
        errors = run_errors(session, run_id=run.id)
    return _report(run, errors, as_json=args.json, elapsed=time.perf_counter() - started)


def _since(text: str | None):
    from sumtui.catalog.settings import parse_month

    return parse_month(text) if text else None


def import_cmd(args: argparse.Namespace) -> int:
    from sumtui.catalog.runs import run_errors
    from sumtui.site import open_site
    from sumtui.workflows.catalog_changes import import_files

    site = open_site(args.db)
    started = time.perf_counter()
    with _refused_writes("import"), _progress_bar(sys.stderr.isatty() and len(args.files) > 1) as update:
        run = import_files(site.engine, args.files, progress=update, max_size=args.max_size)
    _evaluate_fleet(site)
    with site.session() as session:
        errors = run_errors(session, run_id=run.id)
    return _report(run, errors, as_json=args.json, elapsed=time.perf_counter() - started)


def updates_cmd(args: argparse.Namespace) -> int:
    from sumtui.catalog.queries import UpdateFilter, export_updates
    from sumtui.site import open_site

    site = open_site(args.db)
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
        columns=[("kb_id", "KB", ID), ("product", "Product", TEXT), ("subtype", "Type", TEXT),
                 ("severity", "Severity", STATE), ("released_day", "Released", TIME), ("cve_count", "CVEs", NUMBER),
                 ("state", "State", STATE)]
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
    from sqlalchemy.exc import SQLAlchemyError

    from sumtui.catalog.runs import list_runs, reap_interrupted, run_errors, run_record
    from sumtui.site import open_site

    site = open_site(args.db)
    with site.session() as session:
        try:
            reap_interrupted(session)  # runs whose process is gone show as interrupted, not running
        except SQLAlchemyError:
            session.rollback()  # a read-only site: list what is recorded
        records = [run_record(r, run_errors(session, run_id=r.id)) for r in list_runs(session, limit=args.limit)]
    if args.format == "json":
        emit(records, fmt="json", columns=[])
        return 0
    rows = [
        dict(id=r["id"], kind=r["kind"], status=r["status"], started=(r["started_at"] or "")[:19],
             started_minute=(r["started_at"] or "")[:16].replace("T", " "),
             fetched=r["months"]["fetched"], unchanged=r["months"]["unchanged"], failed=r["months"]["failed"],
             new=r["updates"]["new"], revised=r["updates"]["revised"], errors=len(r["errors"]), source=r["source"])
        for r in records
    ]
    emit(rows, fmt=args.format, columns=[
        ("id", "Id", ID), ("kind", "Kind", STATE), ("status", "Status", STATE), ("started_minute", "Started", TIME),
        ("fetched", "Fetch", NUMBER), ("unchanged", "Same", NUMBER), ("failed", "Fail", NUMBER), ("new", "New", NUMBER),
        ("revised", "Rev", NUMBER), ("errors", "Err", NUMBER), ("source", "Source", TEXT),
    ] if args.format == "table" else [(k, k.capitalize()) for k in
         ("id", "kind", "status", "started", "fetched", "unchanged", "failed", "new", "revised", "errors", "source")])
    return 0

"""Content and package commands: `content resolve | verify | cleanup` and `packages [create |
download | show | delete]`. Thin: each parses its arguments, opens the site and calls sumtui.deploy."""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import contextmanager

from sumtui.cli.output import FORMATS, ID, NUMBER, STATE, TEXT, emit
from sumtui.errors import CommandError


def _kb(text: str) -> str:
    from sumtui.deploy.content.names import kb_number

    kb, at, product = text.partition("@")
    try:
        return kb_number(kb) + (at + product.strip() if at else "")
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _base_url(what: str):
    def parse(text: str) -> str:
        from sumtui.deploy.content.errors import UrlRefused
        from sumtui.deploy.content.urls import check_base_url

        try:
            return check_base_url(text, what=what)
        except UrlRefused as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return parse


def _package_name(text: str) -> str:
    from sumtui.deploy.packages import PackageError, check_name

    try:
        return check_name(text)
    except PackageError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _description(text: str) -> str:
    from sumtui.deploy.packages import PackageError, check_description

    try:
        return check_description(text) or ""
    except PackageError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= 16:
        raise argparse.ArgumentTypeError("between 1 and 16")
    return value


def register(sub) -> None:
    content = sub.add_parser("content", help="update content: resolve KBs to files, verify and clean up the content store")
    csub = content.add_subparsers(dest="content_command", metavar="SUBCOMMAND", required=True)
    res = csub.add_parser("resolve", help="the files of KBs, from the Microsoft Update Catalog (nothing is downloaded)")
    res.add_argument("kbs", nargs="+", type=_kb, metavar="KB", help="KB4022233, or KB4022233@PRODUCT_ID for one product")
    res.add_argument("--catalog-url", type=_base_url("--catalog-url"), metavar="URL", help="the catalog's base URL (default: the Microsoft Update Catalog; for mirrors and tests)")
    res.add_argument("--all", action="store_true", help="every row and every language the catalog lists (default: the KB's catalog products and the site's languages)")
    res.add_argument("--format", choices=FORMATS, default="table")
    res.set_defaults(handler=resolve_cmd)

    ver = csub.add_parser("verify", help="re-hash every stored file; exit 1 when one does not match")
    ver.add_argument("--repair", action="store_true", help="fetch bad, quarantined and missing files again")
    ver.add_argument("--content-url", type=_base_url("--content-url"), metavar="URL", help="with --repair: fetch catalog files from this mirror")
    ver.add_argument("--format", choices=FORMATS, default="table")
    ver.set_defaults(handler=verify_cmd)

    cln = csub.add_parser("cleanup", help="remove what expired or superseded updates no longer need")
    cln.add_argument("--dry-run", action="store_true", help="only list what would be removed")
    cln.add_argument("--format", choices=FORMATS, default="table")
    cln.set_defaults(handler=cleanup_cmd)

    pkg = sub.add_parser("packages", help="deployment packages: list, create, download content, show, delete")
    pkg.add_argument("--format", choices=FORMATS, default="table")
    pkg.set_defaults(handler=packages_cmd)
    psub = pkg.add_subparsers(dest="packages_command", metavar="SUBCOMMAND")
    create = psub.add_parser("create", help="a new, empty package")
    create.add_argument("name", type=_package_name, help="up to 50 characters")
    create.add_argument("--description", type=_description, help="up to 127 characters")
    create.set_defaults(handler=packages_create_cmd)

    dl = psub.add_parser("download", help="put updates in a package and download their files, verified")
    dl.add_argument("name", metavar="NAME")
    dl.add_argument("kbs", nargs="*", type=_kb, metavar="KB", help="KB4592440 (every catalog product of it) or KB4592440@PRODUCT_ID")
    dl.add_argument("--list", dest="update_list", metavar="L", help="the updates of this update list")
    dl.add_argument("--from", dest="folder", metavar="DIR", help="take files from this folder (by name; with --manifest, the manifest's names)")
    dl.add_argument("--manifest", metavar="FILE", help="CSV or JSON manifest: kb, file_name, url, sha1[, sha256, size]")
    dl.add_argument("--catalog-url", type=_base_url("--catalog-url"), metavar="URL", help="the catalog's base URL (default: the Microsoft Update Catalog)")
    dl.add_argument("--content-url", type=_base_url("--content-url"), metavar="URL", help="fetch catalog files from this mirror (scheme and host replaced, path kept)")
    dl.add_argument("--all-languages", action="store_true", help="files in every language (default: the site's languages)")
    dl.add_argument("--concurrency", type=_count, default=4, metavar="N", help="files fetched at once (default 4)")
    dl.set_defaults(handler=packages_download_cmd)

    show = psub.add_parser("show", help="a package's updates and files, each with its state and why")
    show.add_argument("name", metavar="NAME")
    show.add_argument("--format", choices=FORMATS, default="table", dest="show_format")
    show.set_defaults(handler=packages_show_cmd)

    rm = psub.add_parser("delete", help="remove a package (its files stay in the store until `content cleanup`)")
    rm.add_argument("name", metavar="NAME")
    rm.add_argument("--yes", action="store_true", help="do it (without --yes nothing changes)")
    rm.set_defaults(handler=packages_delete_cmd)


def _site(args):
    from sumtui.site import open_site

    return open_site(args.db)


def _store(site):
    from sumtui.deploy.content.store import ContentStore

    return ContentStore(site.content_dir)


def _say(lines) -> None:
    from sumtui.text import escape_controls

    for line in lines:
        print(f"sumtui: {escape_controls(line)}", file=sys.stderr)


# --- content


def resolve_cmd(args: argparse.Namespace) -> int:
    import asyncio

    from sumtui.catalog import settings as update_point
    from sumtui.deploy.content.resolver import Wanted, resolve
    from sumtui.deploy.content.urls import CATALOG_URL
    from sumtui.deploy.package_download import catalog_asks, wanted_from_kbs

    site = _site(args)
    with site.session() as session:
        try:
            items = wanted_from_kbs(session, args.kbs)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        languages = None if args.all else update_point.load(session)[0].languages
    asks = [Wanted(kb) for kb in dict.fromkeys(i.kb for i in items)] if args.all else list(catalog_asks(items).values())
    answers = asyncio.run(resolve(asks, catalog_url=args.catalog_url or CATALOG_URL, languages=languages))
    rows = [f.as_row() for a in answers for f in a.files]
    for row in rows:
        row["size_text"] = "" if row["size"] is None else row["size"]
    _say(note for a in answers for note in a.notes)
    failed = [a.error for a in answers if a.error]
    if args.format == "table":
        emit(rows, fmt="table", columns=[("kb", "KB", ID), ("file_name", "File", TEXT), ("sha1", "SHA-1", ID),
                                         ("size_text", "Size", NUMBER), ("languages", "Languages", TEXT), ("title", "Title", TEXT)])
    else:
        emit(rows, fmt=args.format, columns=[(k, k) for k in ("kb", "update_id", "title", "products", "classification",
                                                              "file_name", "url", "sha1", "sha256", "size", "languages",
                                                              "architectures")])
    _say(failed)
    return 1 if failed else 0


def verify_cmd(args: argparse.Namespace) -> int:
    from sumtui.deploy.content.urls import UrlPolicy
    from sumtui.deploy.content_verify import verify_content

    site = _site(args)
    with site.session() as session, _bar(sys.stderr.isatty(), "verify") as bar:
        result = verify_content(session, store=_store(site), repair=args.repair,
                                policy=UrlPolicy(content_url=args.content_url),
                                progress=lambda p: bar(p.bytes_done, p.bytes_total, f"{p.files_done}/{p.files_total} files"))
    rows = [{"sha1": f.sha1, "file_names": list(f.file_names), "size": f.size, "state": f.state, "reason": f.reason}
            for f in result.files]
    shown = rows if args.format != "table" else [r for r in rows if r["state"] != "ok"]
    emit(shown, fmt=args.format, columns=[("sha1", "SHA-1", ID), ("state", "State", STATE), ("size", "Size", NUMBER),
                                          ("file_names", "Files", TEXT), ("reason", "Why", TEXT)])
    ok = sum(1 for f in result.files if f.state in ("ok", "untracked", "repaired"))
    print(f"{len(result.files)} stored file(s) verified: {ok} good, {len(result.bad)} bad"
          + (f", {sum(1 for f in result.files if f.state == 'repaired')} repaired" if args.repair else ""), file=sys.stderr)
    _say(f"{f.sha1} ({', '.join(f.file_names) or 'no package'}): {f.reason}" for f in result.bad)
    if result.cancelled:
        _say(["cancelled"])
    return 0 if result.ok else 1


def cleanup_cmd(args: argparse.Namespace) -> int:
    from sumtui.deploy.content_cleanup import cleanup_content

    site = _site(args)
    with site.session() as session:
        result = cleanup_content(session, store=_store(site), dry_run=args.dry_run)
        session.commit()
    rows = [{"kind": "update", "package": u.package, "kb": u.kb, "product": u.product, "sha1": None, "size": None,
             "why": u.why} for u in result.updates]
    rows += [{"kind": "file", "package": None, "kb": None, "product": ", ".join(f.file_names) or None, "sha1": f.sha1,
              "size": f.size, "why": f.why} for f in result.files]
    emit(rows, fmt=args.format, columns=[("kind", "Kind", STATE), ("package", "Package", TEXT), ("kb", "KB", ID),
                                         ("product", "Product / files", TEXT), ("sha1", "SHA-1", ID),
                                         ("size", "Size", NUMBER), ("why", "Why", TEXT)])
    verb = "would remove" if args.dry_run else "removed"
    print(f"cleanup {verb} {len(result.updates)} package update(s) and {len(result.files)} file(s), "
          f"{result.bytes / (1 << 20):,.1f} MiB", file=sys.stderr)
    return 0


# --- packages


def packages_cmd(args: argparse.Namespace) -> int:
    from sumtui.deploy.packages import list_packages

    site = _site(args)
    with site.session() as session:
        rows = [p.as_row() for p in list_packages(session)]
    emit(rows, fmt=args.format, columns=[("name", "Name", TEXT), ("updates", "Updates", NUMBER), ("files", "Files", NUMBER),
                                         ("downloaded", "Downloaded", NUMBER), ("missing", "Missing", NUMBER),
                                         ("quarantined", "Quarantined", NUMBER), ("bytes", "Bytes", NUMBER),
                                         ("description", "Description", TEXT)])
    return 0


def packages_create_cmd(args: argparse.Namespace) -> int:
    from sumtui.deploy.packages import PackageError, create_package

    site = _site(args)
    with site.session() as session:
        try:
            package = create_package(session, name=args.name, description=args.description)
        except PackageError as exc:
            raise CommandError(str(exc)) from None
        session.commit()
    print(f"package {package.name!r} created")
    return 0


def packages_show_cmd(args: argparse.Namespace) -> int:
    from sumtui.deploy.packages import PackageError, package_detail

    site = _site(args)
    with site.session() as session:
        try:
            detail = package_detail(session, name=args.name)
        except PackageError as exc:
            raise CommandError(str(exc)) from None
    if args.show_format == "json":
        print(json.dumps(detail, indent=2))
        return 0
    if args.show_format == "table":
        from sumtui.text import escape_controls

        print(escape_controls(f"{detail['name']}: {detail['description'] or ''}".rstrip(": ")))
    emit(detail["files"], fmt=args.show_format, columns=[("kb", "KB", ID), ("file_name", "File", TEXT), ("state", "State", STATE),
                                                         ("size", "Size", NUMBER), ("sha1", "SHA-1", ID), ("reason", "Why", TEXT)]
         if args.show_format == "table" else [(k, k) for k in ("kb", "file_name", "sha1", "sha256", "size", "state", "reason")])
    return 0


def packages_delete_cmd(args: argparse.Namespace) -> int:
    from sumtui.deploy.packages import PackageError, delete_package, get_package

    site = _site(args)
    with site.session() as session:
        try:
            if not args.yes:
                package = get_package(session, name=args.name)
                print(f"would delete package {package.name!r} (its files stay in the store until `sumtui content cleanup`); "
                      "add --yes to do it", file=sys.stderr)
                return 1
            package = delete_package(session, name=args.name)
        except PackageError as exc:
            raise CommandError(str(exc)) from None
        session.commit()
    print(f"package {package.name!r} deleted")
    return 0


def _list_updates(session, name: str):
    from sumtui.deploy.lists import ListError, wanted_updates

    try:
        return wanted_updates(session, name=name)
    except ListError as exc:
        raise CommandError(str(exc)) from None


def packages_download_cmd(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sumtui.deploy.content.errors import ContentError
    from sumtui.deploy.content.manifest import read_manifest
    from sumtui.deploy.content.urls import CATALOG_URL, UrlPolicy
    from sumtui.deploy.package_download import (
        CatalogSource,
        FolderSource,
        ManifestSource,
        download_package,
        wanted_from_kbs,
    )
    from sumtui.deploy.packages import PackageError

    if args.update_list and args.kbs:
        print("sumtui packages download: give KBs or --list, not both", file=sys.stderr)
        return 2
    if not args.update_list and not args.kbs and not args.manifest:
        print("sumtui packages download: give KBs, --list L or --manifest FILE", file=sys.stderr)
        return 2
    if args.folder and not Path(args.folder).is_dir():
        print(f"sumtui packages download: --from {args.folder}: not a folder", file=sys.stderr)
        return 2
    site = _site(args)
    with site.session() as session:
        try:
            wanted = _list_updates(session, args.update_list) if args.update_list else wanted_from_kbs(session, args.kbs)
            if args.manifest:
                source = ManifestSource(read_manifest(Path(args.manifest)), folder=Path(args.folder) if args.folder else None)
            elif args.folder:
                source = FolderSource(Path(args.folder))
            else:
                source = CatalogSource(catalog_url=args.catalog_url or CATALOG_URL, all_languages=args.all_languages)
            with _bar(sys.stderr.isatty(), "download") as bar:
                result = download_package(
                    session, store=_store(site), name=args.name, wanted=wanted, source=source,
                    policy=UrlPolicy(content_url=args.content_url), concurrency=args.concurrency,
                    progress=lambda p: p.download and bar(p.download.bytes_done, p.download.bytes_total,
                                                          f"{p.download.files_done}/{p.download.files_total} files"),
                )
        except (PackageError, ContentError, ValueError) as exc:
            raise CommandError(str(exc)) from None
    rows = [{"kb": u.kb, "product": u.product, "state": u.state, "reason": u.reason} for u in result.updates]
    emit(rows, fmt="table", columns=[("kb", "KB", ID), ("product", "Product", TEXT), ("state", "State", STATE),
                                     ("reason", "Why", TEXT)], out=sys.stdout)
    stored = sum(1 for o in result.files if o.status == "stored")
    print(f"package {result.package!r}: {len(result.updates)} update(s), {stored} file(s) downloaded", file=sys.stderr)
    _say(result.notes)
    _say(result.failures())
    if result.cancelled:
        _say(["cancelled: finished files are kept, partial ones resume next time"])
    return 0 if result.ok else 1


@contextmanager
def _bar(enabled: bool, label: str):
    """A byte progress bar on stderr for people; nothing for scripts and cron."""
    if not enabled:
        yield lambda done, total, detail: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    progress = Progress(TextColumn(label), BarColumn(), DownloadColumn(), TransferSpeedColumn(), TextColumn("{task.fields[detail]}"),
                        TimeRemainingColumn(), console=Console(stderr=True), transient=True)
    task = progress.add_task(label, total=None, detail="")

    def update(done: int, total: int | None, detail: str) -> None:
        progress.update(task, completed=done, total=total, detail=detail)

    with progress:
        yield update

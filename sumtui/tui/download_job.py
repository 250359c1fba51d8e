"""A download into a deployment package as the console runs it: what the Download wizard asked for, the
call the App's worker makes (in a thread, with progress and cancel), and how its end is told.

The wizard checks what it can on the UI thread (names, paths, URLs); everything that reads the site or
a file (the list's updates, the manifest, the catalog) happens here, in the worker, and a failure
becomes the job's one-line outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sumtui.deploy.content.urls import CATALOG_URL

CATALOG, FOLDER, MANIFEST = "catalog", "folder", "manifest"
SOURCES = {CATALOG: "the Microsoft Update Catalog", FOLDER: "a folder", MANIFEST: "a manifest"}


@dataclass(frozen=True)
class DownloadRequest:
    """What to download into which package, from where, in which languages."""

    package: str
    create: bool = False  # a new name: the package is created when the download starts
    list_name: str | None = None  # the updates of this update list...
    kbs: tuple[str, ...] = ()  # ...or these (KB4592440, KB4592440@11569); neither: a manifest's own KBs
    source: str = CATALOG  # catalog | folder | manifest
    folder: str | None = None  # a folder source; with a manifest, where its files are (else their URLs)
    manifest: str | None = None
    languages: tuple[str, ...] | None = None  # the catalog's files in these languages; None: every language
    catalog_url: str = CATALOG_URL
    content_url: str | None = None  # a mirror that catalog file URLs are rewritten onto

    def updates_text(self) -> str:
        if self.list_name is not None:
            return f"the updates of the list {self.list_name!r}"
        if self.kbs:
            return ", ".join(self.kbs)
        return "the KBs the manifest lists"

    def source_text(self) -> str:
        if self.source == FOLDER:
            return f"the folder {self.folder}"
        if self.source == MANIFEST:
            return f"the manifest {self.manifest}" + (f", files from the folder {self.folder}" if self.folder else "")
        mirror = f"; files from the mirror {self.content_url}" if self.content_url else ""
        return f"the Microsoft Update Catalog at {self.catalog_url}{mirror}"

    def languages_text(self) -> str:
        if self.source != CATALOG:
            return "as the source lists them (languages choose only the catalog's files)"
        return "every language" if self.languages is None else ", ".join(self.languages)


def run_download(site, request: DownloadRequest, *, progress: Callable, cancel):
    """Create the package if asked, find the wanted updates and download them (in a worker thread).
    Raises a domain error (PackageError, ListError, ContentError, ValueError) when nothing can start."""
    from sumtui.deploy.content.manifest import read_manifest
    from sumtui.deploy.content.store import ContentStore
    from sumtui.deploy.content.urls import UrlPolicy
    from sumtui.deploy.lists import wanted_updates
    from sumtui.deploy.package_download import (
        CatalogSource,
        FolderSource,
        ManifestSource,
        download_package,
        wanted_from_kbs,
    )
    from sumtui.deploy.packages import create_package, find_package

    with site.session() as session:
        if request.create and find_package(session, name=request.package) is None:
            create_package(session, name=request.package)
            session.commit()
        if request.list_name is not None:
            wanted = wanted_updates(session, name=request.list_name)
        else:
            wanted = wanted_from_kbs(session, list(request.kbs)) if request.kbs else []
        session.rollback()  # nothing read is kept open while files download
        if request.source == MANIFEST:
            source = ManifestSource(read_manifest(Path(request.manifest)),
                                    folder=Path(request.folder) if request.folder else None)
        elif request.source == FOLDER:
            source = FolderSource(Path(request.folder))
        else:
            source = CatalogSource(catalog_url=request.catalog_url, languages=request.languages,
                                   all_languages=request.languages is None)
        return download_package(session, store=ContentStore(site.content_dir), name=request.package, wanted=wanted,
                                source=source, policy=UrlPolicy(content_url=request.content_url), progress=progress,
                                cancel=cancel)


def outcome(result) -> tuple[str, str]:
    """(status, one line) of a finished download: ok, cancelled, partial (some updates complete) or failed."""
    from sumtui.deploy.models import COMPLETE

    complete = sum(1 for u in result.updates if u.state == COMPLETE)
    fetched = sum(1 for o in result.files if o.status == "stored")
    line = (f"package {result.package!r}: {complete} of {len(result.updates)} update(s) complete, "
            f"{fetched} file(s) downloaded")
    failures = result.failures()
    if failures:
        more = f" (and {len(failures) - 1} more: see the package)" if len(failures) > 1 else ""
        line += f"; {failures[0]}{more}"
    if result.cancelled:
        return "cancelled", line + "; finished files are kept, partial ones resume next time"
    if result.ok:
        return "ok", line
    return ("partial" if complete else "failed"), line

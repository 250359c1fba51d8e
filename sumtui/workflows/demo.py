"""The demo site: the bundled sample catalog and a generated fleet in a folder of their own, so
`sumtui demo` gives a first look offline with one command."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlmodel import Session

from sumtui import paths
from sumtui.site import Site, SiteError, open_site
from sumtui.workflows.membership import apply_membership


class DemoError(Exception):
    """The demo site could not be built."""


def sample_catalog_files() -> list[Path]:
    folder = paths.bundled_data_dir() / "catalog"
    files = sorted(folder.glob("*.cvrf.json"))
    if not files:
        raise DemoError(f"no sample catalog in {folder}: the installation is incomplete")
    return files


DEFAULT_CLIENTS = 2500


def build_demo(
    *, rebuild: bool = False, db: str | None = None, clients: int = DEFAULT_CLIENTS,
    announce: Callable[[str], None] | None = None,
) -> Site:
    """Open the demo site, building it first when it does not exist yet (or `rebuild` is set)."""
    say = announce or (lambda _m: None)
    root = paths.demo_site()
    url = db or root.database_url
    if rebuild and db is None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{root.database}{suffix}").unlink(missing_ok=True)
    try:
        site = open_site(url, content_dir=root.content)
    except SiteError as exc:
        raise DemoError(str(exc)) from None
    if _is_built(site):
        return site
    from sumtui.catalog.sync import import_files

    files = sample_catalog_files()
    say(f"building the demo site in {root.root}: importing {len(files)} sample months")
    run = import_files(site.engine, files)
    if run.status != "ok":
        raise DemoError(f"the sample catalog did not import: {run.message}")
    if clients:
        from sumtui.workflows.snapshots import take_snapshots

        say(f"generating a fleet of {clients} clients (labelled \"generated\")")
        with site.session() as session:
            generate_fleet(session, count=clients)
            take_snapshots(session)
            session.commit()
    return site


def _is_built(site: Site) -> bool:
    from sqlmodel import func, select

    from sumtui.catalog.models import Update

    with site.session() as session:
        return session.exec(select(func.count()).select_from(Update)).one() > 0


def generate_fleet(session: Session, *, count: int, seed: int = 7, now: datetime | None = None,
                   silent_share: float = 0.06, never_share: float = 0.03, evaluate: bool = True) -> int:
    """Add `count` generated clients (sumtui.fleet.demo_fleet), put them in their collections and
    evaluate them; returns how many were added."""
    from sumtui.compliance.reevaluate import reevaluate
    from sumtui.fleet.collections import refresh_membership
    from sumtui.fleet.demo_fleet import generate_clients

    ids = generate_clients(session, count=count, seed=seed, now=now, silent_share=silent_share,
                           never_share=never_share, apply=apply_membership)
    fresh = {i: False for i in ids}
    refresh_membership(session, client_ids=ids, reported_as=fresh, apply=apply_membership)
    if evaluate:
        reevaluate(session, client_ids=ids, previously_reported=fresh)
    return len(ids)

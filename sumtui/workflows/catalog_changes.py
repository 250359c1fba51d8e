"""Catalog changed → derived data → the fleet re-evaluated: one path for the CLI, the console and the server.

A sync or an import stores months (each in its own transaction) and recomputes the derived data
(flags, derived supersedence); every client's states must then be evaluated against what was stored,
or the compliance screens contradict the client details. Any of those steps can be cut short (kill
-9, a crash, a full disk, the operator cancelling), so each is recorded durably (catalog/versions.py,
workflows/freshness.py) and every path finishes what an earlier one left:

- a run (sync or import, even one that fetches nothing) completes derived data left pending;
- `fleet.evaluated` is written only when a whole-fleet evaluation completed; below the catalog's
  stored count, states are older than the catalog ("stale"). The CLI re-evaluates then; the console
  starts a re-evaluation job and says so.

A site whose `fleet.evaluated` was never written (made before this record existed, or by domain calls
that bypass this module, like the demo builder) is taken as current: the first catalog change made
through here writes it, before it stores anything, so from then on nothing goes unnoticed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from sumtui.catalog import settings as update_point
from sumtui.catalog import versions
from sumtui.catalog.ingest import finish_pending
from sumtui.catalog.models import SyncRun
from sumtui.catalog.sync import import_files as _import_files
from sumtui.catalog.sync import sync_catalog
from sumtui.compliance.reevaluate import ReevalResult, reevaluate
from sumtui.deploy.targets import refresh_targets
from sumtui.workflows.freshness import EVALUATED, Freshness, freshness, has_clients
from sumtui.workflows.snapshots import take_snapshots

__all__ = ["EVALUATED", "Freshness", "bring_fleet_up_to_date", "freshness", "import_files", "reevaluate_fleet", "sync"]


def _track(engine: Engine) -> None:
    """Before a catalog change: start keeping the evaluated record if this site has none yet (states are
    as current as anyone can tell now), so a change that is cut short from here on is noticed."""
    with Session(engine) as session:
        if versions.read(session, EVALUATED) is None:
            versions.raise_to(session, EVALUATED, versions.stored(session))
            session.commit()


async def sync(engine: Engine, **options: Any) -> SyncRun:
    """A catalog sync (sumtui.catalog.sync.sync_catalog's options); derived data left pending by an
    earlier run is completed whatever this one fetches. The fleet is evaluated next (`bring_fleet_up_to_date`
    or, in the console, a re-evaluation job)."""
    await asyncio.to_thread(_track, engine)
    return await sync_catalog(engine, **options)


def import_files(engine: Engine, paths: Iterable[Path | str], **options: Any) -> SyncRun:
    """An offline import (sumtui.catalog.sync.import_files' options), like `sync`."""
    _track(engine)
    return _import_files(engine, paths, **options)


def reevaluate_fleet(
    session: Session, *, progress: Callable[[int, int], None] | None = None, commit_batches: bool = True
) -> ReevalResult | None:
    """Every client against the catalog as stored now (derived data completed first if a run left it
    pending), then today's compliance snapshot; None when the site has no clients. Batches are
    committed as they go: a cancelled run (the progress callback raises) leaves the clients done so
    far current, and the fleet still marked stale. The caller commits the end, which records the
    catalog version the fleet now matches."""
    engine = session.get_bind()
    finish_pending(engine, settings=update_point.load(session)[0])
    # The derived count, read before the catalog view: months stored meanwhile keep the fleet stale.
    target = versions.read(session, versions.DERIVED) or 0
    if not has_clients(session):
        versions.raise_to(session, EVALUATED, target)
        return None
    result = reevaluate(session, progress=progress, commit_batches=commit_batches)
    # Deployments follow the new states (an update newly required, one a newer update now covers).
    refresh_targets(session)
    take_snapshots(session)
    versions.raise_to(session, EVALUATED, target)
    return result


def bring_fleet_up_to_date(
    session: Session, *, progress: Callable[[int, int], None] | None = None
) -> ReevalResult | None:
    """Finish what a catalog change left: derived data still pending, then the fleet re-evaluated when its
    states are older than the catalog (after this run, or after one that was killed, failed or cancelled
    before evaluating). None when the states were current or there is no client. The caller commits."""
    fresh = freshness(session)
    if fresh.derived_pending:
        finish_pending(session.get_bind(), settings=update_point.load(session)[0])
    if not fresh.behind:
        return None
    return reevaluate_fleet(session, progress=progress)

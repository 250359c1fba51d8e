"""One path from a document's bytes to the catalog, shared by the online sync and the offline import,
and the derived data recomputed after the months of a run (catalog/versions.py keeps them one unit)."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session

from sumtui.catalog import versions
from sumtui.catalog.cvrf import parse_document
from sumtui.catalog.derived import refresh_derived
from sumtui.catalog.errors import BadDocument
from sumtui.catalog.settings import UpdatePointSettings
from sumtui.catalog.store import StoreResult, store_month
from sumtui.catalog.supersedence import FlagChanges, refresh_flags


class EmptyMonth(BadDocument):
    """A month with no vulnerabilities: storing it would erase nothing, so it is refused and reported."""


def ingest_document(
    engine: Engine,
    data: bytes,
    *,
    name: str,
    source: str,
    settings: UpdatePointSettings,
    content_type: str | None = None,
    upstream_revision: str | None = None,
    max_size: int | None = None,
) -> StoreResult:
    """Parse and store one month in its own transaction: all of it lands, or none of it. The same
    transaction marks derived data as pending, so a process that stops before `finish_catalog_change`
    leaves the next run something to finish, not a catalog that looks done."""
    month = parse_document(data, name=name, content_type=content_type, max_size=max_size)
    if not month.vulnerabilities:
        raise EmptyMonth(f"{name}: month {month.id} has no vulnerabilities; kept what earlier syncs stored")
    with Session(engine) as session:
        result = store_month(session, month, source=source, settings=settings, upstream_revision=upstream_revision)
        versions.bump(session, versions.STORED)
        session.commit()
    return result


def finish_catalog_change(engine: Engine, *, settings: UpdatePointSettings) -> FlagChanges:
    """Superseded/expired flags and the derived supersedence, recomputed in one transaction after the
    months of a run are stored; that transaction also records which stored months it covered."""
    with Session(engine) as session:
        # Read before the catalog: a month another process stores meanwhile stays pending (redone later).
        covered = versions.stored(session)
        changes = refresh_flags(session, settings=settings)
        refresh_derived(session)
        versions.raise_to(session, versions.DERIVED, covered)
        session.commit()
    return changes


def finish_pending(engine: Engine, *, settings: UpdatePointSettings) -> FlagChanges | None:
    """The derived data, when months were stored since it was last computed (by this run, or by one
    that was killed or failed before finishing); None when it is current."""
    with Session(engine) as session:
        pending = versions.derived_pending(session)
    return finish_catalog_change(engine, settings=settings) if pending else None

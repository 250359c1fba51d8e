"""One path from a document's bytes to the catalog, shared by the online sync and the offline import."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session

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
) -> StoreResult:
    """Parse and store one month in its own transaction: all of it lands, or none of it."""
    month = parse_document(data, name=name, content_type=content_type)
    if not month.vulnerabilities:
        raise EmptyMonth(f"{name}: month {month.id} has no vulnerabilities; kept what earlier syncs stored")
    with Session(engine) as session:
        result = store_month(session, month, source=source, settings=settings, upstream_revision=upstream_revision)
        session.commit()
    return result


def finish_catalog_change(engine: Engine, *, settings: UpdatePointSettings) -> FlagChanges:
    """Superseded/expired flags and the derived supersedence, recomputed in one transaction after the
    months of a run are stored."""
    with Session(engine) as session:
        changes = refresh_flags(session, settings=settings)
        refresh_derived(session)
        session.commit()
    return changes

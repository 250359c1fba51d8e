"""Every row of every catalog table, to assert that an operation wrote nothing (or changed nothing)."""

from __future__ import annotations

from sqlalchemy import select

from sumtui.catalog.models import (
    Document,
    Product,
    SupersedenceEdge,
    Update,
    UpdateSource,
    UpdateSupersedes,
    Vulnerability,
)

# The sync run tables are left out: every sync or import records its run, by design.
CATALOG_TABLES = (Document, Product, Vulnerability, Update, UpdateSource, UpdateSupersedes, SupersedenceEdge)


def snapshot(site) -> dict[str, list[tuple]]:
    with site.session() as session:
        out = {}
        for model in CATALOG_TABLES:
            table = model.__table__
            out[table.name] = sorted(tuple(str(v) for v in row) for row in session.execute(select(table)))
        return out

"""Grid sources and small loaders over the site database, called from worker threads.

Each call opens a short-lived session and closes it before returning, so the console never holds a
read transaction open (that would pin SQLite's write-ahead log, DESIGN.md §5).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from rich.text import Text
from sqlalchemy import Engine, select
from sqlmodel import Session

from sumtui.catalog.models import Product
from sumtui.catalog.queries import UpdateFilter, count_updates, page_updates
from sumtui.tui.widgets.grid_source import GridColumn, GridRow

UPDATE_COLUMNS = (
    GridColumn("kb", "KB", 9),
    GridColumn("product", "Product", 15, flex=True),
    GridColumn("subtype", "Type", 15, kind="text"),  # "Servicing Stack Update" may give way; the KB never
    GridColumn("severity", "Severity", 9),
    GridColumn("released", "Released", 10),
    GridColumn("cves", "CVEs", 4, align="right"),
    GridColumn("state", "State", 10),
)


def update_state(superseded: bool, expired: bool) -> str:
    return "expired" if expired else "superseded" if superseded else "active"


@dataclass(frozen=True)
class UpdatesSource:
    """One query over the catalog: a filter and an order. A new search is a new source."""

    engine: Engine
    filter: UpdateFilter
    sort: str = "released"
    descending: bool = True
    # Severity → rich style, from the theme (built on the UI thread, read in workers).
    severity_styles: Mapping[str, str] = field(default_factory=dict)

    def count(self) -> int:
        with Session(self.engine) as session:
            return count_updates(session, filter=self.filter)

    def fetch(self, offset: int, limit: int) -> list[GridRow]:
        with Session(self.engine) as session:
            rows = page_updates(session, filter=self.filter, sort=self.sort, descending=self.descending, offset=offset, limit=limit)
        return [self._row(r) for r in rows]

    def _row(self, r) -> GridRow:
        severity = r.severity or ""
        state = update_state(r.superseded, r.expired)
        return GridRow(
            key=r.id,
            cells=(
                f"KB{r.kb}",
                r.product,
                r.subtype or r.classification,
                # A span, not Text(style=...): the grid renders cells with Text.render, which drops a base style.
                Text.assemble((severity, self.severity_styles.get(severity, ""))),
                r.released.strftime("%Y-%m-%d") if r.released else "",
                str(r.cve_count),
                state,
            ),
            style="dim" if state != "active" else None,
        )


def product_choices(session: Session) -> list[tuple[str, str | None]]:
    """(name, family) of every product seen in a synced product tree, by family then name."""
    P = Product.__table__
    rows = session.execute(select(P.c.name, P.c.family).distinct().order_by(P.c.family, P.c.name))
    return [(name, family) for name, family in rows]

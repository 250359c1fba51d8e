"""Grid sources of the compliance screens: every update's counts in a collection, and the clients in
one state for one update. Called from worker threads; each call opens a short-lived session (no read
transaction is held open between pages, DESIGN.md §5).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session

from sumtui.catalog.queries import UpdateFilter
from sumtui.tui.cells import (
    CellStyles,
    age_text,
    count_text,
    last_report,
    short_product,
)
from sumtui.tui.widgets.grid_source import GridColumn, GridRow

COMPLIANCE_COLUMNS = (
    GridColumn("kb", "KB", 9),
    GridColumn("severity", "Sev", 5),
    GridColumn("product", "Product", 12, flex=True),
    GridColumn("required", "Req.", 7, align="right"),
    GridColumn("installed", "Inst.", 7, align="right"),
    GridColumn("not_required", "Not req", 7, align="right", sortable=False),
    GridColumn("unknown", "Unknown", 7, align="right", sortable=False),
    GridColumn("failed", "Fail.", 6, align="right"),
    GridColumn("pct", "%OK", 5, align="right", sortable=False),
)
COMPLIANCE_SORT_LABELS = {"kb": "KB", "severity": "severity", "product": "product", "required": "required",
                          "installed": "installed", "failed": "failed", "released": "release date"}

UPDATE_CLIENT_COLUMNS = (
    GridColumn("name", "Client", 12, flex=True, sortable=False),
    GridColumn("domain", "Domain", 12, sortable=False, kind="text"),
    GridColumn("os", "OS product", 14, flex=True, sortable=False),
    GridColumn("required", "Req.", 5, align="right", sortable=False),
    GridColumn("last", "Last", 6, align="right", sortable=False),
    GridColumn("source", "From", 5, sortable=False),
)
STATE_LABELS = {1: "Required", 2: "Installed", 3: "Failed"}


@dataclass(frozen=True)
class UpdateRef:
    """A compliance row's key: what the screen shows under the grid and hands to the drill-down."""

    update_id: int
    kb: str
    product: str
    title: str
    severity: str | None
    released: datetime | None
    required: int = 0
    installed: int = 0
    failed: int = 0


@dataclass(frozen=True)
class ComplianceSource:
    """Every update (or those someone needs) with its counts in one collection. One query, one source."""

    engine: Engine
    collection_id: int | None  # None: All Systems (found in the worker, so the first page needs no round trip)
    filter: UpdateFilter
    only_needed: bool = False
    sort: str = "required"
    descending: bool = True
    styles: CellStyles = field(default_factory=CellStyles)
    list_id: int | None = None  # only the updates of this update list: the list's own compliance

    def _update_ids(self):
        if self.list_id is None:
            return None
        from sumtui.deploy.lists import list_members

        return list_members(list_id=self.list_id)

    def _collection(self, session: Session) -> tuple[int | None, int]:
        """(id, members): the size tells how loud a Required count is."""
        from sqlalchemy import select

        from sumtui.fleet.models import Collection

        col = Collection.__table__.c
        where = col.id == self.collection_id if self.collection_id is not None else col.kind == "builtin"
        row = session.execute(select(col.id, col.members).where(where)).first()
        if row is None and self.list_id is not None:
            return 0, 0  # no clients yet: a list still shows its updates, with nothing counted
        return (row.id, row.members) if row else (None, 0)

    def count(self) -> int:
        from sumtui.compliance.queries import count_update_compliance

        with Session(self.engine) as session:
            collection_id, _ = self._collection(session)
            if collection_id is None:
                return 0  # no client has ever reported: no All Systems yet
            return count_update_compliance(session, collection_id=collection_id, filter=self.filter,
                                           only_needed=self.only_needed, update_ids=self._update_ids())

    def fetch(self, offset: int, limit: int) -> list[GridRow]:
        from sumtui.compliance.queries import page_update_compliance

        with Session(self.engine) as session:
            collection_id, members = self._collection(session)
            if collection_id is None:
                return []
            rows = page_update_compliance(
                session, collection_id=collection_id, filter=self.filter, sort=self.sort,
                descending=self.descending, offset=offset, limit=limit, only_needed=self.only_needed,
                update_ids=self._update_ids(),
            )
        return [self._row(r, members) for r in rows]

    def _row(self, r, members: int) -> GridRow:
        s = self.styles
        ref = UpdateRef(r.update_id, r.kb, r.product, r.title, r.severity, r.released, r.required, r.installed, r.failed)
        return GridRow(
            key=ref,
            cells=(
                f"KB{r.kb}", s.severity(r.severity), short_product(r.product), s.required(r.required, members),
                count_text(r.installed), count_text(r.not_required), count_text(r.unknown), s.failed(r.failed),
                s.pct(r.compliant_pct),
            ),
        )


@dataclass(frozen=True)
class UpdateClientsSource:
    """The clients in one state (Required, Installed, Failed) for one update, within a collection."""

    engine: Engine
    update_id: int
    collection_id: int | None
    state: int
    now: datetime
    styles: CellStyles = field(default_factory=CellStyles)

    def count(self) -> int:
        from sumtui.compliance.queries import count_clients_for_update

        with Session(self.engine) as session:
            return count_clients_for_update(session, update_id=self.update_id, collection_id=self.collection_id,
                                            state=self.state)

    def fetch(self, offset: int, limit: int) -> list[GridRow]:
        from sumtui.compliance.models import SCANNED
        from sumtui.compliance.queries import clients_for_update

        with Session(self.engine) as session:
            rows = clients_for_update(session, update_id=self.update_id, collection_id=self.collection_id,
                                      state=self.state, offset=offset, limit=limit)
        return [
            GridRow(key=r.id, cells=(
                r.name, r.domain or "", short_product(r.os_product) or "unmapped",
                self.styles.required(r.required_count, 0, width=5),
                age_text(last_report(r.last_inventory, r.last_scan), self.now),
                "scan" if r.source == SCANNED else "eval",
            ))
            for r in rows
        ]

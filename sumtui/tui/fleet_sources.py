"""Grid sources and loaders of the fleet screens: clients (paged from the database), collections and
maintenance windows (small lists loaded whole). Called from worker threads only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from sumtui.fleet.clients import ClientFilter
from sumtui.tui.cells import (
    CellStyles,
    age_text,
    build_text,
    count_text,
    last_report,
    short_product,
    styled,
)
from sumtui.tui.widgets.grid_source import GridColumn, GridRow

if TYPE_CHECKING:
    from textual.message import Message

    from sumtui.site import Site

CLIENT_COLUMNS = (
    GridColumn("name", "Name", 9, flex=True, kind="id"),  # a machine's name is never cut
    GridColumn("os", "OS product", 12, flex=True),
    GridColumn("eos", "EoS", 3, sortable=False, kind="state"),
    # Sorts worst first: Critical, then failed, then required (the triage order).
    GridColumn("critical", "Req.(C)", 9, align="right", kind="number"),  # 9: room for the sort arrow
    # The worst missing KBs, worst first ("KB5048685 KB5048652 +3"): ids, never cut.
    GridColumn("missing", "Missing", 9, sortable=False, kind="id"),
    GridColumn("last_inventory", "Last", 6, align="right"),
    GridColumn("build", "Build", 15, sortable=False),
    GridColumn("domain", "Domain", 9, flex=True),
    GridColumn("source", "From", 6, sortable=False),
)
CLIENT_SORT_LABELS = {"name": "name", "os": "OS product", "required": "required", "critical": "critical required",
                      "last_inventory": "last inventory", "domain": "domain"}
SOURCE_SHORT = {"agent": "agent", "imported": "import", "generated": "gen."}

COLLECTION_COLUMNS = (
    GridColumn("name", "Collection", 14, flex=True, sortable=False),
    GridColumn("kind", "Kind", 7, sortable=False),
    GridColumn("rule", "Rule", 14, flex=True, sortable=False),
    GridColumn("members", "Members", 8, align="right", sortable=False),
    GridColumn("reported", "Reported", 8, align="right", sortable=False),
    GridColumn("pct", "%OK", 5, align="right", sortable=False),
    GridColumn("windows", "MW", 3, align="right", sortable=False),
)

WINDOW_COLUMNS = (
    GridColumn("name", "Window", 14, flex=True, sortable=False),
    GridColumn("start", "Starts (UTC)", 16, sortable=False),
    GridColumn("duration", "Length", 7, align="right", sortable=False),
    GridColumn("recurrence", "Repeats", 8, sortable=False),
    GridColumn("next", "Next (UTC)", 16, sortable=False),
)


def client_required(required: int, critical: int, reported: bool, styles: CellStyles) -> Text | str:
    """'4 (1)': Required with Critical ones in brackets; '?' while the client is Unknown."""
    if not reported:
        return styled("?", styles.muted)
    if not required:
        return styled("0", styles.muted)
    style = styles.gap_wide if critical else styles.gap
    return styled(f"{count_text(required, 5)} ({count_text(critical, 3)})" if critical else count_text(required, 8), style)


@dataclass(frozen=True)
class ClientsSource:
    """Clients matching a filter, in one order."""

    engine: Engine
    filter: ClientFilter
    sort: str = "name"
    descending: bool = False
    now: datetime | None = None
    styles: CellStyles = field(default_factory=CellStyles)

    def count(self) -> int:
        from sumtui.compliance.missing import count_filtered_clients

        with Session(self.engine) as session:
            return count_filtered_clients(session, filter=self.filter)

    def fetch(self, offset: int, limit: int) -> list[GridRow]:
        from sumtui.compliance.missing import page_filtered_clients, top_missing
        from sumtui.fleet.models import has_known_state

        with Session(self.engine) as session:
            rows = page_filtered_clients(session, filter=self.filter, sort=self.sort, descending=self.descending,
                                         offset=offset, limit=limit)
            missing = top_missing(session, states={r.id: r.states for r in rows if r.required_count})
        s = self.styles
        out = []
        for r in rows:
            reported = has_known_state(last_inventory=r.last_inventory, last_scan=r.last_scan, os_product=r.os_product)
            worst = missing.get(r.id)
            out.append(GridRow(key=r.id, cells=(
                r.name,
                short_product(r.os_product) if r.os_product else styled("unmapped", s.gap),
                styled("EoS", s.gap_wide) if r.out_of_support else "",
                client_required(r.required_count, r.critical_missing, reported, s),
                worst.text() if worst and reported else "",
                age_text(last_report(r.last_inventory, r.last_scan), self.now),
                build_text(r.build, r.ubr),
                r.domain or "",
                SOURCE_SHORT.get(r.source, r.source),
            )))
        return out


@dataclass(frozen=True)
class CollectionRow:
    """One collection as its screen needs it (also what the edit form starts from)."""

    id: int
    name: str
    description: str
    kind: str  # builtin | static | rule
    rule: dict
    rule_text: str
    members: int
    reported: int
    compliant: int
    windows: int

    @property
    def compliant_pct(self) -> float | None:
        return round(100.0 * self.compliant / self.members, 1) if self.members else None


def load_collections(session: Session) -> list[CollectionRow]:
    """Every collection, All Systems first. Reads only (All Systems appears once a client exists)."""
    from sumtui.fleet.collections import rule_of
    from sumtui.fleet.models import Collection, MaintenanceWindow

    W = MaintenanceWindow.__table__
    windows = dict(session.execute(select(W.c.collection_id, func.count()).group_by(W.c.collection_id)).all())
    query = select(Collection).order_by(Collection.kind != "builtin", func.lower(Collection.name))
    out = []
    for c in session.execute(query).scalars():
        rule = rule_of(c)
        text = "every client" if c.kind == "builtin" else "members added by hand" if c.kind == "static" else rule.describe()
        out.append(CollectionRow(c.id, c.name, c.description or "", c.kind, rule.model_dump(exclude_none=True), text,
                                 c.members, c.reported, c.compliant, windows.get(c.id, 0)))
    return out


def post_collection_context(site: Site, post: Callable[[Message], object], *, families: bool = False) -> None:
    """The worker body of the pages that show or pick collections (Clients, Compliance, Collections): read
    the collections and the filter form's choices (the product names, and the product families when
    `families`) in one short session, then post `CatalogChoicesLoaded` and `CollectionsLoaded`, in this
    order, or `WorkFailed` when the read fails."""
    from sumtui.tui.messages import CatalogChoicesLoaded, CollectionsLoaded, WorkFailed
    from sumtui.tui.sources import product_choices

    try:
        with site.session() as session:
            collections = load_collections(session)
            if families:
                from sumtui.catalog.folders import families as read_families

                family_names = read_families(session)
            else:
                family_names = []
            products = sorted({name for name, _ in product_choices(session)})
    except Exception as exc:
        from sumtui.errors import one_line

        post(WorkFailed("reading the collections", one_line(exc)))
        return
    post(CatalogChoicesLoaded(family_names, products))
    post(CollectionsLoaded(collections))


def collection_rows(collections: list[CollectionRow], styles: CellStyles) -> list[GridRow]:
    return [
        GridRow(key=c.id, cells=(
            c.name, c.kind, c.rule_text, count_text(c.members, 8), count_text(c.reported, 8), styles.pct(c.compliant_pct),
            str(c.windows) if c.windows else "",
        ))
        for c in collections
    ]


@dataclass(frozen=True)
class WindowRow:
    id: int
    name: str
    start_at: datetime  # the first start's wall clock (UTC windows: aware UTC)
    duration_minutes: int
    recurrence: str
    next_start: datetime | None  # UTC windows only: a local one opens at a different instant on each client
    utc: bool = True


def load_windows(session: Session, collection_id: int, now: datetime) -> list[WindowRow]:
    from datetime import UTC, timedelta

    from sumtui.deploy.schedule import ScheduleError, occurrences, window_spec
    from sumtui.fleet.collections import windows_of

    out = []
    for w in windows_of(session, collection_id):
        start = w.start.replace(tzinfo=UTC) if w.utc else w.start
        following = None
        if w.utc:
            try:
                spec = window_spec(recurrence=w.recurrence, start=w.start, duration_minutes=w.duration_minutes, utc=True)
                since = max(now, start)  # a window that starts in years opens first then
                following = next((o.start for o in occurrences(spec, UTC, since, since + timedelta(days=400))
                                  if o.start >= now), None)
            except ScheduleError:
                following = None  # a window that cannot be (24 h or more) never opens
        out.append(WindowRow(w.id, w.name, start, w.duration_minutes, w.recurrence, following, w.utc))
    return out


def duration_text(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d}" if hours and rest else f"{hours} h" if hours else f"{rest} min"


def window_rows(windows: list[WindowRow]) -> list[GridRow]:
    when = "%Y-%m-%d %H:%M"
    return [
        GridRow(key=w.id, cells=(
            w.name, w.start_at.strftime(when) + ("" if w.utc else " local"), duration_text(w.duration_minutes), w.recurrence,
            w.next_start.strftime(when) if w.next_start else ("each client's local time" if not w.utc else "—"),
        ))
        for w in windows
    ]


@dataclass(frozen=True)
class ClientDetail:
    """A client's facts as the detail screen shows them (`facts` is `export_client`'s dict)."""

    id: int
    name: str
    facts: dict
    collections: tuple[str, ...]
    critical: int
    important: int
    os_name: str | None
    architecture: str | None


def load_client_detail(session: Session, client_id: int, *, include_not_applicable: bool = False):
    """(detail, states) of one client, or (None, []) when it is gone."""
    from sumtui.compliance.queries import client_states
    from sumtui.fleet.clients import export_client
    from sumtui.fleet.models import Client, Collection, CollectionMember

    client = session.get(Client, client_id)
    if client is None:
        return None, []
    M, COL = CollectionMember.__table__, Collection.__table__
    names = session.execute(
        select(COL.c.name).select_from(M.join(COL, COL.c.id == M.c.collection_id))
        .where(M.c.client_id == client_id).order_by(COL.c.kind != "builtin", COL.c.name)
    ).scalars().all()
    states = client_states(session, client, include_not_applicable=include_not_applicable)
    detail = ClientDetail(client.id, client.name, export_client(client), tuple(names), client.critical_missing,
                          client.important_missing, client.os_name, client.architecture)
    return detail, states

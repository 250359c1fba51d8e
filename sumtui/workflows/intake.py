"""Where new facts enter compliance: an inventory (imported file or agent report), an agent's scan
states, a catalog change. Each updates the client(s), their collections and their states in one
transaction, so a committed report is a current summary."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert
from sqlmodel import Session

from sumtui.compliance.models import FAILED, INSTALLED, REQUIRED, ScanState
from sumtui.compliance.reevaluate import ReevalResult, reevaluate
from sumtui.compliance.view import CatalogView
from sumtui.fleet.clients import InventoryApplied, apply_agent_inventories, apply_inventory
from sumtui.fleet.collections import refresh_membership
from sumtui.fleet.inventory.model import Inventory
from sumtui.fleet.models import Client, has_known_state
from sumtui.timeutil import utcnow

SCAN_STATES = {"required": REQUIRED, "installed": INSTALLED, "failed": FAILED, "not_required": 0}


def ingest_inventory(
    session: Session, inventory: Inventory, *, name: str | None = None, source: str = "imported",
    view: CatalogView | None = None, now: datetime | None = None,
) -> InventoryApplied:
    """Apply one inventory and evaluate that client only (the caller commits)."""
    applied = apply_inventory(session, inventory, name=name, source=source, now=now)
    _follow(session, {applied.client.id: applied.was_reported}, view)
    return applied


def ingest_agent_inventories(
    session: Session, reports: list[tuple[int, Inventory]], *, view: CatalogView | None = None, now: datetime | None = None,
) -> None:
    """Agents' inventories (client id, inventory), a whole batch at once: barely more queries than one
    report (the management point's group commit hands over every report of a transaction)."""
    _follow(session, apply_agent_inventories(session, reports, now=now), view)


def _follow(session: Session, was: dict[int, bool], view: CatalogView | None) -> None:
    """Collections and states of clients whose facts just changed. New memberships count each client
    as it was before; the re-evaluation then moves every collection it is in from "before" to "after"."""
    refresh_membership(session, client_ids=list(was), reported_as=was)
    reevaluate(session, client_ids=list(was), view=view, previously_reported=was)


@dataclass
class ScanReport:
    states: dict[int, int]  # update id → REQUIRED / INSTALLED / FAILED / 0 (not required)
    full: bool = True  # a full scan replaces every earlier reported state; a partial one adds to them


def ingest_scan(
    session: Session, client: Client, report: ScanReport, *, view: CatalogView | None = None, now: datetime | None = None,
) -> None:
    """Store what the client's own scan reported; it wins over evaluation, update by update."""
    now = now or utcnow()
    was_reported = has_known_state(last_inventory=client.last_inventory, last_scan=client.last_scan, os_product=client.os_product)
    table = ScanState.__table__
    if report.full:
        session.execute(delete(table).where(table.c.client_id == client.id))
    elif report.states:
        session.execute(delete(table).where(table.c.client_id == client.id, table.c.update_id.in_(list(report.states))))
    if report.states:
        session.execute(
            insert(table),
            [dict(client_id=client.id, update_id=uid, state=state, reported_at=now) for uid, state in report.states.items()],
        )
    client.last_scan = now
    client.last_report = now
    session.add(client)
    session.flush()
    reevaluate(session, client_ids=[client.id], view=view, previously_reported={client.id: was_reported})


def after_catalog_change(
    session: Session, *, progress: Callable[[int, int], None] | None = None, commit_batches: bool = True
) -> ReevalResult:
    """Fleet-wide re-evaluation after a sync or import changed the catalog, then today's snapshot."""
    from sumtui.compliance.queries import take_snapshot

    result = reevaluate(session, progress=progress, commit_batches=commit_batches)
    take_snapshot(session)
    return result

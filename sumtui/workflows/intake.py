"""Where new facts about clients enter: an inventory (imported file or agent report) or an agent's scan
states. Each updates the client(s) (fleet), their collections (membership hook), their compliance
states and the status of the deployments that target them, in one transaction, so a committed report
is a current summary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, insert
from sqlmodel import Session

from sumtui.compliance.models import FAILED, INSTALLED, REQUIRED, ScanState
from sumtui.compliance.reevaluate import reevaluate
from sumtui.compliance.view import CatalogView
from sumtui.deploy.targets import refresh_targets
from sumtui.fleet.clients import (
    InventoryApplied,
    apply_agent_inventories,
    apply_inventory,
)
from sumtui.fleet.collections import refresh_membership
from sumtui.fleet.inventory.model import Inventory
from sumtui.fleet.models import Client, has_known_state
from sumtui.site import Site
from sumtui.timeutil import utcnow
from sumtui.workflows.membership import apply_membership

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
    refresh_membership(session, client_ids=list(was), reported_as=was, apply=apply_membership)
    reevaluate(session, client_ids=list(was), view=view, previously_reported=was)
    refresh_targets(session, client_ids=list(was))


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
    refresh_targets(session, client_ids=[client.id])


# Folder arguments take the files inventories come as (systeminfo /fo list or csv, wmic qfe, Get-HotFix, agent JSON).
INVENTORY_SUFFIXES = (".txt", ".csv", ".json", ".log")


@dataclass(frozen=True)
class InventoryResult:
    """What importing one inventory file came to (the CLI prints it as a row, the console as a grid line)."""

    file: str
    ok: bool
    client: str = ""
    format: str = ""
    product: str = ""  # the OS product it maps to, "" when unmapped
    kbs: int = 0
    kbs_added: int = 0
    required: int = 0
    created: bool = False
    warnings: str = ""
    error: str = ""


def import_inventory_file(site: Site, path: Path, *, view: CatalogView | None = None, name: str | None = None) -> InventoryResult:
    """The Inventory Tool side track, one file: parse it, store what it says about its client and evaluate
    that client, in its own transaction, so a bad file (or a full disk) stores nothing and never costs the
    good ones. `name` is the machine the file describes when it does not say, or overrides what it says
    (a wmic qfe list for a machine imported from its systeminfo)."""
    from sqlalchemy.exc import SQLAlchemyError

    from sumtui.errors import one_line
    from sumtui.fleet.inventory import InventoryError, parse_inventory

    try:
        data = path.read_bytes()
    except OSError as exc:
        return InventoryResult(str(path), False, error=f"{path}: cannot read ({exc.strerror or exc})")
    try:
        inventory = parse_inventory(data, name=str(path), host=name)
    except InventoryError as exc:
        return InventoryResult(str(path), False, error=str(exc))
    with site.session() as session:
        try:
            applied = ingest_inventory(session, inventory, name=name, view=view)
            session.commit()
        except ValueError as exc:  # e.g. an inventory that names no machine
            session.rollback()
            return InventoryResult(str(path), False, error=f"{path}: {exc}")
        except SQLAlchemyError as exc:
            # A full disk or a read-only database: this file's transaction rolled back whole.
            session.rollback()
            return InventoryResult(str(path), False, error=f"{path}: not stored: {one_line(exc)}")
        client = applied.client
        session.refresh(client)  # the summary counts were written with SQL, not through this object
        notes = list(inventory.warnings)
        if client.out_of_support:
            notes.append(f"out of support since {client.end_of_support}")
        if client.os_product is None:
            notes.append(f"OS {client.os_name or 'not reported'} maps to no catalog product: Unknown")
        return InventoryResult(
            str(path), True, client=client.name, format=inventory.source_format, product=client.os_product or "",
            kbs=len((client.installed_kbs or "").split()), kbs_added=applied.kbs_added, required=client.required_count,
            created=applied.created, warnings="; ".join(notes),
        )

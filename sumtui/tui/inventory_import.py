"""Importing inventory files from the console (the Inventory Tool side track): one file at a time,
parsed, applied and evaluated, one commit per file, so a bad file stores nothing and never costs the
good ones. Runs in a worker thread; the dialog shows each `InventoryResult` as it comes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sumtui.compliance.view import CatalogView

# Folder arguments take the files inventories come as (systeminfo /fo list or csv, wmic qfe, Get-HotFix, agent JSON).
INVENTORY_SUFFIXES = (".txt", ".csv", ".json", ".log")


@dataclass(frozen=True)
class InventoryResult:
    file: str
    ok: bool
    client: str = ""
    format: str = ""
    product: str = ""  # the OS product it maps to, "" when unmapped
    kbs: int = 0
    required: int = 0
    created: bool = False
    warnings: str = ""
    error: str = ""


def import_inventory_file(site, path: Path, *, view: CatalogView | None = None, name: str | None = None) -> InventoryResult:
    """Parse one file and store what it says about its client (its own transaction). `name` overrides
    the machine named in the file (a wmic qfe list for a machine imported from its systeminfo)."""
    from sumtui.compliance.intake import ingest_inventory
    from sumtui.fleet.inventory import InventoryError, parse_inventory

    try:
        data = path.read_bytes()
    except OSError as exc:
        return InventoryResult(str(path), False, error=f"{path}: cannot read ({exc.strerror or exc})")
    try:
        inventory = parse_inventory(data, name=str(path))
    except InventoryError as exc:
        return InventoryResult(str(path), False, error=str(exc))
    with site.session() as session:
        try:
            applied = ingest_inventory(session, inventory, name=name, view=view)
            session.commit()
        except ValueError as exc:  # e.g. an inventory that names no machine
            session.rollback()
            return InventoryResult(str(path), False, error=f"{path}: {exc}")
        client = applied.client
        session.refresh(client)  # the summary counts were written with SQL, not through this object
        notes = list(inventory.warnings)
        if client.out_of_support:
            notes.append(f"out of support since {client.end_of_support}")
        if client.os_product is None:
            notes.append(f"OS {client.os_name or 'not reported'} maps to no catalog product: Unknown")
        return InventoryResult(
            str(path), True, client=client.name, format=inventory.source_format, product=client.os_product or "",
            kbs=len((client.installed_kbs or "").split()), required=client.required_count, created=applied.created,
            warnings="; ".join(notes),
        )

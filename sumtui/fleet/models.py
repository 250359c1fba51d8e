"""Fleet tables: clients (managed machines), registrations held for the operator, collections, their
members and maintenance windows.

A maintenance window is stored in the form the scheduling rules read (sumtui.deploy.schedule
WindowSpec): a recurrence, the first occurrence's wall-clock start (naive: in each client's own time
zone, or in UTC when `utc`), and a duration under 24 hours.

A client row also carries its compliance summary (counts kept current by the compliance package)
and a compact copy of its per-update states, so per-client screens never scan the state table.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, DateTime, Index, Text
from sqlmodel import Field, SQLModel


class ClientBase(SQLModel):
    name: str = Field(max_length=255)
    domain: str | None = Field(default=None, max_length=255)
    os_name: str | None = Field(default=None, max_length=255)
    build: str | None = Field(default=None, max_length=32)  # "10.0.17763"
    ubr: int | None = None  # build revision: 10.0.17763.<ubr>
    architecture: str | None = Field(default=None, max_length=16)
    is_server: bool | None = None
    edition: str | None = Field(default=None, max_length=64)
    os_product: str | None = Field(default=None, max_length=300, index=True)  # catalog product name; None = unmapped
    source: str = Field(default="imported", max_length=16)  # agent | imported
    agent_version: str | None = Field(default=None, max_length=32)


class Client(ClientBase, table=True):
    __tablename__ = "client"
    # Home's "least compliant clients" reads the top of this index instead of sorting the fleet. The id
    # (the order's last tie-break) and the role columns make it cover the triage view's filter: its
    # counts and deep pages are read from the index alone, not from the wide client rows.
    __table_args__ = (Index("ix_client_triage", "critical_missing", "failed_count", "required_count", "id",
                            "is_server", "os_product"),)

    id: int | None = Field(default=None, primary_key=True)
    name_key: str = Field(max_length=255, unique=True)  # upper-cased name: clients are matched case-insensitively
    installed_kbs: str = Field(default="", sa_column=Column(Text, nullable=False))  # "2894852 2919355 ..."
    reported_products: str = Field(default="[]", sa_column=Column(Text, nullable=False))  # JSON list from the agent
    tags: str = Field(default="[]", sa_column=Column(Text, nullable=False))  # JSON list
    created_at: datetime
    last_inventory: datetime | None = None
    # Set when the last inventory was visibly cut short (e.g. a systeminfo listing fewer hotfixes than
    # it announces): missing KBs may be installed, and screens say so.
    inventory_note: str | None = Field(default=None, max_length=500)
    last_scan: datetime | None = None
    last_report: datetime | None = Field(default=None, index=True)  # the later of the two: "silent for N days"
    last_contact: datetime | None = None
    last_policy_at: datetime | None = None  # the client's last policy poll ("has not polled policy since ...")
    # The client's own time zone, as its inventory reports it: an IANA name ("Europe/Berlin") when
    # known, else a fixed offset ("UTC+01:00"); None when never reported. Windows and "client local
    # time" deployments are evaluated in it.
    time_zone: str | None = Field(default=None, max_length=64)
    out_of_support: bool = False
    end_of_support: date | None = None
    # Agent identity and report ordering.
    token_hash: str | None = Field(default=None, max_length=128)
    # Set when the operator reset the client's registration: the next registration of this name is
    # accepted directly (any other registration of a known name waits for approval).
    registration_reset_at: datetime | None = None
    report_serial: int = 0
    needs_full_resend: bool = False
    # Compliance summary, maintained by sumtui.compliance (never recomputed by screens).
    evaluated_at: datetime | None = None
    required_count: int = Field(default=0, index=True)
    installed_count: int = 0
    failed_count: int = 0
    critical_missing: int = 0
    important_missing: int = 0
    states: str = Field(default="", sa_column=Column(Text, nullable=False))  # "update_id:state ..." (sparse)


class PendingRegistration(SQLModel, table=True):
    """A registration of a name the site already knows, held for the operator (one per name).

    The agent proves it is the one that asked by presenting its request secret again (stored hashed);
    the facts it sent (its inventory, its address) are what the operator compares with the client's."""

    __tablename__ = "pending_registration"
    # Ids are never reused (a decision names the row the operator saw; a replaced row must not match).
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=255)
    name_key: str = Field(max_length=255, unique=True)
    state: str = Field(default="pending", max_length=16)  # pending | approved | rejected
    secret_hash: str = Field(max_length=128)
    agent_version: str | None = Field(default=None, max_length=32)
    address: str | None = Field(default=None, max_length=64)  # the source address of the request
    inventory: str | None = Field(default=None, sa_column=Column(Text, nullable=True))  # the agent's document (JSON)
    requested_at: datetime
    last_attempt_at: datetime
    attempts: int = 1
    decided_at: datetime | None = None


class CollectionBase(SQLModel):
    name: str = Field(max_length=200, unique=True)
    description: str | None = Field(default=None, max_length=500)
    kind: str = Field(default="static", max_length=16)  # builtin | static | rule
    # Membership rule (kind == "rule"), JSON: {"os_product": ..., "name_pattern": ..., "domain": ..., "tag": ...}
    rule: str = Field(default="{}", sa_column=Column(Text, nullable=False))


class Collection(CollectionBase, table=True):
    __tablename__ = "collection"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime
    # Counts kept current by sumtui.compliance: members, members that reported, compliant members.
    members: int = 0
    reported: int = 0
    compliant: int = 0


class CollectionCreate(CollectionBase):
    pass


class CollectionMember(SQLModel, table=True):
    __tablename__ = "collection_member"

    collection_id: int = Field(foreign_key="collection.id", primary_key=True)
    client_id: int = Field(foreign_key="client.id", primary_key=True, index=True)


class MaintenanceWindowBase(SQLModel):
    name: str = Field(max_length=200)
    recurrence: str = Field(default="weekly", max_length=16)  # once | daily | weekly | monthly
    # The first occurrence's wall-clock start, naive: weekly windows repeat on its weekday, monthly
    # ones on its day of the month.
    start: datetime = Field(sa_column=Column(DateTime(timezone=False), nullable=False))
    duration_minutes: int  # under 24 h (validated by fleet.collections)
    utc: bool = False  # False: each client's own local time
    enabled: bool = True


class MaintenanceWindow(MaintenanceWindowBase, table=True):
    __tablename__ = "maintenance_window"

    id: int | None = Field(default=None, primary_key=True)
    collection_id: int = Field(foreign_key="collection.id", index=True)


class MaintenanceWindowCreate(MaintenanceWindowBase):
    pass


def has_known_state(*, last_inventory, last_scan, os_product) -> bool:
    """Whether a client's compliance is known: its own scan reported, or an inventory of an OS the
    catalog knows. A client never heard from, or whose OS maps to no product, is Unknown — never compliant."""
    return last_scan is not None or (last_inventory is not None and os_product is not None)


def known_state_sql():
    """The same test as a SQL expression over the client table."""
    c = Client.__table__.c
    return c.last_scan.is_not(None) | (c.last_inventory.is_not(None) & c.os_product.is_not(None))

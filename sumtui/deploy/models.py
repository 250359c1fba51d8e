"""Deployment package tables: packages, the updates and files they hold, and the content store's index.

A package (SCCM: name up to 50 characters, description up to 127) holds updates, each (KB, product)
with its download state, and the files each needs. Files are kept in the content store once per
SHA-1 (`content_file`); a package file row says what the package expects (name, hashes, size, where
from) and where that file stands for it: downloaded (stored and verified), missing, or quarantined.

Update lists (named static sets of catalog updates) and deployment templates (reusable deployment
settings) are kept here too, under the same SCCM name and description limits.

Deployments (updates to a collection on a schedule) follow, with their status: one row per
(deployment, client, update) that is targeted and not "not required", its state as the agent last
reported it (or as compliance says before it reports), the counts per state kept current in the same
transaction, every state message received kept as history, and the updates flagged for NAP evaluation.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    SmallInteger,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

NAME_MAX = 50
DESCRIPTION_MAX = 127
# Names of packages, lists and templates are unique ignoring case and width (`name_key`: NFKC,
# case-folded), like SCCM's console; the key is longer than the name because case folding can
# lengthen it ("ß" → "ss").
NAME_KEY_MAX = 200

# Package file states (the CLI contract's names).
DOWNLOADED, MISSING, QUARANTINED = "downloaded", "missing", "quarantined"
FILE_STATES = (DOWNLOADED, MISSING, QUARANTINED)
# Package update states.
PENDING, COMPLETE, INCOMPLETE, FAILED = "pending", "downloaded", "incomplete", "failed"
UPDATE_STATES = (PENDING, COMPLETE, INCOMPLETE, FAILED)
# Content store states.
STORED, STORE_QUARANTINED, STORE_MISSING = "stored", "quarantined", "missing"


class PackageBase(SQLModel):
    name: str = Field(max_length=NAME_MAX, unique=True)
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX)


class Package(PackageBase, table=True):
    __tablename__ = "deployment_package"

    id: int | None = Field(default=None, primary_key=True)
    name_key: str = Field(max_length=NAME_KEY_MAX, unique=True)  # sumtui.deploy.naming.name_key(name)
    created_at: datetime
    updated_at: datetime | None = None


class PackageCreate(PackageBase):
    pass


class PackageUpdate(SQLModel, table=True):
    """An update (KB, product) in a package, with its download state and why."""

    __tablename__ = "package_update"
    __table_args__ = (UniqueConstraint("package_id", "kb", "product_id", name="uq_package_update"),)

    id: int | None = Field(default=None, primary_key=True)
    package_id: int = Field(foreign_key="deployment_package.id", index=True)
    kb: str = Field(max_length=16, index=True)
    product_id: str = Field(default="", max_length=64)  # "" when the KB was taken without a product
    product: str | None = Field(default=None, max_length=300)
    source: str = Field(default="catalog", max_length=16)  # catalog | manifest | folder
    state: str = Field(default=PENDING, max_length=16)
    reason: str | None = Field(default=None, sa_column=Column(Text))
    updated_at: datetime


class PackageFile(SQLModel, table=True):
    """A file one package update needs: what it must hash to, where it comes from, where it stands."""

    __tablename__ = "package_file"
    __table_args__ = (UniqueConstraint("package_update_id", "sha1", name="uq_package_file"),)

    id: int | None = Field(default=None, primary_key=True)
    package_id: int = Field(foreign_key="deployment_package.id", index=True)
    package_update_id: int = Field(foreign_key="package_update.id", index=True)
    kb: str = Field(max_length=16)
    file_name: str = Field(max_length=255)
    sha1: str = Field(max_length=40, index=True)
    sha256: str | None = Field(default=None, max_length=64)  # expected when the source gave one
    # Bytes: 64-bit, since feature updates exceed the 2 GiB a 32-bit integer holds on PostgreSQL.
    size: int | None = Field(default=None, sa_column=Column(BigInteger))  # expected when given, else as stored
    url: str | None = Field(default=None, max_length=2000)
    origin: str = Field(default="catalog", max_length=16)  # catalog | operator (manifest URL) | folder
    catalog_update_id: str | None = Field(default=None, max_length=36)  # the Update Catalog's update id
    languages: str = Field(default="", max_length=500)
    state: str = Field(default=MISSING, max_length=16)
    reason: str | None = Field(default=None, sa_column=Column(Text))
    updated_at: datetime


class ContentFile(SQLModel, table=True):
    """One file of the content store, by SHA-1: its SHA-256 and size as stored, and when it was last verified."""

    __tablename__ = "content_file"

    sha1: str = Field(primary_key=True, max_length=40)
    sha256: str | None = Field(default=None, max_length=64)
    size: int | None = Field(default=None, sa_column=Column(BigInteger))
    state: str = Field(default=STORED, max_length=16)  # stored | quarantined | missing
    reason: str | None = Field(default=None, sa_column=Column(Text))
    stored_at: datetime | None = None
    verified_at: datetime | None = None


# --- Update lists and deployment templates -------------------------------------------------------


class UpdateList(SQLModel, table=True):
    """A named static set of updates (SCCM: update list), with its own compliance."""

    __tablename__ = "update_list"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=NAME_MAX)
    name_key: str = Field(max_length=NAME_KEY_MAX, unique=True)
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX)
    created_at: datetime
    updated_at: datetime | None = None


class UpdateListItem(SQLModel, table=True):
    """An update (one KB for one product: a catalog update row) in a list. Catalog rows are never
    deleted, so the reference stays good; compliance per list joins the summaries on it."""

    __tablename__ = "update_list_item"

    list_id: int = Field(foreign_key="update_list.id", primary_key=True)
    update_id: int = Field(foreign_key="catalog_update.id", primary_key=True, index=True)
    added_at: datetime


class DeploymentTemplate(SQLModel, table=True):
    """Reusable deployment settings (SCCM: deployment template). `settings` is the JSON of
    `sumtui.deploy.templates.TemplateSettings` without the collection, which is a reference here so a
    renamed collection stays the template's; a deleted one leaves the template without a collection."""

    __tablename__ = "deployment_template"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=NAME_MAX)
    name_key: str = Field(max_length=NAME_KEY_MAX, unique=True)
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX)
    collection_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("collection.id", ondelete="SET NULL"), nullable=True, index=True),
    )
    settings: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    created_at: datetime
    updated_at: datetime | None = None


# --- Deployments --------------------------------------------------------------------------------


class Deployment(SQLModel, table=True):
    """Updates deployed to a collection (SCCM: a deployment). `available` and `deadline` are wall-clock
    times, naive: each client's own local time when `local_time`, else UTC. No available time means as
    soon as possible; a deadline makes the deployment mandatory. `settings` is the JSON of the
    template settings it was made with (`deploy.templates.TemplateSettings` without the collection)."""

    __tablename__ = "deployment"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=NAME_MAX)
    name_key: str = Field(max_length=NAME_KEY_MAX, unique=True)
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX)
    collection_id: int = Field(foreign_key="collection.id", index=True)
    list_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("update_list.id", ondelete="SET NULL"), nullable=True))
    template_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("deployment_template.id", ondelete="SET NULL"), nullable=True))
    package_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("deployment_package.id", ondelete="SET NULL"), nullable=True))
    available: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=False), nullable=True))
    deadline: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=False), nullable=True))
    local_time: bool = False
    settings: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    nap: bool = False
    update_count: int = 0  # rows of deployment_update: with the collection's members, the "not required" count
    enabled: bool = True
    created_at: datetime
    updated_at: datetime | None = None


class DeploymentUpdate(SQLModel, table=True):
    """An update (one KB for one product) a deployment installs, with the scheduling facts the agent needs."""

    __tablename__ = "deployment_update"

    deployment_id: int = Field(sa_column=Column(Integer, ForeignKey("deployment.id", ondelete="CASCADE"), primary_key=True))
    update_id: int = Field(foreign_key="catalog_update.id", primary_key=True, index=True)
    kb: str = Field(max_length=16)
    max_run_minutes: int = 20
    restart: bool = True


class DeploymentState(SQLModel, table=True):
    """Where one (deployment, client, update) stands: a state code of sumtui.deploy.status, set by the
    agent's state messages (source 1) or, before the agent reports, by compliance (source 0). A pair
    without a row is "not required". No foreign keys: this is the hot table of state messages."""

    __tablename__ = "deployment_state"

    deployment_id: int = Field(primary_key=True)
    client_id: int = Field(primary_key=True, index=True)
    update_id: int = Field(primary_key=True)
    state: int = Field(sa_type=SmallInteger)
    source: int = Field(default=0, sa_type=SmallInteger)
    code: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))  # installer code, unsigned
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    simulated: bool = False
    agent_at: datetime | None = None  # the agent's clock: orders its messages
    at: datetime  # the management point's clock: when the state was set


class DeploymentCount(SQLModel, table=True):
    """How many rows of `deployment_state` a deployment has in each state (kept current with them)."""

    __tablename__ = "deployment_count"

    deployment_id: int = Field(primary_key=True)
    state: int = Field(primary_key=True, sa_type=SmallInteger)
    count: int = 0


class DeploymentEvent(SQLModel, table=True):
    """Every state message received, as sent (history: nothing an agent reports is lost, including the
    ones that changed nothing: `note` says why, e.g. a deployment not assigned to the client)."""

    __tablename__ = "deployment_event"

    id: int | None = Field(default=None, primary_key=True)
    deployment_id: int = Field(index=True)
    client_id: int = Field(index=True)
    kb: str = Field(max_length=16)
    state: str = Field(max_length=20)
    code: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    simulated: bool = False
    agent_at: datetime | None = None
    received_at: datetime
    serial: int = 0
    note: str | None = Field(default=None, max_length=300)


class NapFlag(SQLModel, table=True):
    """An update flagged for NAP evaluation: from `effective` on, a client that needs it is unhealthy."""

    __tablename__ = "nap_flag"

    update_id: int = Field(foreign_key="catalog_update.id", primary_key=True)
    effective: datetime
    source: str = Field(default="", max_length=120)  # what flagged it: a deployment, a list, the operator
    flagged_at: datetime


class ListComplianceSnapshot(SQLModel, table=True):
    """One row per day and update list: the list's compliance in All Systems, for its trend plot
    (`sumtui.deploy.list_trend`). Deleting the list deletes its rows (the key cascades)."""

    __tablename__ = "list_compliance_snapshot"

    # List first: a list's trend (its last days) and its deletion read one range of the key.
    list_id: int = Field(sa_column=Column(Integer, ForeignKey("update_list.id", ondelete="CASCADE"), primary_key=True))
    day: date = Field(primary_key=True)
    members: int = 0  # clients in All Systems
    reported: int = 0  # of them, clients whose state is known
    compliant: int = 0  # reported clients with every update of the list installed or not required
    required: int = 0  # clients with at least one update of the list required

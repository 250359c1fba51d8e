"""Catalog tables: products, monthly documents, vulnerabilities, updates and sync runs.

An update is one (KB, product) pair (DESIGN.md §2). Its facts arrive per CVE and per month as
`UpdateSource` rows; the `Update` row holds the merged view (union of CVEs, highest severity, ...)
that screens and queries read, recomputed whenever a month touching it is stored.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from sumtui.catalog.parsed import SEVERITY_RANK  # noqa: F401 - re-exported for the store and queries

SEVERITIES = ("Critical", "Important", "Moderate", "Low")

# The WSUS classification list: MSRC content is all "Security Updates", other sources fit the rest.
CLASSIFICATIONS = (
    "Critical Updates",
    "Security Updates",
    "Definition Updates",
    "Update Rollups",
    "Service Packs",
    "Feature Packs",
    "Tools",
    "Drivers",
    "Updates",
)
MSRC_CLASSIFICATION = "Security Updates"


class Product(SQLModel, table=True):
    __tablename__ = "product"

    id: str = Field(primary_key=True, max_length=64)  # MSRC ProductID, e.g. "11571" or "10724-11569"
    name: str = Field(index=True, max_length=300)
    family: str | None = Field(default=None, max_length=200)  # ProductTree Branch, e.g. "Windows"
    first_month: str | None = Field(default=None, max_length=32)
    last_month: str | None = Field(default=None, max_length=32)


class Document(SQLModel, table=True):
    """One monthly CVRF document as last stored."""

    __tablename__ = "cvrf_document"

    id: str = Field(primary_key=True, max_length=32)  # "2020-Dec"
    alias: str | None = Field(default=None, max_length=64)
    title: str | None = Field(default=None, max_length=300)
    month: date | None = None  # first day of the month the document covers
    initial_release: datetime | None = None
    current_release: datetime | None = None  # the document's own CurrentReleaseDate
    # What the upstream index said when we fetched it: a sync refetches only when this changes.
    upstream_revision: str | None = Field(default=None, max_length=64)
    selection: str | None = Field(default=None, max_length=64)  # products/classifications it was stored under
    source: str | None = Field(default=None, max_length=1000)
    fetched_at: datetime | None = None
    vulnerabilities: int = 0
    updates: int = 0


class Vulnerability(SQLModel, table=True):
    """A CVE, with the advisories (vendor fixes without a KB) that are not deployable updates."""

    __tablename__ = "vulnerability"

    cve: str = Field(primary_key=True, max_length=64)
    title: str | None = Field(default=None, sa_column=Column(Text))
    document: str | None = Field(default=None, max_length=32, index=True)
    advisories: str = Field(default="[]", sa_column=Column(Text, nullable=False))  # JSON list


class UpdateBase(SQLModel):
    kb: str = Field(max_length=16, index=True)
    product_id: str = Field(foreign_key="product.id", max_length=64, index=True)
    product: str = Field(max_length=300)
    title: str = Field(max_length=500)
    classification: str = Field(default=MSRC_CLASSIFICATION, max_length=64)
    subtype: str | None = Field(default=None, max_length=64)
    severity: str | None = Field(default=None, max_length=16)
    severity_rank: int = Field(default=0, index=True)
    impact: str | None = Field(default=None, max_length=64)
    released: datetime | None = Field(default=None, index=True)
    revised: datetime | None = None
    document: str | None = Field(default=None, max_length=32)  # release month: the document naming it for most CVEs
    restart: str | None = Field(default=None, max_length=32)
    url: str | None = Field(default=None, max_length=1000)
    fixed_build: str | None = Field(default=None, max_length=64)
    cve_count: int = 0
    superseded: bool = Field(default=False, index=True)
    expired: bool = Field(default=False, index=True)
    # Derived at sync time for compliance (DESIGN.md §2 rules 2 and 4): cumulative, ssu, security_only,
    # ie_cumulative, hotpatch, dynamic, wrong_build (an OS cumulative row whose FixedBuild is of
    # another Windows release: a catalog error) or other; and the KB's release month.
    role: str = Field(default="other", max_length=16)
    kb_month: date | None = None


class Update(UpdateBase, table=True):
    __tablename__ = "catalog_update"
    __table_args__ = (UniqueConstraint("kb", "product_id", name="uq_update_kb_product"),)

    id: int | None = Field(default=None, primary_key=True)
    # Lower-cased KB, title, product and CVEs: the text that search-as-you-type matches.
    search: str = Field(default="", sa_column=Column(Text, nullable=False))
    # Hash of the merged facts, to tell a revised update from an unchanged one.
    digest: str = Field(default="", max_length=64)


class UpdateSource(SQLModel, table=True):
    """What one month's document says about one update for one CVE."""

    __tablename__ = "update_source"
    __table_args__ = (
        UniqueConstraint("update_id", "document", "cve", name="uq_source_update_doc_cve"),
        Index("ix_update_source_document", "document"),
    )

    id: int | None = Field(default=None, primary_key=True)
    update_id: int = Field(foreign_key="catalog_update.id", index=True)
    document: str = Field(max_length=32)
    cve: str = Field(max_length=64, index=True)
    severity: str | None = Field(default=None, max_length=16)
    impact: str | None = Field(default=None, max_length=64)
    subtype: str | None = Field(default=None, max_length=64)
    restart: str | None = Field(default=None, max_length=32)
    url: str | None = Field(default=None, max_length=1000)
    fixed_build: str | None = Field(default=None, max_length=64)
    supersedes: str = Field(default="", max_length=500)  # KB numbers, comma-separated
    # The CVE entry's latest RevisionHistory date as this document gave it: dates the KBs that
    # ADV990001, an advisory edited in place for years, names (DESIGN.md §2 rule 2).
    cve_revised: datetime | None = None


class UpdateSupersedes(SQLModel, table=True):
    """Update `update_id` lists KB `kb` in its Supercedence (merged over all its sources)."""

    __tablename__ = "update_supersedes"

    update_id: int = Field(foreign_key="catalog_update.id", primary_key=True)
    kb: str = Field(primary_key=True, max_length=16, index=True)


class SupersedenceEdge(SQLModel, table=True):
    """KB `newer_kb` supersedes KB `older_kb`: from MSRC's Supercedence or derived at sync time
    (monthly cumulative families, FixedBuild revisions of one OS build, servicing stack family, coverage
    of Security Only / IE / hotpatch)."""

    __tablename__ = "supersedence_edge"

    newer_kb: str = Field(primary_key=True, max_length=16)
    older_kb: str = Field(primary_key=True, max_length=16, index=True)
    kind: str = Field(max_length=16)  # msrc | cumulative | revision | ssu | covered
    product_id: str | None = Field(default=None, max_length=64)  # the product the edge was derived for


class SyncRun(SQLModel, table=True):
    __tablename__ = "sync_run"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(default="sync", max_length=16)  # sync | import
    source: str = Field(max_length=1000)
    started_at: datetime
    ended_at: datetime | None = None
    status: str = Field(default="running", max_length=16)  # running | ok | partial | failed | cancelled
    months_fetched: int = 0
    months_unchanged: int = 0
    months_failed: int = 0
    updates_new: int = 0
    updates_revised: int = 0
    updates_superseded: int = 0
    updates_expired: int = 0
    message: str | None = Field(default=None, sa_column=Column(Text))


class SyncError(SQLModel, table=True):
    __tablename__ = "sync_error"

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="sync_run.id", index=True)
    month: str | None = Field(default=None, max_length=1000)  # month ID or file name
    reason: str = Field(sa_column=Column(Text, nullable=False))
    at: datetime


class SearchFolderBase(SQLModel):
    name: str = Field(max_length=200, unique=True)
    criteria: str = Field(default="{}", sa_column=Column(Text, nullable=False))  # JSON of UpdateFilter


class SearchFolder(SearchFolderBase, table=True):
    """A saved search the operator named, shown beside the built-in folders of the updates screen."""

    __tablename__ = "search_folder"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime


class SearchFolderCreate(SearchFolderBase):
    pass

"""Deployment package tables: packages, the updates and files they hold, and the content store's index.

A package (SCCM: name up to 50 characters, description up to 127) holds updates, each (KB, product)
with its download state, and the files each needs. Files are kept in the content store once per
SHA-1 (`content_file`); a package file row says what the package expects (name, hashes, size, where
from) and where that file stands for it: downloaded (stored and verified), missing, or quarantined.

Update lists (named static sets of catalog updates) and deployment templates (reusable deployment
settings) are kept here too, under the same SCCM name and description limits.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Integer, Text, UniqueConstraint
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

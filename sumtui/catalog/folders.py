"""Search folders of the updates screen: built-in ones (SCCM's usual set) and the operator's saved searches.

A folder is a named `UpdateFilter`. Built-in folders include one per product family present in the
catalog; saved folders live in the `search_folder` table.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from sumtui.catalog.models import Product, SearchFolder, SearchFolderCreate, Update
from sumtui.catalog.queries import UpdateFilter
from sumtui.timeutil import utcnow

MAX_NAME = 200


class FolderError(ValueError):
    """A folder cannot be saved or deleted (empty or duplicate name, unknown folder)."""


@dataclass(frozen=True)
class Folder:
    key: str  # stable across reloads: "builtin:critical", "family:Windows", "saved:12"
    name: str
    filter: UpdateFilter
    builtin: bool
    folder_id: int | None = None  # the search_folder row of a saved folder


# MSRC titles carry the subtype ("Security Only for …", "Monthly Rollup for …"), and UpdateFilter
# has no subtype field, so those two folders match on the title words.
_BUILTIN: tuple[tuple[str, str, UpdateFilter], ...] = (
    ("all", "All updates", UpdateFilter()),
    ("last30", "Released in the last 30 days", UpdateFilter(released_within_days=30)),
    ("last90", "Released in the last 90 days", UpdateFilter(released_within_days=90)),
    ("critical", "Critical", UpdateFilter(severity="Critical")),
    ("important", "Important", UpdateFilter(severity="Important")),
    ("superseded", "Superseded", UpdateFilter(superseded=True)),
    ("expired", "Expired", UpdateFilter(expired=True)),
    ("security_only", "Security Only", UpdateFilter(text="security only")),
    ("rollups", "Monthly Rollups", UpdateFilter(text="monthly rollup")),
)


def families(session: Session) -> list[str]:
    """Product families that have at least one update in the catalog."""
    P, U = Product.__table__, Update.__table__
    query = (
        select(P.c.family)
        .where(P.c.family.is_not(None), P.c.id.in_(select(U.c.product_id).distinct()))
        .group_by(P.c.family)
        .order_by(func.lower(P.c.family))
    )
    return [row[0] for row in session.execute(query) if row[0]]


def builtin_folders(session: Session) -> list[Folder]:
    out = [Folder(f"builtin:{key}", name, flt, True) for key, name, flt in _BUILTIN]
    out.extend(Folder(f"family:{family}", family, UpdateFilter(family=family), True) for family in families(session))
    return out


def saved_folders(session: Session) -> list[Folder]:
    table = SearchFolder.__table__
    rows = session.execute(table.select().order_by(func.lower(table.c.name), table.c.id))
    return [Folder(f"saved:{r.id}", r.name, UpdateFilter.from_json(r.criteria), False, r.id) for r in rows]


def all_folders(session: Session) -> list[Folder]:
    return builtin_folders(session) + saved_folders(session)


def save_folder(session: Session, *, name: str, filter: UpdateFilter) -> SearchFolder:
    """Save the search under a new name; a name already used (saved or built in) is refused."""
    name = " ".join(name.split())
    if not name:
        raise FolderError("a folder needs a name")
    if len(name) > MAX_NAME:
        raise FolderError(f"a folder name has at most {MAX_NAME} characters")
    taken = {f.name.lower() for f in builtin_folders(session)}
    if name.lower() in taken:
        raise FolderError(f"{name!r} is a built-in folder: choose another name")
    table = SearchFolder.__table__
    if session.execute(select(table.c.id).where(func.lower(table.c.name) == name.lower())).first():
        raise FolderError(f"a folder named {name!r} already exists")
    data = SearchFolderCreate(name=name, criteria=filter.to_json())
    row = SearchFolder.model_validate(data, update={"created_at": utcnow()})
    session.add(row)
    try:
        session.commit()
    except IntegrityError:  # another console saved the same name in between
        session.rollback()
        raise FolderError(f"a folder named {name!r} already exists") from None
    session.refresh(row)
    return row


def delete_folder(session: Session, *, folder_id: int) -> str:
    """Delete a saved folder; returns its name. Built-in folders have no row and cannot be deleted."""
    row = session.get(SearchFolder, folder_id)
    if row is None:
        raise FolderError(f"no saved folder with id {folder_id}")
    name = row.name
    session.delete(row)
    session.commit()
    return name



"""Collection changes from the shells: each one moves memberships, and everything that depends on
membership (sumtui.workflows.membership) moves with them in the caller's transaction."""

from __future__ import annotations

from sqlmodel import Session

from sumtui.deploy.deployments import deployments_of_collection
from sumtui.fleet import collections as fleet
from sumtui.fleet.collections import CollectionRule
from sumtui.fleet.models import Collection, CollectionCreate
from sumtui.text import escape_controls
from sumtui.workflows.membership import apply_membership


def create_collection(session: Session, data: CollectionCreate, *, rule: CollectionRule | None = None) -> Collection:
    return fleet.create_collection(session, data, rule=rule, apply=apply_membership)


def update_collection(
    session: Session, collection: Collection, *, name: str | None = None, description: str | None = None,
    rule: CollectionRule | None = None,
) -> Collection:
    return fleet.update_collection(session, collection, name=name, description=description, rule=rule, apply=apply_membership)


def delete_collection(session: Session, collection: Collection) -> None:
    """Refused while deployments target the collection: deleting them first is the operator's decision."""
    targeting = deployments_of_collection(session, collection.id)
    if targeting:
        names = ", ".join(repr(escape_controls(n)) for n in targeting[:5]) + (" ..." if len(targeting) > 5 else "")
        raise fleet.FleetError(f"{len(targeting)} deployment(s) target {escape_controls(collection.name)!r} ({names}): "
                               "delete them first (`sumtui deployments delete NAME`)")
    fleet.delete_collection(session, collection, apply=apply_membership)


def set_static_members(session: Session, collection: Collection, *, add: list[int] = (), remove: list[int] = ()) -> None:
    fleet.set_static_members(session, collection, add=add, remove=remove, apply=apply_membership)


def refresh_membership(session: Session, *, client_ids: list[int] | None = None,
                       collection_ids: list[int] | None = None) -> int:
    return fleet.refresh_membership(session, client_ids=client_ids, collection_ids=collection_ids, apply=apply_membership)

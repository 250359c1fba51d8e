"""Membership changed: everything that depends on which clients are in which collection moves with it.

The fleet's collection functions take this as their `apply` hook (sumtui.fleet.collections.MembershipHook).
"""

from __future__ import annotations

from sqlmodel import Session

from sumtui.compliance.apply import change_membership
from sumtui.deploy.targets import follow_membership


def apply_membership(
    session: Session, *, added: list[tuple[int, int]], removed: list[tuple[int, int]],
    reported_as: dict[int, bool] | None = None,
) -> None:
    """Collection compliance summaries follow their members, and so do the deployments to those
    collections (a client that joins is targeted, one that leaves is not), in the caller's transaction."""
    change_membership(session, added=added, removed=removed, reported_as=reported_as)
    follow_membership(session, added=added, removed=removed)

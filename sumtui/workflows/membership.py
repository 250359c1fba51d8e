"""Membership changed: everything that depends on which clients are in which collection moves with it.

The fleet's collection functions take this as their `apply` hook (sumtui.fleet.collections.MembershipHook).
"""

from __future__ import annotations

from sqlmodel import Session

from sumtui.compliance.apply import change_membership


def apply_membership(
    session: Session, *, added: list[tuple[int, int]], removed: list[tuple[int, int]],
    reported_as: dict[int, bool] | None = None,
) -> None:
    """Collection compliance summaries follow their members, in the caller's transaction."""
    change_membership(session, added=added, removed=removed, reported_as=reported_as)

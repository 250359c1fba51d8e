"""Small ORM helpers shared by the domain packages."""

from __future__ import annotations

from sqlmodel import Session


def expire_loaded(session: Session, model, ids) -> None:
    """Expire the instances of `model` with these ids that the session holds (and only those): rows
    written through Core behind the ORM's back must not be read stale from the identity map."""
    identity_map = session.identity_map
    for object_id in ids:
        instance = identity_map.get(session.identity_key(model, object_id))
        if instance is not None:
            session.expire(instance)

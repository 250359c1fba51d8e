"""Registrations of names the site already knows, held for the operator; and resetting a client's registration.

Registering a known name is how a machine would be impersonated (a fresh token for a server, then an
inventory that shows it compliant), so such a registration never hands out the client's identity by
itself. Unless the agent proves it is that client (its current token) or the operator reset the
client's registration, it is held here, one per name, with the facts the agent sent (its inventory,
its address, its version), until the operator approves or rejects it. The agent keeps a request
secret (stored hashed here) and presents it again; once approved, its next attempt gets the identity.
The protocol side is `sumtui.workflows.agent_protocol.register`; this module is the operator's side.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlmodel import Session

from sumtui.fleet.clients import find_client, name_key
from sumtui.fleet.models import Client, PendingRegistration
from sumtui.timeutil import utcnow

PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
STATES = (PENDING, APPROVED, REJECTED)


class RegistrationError(Exception):
    """An operator's action on registrations that cannot be done; the message says why."""


def held_registration(session: Session, name: str) -> PendingRegistration | None:
    """The registration held for this name (compared as host names are), if any."""
    return session.execute(
        select(PendingRegistration).where(PendingRegistration.name_key == name_key(name))).scalars().first()


def hold(
    session: Session, *, name: str, secret_hash: str, agent_version: str | None, address: str | None,
    inventory: dict | None, now: datetime | None = None,
) -> PendingRegistration:
    """Hold a registration of a known name: a new request replaces one held for another secret (the
    operator sees the latest facts), a repeated one refreshes its facts. Does not commit."""
    now = now or utcnow()
    held = held_registration(session, name)
    document = json.dumps(inventory, separators=(",", ":")) if inventory is not None else None
    if held is not None and held.secret_hash == secret_hash:
        held.name, held.last_attempt_at, held.attempts = name, now, held.attempts + 1
        held.agent_version = agent_version or held.agent_version
        held.address = (address or "")[:64] or held.address
        held.inventory = document or held.inventory
        session.add(held)
        return held
    if held is not None:
        # Another request for the name: a new row (a new id), so a decision taken on what the operator
        # saw never applies to facts that arrived after it.
        session.delete(held)
        session.flush()
    held = PendingRegistration(
        name=name, name_key=name_key(name), state=PENDING, secret_hash=secret_hash, agent_version=agent_version,
        address=(address or "")[:64] or None, inventory=document, requested_at=now, last_attempt_at=now,
    )
    session.add(held)
    return held


def forget(session: Session, name: str) -> None:
    """Drop whatever is held for the name (it registered, or its registration was reset)."""
    session.execute(delete(PendingRegistration).where(PendingRegistration.name_key == name_key(name)))


def _decide(session: Session, name: str, *, to: str, allowed: tuple[str, ...], registration_id: int | None) -> PendingRegistration:
    held = held_registration(session, name)
    if held is None:
        raise RegistrationError(f"no registration of {name!r} is waiting (see `sumtui clients --pending`)")
    if registration_id is not None and held.id != registration_id:
        raise RegistrationError(f"the registration of {held.name!r} changed since it was shown: look at it again")
    if held.state not in allowed:
        raise RegistrationError(f"the registration of {held.name!r} is already {held.state}")
    held.state, held.decided_at = to, utcnow()
    session.add(held)
    session.commit()
    return held


def approve(session: Session, *, name: str, registration_id: int | None = None) -> PendingRegistration:
    """The operator accepts the held registration (commits): the agent that asked gets the client's
    identity at its next attempt, and the client's current token stops working then.
    `registration_id`: the row the operator looked at, refused if another request replaced it since."""
    return _decide(session, name, to=APPROVED, allowed=(PENDING, REJECTED), registration_id=registration_id)


def reject(session: Session, *, name: str, registration_id: int | None = None) -> PendingRegistration:
    """The operator refuses the held registration (commits): the agent that asked is told so; the client
    and its agent are untouched."""
    return _decide(session, name, to=REJECTED, allowed=(PENDING, APPROVED), registration_id=registration_id)


def reset_registration(session: Session, *, name: str) -> Client:
    """The operator's explicit reset (commits): the client's token stops working at once and the next
    registration of its name is accepted directly (a reinstalled machine, a lost agent state)."""
    client = find_client(session, name)
    if client is None:
        raise RegistrationError(f"no client named {name!r} (see `sumtui clients`)")
    client.token_hash = None
    client.registration_reset_at = utcnow()
    session.add(client)
    forget(session, client.name)
    session.commit()
    return client


@dataclass
class Facts:
    """One side of the comparison the operator makes: a machine as the site knows it or as the request describes it."""

    os: str | None = None
    build: str | None = None
    domain: str | None = None
    kbs: int | None = None
    agent_version: str | None = None

    def line(self) -> str:
        parts = [self.os or "OS unknown", f"build {self.build}" if self.build else None, self.domain,
                 f"{self.kbs} KBs" if self.kbs is not None else None,
                 f"agent {self.agent_version}" if self.agent_version else None]
        return " · ".join(p for p in parts if p)


@dataclass
class HeldView:
    id: int
    name: str
    state: str
    requested_at: datetime
    last_attempt_at: datetime
    attempts: int
    address: str | None
    client: Facts | None  # None: no client has this name any more
    client_source: str | None
    client_last_contact: datetime | None
    request: Facts


def _request_facts(row: PendingRegistration) -> Facts:
    try:
        doc = json.loads(row.inventory) if row.inventory else {}
    except ValueError:
        doc = {}
    doc = doc if isinstance(doc, dict) else {}
    build = doc.get("build")
    if build and isinstance(doc.get("ubr"), int):
        build = f"{build}.{doc['ubr']}"
    kbs = doc.get("installed_kbs")
    return Facts(os=doc.get("os_name"), build=build, domain=doc.get("domain"),
                 kbs=len(kbs) if isinstance(kbs, list) else None, agent_version=row.agent_version)


def list_held(session: Session) -> list[HeldView]:
    """Every held registration, oldest request first, with the client's facts beside the request's."""
    rows = session.execute(select(PendingRegistration).order_by(PendingRegistration.requested_at,
                                                                 PendingRegistration.id)).scalars().all()
    keys = [row.name_key for row in rows]
    clients = {c.name_key: c for c in session.execute(select(Client).where(Client.name_key.in_(keys))).scalars()} if keys else {}
    views = []
    for row in rows:
        client = clients.get(row.name_key)
        known = None
        if client is not None:
            build = f"{client.build}.{client.ubr}" if client.build and client.ubr is not None else client.build
            known = Facts(os=client.os_product or client.os_name, build=build, domain=client.domain,
                          kbs=len((client.installed_kbs or "").split()), agent_version=client.agent_version)
        views.append(HeldView(
            id=row.id, name=row.name, state=row.state, requested_at=row.requested_at, last_attempt_at=row.last_attempt_at,
            attempts=row.attempts, address=row.address, client=known, client_source=client.source if client else None,
            client_last_contact=client.last_contact if client else None, request=_request_facts(row),
        ))
    return views


def export_held(view: HeldView) -> dict:
    """A held registration as `sumtui clients --pending --format json` prints it."""
    def facts(f: Facts | None) -> dict | None:
        return None if f is None else {"os": f.os, "build": f.build, "domain": f.domain, "installed_kbs": f.kbs,
                                       "agent_version": f.agent_version}

    return {
        "name": view.name, "state": view.state, "requested_at": view.requested_at.isoformat(),
        "last_attempt_at": view.last_attempt_at.isoformat(), "attempts": view.attempts, "address": view.address,
        "client": None if view.client is None else {
            **facts(view.client), "source": view.client_source,
            "last_contact": view.client_last_contact.isoformat() if view.client_last_contact else None},
        "request": facts(view.request),
    }

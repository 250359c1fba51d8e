"""The agent report protocol, whatever carries it: registration, reports with serial numbers, policy.

Registration. A never-seen name registers with the site enrollment key and gets a token for a new
client. A name the site knows never gets that client's identity just for asking: only the agent that
proves it is that client (it presents the client's current token) registers again directly (keeping
its serial and history); after the operator reset the client's registration, the next registration
is accepted directly; any other is held for the operator (`sumtui.fleet.registrations`) and answered
"pending". The pending agent keeps a request secret and presents it again: once the operator approved,
that attempt gets the identity; a rejected one is told so. Names are compared as host names are
(`fleet.clients.name_key`) and a name that inventories refuse is refused here with the same reason.

One serial rule for every report kind (inventory, scan states, deployment state messages in
`workflows.deployment_intake`): each client numbers its reports 1, 2, 3…; a serial at or below the last one held is a
duplicate (acknowledged, ignored); a gap means reports were lost, so the server asks for a full
resend unless this report is complete by itself (a full inventory, a full scan); accepting a complete
report closes any gap and clears a pending resend request, a partial one (a partial inventory, a
partial scan) advances the serial but leaves the request standing.

Every report carries the hash of the token it came with, checked here against the client's row in
the report's own transaction: a token revoked by another process (a registration reset from the
console) stops working at once, whatever the HTTP shell cached.

The management point (sumtui.server) is a thin HTTP shell around these functions; they run inside
its group-commit writer, in the batch's transaction, and raise ProtocolError for the agent's errors.
"""

from __future__ import annotations

import hmac
import threading
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from sqlalchemy import bindparam, func, select, update
from sqlmodel import Session

from sumtui.catalog.models import SyncRun, Update
from sumtui.compliance.view import CatalogView, load_view, product_key
from sumtui.fleet import registrations
from sumtui.fleet.clients import find_client, name_key
from sumtui.fleet.enrollment import (
    enrollment_key_matches,
    hash_token,
    new_secret,
    token_matches,
)
from sumtui.fleet.inventory.agentjson import HOST_NAME
from sumtui.fleet.inventory.model import Inventory, is_host_name
from sumtui.fleet.models import Client
from sumtui.timeutil import utcnow
from sumtui.workflows.collections import refresh_membership
from sumtui.workflows.intake import (
    SCAN_STATES,
    ScanReport,
    ingest_agent_inventories,
    ingest_scan,
)
from sumtui.workflows.policy import PolicyCache, PolicyRequest, client_policies

C = Client.__table__
BAD_TOKEN = "this token is not valid for this client"


class ProtocolError(Exception):
    """The agent's request is refused: `status` is the HTTP-like code (401, 403, 404, 409, 422);
    `credential` when a credential was wrong (a token, the enrollment key): the shell slows such callers down."""

    def __init__(self, status: int, message: str, *, credential: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.credential = credential


class Verdict(Enum):
    ACCEPT = "accept"
    DUPLICATE = "duplicate"
    RESEND = "resend"


def serial_verdict(*, last: int, serial: int, complete: bool) -> Verdict:
    """The one serial rule (module docstring)."""
    if serial <= last:
        return Verdict.DUPLICATE
    if serial > last + 1 and not complete:
        return Verdict.RESEND
    return Verdict.ACCEPT


@dataclass
class ReportAnswer:
    """What the agent is told about one report."""

    accepted: bool
    serial: int  # the last serial the site holds for this client
    resend: str | None = None  # "full": send a complete report next
    duplicate: bool = False
    required: int | None = None
    unknown_updates: int = 0
    ignored: list[dict] = field(default_factory=list)  # state messages that changed nothing, and why


def held_answer(verdict: Verdict, last: int) -> ReportAnswer:
    """The answer to a report the rule did not accept."""
    if verdict is Verdict.DUPLICATE:
        return ReportAnswer(accepted=False, serial=last, duplicate=True)
    return ReportAnswer(accepted=False, serial=last, resend="full")


def batch_hold(verdict: Verdict, *, client_id: int, last: int, resend: dict[int, bool],
               asked: set[int]) -> ReportAnswer | None:
    """In a batch of reports: None for an accepted one; else its answer, with the client marked to send
    a full report (in `resend` and `asked`, written by the batch) when reports went missing before it."""
    if verdict is Verdict.ACCEPT:
        return None
    if verdict is Verdict.RESEND:
        resend[client_id] = True
        asked.add(client_id)
    return held_answer(verdict, last)


def token_ok(given_hash: str, stored_hash: str | None) -> bool:
    return bool(stored_hash) and hmac.compare_digest(given_hash, stored_hash)


class CatalogCache:
    """The catalog view for evaluations, reloaded only when a sync or import finished since."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._marker = None
        self._view: CatalogView | None = None
        self._lookup: dict[tuple[str, str], int] = {}

    def get(self, session: Session) -> tuple[CatalogView, dict[tuple[str, str], int]]:
        marker = session.execute(select(func.max(SyncRun.id)).where(SyncRun.ended_at.is_not(None))).scalar()
        with self._lock:
            if self._view is None or marker != self._marker:
                self._view = load_view(session)
                self._lookup = {}
                for r in session.execute(select(Update.id, Update.kb, Update.product_id, Update.product)):
                    self._lookup[(r.kb, r.product_id)] = r.id
                    self._lookup[(r.kb, product_key(r.product))] = r.id
                self._marker = marker
            return self._view, self._lookup


@dataclass
class Registration:
    """The answer to a registration: an identity, or "pending" (held for the operator)."""

    name: str
    client_id: int | None = None  # None while pending
    serial: int = 0  # the last serial the site holds for the client: the agent's next report sends serial + 1
    pending: bool = False
    # A secret made for an agent that sent none: it must present it when it asks again.
    request_secret: str | None = None
    message: str = ""


def register(
    session: Session, *, enrollment: str | None, name: str, agent_version: str | None, token: str,
    presented_token: str | None = None, request_secret: str | None = None, inventory: dict | None = None,
    inventory_name: str | None = None, address: str | None = None, now: datetime | None = None,
) -> Registration:
    """A registration (module docstring). `token` is the new token to hand out if it succeeds;
    `presented_token` the agent's current one, if any; `request_secret` the secret of an earlier
    pending request; `inventory` (already validated, describing `inventory_name`) is kept with a held
    request for the operator to compare."""
    now = now or utcnow()
    if not is_host_name(name):
        raise ProtocolError(422, f"name: expected {HOST_NAME}")
    if inventory_name is not None and name_key(inventory_name) != name_key(name):
        raise ProtocolError(422, f"inventory: it describes {inventory_name!r}, but the registration is for {name!r}")
    client = find_client(session, name)
    if client is not None and token_matches(presented_token, client.token_hash):
        # The agent proves it is this client: a new token, same serial and history.
        _grant(session, client, token, agent_version=agent_version, keep_serial=True, now=now)
        return Registration(name=client.name, client_id=client.id, serial=client.report_serial)
    held = registrations.held_registration(session, name)
    if held is not None and token_matches(request_secret, held.secret_hash):
        # The agent that asked earlier (its secret came with a request that held the enrollment key).
        if held.state == registrations.REJECTED:
            raise ProtocolError(403, f"the site operator rejected this registration of {held.name!r}", credential=True)
        if held.state == registrations.APPROVED:
            registrations.forget(session, name)
            return _new_identity(session, client, name, token, agent_version=agent_version, now=now)
        registrations.hold(session, name=name, secret_hash=held.secret_hash, agent_version=agent_version,
                           address=address, inventory=inventory, now=now)
        return _pending(name, None)
    if not enrollment_key_matches(session, enrollment):
        raise ProtocolError(403, "wrong enrollment key (see `sumtui enroll-key` on the site)", credential=True)
    if client is None or client.registration_reset_at is not None:
        if held is not None:
            registrations.forget(session, name)
        return _new_identity(session, client, name, token, agent_version=agent_version, now=now)
    if held is not None and held.state == registrations.APPROVED:
        raise ProtocolError(409, f"another registration of {held.name!r} was approved and waits for its agent")
    made = None if request_secret else new_secret()
    registrations.hold(session, name=name, secret_hash=hash_token(request_secret or made), agent_version=agent_version,
                       address=address, inventory=inventory, now=now)
    return _pending(client.name, made)


def _pending(name: str, made: str | None) -> Registration:
    return Registration(name=name, pending=True, request_secret=made, message=(
        f"{name} is already a client of this site: the registration waits for the site operator's approval "
        f"(`sumtui clients approve {name}`); register again with the same request secret"))


def _new_identity(session: Session, client: Client | None, name: str, token: str, *, agent_version: str | None,
                  now: datetime) -> Registration:
    """A new client, or an existing one taken over with the operator's consent: serials start again."""
    if client is None:
        client = Client(name=name, name_key=name_key(name), created_at=now, source="agent")
    _grant(session, client, token, agent_version=agent_version, keep_serial=False, now=now)
    return Registration(name=client.name, client_id=client.id, serial=0)


def _grant(session: Session, client: Client, token: str, *, agent_version: str | None, keep_serial: bool, now: datetime) -> None:
    client.source = "agent"
    client.token_hash = hash_token(token)
    client.registration_reset_at = None
    client.agent_version = agent_version or client.agent_version
    if not keep_serial:
        client.report_serial = 0
        client.needs_full_resend = True
    client.last_contact = now
    session.add(client)
    session.flush()
    refresh_membership(session, client_ids=[client.id])


def token_hash(session: Session, client_id: int) -> str | None:
    return session.execute(select(Client.token_hash).where(Client.id == client_id)).scalar()


@dataclass
class InventoryReport:
    client_id: int
    token_hash: str  # of the token the report came with
    serial: int
    inventory: Inventory


def inventories(session: Session, reports: list[InventoryReport], *, view: CatalogView) -> list[ReportAnswer | ProtocolError]:
    """All agent inventories of a batch: checked in arrival order under the one serial rule, then the
    accepted ones applied and evaluated together; one answer (or error) per report."""
    now = utcnow()
    known = {r.id: r for r in session.execute(
        select(C.c.id, C.c.name, C.c.name_key, C.c.token_hash, C.c.report_serial, C.c.needs_full_resend)
        .where(C.c.id.in_({r.client_id for r in reports})))}
    answers: list[ReportAnswer | ProtocolError | None] = []
    accepted: list[tuple[int, int]] = []  # (index in reports, client id)
    serials = {cid: row.report_serial for cid, row in known.items()}
    resend = {cid: row.needs_full_resend for cid, row in known.items()}
    asked: set[int] = set()  # clients asked for a full report by this batch
    for index, report in enumerate(reports):
        cid, row = report.client_id, known.get(report.client_id)
        if row is None or not token_ok(report.token_hash, row.token_hash):
            answers.append(ProtocolError(403, BAD_TOKEN, credential=True))
            continue
        if name_key(report.inventory.name) != row.name_key:
            answers.append(ProtocolError(409, f"the inventory describes {report.inventory.name!r}, but this client is {row.name!r}"))
            continue
        complete = not report.inventory.partial
        verdict = serial_verdict(last=serials[cid], serial=report.serial, complete=complete)
        held = batch_hold(verdict, client_id=cid, last=serials[cid], resend=resend, asked=asked)
        if held is not None:
            answers.append(held)
            continue
        serials[cid] = report.serial
        resend[cid] = resend[cid] and not complete
        answers.append(None)
        accepted.append((index, cid))
    if asked:
        session.execute(
            update(C).where(C.c.id == bindparam("b_id")).values(needs_full_resend=True, last_contact=now),
            [dict(b_id=cid) for cid in sorted(asked)],
        )
    if not accepted:
        return answers
    ingest_agent_inventories(session, [(cid, reports[i].inventory) for i, cid in accepted], view=view, now=now)
    ids = sorted({cid for _, cid in accepted})
    session.execute(
        update(C).where(C.c.id == bindparam("b_id")).values(report_serial=bindparam("serial"), needs_full_resend=bindparam("resend")),
        [dict(b_id=cid, serial=serials[cid], resend=resend[cid]) for cid in ids],
    )
    required = {r.id: r.required_count for r in session.execute(select(C.c.id, C.c.required_count).where(C.c.id.in_(ids)))}
    for index, cid in accepted:
        answers[index] = ReportAnswer(accepted=True, serial=reports[index].serial, required=required[cid])
    return answers


@dataclass
class ScanItem:
    kb: str
    state: str  # required | installed | failed | not_required
    product_id: str | None = None
    product: str | None = None


def _client(session: Session, client_id: int, given_hash: str) -> Client:
    client = session.get(Client, client_id)
    if client is None or not token_ok(given_hash, client.token_hash):
        raise ProtocolError(403, BAD_TOKEN, credential=True)
    return client


def scan(
    session: Session, *, client_id: int, token_hash: str, serial: int, full: bool, items: list[ScanItem],
    view: CatalogView, lookup: dict[tuple[str, str], int],
) -> ReportAnswer:
    """An agent's own per-update scan states: they win over evaluation, update by update."""
    client = _client(session, client_id, token_hash)
    verdict = serial_verdict(last=client.report_serial, serial=serial, complete=full)
    if verdict is not Verdict.ACCEPT:
        if verdict is Verdict.RESEND:
            # A report went missing: partial states on top of a gap would be wrong; ask for everything.
            client.needs_full_resend = True
            client.last_contact = utcnow()
            session.add(client)
        return held_answer(verdict, client.report_serial)
    states, unknown = {}, 0
    for item in items:
        kb = item.kb.upper().removeprefix("KB")
        uid = lookup.get((kb, item.product_id or "")) or lookup.get((kb, product_key(item.product or "")))
        if uid is None:
            unknown += 1
            continue
        states[uid] = SCAN_STATES[item.state]
    ingest_scan(session, client, ScanReport(states, full=full), view=view)
    client.report_serial = serial
    client.needs_full_resend = client.needs_full_resend and not full
    client.last_contact = utcnow()
    session.add(client)
    return ReportAnswer(accepted=True, serial=serial, required=client.required_count, unknown_updates=unknown)


def policies(session: Session, requests: list[PolicyRequest], *, cache: PolicyCache) -> list[dict | ProtocolError]:
    """Every poll of a batch: each client's policy (workflows.policy), or the refusal of a wrong token."""
    def check(given: str, stored: str | None) -> ProtocolError | None:
        return None if token_ok(given, stored) else ProtocolError(403, BAD_TOKEN, credential=True)

    return client_policies(session, requests, cache=cache, check_token=check)


def policy(session: Session, *, client_id: int, token_hash: str, cache: PolicyCache | None = None) -> dict:
    """One client's policy (the batch path with a batch of one)."""
    (answer,) = policies(session, [PolicyRequest(client_id, token_hash)], cache=cache or PolicyCache())
    if isinstance(answer, ProtocolError):
        raise answer
    return answer

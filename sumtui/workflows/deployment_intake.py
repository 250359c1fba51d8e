"""Agents' deployment state messages, whatever carries them: the report protocol's side.

A state report is `{serial, messages: [...]}` under the one serial rule of every report kind
(workflows.agent_protocol): it is never complete by itself (it says nothing about inventory), so a
gap before it is answered with a request for a full resend (the agent sends its inventory, then
these messages again); a duplicate is acknowledged and ignored. The messages go to the
deployment status (deploy.messages: not-assigned, stale and unknown ones are kept in the history and
answered as ignored, with why).

Compliance is not moved by state messages: it follows the agent's own evidence of what is installed,
its inventory or scan, which the agent sends again right after installing (a rescan, queued before
that cycle's state messages, so by the time the status shows an update installed, compliance shows
what the machine reports). A state message is the agent's account of the install; the inventory is
what the site trusts, the same for updates installed by a deployment or by hand. So an update the
agent reported installed that its next inventory does not show is pending again, and the status
says why; "pending_restart" is installed only once the inventory after the restart shows it; a failed
install leaves compliance as the last inventory or scan has it, and the status shows the code.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from sumtui.deploy.deployments import POLICY_VERSION
from sumtui.deploy.fast_sql import executemany, placeholders, rows, time_converter
from sumtui.deploy.messages import Message, apply_messages, deployment_facts
from sumtui.fleet.models import Client
from sumtui.timeutil import utcnow
from sumtui.workflows.agent_protocol import (
    BAD_TOKEN,
    ProtocolError,
    ReportAnswer,
    batch_hold,
    serial_verdict,
    token_ok,
)

C = Client.__table__


@dataclass
class StateReport:
    client_id: int
    token_hash: str
    serial: int
    messages: list[Message]


class DeploymentCache:
    """The deployments' facts messages are checked against (collection, updates by KB), reloaded only
    when a deployment changed (one counter read per batch)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._marker = None
        self._facts: dict | None = None

    def get(self, session: Session) -> dict:
        found = rows(session, "SELECT value FROM site_setting WHERE key = ?", (POLICY_VERSION,))
        marker = found[0][0] if found else None
        with self._lock:
            if self._facts is None or marker != self._marker:
                self._facts = deployment_facts(session)
                self._marker = marker
            return self._facts


def state_reports(session: Session, reports: list[StateReport], *, cache: DeploymentCache | None = None,
                  now: datetime | None = None) -> list[ReportAnswer | ProtocolError]:
    """Every state report of a batch, in arrival order: one answer (or refusal) each."""
    now = now or utcnow()
    ids = sorted({r.client_id for r in reports})
    known = {cid: (token, serial, bool(resend)) for cid, token, serial, resend in rows(
        session, f"SELECT id, token_hash, report_serial, needs_full_resend FROM client WHERE id IN ({placeholders(len(ids))})", ids)}
    serials = {cid: serial for cid, (_token, serial, _resend) in known.items()}
    resend = {cid: flag for cid, (_token, _serial, flag) in known.items()}
    answers: list[ReportAnswer | ProtocolError | None] = []
    accepted: list[tuple[int, StateReport]] = []
    asked: set[int] = set()
    for index, report in enumerate(reports):
        cid, row = report.client_id, known.get(report.client_id)
        if row is None or not token_ok(report.token_hash, row[0]):
            answers.append(ProtocolError(403, BAD_TOKEN, credential=True))
            continue
        # State messages never complete a report: after a gap (reports went missing) they could hide a lost
        # inventory, so a full report is asked for first; the agent sends these again after it.
        verdict = serial_verdict(last=serials[cid], serial=report.serial, complete=False)
        held = batch_hold(verdict, client_id=cid, last=serials[cid], resend=resend, asked=asked)
        if held is not None:
            answers.append(held)
            continue
        serials[cid] = report.serial
        answers.append(None)
        accepted.append((index, report))
    outcomes = apply_messages(session, reports=[(r.client_id, r.serial, r.messages) for _, r in accepted], now=now,
                              deployments=cache.get(session) if cache is not None else None) if accepted else {}
    seen = time_converter(session)(now)
    executemany(session, "UPDATE client SET report_serial = ?, needs_full_resend = ?, last_contact = ? WHERE id = ?",
                [(serials[cid], resend[cid], seen, cid) for cid in sorted({r.client_id for _, r in accepted} | asked)])
    for index, report in accepted:
        outcome = outcomes.get(report.client_id)
        ignored = [{"deployment_id": m.deployment_id, "kb": f"KB{m.kb}", "state": m.state, "reason": why}
                   for m, why in (outcome.ignored if outcome else [])]
        answers[index] = ReportAnswer(accepted=True, serial=report.serial, ignored=ignored)
    return answers

"""The client agent loop: register, report the inventory, poll policy at the configured interval,
report again on the scan schedule.

A report leaves the queue in the state folder only when the management point acknowledged it
(accepted, or a duplicate of one it holds) or refused it as bad (then it is kept apart, under
"refused"). Everything else keeps it: the server down, an answer that is not the protocol's, a
token the server no longer accepts (the agent registers again when it has the enrollment key, and
otherwise stops with exit 1 saying so), a registration held for the operator's approval (the agent
asks again at its next run with the same request secret).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from sumtui import __version__
from sumtui.agent.answers import Held, PolicyAnswer, Registered, ReportAck, read
from sumtui.agent.client import AgentClient, NotProtocol, ServerError
from sumtui.agent.collect import collect
from sumtui.agent.state import (
    AgentState,
    PendingReport,
    RefusedReport,
    load_state,
    save_state,
    state_file,
)
from sumtui.timeutil import parse_iso, utcnow

MAX_REFUSED = 50  # refused reports kept for inspection, newest last
MAX_RESENDS = 3  # full-resend requests in a row before the agent stops and says so


class AgentError(Exception):
    """The agent cannot go on; the message says what to do."""


class Agent:
    def __init__(self, *, server: str, state_dir: Path, enroll_key: str | None = None, inventory_file: Path | None = None,
                 name: str | None = None, say: Callable[[str], None] = print, retries: int = 4, backoff: float = 1.0,
                 transport=None) -> None:
        self.server = server.rstrip("/") + "/"
        self.state_dir = state_dir
        self.enroll_key = enroll_key
        self.inventory_file = inventory_file
        self.name = name
        self.say = say
        self.state: AgentState = load_state(state_dir)
        self.refused_now = 0  # reports refused as bad during this run
        # A token is only ever shown to the server that gave it.
        token = self.state.token if self.state.server == self.server else None
        self.http = AgentClient(self.server, token=token, retries=retries, backoff=backoff, transport=transport)

    def close(self) -> None:
        self.http.close()

    def _save(self) -> None:
        save_state(self.state_dir, self.state)

    def _kept(self) -> str:
        count = len(self.state.pending)
        return f"{count} report{'s' if count != 1 else ''} kept in {state_file(self.state_dir)}"

    # ------------------------------------------------------------------ registration

    def is_registered(self, name: str) -> bool:
        return bool(self.state.token) and self.state.server == self.server and self.state.name == name

    def ensure_registered(self, doc: dict) -> bool:
        """Registered as the machine `doc` describes (registering if needed); False while held for approval."""
        return self.is_registered(doc["name"]) or self.register(doc["name"], doc)

    def register(self, name: str, doc: dict | None) -> bool:
        """Register `name`; True with an identity, False when the site holds the registration for its operator."""
        completing = self.state.held_name == name and self.state.registration_secret is not None
        if not self.enroll_key and not completing:
            raise AgentError(f"not registered with {self.server} as {name}: run once with --enroll-key "
                             f"(see `sumtui enroll-key` on the site); {self._kept()}")
        if self.state.registration_secret is None or self.state.held_name != name:
            # Kept before it is sent: the server may hold the request, and only this secret completes it.
            self.state.registration_secret, self.state.held_name = secrets.token_urlsafe(24), name
            self._save()
        body = {"name": name, "agent_version": __version__, "request_secret": self.state.registration_secret}
        if self.enroll_key:
            body["enrollment_key"] = self.enroll_key
        if doc is not None:
            body["inventory"] = doc
        try:
            status, answer = self.http.call("POST", "api/v1/register", json=body)
            if status == 202:
                held = read(Held, answer, what="registration")
            elif status == 201:
                registered = read(Registered, answer, what="registration")  # malformed: nothing is saved
            else:
                raise NotProtocol(f"registration: HTTP {status} is not a registration's answer")
        except NotProtocol as exc:
            raise AgentError(f"{exc}; {self._kept()}") from None
        except ServerError as exc:
            raise AgentError(f"registration refused: {exc}; {self._kept()}") from None
        if status == 202:
            if held.request_secret:
                self.state.registration_secret = held.request_secret
            self._save()
            self.say(f"registration of {name} is held for the site operator's approval (`sumtui clients approve "
                     f"{name}` on the site); {self._kept()}")
            return False
        self.state.server, self.state.client_id, self.state.token = self.server, registered.client_id, registered.token
        self.state.name, self.state.serial = name, registered.serial
        self.state.held_name = self.state.registration_secret = None
        for report in self.state.pending:
            report.serial = None  # numbered again from the serial the server holds
        self.http.token = registered.token
        self._save()
        self.say(f"registered with {self.server} as client {registered.client_id} ({name})")
        return True

    # ------------------------------------------------------------------ reports

    def report_inventory(self) -> dict:
        """Collect the inventory and queue it; returns the document."""
        doc = collect(inventory_file=self.inventory_file, name=self.name)
        # An inventory is complete: older unsent inventories are superseded by this one.
        self.state.pending = [p for p in self.state.pending if p.kind != "inventory" or p.serial is not None]
        self.state.pending.append(PendingReport(kind="inventory", body={"inventory": doc}))
        self.state.last_inventory_at = utcnow().isoformat()
        self._save()
        return doc

    def _latest_inventory(self) -> dict | None:
        docs = [p.body.get("inventory") for p in self.state.pending if p.kind == "inventory"]
        return docs[-1] if docs else None

    def flush(self) -> bool:
        """Send queued reports in order; True when the queue is empty (module docstring)."""
        resends = 0
        while self.state.pending:
            report = self.state.pending[0]
            if report.serial is None:
                report.serial = self.state.serial + 1
                self._save()
            path = f"api/v1/clients/{self.state.client_id}/{report.kind}"
            try:
                _status, body = self.http.call("POST", path, json={"serial": report.serial, **report.body})
                answer = read(ReportAck, body, what=f"{report.kind} report {report.serial}")
            except NotProtocol as exc:
                self.say(f"{exc}; {self._kept()}")
                return False
            except ServerError as exc:
                if exc.status in (401, 403, 404):
                    # The token is not (or no longer) this client's: register again, or stop and say so.
                    if not self.enroll_key:
                        raise AgentError(f"{exc}: the management point no longer accepts this agent's registration; "
                                         f"{self._kept()}. Run with --enroll-key to register again "
                                         "(see `sumtui enroll-key` on the site)") from None
                    self.state.token = self.http.token = None
                    self._save()
                    if not self.register(self.state.name or self.name or "", self._latest_inventory()):
                        return False
                    continue
                if exc.status is not None:
                    self._refuse(report, str(exc))
                    continue
                self.say(f"management point unreachable, {self._kept()}: {exc}")
                return False
            if answer.resend == "full":
                resends += 1
                if resends > MAX_RESENDS:
                    self.say(f"the management point keeps asking for a full report; {self._kept()}")
                    return False
                self.state.serial = answer.serial
                report.serial = None
                self._save()
                self.say("the management point asked for a full report")
                continue
            if not ((answer.accepted and answer.serial == report.serial) or (answer.duplicate and answer.serial >= report.serial)):
                self.say(f"{report.kind} report {report.serial}: the answer acknowledges nothing "
                         f"(accepted={answer.accepted}, serial={answer.serial}); {self._kept()}")
                return False
            resends = 0
            self.state.serial = max(self.state.serial, report.serial)
            self.state.pending.pop(0)
            self._save()
            if answer.accepted:
                self.say(f"{report.kind} report {report.serial} accepted: {answer.required} update(s) required")
        return True

    def _refuse(self, report: PendingReport, reason: str) -> None:
        """A report the server will never accept as it is: out of the queue, kept apart for inspection."""
        self.refused_now += 1
        self.state.pending.pop(0)
        self.state.refused = [*self.state.refused, RefusedReport(kind=report.kind, body=report.body, reason=reason,
                                                                 at=utcnow().isoformat())][-MAX_REFUSED:]
        self._save()
        self.say(f"{report.kind} report refused, kept under 'refused' in {state_file(self.state_dir)}: {reason}")

    def poll_policy(self) -> dict:
        try:
            _status, body = self.http.call("GET", f"api/v1/clients/{self.state.client_id}/policy")
            policy = read(PolicyAnswer, body, what="policy").model_dump()
        except ServerError as exc:
            self.say(f"policy not fetched: {exc}")
            return self.state.policy
        self.state.policy = policy
        self._save()
        return policy

    def scan_due(self, now: datetime) -> bool:
        last = parse_iso(self.state.last_inventory_at)
        days = int(self.state.policy.get("client_agent", {}).get("scan_interval_days", 7))
        return last is None or now - last >= timedelta(days=days)


def run_agent(*, server: str, state_dir: Path, enroll_key: str | None, inventory_file: Path | None, name: str | None,
              once: bool, say: Callable[[str], None] = print, sleep: Callable[[float], None] = time.sleep,
              backoff: float = 1.0, transport=None) -> int:
    """Exit code (`--once`; the loop goes on): 0 when every report was accepted, 1 when some are kept
    (the server down, a registration held for approval) or were refused as bad."""
    agent = Agent(server=server, state_dir=state_dir, enroll_key=enroll_key, inventory_file=inventory_file, name=name,
                  say=say, backoff=backoff, transport=transport)
    try:
        doc = agent.report_inventory()
        sent = agent.ensure_registered(doc) and agent.flush()
        policy = agent.poll_policy() if sent else agent.state.policy
        if once:
            return 0 if sent and not agent.refused_now else 1
        while True:
            minutes = int(policy.get("client_agent", {}).get("policy_polling_minutes", 60))
            sleep(minutes * 60)
            if agent.scan_due(utcnow()):
                doc = agent.report_inventory()
            if agent.ensure_registered(doc) and agent.flush():
                policy = agent.poll_policy()
    finally:
        agent.close()

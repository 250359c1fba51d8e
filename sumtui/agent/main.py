"""The client agent loop: register once, report the inventory, poll policy at the configured interval,
report again on the scan schedule. Unacknowledged reports stay queued in the state folder."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from sumtui.agent.client import AgentClient, ServerError
from sumtui.agent.collect import collect
from sumtui.agent.state import AgentState, PendingReport, load_state, save_state
from sumtui.timeutil import parse_iso, utcnow


class AgentError(Exception):
    """The agent cannot go on; the message says what to do."""


class Agent:
    def __init__(self, *, server: str, state_dir: Path, enroll_key: str | None = None, inventory_file: Path | None = None,
                 name: str | None = None, say: Callable[[str], None] = print, retries: int = 4, backoff: float = 1.0) -> None:
        self.server = server.rstrip("/") + "/"
        self.state_dir = state_dir
        self.enroll_key = enroll_key
        self.inventory_file = inventory_file
        self.name = name
        self.say = say
        self.state: AgentState = load_state(state_dir)
        self.http = AgentClient(self.server, token=self.state.token, retries=retries, backoff=backoff)

    def close(self) -> None:
        self.http.close()

    def register(self, doc_name: str) -> None:
        if not self.enroll_key:
            raise AgentError(f"not registered with {self.server}: run once with --enroll-key (see `sumtui enroll-key` on the site)")
        try:
            answer = self.http.call("POST", "api/v1/register", json={"enrollment_key": self.enroll_key, "name": doc_name})
        except ServerError as exc:
            raise AgentError(str(exc)) from None
        self.state.server, self.state.client_id, self.state.token = self.server, answer["client_id"], answer["token"]
        self.state.name, self.state.serial = doc_name, answer.get("serial", 0)
        for report in self.state.pending:
            report.serial = None  # serials restart with a new registration
        self.http.token = self.state.token
        save_state(self.state_dir, self.state)
        self.say(f"registered with {self.server} as client {self.state.client_id} ({doc_name})")

    def report_inventory(self) -> None:
        doc = collect(inventory_file=self.inventory_file, name=self.name)
        if self.state.token is None or self.state.server != self.server or (self.state.name or "").upper() != doc["name"].upper():
            self.register(doc["name"])
        # An inventory is complete: older unsent inventories are superseded by this one.
        self.state.pending = [p for p in self.state.pending if p.kind != "inventory" or p.serial is not None]
        self.state.pending.append(PendingReport(kind="inventory", body={"inventory": doc}))
        self.state.last_inventory_at = utcnow().isoformat()
        save_state(self.state_dir, self.state)

    def flush(self) -> bool:
        """Send queued reports in order; True when the queue is empty."""
        while self.state.pending:
            report = self.state.pending[0]
            if report.serial is None:
                report.serial = self.state.serial + 1
                save_state(self.state_dir, self.state)
            path = f"api/v1/clients/{self.state.client_id}/{report.kind}"
            try:
                answer = self.http.call("POST", path, json={"serial": report.serial, **report.body})
            except ServerError as exc:
                if exc.status == 403 and self.enroll_key:
                    self.register(self.state.name or self.name or "")
                    continue
                if exc.status is not None and 400 <= exc.status < 500:
                    self.say(f"report refused, dropped: {exc}")
                    self.state.pending.pop(0)
                    save_state(self.state_dir, self.state)
                    continue
                self.say(f"management point unreachable, {len(self.state.pending)} report(s) kept: {exc}")
                return False
            if answer.get("resend") == "full":
                self.state.serial = answer["serial"]
                report.serial = None
                self.say("the management point asked for a full report")
                continue
            self.state.serial = max(self.state.serial, report.serial)
            self.state.pending.pop(0)
            save_state(self.state_dir, self.state)
            if answer.get("accepted"):
                self.say(f"{report.kind} report {report.serial} accepted: {answer.get('required')} update(s) required")
        return True

    def poll_policy(self) -> dict:
        try:
            policy = self.http.call("GET", f"api/v1/clients/{self.state.client_id}/policy")
        except ServerError as exc:
            self.say(f"policy not fetched: {exc}")
            return self.state.policy
        self.state.policy = policy
        save_state(self.state_dir, self.state)
        return policy

    def scan_due(self, now: datetime) -> bool:
        last = parse_iso(self.state.last_inventory_at)
        days = int(self.state.policy.get("client_agent", {}).get("scan_interval_days", 7))
        return last is None or now - last >= timedelta(days=days)


def run_agent(*, server: str, state_dir: Path, enroll_key: str | None, inventory_file: Path | None, name: str | None,
              once: bool, say: Callable[[str], None] = print, sleep: Callable[[float], None] = time.sleep,
              backoff: float = 1.0) -> int:
    agent = Agent(server=server, state_dir=state_dir, enroll_key=enroll_key, inventory_file=inventory_file, name=name,
                  say=say, backoff=backoff)
    try:
        agent.report_inventory()
        sent = agent.flush()
        policy = agent.poll_policy() if agent.state.client_id else {}
        if once:
            return 0 if sent else 1
        while True:
            minutes = int(policy.get("client_agent", {}).get("policy_polling_minutes", 60))
            sleep(minutes * 60)
            if agent.scan_due(utcnow()):
                agent.report_inventory()
            agent.flush()
            policy = agent.poll_policy()
    finally:
        agent.close()

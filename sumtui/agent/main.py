"""The client agent loop: register, report the inventory, poll policy at the configured interval
(or every `--poll-seconds`), enforce the deployments it holds (agent/enforce.py: download, install in
windows or at the deadline, report state messages), report again on the scan schedule and after
every install (a rescan).

A report leaves the queue in the state folder only when the management point acknowledged it
(accepted, or a duplicate of one it holds) or refused it as bad (then it is kept apart, under
"refused"). Everything else keeps it: the server down, an answer that is not the protocol's, a
token the server no longer accepts (the agent registers again when it has the enrollment key, and
otherwise stops with exit 1 saying so), a registration held for the operator's approval (the agent
asks again at its next run with the same request secret).

Deployments are enforced from the last policy held, so a deadline is kept while the management point
is down. The agent schedules on the management point's clock: it measures the skew at every poll
(the policy's server time) and corrects its own by it. KBs it installed are added to the inventories
it reports from a file (`--inventory`) or with the simulated installer, whose inventories cannot show
them; a real collection shows what is installed by itself.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sumtui import __version__
from sumtui.agent.answers import Held, PolicyAnswer, Registered, ReportAck, read
from sumtui.agent.client import AgentClient, NotProtocol, ServerError
from sumtui.agent.collect import collect
from sumtui.agent.download import Downloader
from sumtui.agent.enforce import Cycle, Enforcer
from sumtui.agent.installers import NativeInstaller
from sumtui.agent.machine import boot_marker, local_zone_name
from sumtui.agent.state import (
    AgentState,
    PendingReport,
    RefusedReport,
    load_state,
    save_state,
    state_file,
)
from sumtui.deploy.schedule import ScheduleError, zone_of
from sumtui.timeutil import parse_iso, utcnow

MAX_REFUSED = 50  # refused reports kept for inspection, newest last
MAX_RESENDS = 3  # full-resend requests in a row before the agent stops and says so
SKEW_TOLERANCE = 2.0  # seconds of clock difference with the management point that are not corrected
MAX_MESSAGES = 5000  # state messages per report (the management point's limit)


class AgentError(Exception):
    """The agent cannot go on; the message says what to do."""


class Agent:
    def __init__(self, *, server: str, state_dir: Path, enroll_key: str | None = None, inventory_file: Path | None = None,
                 name: str | None = None, say: Callable[[str], None] = print, retries: int = 4, backoff: float = 1.0,
                 transport=None, installer=None, clock: Callable[[], datetime] = utcnow, boot: str | None = None) -> None:
        self.server = server.rstrip("/") + "/"
        self.installer = installer
        self.clock = clock
        self.boot = boot
        self.zone_name: str | None = None
        self._enforcer: Enforcer | None = None
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

    def report_inventory(self, *, front: bool = False) -> dict:
        """Collect the inventory and queue it (`front`: before everything not yet sent); returns the document."""
        doc = collect(inventory_file=self.inventory_file, name=self.name)
        if self.state.installed and (self.inventory_file is not None or getattr(self.installer, "simulated", False)):
            # A file (or a simulated install) cannot show what this agent installed since: it is added.
            kbs = dict.fromkeys([*doc.get("installed_kbs", []), *self.state.installed])
            doc["installed_kbs"] = list(kbs)
        if self.zone_name is None:
            self.zone_name = doc.get("time_zone") or local_zone_name()
        # An inventory is complete: older unsent inventories are superseded by this one.
        self.state.pending = [p for p in self.state.pending if p.kind != "inventory" or p.serial is not None]
        report = PendingReport(kind="inventory", body={"inventory": doc})
        if front:
            unsent = next((i for i, p in enumerate(self.state.pending) if p.serial is None), len(self.state.pending))
            self.state.pending.insert(unsent, report)
        else:
            self.state.pending.append(report)
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
                if report.kind != "inventory":
                    self.report_inventory(front=True)
                continue
            if not ((answer.accepted and answer.serial == report.serial) or (answer.duplicate and answer.serial >= report.serial)):
                self.say(f"{report.kind} report {report.serial}: the answer acknowledges nothing "
                         f"(accepted={answer.accepted}, serial={answer.serial}); {self._kept()}")
                return False
            resends = 0
            self.state.serial = max(self.state.serial, report.serial)
            self.state.pending.pop(0)
            self._save()
            if answer.accepted and report.kind == "state":
                count = len(report.body.get("messages", []))
                self.say(f"state report {report.serial} accepted: {count} message(s)")
                for ignored in answer.ignored:
                    self.say(f"  {ignored.kb} of deployment {ignored.deployment_id} ({ignored.state}) ignored: {ignored.reason}")
            elif answer.accepted:
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
        self._measure_skew(policy.get("server_time"))
        self.state.policy = policy
        self._save()
        return policy

    def _measure_skew(self, server_time: str | None) -> None:
        told = parse_iso(server_time)
        if told is None:
            return
        skew = (told - self.clock()).total_seconds()
        skew = skew if abs(skew) > SKEW_TOLERANCE else 0.0
        if abs(skew - self.state.skew_seconds) > SKEW_TOLERANCE:
            if skew:
                way = "behind" if skew > 0 else "ahead of"
                self.say(f"this machine's clock is {abs(skew):.0f} s {way} the management point's: deployments follow "
                         "the management point's clock")
            else:
                self.say("this machine's clock agrees with the management point's again")
        self.state.skew_seconds = skew

    def now(self) -> datetime:
        """The management point's time, as well as this agent can tell (its clock corrected by the skew)."""
        return self.clock().astimezone(UTC) + timedelta(seconds=self.state.skew_seconds)

    # ------------------------------------------------------------------ deployments

    def _zone(self):
        name = self.zone_name or local_zone_name()
        try:
            return zone_of(name), name
        except ScheduleError as exc:
            fallback = local_zone_name()
            self.say(f"{exc}: this machine's offset {fallback} is used for client local times")
            try:
                return zone_of(fallback), fallback
            except ScheduleError:
                return UTC, "UTC"

    def enforcer(self) -> Enforcer:
        if self._enforcer is None:
            zone, name = self._zone()
            downloader = Downloader(self.http, cache=self.state_dir / "cache", client_id=self.state.client_id)
            # The simulated installer only when named: without one, the native installer (which says where it cannot run).
            self._enforcer = Enforcer(self.state, installer=self.installer or NativeInstaller(), downloader=downloader,
                                      zone=zone, zone_name=name, save=self._save, say=self.say, boot=self.boot)
            self._queue_states(self._enforcer.start(self.now()))
        self._enforcer.downloader.client_id = self.state.client_id
        return self._enforcer

    def deploy_cycle(self) -> Cycle:
        """Enforce the deployments of the last policy held; queue the state messages (and a rescan)."""
        cycle = self.enforcer().run(self.state.policy, self.now)
        self._queue_states(cycle)
        return cycle

    def _queue_states(self, cycle: Cycle) -> None:
        if cycle.rescan:
            # The rescan goes first: compliance follows the inventory, so by the time the status shows an
            # update installed, the site's compliance shows what the machine reports.
            self.report_inventory()
        messages = [m.as_message() for m in cycle.messages]
        while messages:
            last = self.state.pending[-1] if self.state.pending else None
            if last is not None and last.kind == "state" and last.serial is None:
                room = MAX_MESSAGES - len(last.body["messages"])
                last.body["messages"] += messages[:room]
                messages = messages[room:]
            if messages:
                self.state.pending.append(PendingReport(kind="state", body={"messages": messages[:MAX_MESSAGES]}))
                messages = messages[MAX_MESSAGES:]
        for m in cycle.messages:
            self.say(f"{m.kb} ({m.state}): {m.reason}")
        self._save()

    def scan_due(self, now: datetime) -> bool:
        last = parse_iso(self.state.last_inventory_at)
        days = int(self.state.policy.get("client_agent", {}).get("scan_interval_days", 7))
        return last is None or now - last >= timedelta(days=days)


def run_agent(*, server: str, state_dir: Path, enroll_key: str | None, inventory_file: Path | None, name: str | None,
              once: bool, say: Callable[[str], None] = print, sleep: Callable[[float], None] = time.sleep,
              backoff: float = 1.0, transport=None, installer=None, poll_seconds: float | None = None,
              clock: Callable[[], datetime] = utcnow, boot: str | None = None) -> int:
    """Exit code (`--once`; the loop goes on): 0 when every report was accepted, 1 when some are kept
    (the server down, a registration held for approval) or were refused as bad."""
    agent = Agent(server=server, state_dir=state_dir, enroll_key=enroll_key, inventory_file=inventory_file, name=name,
                  say=say, backoff=backoff, transport=transport, installer=installer, clock=clock,
                  boot=boot if boot is not None else boot_marker())
    try:
        doc = agent.report_inventory()
        registered = agent.ensure_registered(doc)
        sent = registered and agent.flush()
        policy = agent.poll_policy() if sent else agent.state.policy
        cycle = agent.deploy_cycle() if registered else Cycle()
        sent = registered and agent.flush()
        if once:
            return 0 if sent and not agent.refused_now else 1
        while True:
            minutes = int(policy.get("client_agent", {}).get("policy_polling_minutes", 60))
            wait = poll_seconds if poll_seconds is not None else minutes * 60
            if cycle.next_due is not None:
                # A deadline, a window or a retry comes before the next poll: wake for it.
                wait = min(wait, max(1.0, (cycle.next_due - agent.now()).total_seconds()))
            sleep(wait)
            if agent.scan_due(utcnow()):
                doc = agent.report_inventory()
            registered = agent.ensure_registered(doc)
            if registered and agent.flush():
                policy = agent.poll_policy()
            cycle = agent.deploy_cycle() if registered else Cycle()
            if registered:
                agent.flush()
    finally:
        agent.close()

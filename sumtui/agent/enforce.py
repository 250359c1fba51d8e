"""Enforcing deployments on this machine, one cycle at a time (at every policy poll, and when a
deadline, a window or a retry comes due).

For every (deployment, KB) of the policy: download its files as soon as the deployment is known,
then install when the scheduling rules (sumtui.deploy.schedule, the same module the what-if uses)
say so: in a maintenance window, or at the deadline (outside windows when the deployment allows it),
never before the available time, shortest first. Times are this machine's zone for "client local
time" deployments and windows; the clock is corrected by the skew measured against the management
point. Every change of state becomes a state message with its one sentence.

- A KB in several deployments installs once, under the deployment with the earliest deadline
  (SCCM's rule for overlapping deployments), and every deployment holding it gets the states.
- Exit codes are normalised (sumtui.deploy.install_codes): installed; installed with a restart
  pending (the restart follows the deployment's rules); already installed; not applicable (a rescan
  follows); busy (tried again in 5 minutes); failed (the code kept, tried again at the next chance).
- An install cut short (the machine restarted or the agent stopped during it) is noticed at the next
  start, said so, and tried again; a restart noticed at start finishes the pending restarts.
- Deployments the policy no longer lists are dropped (deleted, or the client left the collection).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo

from sumtui.agent.answers import PolicyDeployment, PolicyUpdate, PolicyWindow
from sumtui.agent.download import Downloader, DownloadError, WantedFile
from sumtui.agent.installers import InstallerError
from sumtui.agent.state import AgentState, Installing, UpdateProgress
from sumtui.deploy.install_codes import (
    ALREADY,
    BUSY,
    INSTALLED,
    NOT_APPLICABLE,
    RESTART,
    describe,
)
from sumtui.deploy.schedule import (
    HORIZON,
    RESTART_COUNTDOWN,
    Behaviour,
    ScheduleError,
    UpdateRun,
    open_windows,
    plan,
    resolve_time,
    window_spec,
)
from sumtui.timeutil import parse_iso

LOCAL_LABEL = "client local time"
RETRY_AFTER = timedelta(hours=1)
BUSY_RETRY = timedelta(minutes=5)
# States after which nothing more happens for a KB until the policy changes.
SETTLED = ("installed", "pending_restart", "not_required")


@dataclass(frozen=True)
class StateChange:
    """A state message to report."""

    deployment_id: int
    kb: str
    state: str
    reason: str
    at: str
    code: int | None = None
    simulated: bool = False

    def as_message(self) -> dict:
        message = {"deployment_id": self.deployment_id, "kb": self.kb, "state": self.state, "reason": self.reason[:1000],
                   "at": self.at, "simulated": self.simulated}
        if self.code is not None:
            message["code"] = self.code
        return message


@dataclass
class Cycle:
    """What one cycle did: the messages to report, whether to rescan (send a fresh inventory), and when
    the next thing is due (None: at the next poll)."""

    messages: list[StateChange] = field(default_factory=list)
    rescan: bool = False
    next_due: datetime | None = None

    def due(self, moment: datetime | None) -> None:
        if moment is not None and (self.next_due is None or moment < self.next_due):
            self.next_due = moment


def _key(deployment_id: int, kb: str) -> str:
    return f"{deployment_id}:{kb}"


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value


@dataclass
class _Held:
    """One KB and the deployments that hold it."""

    kb: str
    update: PolicyUpdate
    deployments: list[PolicyDeployment]


class Enforcer:
    def __init__(self, state: AgentState, *, installer, downloader: Downloader | None, zone: tzinfo, zone_name: str,
                 save: Callable[[], None] = lambda: None, say: Callable[[str], None] = print, boot: str | None = None) -> None:
        self.state = state
        self.installer = installer
        self.downloader = downloader
        self.zone = zone
        self.zone_name = zone_name
        self.save = save
        self.say = say
        self.boot = boot
        self._said: set[str] = set()

    # ------------------------------------------------------------------ states

    def _sentence(self, reason: str) -> str:
        if self.installer.simulated and "simulated" not in reason:
            return f"{reason} (simulated)"
        return reason

    def _set(self, cycle: Cycle, deployment_id: int, kb: str, state: str, reason: str, now: datetime, *,
             code: int | None = None, retry_at: datetime | None = None, restart_at: datetime | None = None) -> None:
        key = _key(deployment_id, kb)
        reason = self._sentence(reason)
        before = self.state.progress.get(key)
        progress = UpdateProgress(deployment_id=deployment_id, kb=kb, state=state, code=code, reason=reason,
                                  at=now.isoformat(), retry_at=retry_at.isoformat() if retry_at else None,
                                  restart_at=restart_at.isoformat() if restart_at else None)
        if before is not None and (before.state, before.reason, before.code) == (state, reason, code):
            progress.at = before.at
            self.state.progress[key] = progress
            return
        self.state.progress[key] = progress
        cycle.messages.append(StateChange(deployment_id, kb, state, reason, now.isoformat(), code, self.installer.simulated))

    def _set_all(self, cycle: Cycle, held: _Held, state: str, reason: str, now: datetime, **extra) -> None:
        for d in held.deployments:
            self._set(cycle, d.id, held.kb, state, reason, now, **extra)

    # ------------------------------------------------------------------ start

    def start(self, now: datetime) -> Cycle:
        """At the agent's start: an install cut short, a restart done."""
        cycle = Cycle()
        cut = self.state.installing
        if cut is not None:
            self.state.installing = None
            for p in list(self.state.progress.values()):
                if p.kb == cut.kb and p.state == "installing":
                    self._set(cycle, p.deployment_id, p.kb, "downloaded",
                              f"the install of {p.kb} started at {cut.started_at[:16].replace('T', ' ')} UTC was interrupted "
                              "(the machine restarted or the agent stopped during it); it is tried again", now)
            cycle.rescan = True
        if self.state.boot and self.boot and self.state.boot != self.boot:
            for p in list(self.state.progress.values()):
                if p.state == "pending_restart":
                    self._set(cycle, p.deployment_id, p.kb, "installed",
                              f"installed: the machine restarted (noticed {now:%Y-%m-%d %H:%M} UTC), which finished it", now)
            cycle.rescan = True
        self.state.boot = self.boot or self.state.boot
        return cycle

    # ------------------------------------------------------------------ one cycle

    def run(self, policy: dict, clock: Callable[[], datetime]) -> Cycle:
        """One cycle; `clock` is the corrected clock (installs take time: each next one is planned anew)."""
        cycle = Cycle()
        now = clock()
        deployments = [PolicyDeployment.model_validate(d) for d in policy.get("deployments", [])]
        held = self._held(deployments)
        live = {_key(d.id, kb) for kb, h in held.items() for d in h.deployments}
        for key in [k for k in self.state.progress if k not in live]:
            del self.state.progress[key]  # the deployment is gone, or the client no longer needs the KB
        self._reevaluate(policy, held, now, cycle)
        for h in held.values():
            self._download(h, now, cycle)
        specs = self._windows(policy)
        for _round in range(len(held) + 1):
            if not self._install(held, specs, clock(), cycle):
                break
        self._restarts(clock(), cycle)
        return cycle

    def _held(self, deployments: list[PolicyDeployment]) -> dict[str, _Held]:
        held: dict[str, _Held] = {}
        for d in deployments:
            for u in d.updates:
                h = held.setdefault(u.kb, _Held(u.kb, u, []))
                h.deployments.append(d)
                if u.max_run_minutes > h.update.max_run_minutes or (u.files and not h.update.files):
                    h.update = u
        return held

    def _windows(self, policy: dict) -> list:
        specs = []
        for raw in policy.get("windows", []):
            w = PolicyWindow.model_validate(raw)
            start = _time(w.start)
            try:
                if start is None:
                    raise ScheduleError(f"{w.start!r} is not a date and time")
                specs.append(window_spec(recurrence=w.recurrence, start=start, duration_minutes=w.duration_minutes, utc=w.utc))
            except ScheduleError as exc:
                note = f"maintenance window {w.id} is ignored: {exc}"
                if note not in self._said:
                    self._said.add(note)
                    self.say(note)
        return specs

    def _reevaluate(self, policy: dict, held: dict[str, _Held], now: datetime, cycle: Cycle) -> None:
        """The deployment re-evaluation schedule: what the policy still lists although it was installed
        (or found not applicable) is installed again, failures are retried, and the machine rescanned."""
        days = int(policy.get("client_agent", {}).get("reevaluation_days", 7))
        last = parse_iso(self.state.last_reevaluation_at)
        if last is None:
            self.state.last_reevaluation_at = now.isoformat()
            return
        if now - last < timedelta(days=days):
            cycle.due(last + timedelta(days=days))
            return
        self.state.last_reevaluation_at = now.isoformat()
        cycle.rescan = True
        for key, p in list(self.state.progress.items()):
            if p.kb in held and p.state in ("installed", "not_required", "failed", "download_failed"):
                del self.state.progress[key]

    # ------------------------------------------------------------------ downloads

    def _download(self, h: _Held, now: datetime, cycle: Cycle) -> None:
        states = [self.state.progress.get(_key(d.id, h.kb)) for d in h.deployments]
        if all(p is not None and p.state not in ("downloading", "download_failed") for p in states):
            return
        files = [WantedFile(f.sha1, f.name, f.size, f.sha256) for f in h.update.files]
        if not files:
            if self.installer.needs_files():
                self._set_all(cycle, h, "download_failed", f"content missing on the management point: no package holds a "
                              f"downloaded file for {h.kb}; the agent tries again at its next poll", now)
            else:
                self._set_all(cycle, h, "downloaded", "downloaded: nothing to download (the simulated installer needs "
                              "no files)", now)
            return
        size = sum(f.size or 0 for f in files)
        if not all(self.downloader.has(f) for f in files):
            self._set_all(cycle, h, "downloading", f"downloading {len(files)} file(s) ({size / 1e6:.1f} MB) from the "
                          "management point", now)
            self.save()
        try:
            for f in files:
                self.downloader.get(f)
        except DownloadError as exc:
            self._set_all(cycle, h, "download_failed", str(exc), now)
            return
        self._set_all(cycle, h, "downloaded", f"downloaded {len(files)} file(s) ({size / 1e6:.1f} MB), hashes verified", now)

    # ------------------------------------------------------------------ installs

    def _behaviour(self, d: PolicyDeployment) -> Behaviour:
        def moment(text: str | None) -> datetime | None:
            value = _time(text)
            return resolve_time(value, tz=self.zone, local=d.local_time) if value is not None else None

        return Behaviour(available=moment(d.available), deadline=moment(d.deadline), override_windows=d.override_windows,
                         allow_restart_outside=d.allow_restart_outside, suppress_restart=d.suppress_restart,
                         zone_label=LOCAL_LABEL if d.local_time else "UTC", tz=self.zone if d.local_time else UTC)

    def _ready(self, h: _Held, now: datetime) -> bool:
        """Downloaded (or waiting, or failed and due for another try) in every deployment holding it."""
        for d in h.deployments:
            p = self.state.progress.get(_key(d.id, h.kb))
            if p is None or p.state in SETTLED or p.state in ("downloading", "download_failed", "installing"):
                return False
            retry = parse_iso(p.retry_at)
            if retry is not None and retry > now:
                return False
        return True

    def _install(self, held: dict[str, _Held], specs: list, now: datetime, cycle: Cycle) -> bool:
        """Install the first update that is due (True), or say why each ready one waits (False)."""
        ready = [h for h in held.values() if self._ready(h, now)]
        for h in held.values():
            for d in h.deployments:
                p = self.state.progress.get(_key(d.id, h.kb))
                if p is not None and p.retry_at:
                    cycle.due(parse_iso(p.retry_at))
        if not ready:
            return False
        windows = open_windows(specs, self.zone, now, now + HORIZON) if specs else []
        groups: dict[int, list[_Held]] = defaultdict(list)
        governing: dict[int, PolicyDeployment] = {}
        for h in ready:
            # Overlapping deployments: the earliest deadline wins (none: the first deployment, not enforced).
            with_deadline = [(self._behaviour(d).deadline, d) for d in h.deployments if d.deadline]
            chosen = min(with_deadline, key=lambda pair: pair[0])[1] if with_deadline else h.deployments[0]
            governing[chosen.id] = chosen
            groups[chosen.id].append(h)
        due, waiting = [], []
        for deployment_id, items in groups.items():
            d = governing[deployment_id]
            behaviour = self._behaviour(d)
            runs = [UpdateRun(h.kb, timedelta(minutes=h.update.max_run_minutes), h.update.restart) for h in items]
            by_kb = {h.kb: h for h in items}
            for planned in plan(runs, windows=windows, behaviour=behaviour, now=now):
                h = by_kb[planned.key]
                if planned.start is not None and planned.start <= now:
                    due.append((planned, h, behaviour))
                else:
                    waiting.append((planned, h, d, behaviour))
        if due:
            # One install, then the rest planned again from the time it took (shortest first).
            planned, h, behaviour = min(due, key=lambda item: (item[0].start, item[0].key))
            self._install_one(planned, h, behaviour, now, cycle)
            return True
        for planned, h, d, behaviour in waiting:
            note = f" (deployment '{d.name}' has the earliest deadline)" if len(h.deployments) > 1 else ""
            if planned.window is not None:
                self._set_all(cycle, h, "waiting_window", f"waiting: {planned.reason}{note}", now)
                cycle.due(planned.start)
            elif planned.start is not None:
                self._set_all(cycle, h, "downloaded", f"downloaded, {planned.reason}{note}", now)
                cycle.due(planned.start)
            elif "never installs" in planned.reason:
                self._set_all(cycle, h, "waiting_window", planned.reason + note, now)
            else:
                self._set_all(cycle, h, "downloaded", f"downloaded; {planned.reason}{note}", now)
                cycle.due(behaviour.deadline or behaviour.available)
        return False

    def _install_one(self, planned, h: _Held, behaviour: Behaviour, now: datetime, cycle: Cycle) -> None:
        if not self.installer.available:
            self._set_all(cycle, h, "failed", self.installer.unavailable_reason(), now, retry_at=now + RETRY_AFTER)
            return
        paths = [self.downloader.path_for(WantedFile(f.sha1, f.name)) for f in h.update.files] if self.downloader else []
        self._set_all(cycle, h, "installing", f"installing: {planned.reason}", now)
        self.state.installing = Installing(kb=h.kb, started_at=now.isoformat(), boot=self.boot)
        self.save()
        try:
            result = self.installer.install(h.kb, paths)
        except InstallerError as exc:
            self.state.installing = None
            self._set_all(cycle, h, "failed", f"failed: {exc}; the agent retries at {now + RETRY_AFTER:%Y-%m-%d %H:%M} UTC",
                          now, retry_at=now + RETRY_AFTER)
            return
        self.state.installing = None
        outcome = result.outcome
        cycle.rescan = True
        if outcome.kind in (INSTALLED, ALREADY):
            done = "installed" if outcome.kind == INSTALLED else f"already installed ({describe(outcome.code)})"
            self.state.installed[h.kb] = now.isoformat()
            self._set_all(cycle, h, "installed", f"{done} at {now:%Y-%m-%d %H:%M} UTC", now, code=outcome.code or None)
        elif outcome.kind == RESTART:
            self.state.installed[h.kb] = now.isoformat()
            restart_at, note = self._restart_plan(planned, behaviour, now)
            self._set_all(cycle, h, "pending_restart", f"installed, restart pending ({describe(outcome.code)}); {note}", now,
                          code=outcome.code, restart_at=restart_at)
            cycle.due(restart_at)
        elif outcome.kind == NOT_APPLICABLE:
            self._set_all(cycle, h, "not_required", f"not applicable here ({describe(outcome.code)}): the agent rescans "
                          "and reports its inventory again", now, code=outcome.code)
        elif outcome.kind == BUSY:
            retry = now + BUSY_RETRY
            self._set_all(cycle, h, "downloaded", f"the installer is busy ({describe(outcome.code)}); tried again at "
                          f"{retry:%Y-%m-%d %H:%M} UTC", now, code=outcome.code, retry_at=retry)
            cycle.due(retry)
        else:
            retry = now + RETRY_AFTER
            self._set_all(cycle, h, "failed", f"failed {describe(outcome.code)}; the agent retries at the next chance "
                          f"after {retry:%Y-%m-%d %H:%M} UTC", now, code=outcome.code, retry_at=retry)
            cycle.due(retry)

    def _restart_plan(self, planned, behaviour: Behaviour, now: datetime) -> tuple[datetime | None, str]:
        if behaviour.suppress_restart:
            return None, "its restart is suppressed for this kind of client: pending restart until someone restarts it"
        if planned.pending_restart or planned.restart_at is None:
            return None, "pending restart: no maintenance window is long enough for it"
        at = max(planned.restart_at, now + RESTART_COUNTDOWN)
        return at, f"the agent restarts the machine at {at:%Y-%m-%d %H:%M} UTC"

    def _restarts(self, now: datetime, cycle: Cycle) -> None:
        due = [p for p in self.state.progress.values() if p.state == "pending_restart" and p.restart_at
               and parse_iso(p.restart_at) <= now]
        if not due:
            return
        if self.installer.simulated:
            for p in due:
                self._set(cycle, p.deployment_id, p.kb, "installed",
                          f"installed: a simulated restart at {now:%Y-%m-%d %H:%M} UTC finished it", now)
            return
        self.installer.restart(seconds=int(RESTART_COUNTDOWN.total_seconds()))
        for p in due:
            self._set(cycle, p.deployment_id, p.kb, "pending_restart",
                      f"restarting: the machine restarts at {now + RESTART_COUNTDOWN:%Y-%m-%d %H:%M} UTC "
                      "(5 minute countdown)", now, code=p.code)

"""Who is doing a run, and whether that process is still there.

A run row says "running" from its start until its process records the end. A process killed with
kill -9 (or a machine that lost power) never records it, and the row would say "running" for ever:
in the header, on Home, in the history. So a run also records its owner: host, boot, pid namespace,
pid and the process's start time, plus a heartbeat it renews as it works. Another process can then
tell a dead run from a live one:

- on the same machine (same host name, boot and pid namespace), from the process table: the pid is
  gone, a zombie, or now a different process (its start time differs). This is exact;
- from another machine (a shared PostgreSQL site), only from the heartbeat: a run silent for
  `STALE_AFTER` is taken as dead. A sync renews it at every month, so this is generous.

Standard library only; Linux's /proc gives the exact answer, elsewhere `os.kill(pid, 0)`.
"""

from __future__ import annotations

import os
import socket
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sumtui.timeutil import as_utc, parse_iso, utcnow

STALE_AFTER = timedelta(minutes=30)


@dataclass(frozen=True)
class Owner:
    host: str
    boot: str | None
    pidns: str | None
    pid: int
    started: str | None  # the process's start time in clock ticks since boot (Linux), to detect pid reuse
    beat: str  # ISO time of the last heartbeat

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: object) -> Owner | None:
        if not isinstance(data, dict):
            return None
        try:
            return cls(host=str(data["host"]), boot=data.get("boot"), pidns=data.get("pidns"), pid=int(data["pid"]),
                       started=data.get("started"), beat=str(data["beat"]))
        except (KeyError, TypeError, ValueError):
            return None

    def describe(self) -> str:
        return f"pid {self.pid} on {self.host}"


def this_process(now: datetime | None = None) -> Owner:
    pid = os.getpid()
    return Owner(host=socket.gethostname(), boot=_read("/proc/sys/kernel/random/boot_id"), pidns=_pid_namespace(),
                 pid=pid, started=_start_time(pid), beat=(now or utcnow()).isoformat())


def is_alive(owner: Owner, *, now: datetime | None = None) -> bool:
    """Whether the process that recorded `owner` is still running (see the module's rules)."""
    me = this_process(now)
    same_machine = owner.host == me.host and owner.pidns == me.pidns
    if same_machine and owner.boot == me.boot:
        return _process_running(owner.pid, owner.started)
    if same_machine and owner.boot and me.boot:
        return False  # this machine was restarted since: every process of that boot is gone
    return _beat_is_fresh(owner, now)


def _beat_is_fresh(owner: Owner, now: datetime | None) -> bool:
    beat = parse_iso(owner.beat)
    return beat is not None and (now or utcnow()) - as_utc(beat) < STALE_AFTER


def _process_running(pid: int, started: str | None) -> bool:
    stat = _read(f"/proc/{pid}/stat")
    if stat is not None:
        fields = stat.rpartition(")")[2].split()
        # fields[0] is the state (Z: a zombie, X: dead); fields[19] the start time in ticks since boot.
        if not fields or fields[0] in ("Z", "X"):
            return False
        return started is None or len(fields) < 20 or fields[19] == started
    if Path("/proc/self/stat").exists():
        return False  # /proc works here and has no such pid
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process, but alive
    except OSError:
        return True  # cannot tell: never declare a live run dead
    return True


def _start_time(pid: int) -> str | None:
    stat = _read(f"/proc/{pid}/stat")
    if stat is None:
        return None
    fields = stat.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else None


def _pid_namespace() -> str | None:
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return None


def _read(path: str) -> str | None:
    try:
        return Path(path).read_text().strip()
    except OSError:
        return None

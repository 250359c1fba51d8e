"""When updates install: maintenance windows and the deployment scheduling rules of DESIGN.md §2.

One pure module: no database and no clock (the time is always an argument), so the what-if, the
management point and the agent all reach the same answer for the same facts.

- A maintenance window is a recurring interval under 24 h (once, daily, weekly, monthly), defined in
  the client's own time zone unless it says UTC. A client is inside the union of its collections' windows.
- Every update has a max run time (20 min, 60 for service packs). An update starts only if its max run
  time fits in what is left of the window; within a window the shortest go first.
- A restart takes a 5 min countdown and a 10 min turnaround. It is suppressed for servers or
  workstations when the deployment says so (the client stays pending restart), and happens outside a
  window only when the deployment allows it; otherwise it waits for the next window.
- Without a deadline nothing is enforced. From the deadline on, updates install in the next window, or
  at once when the deployment overrides windows (or the client has no window at all). Nothing ever
  starts before the available time.
- "Client local time" is each client's own zone, named as it reports it: an IANA name
  ("Europe/Berlin") when known, else the fixed offset Windows shows ("UTC+01:00"); `zone_of` reads both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MAX_RUN = timedelta(minutes=20)
MAX_RUN_SERVICE_PACK = timedelta(minutes=60)
RESTART_COUNTDOWN = timedelta(minutes=5)
RESTART_TURNAROUND = timedelta(minutes=10)
MAX_WINDOW = timedelta(hours=24)
RECURRENCES = ("once", "daily", "weekly", "monthly")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HORIZON = timedelta(days=62)  # how far ahead a plan looks for windows


class ScheduleError(ValueError):
    """A window or schedule that cannot be: the message says what and why."""


def max_run_time(*, classification: str | None = None, subtype: str | None = None) -> timedelta:
    """SCCM's default max run time: 60 minutes for service packs, 20 for everything else."""
    text = f"{classification or ''} {subtype or ''}".lower()
    return MAX_RUN_SERVICE_PACK if "service pack" in text else MAX_RUN


# ---------------------------------------------------------------------------------------- zones

_OFFSET_ZONE = re.compile(r"^(?:UTC|GMT)(?:\s*([+-])(\d{1,2}):?(\d{2}))?$", re.IGNORECASE)
_IANA_ZONE = re.compile(r"^[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+){0,2}$")


def offset_zone_name(offset: timedelta) -> str:
    """A fixed offset as zones are named here: 'UTC', 'UTC+01:00', 'UTC-03:30'."""
    if not offset:
        return "UTC"
    sign = "+" if offset > timedelta(0) else "-"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def is_zone_name(text: str | None) -> bool:
    """Whether `text` has the shape of a zone name (an IANA name or a fixed offset); whether this
    machine's zone database knows it is `zone_of`'s business."""
    if not text or len(text) > 64:
        return False
    found = _OFFSET_ZONE.match(text.strip())
    if found:
        return not found.group(1) or (int(found.group(2)) <= 14 and int(found.group(3)) < 60)
    return bool(_IANA_ZONE.match(text.strip()))


def zone_of(text: str | None) -> tzinfo:
    """The zone a client named: None or 'UTC' → UTC, 'UTC+01:00' → that fixed offset, an IANA name →
    its rules (daylight saving included). ScheduleError for a name this machine's zone database lacks."""
    if not text or not text.strip():
        return UTC
    found = _OFFSET_ZONE.match(text.strip())
    if found:
        if not found.group(1):
            return UTC
        offset = timedelta(hours=int(found.group(2)), minutes=int(found.group(3)))
        if offset > timedelta(hours=14) or int(found.group(3)) >= 60:
            raise ScheduleError(f"{text!r} is not a UTC offset (at most ±14:00)")
        offset = -offset if found.group(1) == "-" else offset
        return timezone(offset, offset_zone_name(offset)) if offset else UTC
    if not is_zone_name(text):
        raise ScheduleError(f"{text!r} is not a time zone name like Europe/Berlin or UTC+01:00")
    try:
        return ZoneInfo(text.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ScheduleError(f"time zone {text!r} is unknown to this machine's zone database") from None


# ---------------------------------------------------------------------------------------- windows


@dataclass(frozen=True)
class WindowSpec:
    """A maintenance window definition. `start` is the first occurrence's wall-clock start (naive: in
    the client's own time zone, or in UTC when `utc`); weekly windows repeat on its weekday, monthly on
    its day of the month."""

    recurrence: str
    start: datetime
    duration: timedelta
    utc: bool = False

    def __post_init__(self) -> None:
        if self.recurrence not in RECURRENCES:
            raise ScheduleError(f"recurrence must be one of {', '.join(RECURRENCES)}, not {self.recurrence!r}")
        if not timedelta(0) < self.duration < MAX_WINDOW:
            raise ScheduleError(f"a maintenance window lasts more than 0 and less than 24 hours, not {_span(self.duration)}")
        if self.start.tzinfo is not None:
            raise ScheduleError("a window's start is a wall-clock time (no time zone): local, or UTC with utc=True")

    def describe(self) -> str:
        """'daily 02:00 120m', 'sat 22:00 180m', '2026-12-12 01:00 240m' (+ ' UTC'): what parse_window reads."""
        clock = self.start.strftime("%H:%M")
        minutes = f"{int(self.duration.total_seconds() // 60)}m"
        head = {"once": self.start.strftime("%Y-%m-%d"), "daily": "daily",
                "weekly": WEEKDAYS[self.start.weekday()], "monthly": f"monthly {self.start.day}"}[self.recurrence]
        return f"{head} {clock} {minutes}" + (" UTC" if self.utc else "")


def window_spec(*, recurrence: str, start: datetime, duration_minutes: int, utc: bool) -> WindowSpec:
    """A window as stored (a collection's row, a policy's entry): ScheduleError when it cannot be one
    (24 h or more, a recurrence we do not know). An aware start (an instant) is read as its UTC wall clock."""
    wall = start if start.tzinfo is None else start.astimezone(UTC).replace(tzinfo=None)
    return WindowSpec(recurrence, wall, timedelta(minutes=duration_minutes), utc)


_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?$")


def parse_duration(text: str) -> timedelta:
    """'120m', '2h', '1h30m' → a timedelta."""
    found = _DURATION.match(text.strip().lower())
    if not found or not any(found.groups()):
        raise ScheduleError(f"{text!r} is not a duration like 120m, 2h or 1h30m")
    return timedelta(hours=int(found.group(1) or 0), minutes=int(found.group(2) or 0))


def parse_window(text: str, *, utc: bool = False, today: date | None = None) -> WindowSpec:
    """Read 'daily 02:00 120m', 'sat 22:00 180m', 'monthly 15 03:00 90m' or '2026-12-12 01:00 240m'.
    Recurring windows start on `today` (or the first matching day after it)."""
    words = text.strip().lower().split()
    if words and words[-1] == "utc":
        utc, words = True, words[:-1]
    base = today or date(2000, 1, 1)
    try:
        if len(words) == 3 and words[0] == "daily":
            start = datetime.combine(base, _clock(words[1]))
            recurrence = "daily"
        elif len(words) == 3 and words[0][:3] in WEEKDAYS and WEEKDAYS.index(words[0][:3]) >= 0:
            weekday = WEEKDAYS.index(words[0][:3])
            day = base + timedelta(days=(weekday - base.weekday()) % 7)
            start, recurrence = datetime.combine(day, _clock(words[1])), "weekly"
        elif len(words) == 4 and words[0] == "monthly" and words[1].isdigit() and 1 <= int(words[1]) <= 28:
            start = datetime.combine(base.replace(day=int(words[1])), _clock(words[2]))
            recurrence, words = "monthly", [words[0], words[2], words[3]]
        elif len(words) == 3 and re.fullmatch(r"\d{4}-\d{2}-\d{2}", words[0]):
            start = datetime.combine(date.fromisoformat(words[0]), _clock(words[1]))
            recurrence = "once"
        else:
            raise ScheduleError("")
    except (ScheduleError, ValueError):
        raise ScheduleError(
            f"{text!r} is not a window: use 'daily 02:00 120m', 'sat 22:00 180m', 'monthly 15 03:00 90m' "
            "or '2026-12-12 01:00 240m' (local time; add --utc or ' UTC' for UTC)"
        ) from None
    return WindowSpec(recurrence, start, parse_duration(words[-1]), utc)


def _clock(text: str) -> time:
    if not re.fullmatch(r"\d{1,2}:\d{2}", text):
        raise ScheduleError(f"{text!r} is not a time like 02:00")
    hours, minutes = map(int, text.split(":"))
    return time(hours, minutes)


@dataclass(frozen=True, order=True)
class Interval:
    """A span of time, aware UTC on both ends (end excluded)."""

    start: datetime
    end: datetime

    def __contains__(self, moment: datetime) -> bool:
        return self.start <= moment < self.end

    @property
    def length(self) -> timedelta:
        return self.end - self.start


def _wall_to_utc(moment: datetime, tz: tzinfo) -> datetime:
    # A wall time that does not exist (the hour skipped in spring) is read with the offset before the
    # change, so a 02:30 window still opens, at 03:30 local; an ambiguous one takes its first occurrence.
    return moment.replace(tzinfo=tz).astimezone(UTC)


def occurrences(spec: WindowSpec, tz: tzinfo, start: datetime, end: datetime) -> Iterator[Interval]:
    """The window's occurrences (aware UTC) that overlap [start, end), in order."""
    zone = UTC if spec.utc else tz
    local_start = start.astimezone(zone).replace(tzinfo=None) - spec.duration - timedelta(days=1)
    local_end = end.astimezone(zone).replace(tzinfo=None) + timedelta(days=1)
    for wall in _wall_starts(spec, local_start, local_end):
        opened = _wall_to_utc(wall, zone)
        interval = Interval(opened, opened + spec.duration)
        if interval.end > start and interval.start < end:
            yield interval


def _wall_starts(spec: WindowSpec, after: datetime, before: datetime) -> Iterator[datetime]:
    first = spec.start
    if spec.recurrence == "once":
        if after <= first < before:
            yield first
        return
    if spec.recurrence in ("daily", "weekly"):
        step = timedelta(days=1 if spec.recurrence == "daily" else 7)
        skip = max(0, (after - first) // step)
        moment = first + skip * step
        while moment < before:
            if moment >= after:
                yield moment
            moment += step
        return
    index = max(0, (after.year - first.year) * 12 + after.month - first.month - 1)
    while True:
        year, month = first.year + (first.month - 1 + index) // 12, (first.month - 1 + index) % 12 + 1
        moment = first.replace(year=year, month=month)  # days 1-28 only: every month has them
        if moment >= before:
            return
        if moment >= after:
            yield moment
        index += 1


def open_windows(specs: Iterable[WindowSpec], tz: tzinfo, start: datetime, end: datetime) -> list[Interval]:
    """The union of every window's occurrences over [start, end): sorted, overlaps merged."""
    spans = sorted(i for spec in specs for i in occurrences(spec, tz, start, end))
    merged: list[Interval] = []
    for span in spans:
        if merged and span.start <= merged[-1].end:
            if span.end > merged[-1].end:
                merged[-1] = Interval(merged[-1].start, span.end)
        else:
            merged.append(span)
    return merged


# ---------------------------------------------------------------------------------------- plans


@dataclass(frozen=True)
class UpdateRun:
    """One update to install: its key (e.g. 'KB5048652'), max run time, and whether it restarts."""

    key: str
    max_run: timedelta = MAX_RUN
    restart: bool = True


@dataclass(frozen=True)
class Behaviour:
    """What a deployment says about timing, resolved for one client (aware UTC times)."""

    available: datetime | None = None  # None: as soon as possible
    deadline: datetime | None = None  # None: not enforced
    override_windows: bool = False  # install outside windows at the deadline
    allow_restart_outside: bool = False
    suppress_restart: bool = False  # this client's role (server / workstation) has restarts suppressed
    zone_label: str = "UTC"  # how times are named in sentences ("client local time", "UTC")
    tz: tzinfo = UTC  # the zone sentences show times in


@dataclass(frozen=True)
class PlannedInstall:
    """When one update would install on one client, and why, in one sentence."""

    key: str
    start: datetime | None
    end: datetime | None
    window: Interval | None = None
    outside_window: bool = False
    restart_at: datetime | None = None
    pending_restart: bool = False  # installed, restart suppressed or deferred past the plan
    reason: str = ""


@dataclass
class _Batch:
    window: Interval | None
    cursor: datetime
    installs: list[PlannedInstall] = field(default_factory=list)
    restart: bool = False


def resolve_time(value: datetime | None, *, tz: tzinfo, local: bool) -> datetime | None:
    """A deployment time for one client: a naive wall-clock time in the client's zone when the deployment
    uses client local time, else UTC (an aware time is taken as it is)."""
    if value is None or value.tzinfo is not None:
        return value.astimezone(UTC) if value is not None else None
    return _wall_to_utc(value, tz if local else UTC)


def plan(
    updates: Sequence[UpdateRun], *, windows: Sequence[Interval], behaviour: Behaviour, now: datetime,
) -> list[PlannedInstall]:
    """When each update installs on one client. `windows` are the client's open windows (open_windows)
    from now on; an empty list means the client has none. Returns one PlannedInstall per update, in
    install order (updates that never install last)."""
    b = behaviour
    if b.deadline is None:
        when = f" from {_at(b.available, b)}" if b.available and b.available > now else ""
        return [PlannedInstall(u.key, None, None, reason=f"available{when}; not enforced: the deployment has no deadline")
                for u in updates]
    begin = max(x for x in (now, b.available, b.deadline) if x is not None)
    todo = sorted(updates, key=lambda u: (u.max_run, u.key))
    if b.override_windows or not windows:
        return _at_once(todo, begin, windows, b)
    done: list[PlannedInstall] = []
    for window in windows:
        if not todo or window.end <= begin:
            continue
        batch = _Batch(window, max(window.start, begin))
        left = []
        for update in todo:  # shortest first: once one does not fit, none longer does
            if batch.cursor + update.max_run <= window.end:
                batch.installs.append(PlannedInstall(
                    update.key, batch.cursor, batch.cursor + update.max_run, window, False, reason=(
                        f"installs in the maintenance window {_span_text(window, b)} ({b.zone_label}); "
                        f"{update.key} needs {_span(update.max_run)}")))
                batch.cursor += update.max_run
                batch.restart = batch.restart or update.restart
            else:
                left.append(update)
        todo = left
        done.extend(_restart(batch, windows, b))
    longest = max(w.length for w in windows)
    for update in todo:
        if update.max_run > longest:
            why = (f"never installs: no maintenance window is long enough ({update.key} needs {_span(update.max_run)}, "
                   f"the longest is {_span(longest)}); allow installation outside windows at the deadline or add a longer window")
        else:
            why = f"waiting: no maintenance window with {_span(update.max_run)} free before {_at(windows[-1].end, b)}"
        done.append(PlannedInstall(update.key, None, None, reason=why))
    return done


def _at_once(todo: list[UpdateRun], begin: datetime, windows: Sequence[Interval], b: Behaviour) -> list[PlannedInstall]:
    batch = _Batch(None, begin)
    for update in todo:
        inside = next((w for w in windows if w.start <= batch.cursor and batch.cursor + update.max_run <= w.end), None)
        if not windows:
            why = f"installs at the deadline {_at(b.deadline, b)}: the client has no maintenance window"
        elif inside is None:
            why = f"installs at the deadline {_at(b.deadline, b)}, outside maintenance windows (the deployment overrides them)"
        else:
            why = f"installs at the deadline {_at(b.deadline, b)}, inside the maintenance window {_span_text(inside, b)}"
        if begin > b.deadline:
            why = why.replace(f"at the deadline {_at(b.deadline, b)}", f"at once (the deadline {_at(b.deadline, b)} has passed)")
        batch.installs.append(PlannedInstall(update.key, batch.cursor, batch.cursor + update.max_run, inside,
                                             bool(windows) and inside is None, reason=why))
        batch.cursor += update.max_run
        batch.restart = batch.restart or update.restart
    return _restart(batch, windows, b)


def _restart(batch: _Batch, windows: Sequence[Interval], b: Behaviour) -> list[PlannedInstall]:
    """Where the batch's restart falls (if any), written onto the updates that need it."""
    if not batch.installs or not batch.restart:
        return batch.installs
    if b.suppress_restart:
        note = "; its restart is suppressed for this kind of client: pending restart until someone restarts it"
        return [_with(p, pending_restart=True, reason=p.reason + note) for p in batch.installs]
    needed = RESTART_COUNTDOWN + RESTART_TURNAROUND
    at = batch.cursor
    in_window = batch.window is not None and at + needed <= batch.window.end
    if not windows or in_window or b.allow_restart_outside:
        restart_at = at + RESTART_COUNTDOWN
        note = f"; restarts at {_at(restart_at, b)}" + ("" if not windows or in_window else ", outside maintenance windows (allowed)")
        return [_with(p, restart_at=restart_at, reason=p.reason + note) for p in batch.installs]
    later = next((w for w in windows if w.start >= at and w.length >= needed), None)
    if later is None:
        note = "; pending restart: no later maintenance window is long enough for it"
        return [_with(p, pending_restart=True, reason=p.reason + note) for p in batch.installs]
    restart_at = later.start + RESTART_COUNTDOWN
    note = f"; pending restart until the next maintenance window, restarts at {_at(restart_at, b)}"
    return [_with(p, restart_at=restart_at, reason=p.reason + note) for p in batch.installs]


def _with(install: PlannedInstall, **changes) -> PlannedInstall:
    return replace(install, **changes)


def windows_needed(installs: Sequence[PlannedInstall]) -> int:
    """How many distinct windows the plan uses."""
    return len({p.window for p in installs if p.window is not None and not p.outside_window})


# ---------------------------------------------------------------------------------------- sentences


def _span(length: timedelta) -> str:
    minutes = int(length.total_seconds() // 60)
    return f"{minutes} min" if minutes < 120 or minutes % 60 else f"{minutes // 60} h"


def _at(moment: datetime | None, b: Behaviour) -> str:
    if moment is None:
        return "now"
    local = moment.astimezone(b.tz)
    return local.strftime("%Y-%m-%d %H:%M") + f" {b.zone_label}"


def _span_text(window: Interval, b: Behaviour) -> str:
    start, end = window.start.astimezone(b.tz), window.end.astimezone(b.tz)
    return f"{start.strftime('%a %Y-%m-%d %H:%M')}–{end.strftime('%H:%M')}"

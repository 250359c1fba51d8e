"""The scheduling rules (sumtui.deploy.schedule): examples that say what an operator expects, and
properties over random windows, run times and deadlines (hypothesis)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sumtui.deploy.schedule import (
    Behaviour,
    Interval,
    ScheduleError,
    UpdateRun,
    WindowSpec,
    max_run_time,
    occurrences,
    open_windows,
    parse_window,
    plan,
    resolve_time,
    windows_needed,
)

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # a Tuesday
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
M = timedelta(minutes=1)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# ------------------------------------------------------------------------------------ windows


def test_window_texts_are_read_and_written_back():
    today = date(2026, 12, 1)
    daily = parse_window("daily 02:00 120m", today=today)
    assert (daily.recurrence, daily.start, daily.duration, daily.utc) == ("daily", datetime(2026, 12, 1, 2), 120 * M, False)
    saturday = parse_window("sat 22:00 180m", today=today)
    assert saturday.start == datetime(2026, 12, 5, 22) and saturday.recurrence == "weekly"
    once = parse_window("2026-12-12 01:00 240m", utc=True)
    assert once.recurrence == "once" and once.utc and once.start == datetime(2026, 12, 12, 1)
    assert parse_window("monthly 15 03:00 1h30m", today=today).start == datetime(2026, 12, 15, 3)
    for spec in (daily, saturday, once):
        assert parse_window(spec.describe(), today=today) == spec


@pytest.mark.parametrize("text", ["daily 02:00 24h", "daily 02:00 1440m", "sat 22:00 0m", "daily 25:00 60m",
                                  "someday 02:00 60m", "2026-13-01 01:00 60m", "daily 02:00", ""])
def test_bad_windows_are_refused_with_a_reason(text):
    with pytest.raises(ScheduleError):
        parse_window(text)


def test_a_window_of_24_hours_or_more_is_refused():
    with pytest.raises(ScheduleError, match="less than 24 hours"):
        WindowSpec("daily", datetime(2026, 1, 1, 2), timedelta(hours=24))


def test_local_windows_open_at_the_same_wall_clock_time_in_every_zone():
    spec = parse_window("daily 02:00 60m", today=date(2026, 12, 1))
    berlin = list(occurrences(spec, BERLIN, NOW, NOW + timedelta(days=1)))
    york = list(occurrences(spec, NEW_YORK, NOW, NOW + timedelta(days=1)))
    assert [w.start.astimezone(BERLIN).hour for w in berlin] == [2]
    assert [w.start.astimezone(NEW_YORK).hour for w in york] == [2]
    assert berlin[0].start != york[0].start
    in_utc = WindowSpec("daily", datetime(2026, 12, 1, 2), 60 * M, utc=True)
    assert [w.start for w in occurrences(in_utc, NEW_YORK, NOW, NOW + timedelta(days=1))] == [utc(2026, 12, 2, 2)]


def test_local_windows_follow_daylight_saving_time():
    spec = WindowSpec("daily", datetime(2026, 3, 1, 2, 30), 60 * M)
    spring = list(occurrences(spec, BERLIN, utc(2026, 3, 28), utc(2026, 3, 31)))
    # 02:30 does not exist on 29 March in Berlin: the window still opens (at 03:30 local, 01:30 UTC).
    assert [w.start for w in spring] == [utc(2026, 3, 28, 1, 30), utc(2026, 3, 29, 1, 30), utc(2026, 3, 30, 0, 30)]


def test_overlapping_windows_of_several_collections_merge():
    a = WindowSpec("daily", datetime(2026, 12, 1, 1), 120 * M, utc=True)
    b = WindowSpec("daily", datetime(2026, 12, 1, 2), 120 * M, utc=True)
    merged = open_windows([a, b], UTC, NOW, NOW + timedelta(days=1))
    assert merged == [Interval(utc(2026, 12, 2, 1), utc(2026, 12, 2, 4))]


def test_monthly_windows_repeat_on_their_day():
    spec = WindowSpec("monthly", datetime(2026, 1, 15, 3), 60 * M, utc=True)
    starts = [w.start for w in occurrences(spec, UTC, utc(2026, 11, 1), utc(2027, 2, 1))]
    assert starts == [utc(2026, 11, 15, 3), utc(2026, 12, 15, 3), utc(2027, 1, 15, 3)]


def test_service_packs_get_an_hour():
    assert max_run_time(classification="Service Packs") == 60 * M
    assert max_run_time(classification="Security Updates", subtype="Monthly Rollup") == 20 * M


# ------------------------------------------------------------------------------------ plans


def saturday_nights(hours: int = 4) -> list[Interval]:
    spec = WindowSpec("weekly", datetime(2026, 12, 5, 22), timedelta(hours=hours), utc=True)
    return open_windows([spec], UTC, NOW, NOW + timedelta(days=30))


def test_without_a_deadline_nothing_is_enforced():
    got = plan([UpdateRun("KB1")], windows=saturday_nights(), behaviour=Behaviour(), now=NOW)
    assert got[0].start is None and "not enforced" in got[0].reason


def test_at_the_deadline_updates_wait_for_the_next_window_shortest_first():
    updates = [UpdateRun("KB-SP", 60 * M), UpdateRun("KB-A", 20 * M), UpdateRun("KB-B", 20 * M)]
    got = plan(updates, windows=saturday_nights(), behaviour=Behaviour(deadline=utc(2026, 12, 2, 2)), now=NOW)
    assert [p.key for p in got] == ["KB-A", "KB-B", "KB-SP"]
    assert got[0].start == utc(2026, 12, 5, 22) and got[2].end == utc(2026, 12, 5, 23, 40)
    assert got[0].restart_at == utc(2026, 12, 5, 23, 45)
    assert "installs in the maintenance window Sat 2026-12-05 22:00–02:00" in got[0].reason
    assert windows_needed(got) == 1


def test_an_update_that_does_not_fit_waits_for_a_later_window():
    short = open_windows([WindowSpec("weekly", datetime(2026, 12, 5, 22), 50 * M, utc=True)], UTC, NOW, NOW + timedelta(days=30))
    updates = [UpdateRun("KB-A", 20 * M, restart=False), UpdateRun("KB-B", 20 * M, restart=False), UpdateRun("KB-C", 20 * M, restart=False)]
    got = plan(updates, windows=short, behaviour=Behaviour(deadline=NOW), now=NOW)
    assert [(p.key, p.start) for p in got] == [("KB-A", utc(2026, 12, 5, 22)), ("KB-B", utc(2026, 12, 5, 22, 20)),
                                               ("KB-C", utc(2026, 12, 12, 22))]
    assert windows_needed(got) == 2


def test_no_window_long_enough_says_so():
    short = open_windows([WindowSpec("daily", datetime(2026, 12, 1, 1), 45 * M, utc=True)], UTC, NOW, NOW + timedelta(days=30))
    (got,) = plan([UpdateRun("KB-SP", 60 * M)], windows=short, behaviour=Behaviour(deadline=NOW), now=NOW)
    assert got.start is None and "never installs" in got.reason and "60 min" in got.reason and "45 min" in got.reason


def test_overriding_windows_installs_at_the_deadline_and_says_it_is_outside():
    deadline = utc(2026, 12, 2, 9)
    got = plan([UpdateRun("KB1")], windows=saturday_nights(),
               behaviour=Behaviour(deadline=deadline, override_windows=True, allow_restart_outside=True), now=NOW)
    assert got[0].start == deadline and got[0].outside_window
    assert got[0].restart_at == deadline + 25 * M and "outside maintenance windows" in got[0].reason


def test_a_restart_outside_a_window_waits_for_the_next_window_unless_allowed():
    deadline = utc(2026, 12, 2, 9)
    got = plan([UpdateRun("KB1")], windows=saturday_nights(), behaviour=Behaviour(deadline=deadline, override_windows=True), now=NOW)
    assert got[0].restart_at == utc(2026, 12, 5, 22, 5) and "pending restart until the next maintenance window" in got[0].reason


def test_suppressed_restarts_leave_the_client_pending_restart():
    got = plan([UpdateRun("KB1")], windows=[], behaviour=Behaviour(deadline=NOW, suppress_restart=True), now=NOW)
    assert got[0].pending_restart and got[0].restart_at is None and "suppressed" in got[0].reason


def test_a_client_without_windows_installs_at_the_deadline():
    deadline = utc(2026, 12, 3, 2)
    got = plan([UpdateRun("KB1", restart=False)], windows=[], behaviour=Behaviour(deadline=deadline), now=NOW)
    assert got[0].start == deadline and not got[0].outside_window and "no maintenance window" in got[0].reason


def test_a_deadline_in_the_past_installs_at_once():
    got = plan([UpdateRun("KB1", restart=False)], windows=[], behaviour=Behaviour(deadline=NOW - timedelta(days=1)), now=NOW)
    assert got[0].start == NOW and "has passed" in got[0].reason


def test_client_local_deadlines_resolve_in_each_clients_zone():
    wall = datetime(2026, 12, 10, 2, 0)
    assert resolve_time(wall, tz=BERLIN, local=True) == utc(2026, 12, 10, 1)
    assert resolve_time(wall, tz=NEW_YORK, local=True) == utc(2026, 12, 10, 7)
    assert resolve_time(wall, tz=BERLIN, local=False) == utc(2026, 12, 10, 2)
    assert resolve_time(utc(2026, 12, 10, 2), tz=BERLIN, local=True) == utc(2026, 12, 10, 2)


def test_sentences_name_the_clients_own_time():
    behaviour = Behaviour(deadline=utc(2026, 12, 10, 1), tz=BERLIN, zone_label="client local time")
    (got,) = plan([UpdateRun("KB1", restart=False)], windows=[], behaviour=behaviour, now=NOW)
    assert "2026-12-10 02:00 client local time" in got.reason


# ------------------------------------------------------------------------------------ properties

minutes = st.integers(min_value=1, max_value=23 * 60 + 59).map(lambda m: timedelta(minutes=m))
window_specs = st.builds(
    lambda rec, day, hour, minute, length, in_utc: WindowSpec(rec, datetime(2026, 11, 20 + day, hour, minute), length, in_utc),
    st.sampled_from(["once", "daily", "weekly", "monthly"]), st.integers(0, 8), st.integers(0, 23), st.integers(0, 59),
    minutes, st.booleans(),
)
runs = st.lists(st.builds(UpdateRun, st.text("ABCDEFGH", min_size=1, max_size=6),
                          st.integers(1, 180).map(lambda m: timedelta(minutes=m)), st.booleans()),
                min_size=1, max_size=12, unique_by=lambda u: u.key)
offsets = st.integers(min_value=-3 * 24 * 60, max_value=20 * 24 * 60).map(lambda m: timedelta(minutes=m))
zones = st.sampled_from([UTC, BERLIN, NEW_YORK, ZoneInfo("Asia/Kolkata"), timezone(timedelta(hours=-3))])


@settings(max_examples=300, deadline=None)
@given(specs=st.lists(window_specs, max_size=4), updates=runs, available=st.one_of(st.none(), offsets),
       deadline=offsets, override=st.booleans(), restart_outside=st.booleans(), suppress=st.booleans(), tz=zones)
def test_plans_keep_the_rules(specs, updates, available, deadline, override, restart_outside, suppress, tz):
    windows = open_windows(specs, tz, NOW, NOW + timedelta(days=62))
    behaviour = Behaviour(available=None if available is None else NOW + available, deadline=NOW + deadline,
                          override_windows=override, allow_restart_outside=restart_outside, suppress_restart=suppress)
    got = plan(updates, windows=windows, behaviour=behaviour, now=NOW)
    assert sorted(p.key for p in got) == sorted(u.key for u in updates)
    runs_by_key = {u.key: u for u in updates}
    started = [p for p in got if p.start is not None]
    earliest = max(x for x in (NOW, behaviour.available, behaviour.deadline) if x is not None)
    for p in started:
        # Nothing before the available time, nor before the deadline (nothing is enforced earlier).
        assert p.start >= earliest
        assert p.end - p.start == runs_by_key[p.key].max_run
        if not (override or not windows):
            # An install starts only if its whole max run time fits in the window.
            assert p.window is not None and p.window.start <= p.start and p.end <= p.window.end
            assert any(w == p.window for w in windows)
        assert p.reason
        if p.restart_at is not None:
            assert p.restart_at >= p.end
    # Installs never overlap, and within one window the shortest go first.
    ordered = sorted(started, key=lambda p: p.start)
    for a, b in zip(ordered, ordered[1:]):
        assert a.end <= b.start
        if a.window == b.window and a.window is not None:
            assert runs_by_key[a.key].max_run <= runs_by_key[b.key].max_run
    for p in got:
        if p.start is None:
            assert "never installs" in p.reason or "waiting" in p.reason
        if suppress and runs_by_key[p.key].restart and p.start is not None:
            assert p.restart_at is None

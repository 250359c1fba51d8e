"""Client time zones in the scheduling rules: zone names as clients report them, windows read in each
client's zone, and a "client local time" deadline that fires at the same wall-clock time everywhere."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sumtui.deploy.schedule import (
    Behaviour,
    ScheduleError,
    UpdateRun,
    is_zone_name,
    offset_zone_name,
    open_windows,
    plan,
    resolve_time,
    window_spec,
    zone_of,
)

ZONES = ["Europe/Berlin", "America/New_York", "America/Los_Angeles", "Asia/Kolkata", "Asia/Tokyo", "Australia/Sydney",
         "Pacific/Auckland", "UTC", "UTC+05:45", "UTC-03:30", "Europe/London"]


@pytest.mark.parametrize(("text", "offset"), [
    (None, timedelta(0)), ("UTC", timedelta(0)), ("UTC+01:00", timedelta(hours=1)), ("utc-03:30", -timedelta(hours=3, minutes=30)),
    ("GMT+0545", timedelta(hours=5, minutes=45)),
])
def test_fixed_offsets_read_as_that_offset(text, offset):
    assert zone_of(text).utcoffset(datetime(2026, 7, 1)) == offset


def test_an_iana_zone_keeps_its_daylight_saving():
    berlin = zone_of("Europe/Berlin")
    assert berlin.utcoffset(datetime(2026, 1, 15)) == timedelta(hours=1)
    assert berlin.utcoffset(datetime(2026, 7, 15)) == timedelta(hours=2)


@pytest.mark.parametrize("text", ["Mars/Olympus_Mons", "UTC+15:00", "../etc/passwd", "Europe/Berlin; rm", "x" * 80])
def test_a_zone_that_cannot_be_is_refused(text):
    with pytest.raises(ScheduleError):
        zone_of(text)


def test_zone_names_have_one_shape_everywhere():
    assert is_zone_name("America/Argentina/Buenos_Aires") and is_zone_name("UTC+01:00") and is_zone_name("UTC")
    assert not is_zone_name("(UTC+01:00) Amsterdam") and not is_zone_name("") and not is_zone_name("UTC+1:99")
    assert offset_zone_name(timedelta(hours=-3, minutes=-30)) == "UTC-03:30" and offset_zone_name(timedelta(0)) == "UTC"


def test_a_stored_window_over_24_hours_cannot_be_one():
    with pytest.raises(ScheduleError, match="less than 24 hours"):
        window_spec(recurrence="daily", start=datetime(2026, 12, 1, 2, 0), duration_minutes=24 * 60, utc=False)
    assert window_spec(recurrence="weekly", start=datetime(2026, 12, 5, 22, 0), duration_minutes=180, utc=True).describe() \
        == "sat 22:00 180m UTC"


@settings(max_examples=60, deadline=None)
@given(zone=st.sampled_from(ZONES), hour=st.integers(0, 23), days=st.integers(1, 40))
def test_a_client_local_deadline_fires_at_that_wall_clock_time_in_every_zone(zone, hour, days):
    tz = zone_of(zone)
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    wall = (now + timedelta(days=days)).replace(hour=hour, minute=0, tzinfo=None)
    deadline = resolve_time(wall, tz=tz, local=True)
    behaviour = Behaviour(deadline=deadline, override_windows=True, zone_label="client local time", tz=tz)
    [install] = plan([UpdateRun("KB1")], windows=[], behaviour=behaviour, now=now)
    local = install.start.astimezone(tz)
    # Daylight saving can move a skipped hour (02:30 in spring) by the change; otherwise exactly that time.
    assert local.replace(tzinfo=None) - wall in (timedelta(0), timedelta(hours=1))
    assert "client local time" in install.reason


def test_a_local_window_opens_at_its_wall_clock_time_in_each_zone():
    spec = window_spec(recurrence="daily", start=datetime(2026, 12, 1, 2, 0), duration_minutes=120, utc=False)
    now = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    firsts = {zone: open_windows([spec], zone_of(zone), now, now + timedelta(days=2))[0].start for zone in
              ("Europe/Berlin", "America/New_York", "Asia/Tokyo")}
    assert firsts == {"Europe/Berlin": datetime(2026, 12, 4, 1, 0, tzinfo=UTC),
                      "America/New_York": datetime(2026, 12, 4, 7, 0, tzinfo=UTC),
                      "Asia/Tokyo": datetime(2026, 12, 3, 17, 0, tzinfo=UTC)}

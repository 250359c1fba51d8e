"""The what-if: per client, in its own time zone, when each update it needs would install and restart,
how many windows that takes, and the bytes the distribution point serves; nothing stored."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from sumtui.deploy.content.store import ContentStore
from sumtui.deploy.deployments import resolve
from sumtui.deploy.models import Deployment
from sumtui.deploy.package_download import FolderSource, WantedUpdate, download_package
from sumtui.deploy.packages import create_package
from sumtui.deploy.whatif import what_if
from sumtui.fleet.collections import add_window, get_collection
from sumtui.fleet.models import MaintenanceWindowCreate
from sumtui.workflows.intake import ingest_inventory
from tests.compliance.scenario import CU, ROLLUP
from tests.deploy.fleet_fixture import spec, ws

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def rows_by_client(result) -> dict[str, dict]:
    return {r["client"]: r for r in result.as_document()["installs"]}


def test_windows_open_at_the_same_wall_clock_time_in_each_clients_zone(fleet_site):
    site, _ids = fleet_site
    with site.session() as session:
        ingest_inventory(session, ws("WS-3", CU[1], zone="America/New_York"))
        add_window(session, get_collection(session, "All Systems"), MaintenanceWindowCreate(
            name="nightly", recurrence="daily", start=datetime(2026, 12, 1, 2, 0), duration_minutes=120))
        resolved = resolve(session, spec=spec(local_time=True, deadline=datetime(2026, 12, 5, 0, 0)))
        result = what_if(session, resolved=resolved, now=NOW)
        stored = session.execute(select(func.count()).select_from(Deployment)).scalar_one()
    rows = rows_by_client(result)
    assert set(rows) == {"WS-1", "WS-3", "SRV-1"}  # WS-2 has CU[4] already
    assert rows["WS-1"]["start"] == "2026-12-05T02:00:00+01:00" and rows["WS-1"]["time_zone"] == "Europe/Berlin"
    assert rows["WS-3"]["start"] == "2026-12-05T02:00:00-05:00" and rows["WS-3"]["window_end"] == "2026-12-05T04:00:00-05:00"
    assert rows["SRV-1"]["start"] == "2026-12-05T02:00:00+00:00" and rows["SRV-1"]["kb"] == f"KB{ROLLUP[4]}"
    assert rows["WS-1"]["restart_at"] == "2026-12-05T02:25:00+01:00" and rows["WS-1"]["outside_window"] is False
    assert rows["WS-1"]["reason"].startswith("installs in the maintenance window Sat 2026-12-05 02:00–04:00")
    notes = {c["client"]: c for c in result.as_document()["clients"]}
    assert notes["SRV-1"]["note"] == "time zone not reported: UTC assumed" and notes["WS-1"]["windows_needed"] == 1
    assert stored == 0


def test_an_update_that_fits_no_window_says_it_never_installs(fleet_site):
    site, _ids = fleet_site
    with site.session() as session:
        add_window(session, get_collection(session, "All Systems"), MaintenanceWindowCreate(
            name="short", recurrence="daily", start=datetime(2026, 12, 1, 2, 0), duration_minutes=15, utc=True))
        result = what_if(session, resolved=resolve(session, spec=spec(deadline=datetime(2026, 12, 5, tzinfo=UTC))), now=NOW)
    assert any("no maintenance window of 'All Systems' is long enough" in line for line in result.lints)
    row = rows_by_client(result)["WS-1"]
    assert row["start"] is None and row["reason"].startswith("never installs: no maintenance window is long enough")


def test_overriding_windows_at_the_deadline_and_restarts_outside(fleet_site):
    site, _ids = fleet_site
    with site.session() as session:
        add_window(session, get_collection(session, "All Systems"), MaintenanceWindowCreate(
            name="nightly", recurrence="daily", start=datetime(2026, 12, 1, 2, 0), duration_minutes=120, utc=True))
        resolved = resolve(session, spec=spec(deadline=datetime(2026, 12, 4, 12, 0, tzinfo=UTC), override_windows=True,
                                              allow_restart_outside=True))
        result = what_if(session, resolved=resolved, now=NOW)
    row = rows_by_client(result)["WS-1"]
    # Times in the client's own zone (WS-1 is in Berlin): 12:00 UTC is 13:00 there.
    assert (row["start"], row["outside_window"], row["window_start"]) == ("2026-12-04T13:00:00+01:00", True, None)
    assert "outside maintenance windows (allowed)" in row["reason"]
    assert {c["client"]: c["restarts_outside"] for c in result.as_document()["clients"]}["WS-1"] == 1


def test_the_bytes_the_distribution_point_serves(fleet_site, tmp_path):
    site, _ids = fleet_site
    data = b"april cumulative update " * 1000
    import hashlib

    folder = tmp_path / "files"
    folder.mkdir()
    (folder / f"windows10.0-kb{CU[4]}-x64_{hashlib.sha1(data).hexdigest()}.msu").write_bytes(data)
    with site.session() as session:
        create_package(session, name="April files")
        session.commit()
        download_package(session, store=ContentStore(site.content_dir), name="April files", wanted=[WantedUpdate(CU[4])],
                         source=FolderSource(folder))
        session.commit()
        resolved = resolve(session, spec=spec(package="April files", deadline=datetime(2026, 12, 5, tzinfo=UTC)))
        result = what_if(session, resolved=resolved, now=NOW)
    # WS-1 needs the cumulative update (its file); SRV-1's rollup has no content in the package.
    assert result.bytes_per_distribution_point == {"management point": len(data)}
    assert any(f"content missing: package 'April files' holds a downloaded file for KB{ROLLUP[4]}" in line
               for line in result.lints)


def test_a_client_that_never_reported_is_planned_for_everything_and_says_so(fleet_site):
    site, _ids = fleet_site
    from sqlalchemy import text

    with site.session() as session:
        session.execute(text("INSERT INTO client (name, name_key, installed_kbs, reported_products, tags, created_at, "
                             "report_serial, needs_full_resend, required_count, installed_count, failed_count, "
                             "critical_missing, important_missing, states, out_of_support, source) VALUES ('NEW-1', "
                             "'NEW-1', '', '[]', '[]', '2026-12-01 00:00:00', 0, 0, 0, 0, 0, 0, 0, '', 0, 'agent')"))
        from sumtui.workflows.collections import refresh_membership

        refresh_membership(session)
        result = what_if(session, resolved=resolve(session, spec=spec(deadline=datetime(2026, 12, 5, tzinfo=UTC))), now=NOW)
    new = [r for r in result.as_document()["installs"] if r["client"] == "NEW-1"]
    assert len(new) == 2 and all(r["reason"].startswith("if it needs it (the client has not reported yet): ") for r in new)

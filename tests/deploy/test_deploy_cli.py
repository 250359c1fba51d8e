"""`sumtui collections`, `deploy`, `deployments` and `nap` as scripts use them: the JSON shapes of the
CLI contract, nothing created unconfirmed, exit codes 0/1/2 with one-line reasons."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.compliance.scenario import CU, ROLLUP
from tests.deploy.test_lists_cli import _runner


@pytest.fixture
def run(fleet_site, capsys, monkeypatch):
    site, _ids = fleet_site
    return _runner(site.url, capsys, monkeypatch)


def ok(done):
    assert done.returncode == 0, done.stderr
    return done


def test_collections_and_their_windows(run):
    ok(run("collections", "create", "Servers", "--rule", "os_product=Windows Server"))
    ok(run("collections", "create", "Pilot", "--member", "WS-1", "--member", "ws-2", "--description", "first ring"))
    ok(run("collections", "windows", "Servers", "--add", "daily 02:00 120m", "--add", "sat 22:00 180m", "--utc"))
    ok(run("collections", "windows", "Servers", "--add", "2026-12-12 01:00 240m"))
    refused = run("collections", "windows", "Servers", "--add", "daily 02:00 1440m")
    assert refused.returncode == 1 and "less than 24 hours" in refused.stderr
    document = json.loads(ok(run("collections", "show", "Servers", "--format", "json")).stdout)
    assert document["name"] == "Servers" and document["rule"] == {"os_product": "Windows Server"}
    assert document["members"] == ["SRV-1"]
    windows = [{k: w[k] for k in ("recurrence", "duration_minutes", "utc")} | {"time": w["start"][11:]} for w in document["windows"]]
    assert windows == [{"recurrence": "daily", "duration_minutes": 120, "utc": True, "time": "02:00"},
                       {"recurrence": "weekly", "duration_minutes": 180, "utc": True, "time": "22:00"},
                       {"recurrence": "once", "duration_minutes": 240, "utc": False, "time": "01:00"}]
    assert document["windows"][2]["start"] == "2026-12-12T01:00"
    first = document["windows"][0]["id"]
    ok(run("collections", "windows", "Servers", "--remove", first))
    assert len(json.loads(run("collections", "show", "Servers", "--format", "json").stdout)["windows"]) == 2
    assert json.loads(run("collections", "show", "Pilot", "--format", "json").stdout)["members"] == ["WS-1", "WS-2"]
    listing = json.loads(ok(run("collections", "--format", "json")).stdout)
    assert [c["name"] for c in listing] == ["All Systems", "Pilot", "Servers"]
    assert run("collections", "create", "X", "--rule", "os_product=a", "--member", "WS-1").returncode == 2
    assert run("collections", "create", "X", "--rule", "color=red").returncode == 2
    unknown = run("collections", "create", "X", "--member", "NOPE")
    assert unknown.returncode == 1 and "no client named 'NOPE'" in unknown.stderr


def test_deploy_create_shows_the_summary_and_lints_and_asks(run):
    args = ["deploy", "create", "April", "--collection", "All Systems", "--updates", f"KB{CU[4]},KB{ROLLUP[4]}",
            "--deadline", "2026-01-01T00:00:00Z", "--override-windows"]
    unconfirmed = run(*args)
    assert unconfirmed.returncode == 1 and "nothing changed: add --yes" in unconfirmed.stderr
    assert "Deployment 'April'" in unconfirmed.stdout and "warning: the deadline 2026-01-01 00:00 UTC is in the past" \
        in unconfirmed.stdout
    assert json.loads(run("deployments", "--format", "json").stdout) == []
    declined = run(*args, typed="no\n")
    assert declined.returncode == 1
    ok(run(*args, typed="yes\n"))
    listing = json.loads(ok(run("deployments", "--format", "json")).stdout)
    assert [(d["name"], d["pending"], d["installed"], d["not_required"]) for d in listing] == [("April", 2, 1, 3)]
    again = run(*args, "--yes")
    assert again.returncode == 1 and "already exists" in again.stderr


def test_deployments_show_has_the_contract_shape(run):
    ok(run("deploy", "create", "April", "--collection", "All Systems", "--updates", f"KB{CU[4]}", "--available", "now",
           "--deadline", "2026-12-10T02:00", "--local-time", "--yes"))
    detail = json.loads(ok(run("deployments", "show", "April", "--format", "json")).stdout)
    assert {"name", "collection", "available", "deadline", "counts", "clients"} <= set(detail)
    assert (detail["available"], detail["deadline"]) == (None, "2026-12-10T02:00:00")
    assert set(detail["counts"]) == {"pending", "downloading", "downloaded", "download_failed", "waiting_window", "installing",
                                     "installed", "pending_restart", "failed", "not_required"}
    assert {tuple(sorted(c)) for c in detail["clients"]} == {("at", "client", "code", "kb", "product", "reason", "state")}
    assert {(c["client"], c["state"]) for c in detail["clients"]} == {("WS-1", "pending"), ("WS-2", "installed"),
                                                                      ("SRV-1", "not_required")}
    only = json.loads(run("deployments", "show", "April", "--format", "json", "--state", "pending").stdout)["clients"]
    assert [c["client"] for c in only] == ["WS-1"]
    assert run("deployments", "delete", "April").returncode == 1  # unconfirmed
    ok(run("deployments", "delete", "April", "--yes"))
    gone = run("deployments", "show", "April", "--format", "json")
    assert gone.returncode == 1 and "no deployment named 'April'" in gone.stderr


def test_deploy_whatif_stores_nothing_and_has_the_contract_shape(run):
    ok(run("collections", "windows", "All Systems", "--add", "daily 02:00 120m"))
    done = ok(run("deploy", "whatif", "April", "--collection", "All Systems", "--updates", f"KB{CU[4]}",
                  "--deadline", "2026-12-05T00:00", "--local-time", "--now", "2026-12-03T12:00:00Z", "--format", "json"))
    document = json.loads(done.stdout)
    assert set(document) >= {"lints", "installs"} and any("content missing" in lint for lint in document["lints"])
    [row] = document["installs"]
    assert {"client", "kb", "start", "end", "window_start", "window_end", "outside_window", "restart_at", "reason"} <= set(row)
    assert (row["client"], row["kb"], row["start"]) == ("WS-1", f"KB{CU[4]}", "2026-12-05T02:00:00+01:00")
    assert json.loads(run("deployments", "--format", "json").stdout) == []
    bad = run("deploy", "whatif", "X", "--collection", "All Systems", "--updates", "KB1", "--deadline", "tomorrow")
    assert bad.returncode == 2


def test_deployments_export_and_import(run, tmp_path):
    ok(run("deploy", "create", "April", "--collection", "All Systems", "--updates", f"KB{CU[4]}", "--deadline",
           "2026-12-10T02:00:00Z", "--yes"))
    path = tmp_path / "april.toml"
    ok(run("deployments", "export", "April", "-o", path))
    text = path.read_text()
    path.write_text(text.replace('name = "April"', 'name = "April copy"'))
    unconfirmed = run("deployments", "import", path)
    assert unconfirmed.returncode == 1 and "deployment 'April copy': new" in unconfirmed.stdout
    ok(run("deployments", "import", path, "--yes"))
    assert [d["name"] for d in json.loads(run("deployments", "--format", "json").stdout)] == ["April", "April copy"]


def test_nap_lists_unhealthy_clients(run):
    ok(run("nap", "flag", "--updates", f"KB{CU[4]}", "--effective", "2026-01-01T00:00:00Z"))
    rows = json.loads(ok(run("nap", "--format", "json")).stdout)
    assert rows == [{"client": "WS-1", "healthy": False, "missing": [f"KB{CU[4]}"], "effective": "2026-01-01T00:00:00+00:00",
                     "reason": "needs 1 update(s) flagged for NAP evaluation and effective by now"}]
    everyone = json.loads(ok(run("nap", "--format", "json", "--all")).stdout)
    assert {r["client"]: r["healthy"] for r in everyone} == {"SRV-1": True, "WS-1": False, "WS-2": True}
    assert "WS-1" in ok(run("nap", "--format", "csv")).stdout
    assert [f["kb"] for f in json.loads(ok(run("nap", "flags", "--format", "json")).stdout)] == [f"KB{CU[4]}"]
    ok(run("nap", "unflag", "--updates", f"KB{CU[4]}"))
    assert json.loads(run("nap", "--format", "json").stdout) == []


def test_a_deadline_from_the_template_duration(run):
    ok(run("templates", "create", "Monthly", "--collection", "All Systems", "--duration", "1", "--duration-unit", "months"))
    # The duration counts from the available time; a month after the 31st is the next month's last day.
    ok(run("deploy", "create", "January", "--template", "Monthly", "--updates", f"KB{CU[4]}",
           "--available", "2027-01-31T02:00", "--deadline", "duration", "--yes"))
    detail = json.loads(ok(run("deployments", "show", "January", "--format", "json")).stdout)
    assert (detail["available"], detail["deadline"]) == ("2027-01-31T02:00:00", "2027-02-28T02:00:00")
    # Available at once: from now; without a template, SCCM's two weeks.
    before = datetime.now(UTC).replace(tzinfo=None, second=0, microsecond=0)
    ok(run("deploy", "create", "Now", "--collection", "All Systems", "--updates", f"KB{CU[4]}", "--deadline", "duration",
           "--yes"))
    after = datetime.now(UTC).replace(tzinfo=None, second=0, microsecond=0)
    shown = json.loads(ok(run("deployments", "show", "Now", "--format", "json")).stdout)["deadline"]
    deadline = datetime.fromisoformat(shown).astimezone(UTC).replace(tzinfo=None)  # UTC: shown with its offset
    assert before + timedelta(weeks=2) <= deadline <= after + timedelta(weeks=2)
    assert run("deploy", "whatif", "X", "--collection", "All Systems", "--updates", f"KB{CU[4]}",
               "--deadline", "durations").returncode == 2

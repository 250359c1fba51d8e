"""`sumtui lists`, `sumtui templates` and `compliance --list` as scripts use them: the JSON shapes,
TOML files that round-trip byte for byte, imports that change nothing unconfirmed, exit codes 0/1/2
and one-line errors, and hostile text shown escaped."""

from __future__ import annotations

import io
import json
import sys
from types import SimpleNamespace

import pytest

from sumtui.main import main
from tests.compliance.scenario import CU, IE, PRODUCTS, ROLLUP, W81, W1809, W2012R2
from tests.deploy.test_templates import EVERY_CHANGED
from tests.hostile_site import RAW, SHOWN, write_catalog


class _Terminal(io.StringIO):
    """A stdin that is a terminal, for the typed confirmation."""

    def isatty(self) -> bool:
        return True


def _runner(site_url, capsys, monkeypatch):
    """`sumtui ARGS` in-process (a subprocess costs a second each): exit code, stdout, stderr. stdin is
    not a terminal unless `typed` gives what the operator types at the prompt."""

    def sumtui(*args, typed: str | None = None):
        monkeypatch.setattr(sys, "stdin", io.StringIO("") if typed is None else _Terminal(typed))
        try:
            code = main(["--db", site_url, *map(str, args)])
        except SystemExit as exc:  # argparse: bad usage
            code = exc.code
        out = capsys.readouterr()
        return SimpleNamespace(returncode=code, stdout=out.out, stderr=out.err)

    return sumtui


@pytest.fixture
def run(catalog_site, capsys, monkeypatch):
    return _runner(catalog_site.url, capsys, monkeypatch)


def _client(run, tmp_path, name, *kbs, os_name="Microsoft Windows Server 2012 R2 Standard", build="6.3.9600"):
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps({"format": "sumtui-inventory/1", "name": name, "os_name": os_name, "build": build,
                                "architecture": "x64", "is_server": "Server" in os_name, "installed_kbs": list(kbs)}))
    done = run("clients", "import", path)
    assert done.returncode == 0, done.stderr


def _updates(run, name):
    done = run("lists", "show", name, "--format", "json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    return document, [(u["kb"], u["product_id"]) for u in document["updates"]]


def _one_line(done):
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    return lines[0]


def test_bare_kbs_and_kb_at_product(run, tmp_path):
    _client(run, tmp_path, "SRV-1")
    done = run("lists", "create", "Servers", "--description", "2012 R2 only", f"KB{ROLLUP[4]}", f"kb{CU[4]}@{W1809}")
    assert done.returncode == 0, done.stderr
    assert "created with 2 update(s)" in done.stderr
    document, updates = _updates(run, "servers")
    assert document["name"] == "Servers" and document["description"] == "2012 R2 only"
    assert updates == [(CU[4], W1809), (ROLLUP[4], W2012R2)]  # the site has 2012 R2, not 8.1
    assert document["updates"][1]["product"] == PRODUCTS[W2012R2]
    assert run("lists", "add", "Servers", f"KB{ROLLUP[4]}@{W81}").returncode == 0
    assert run("lists", "remove", "Servers", f"KB{CU[4]}").returncode == 0
    assert _updates(run, "Servers")[1] == [(ROLLUP[4], W81), (ROLLUP[4], W2012R2)]
    (row,) = json.loads(run("lists", "--format", "json").stdout)
    assert (row["name"], row["updates"], row["required"]) == ("Servers", 2, 1)


def test_unknown_and_malformed_kbs(run):
    done = run("lists", "create", "Nope", f"KB{CU[4]}", "KB1234567")
    assert done.returncode == 1
    assert "KB1234567 is not in the catalog" in _one_line(done)
    assert json.loads(run("lists", "--format", "json").stdout) == []
    assert run("lists", "create", "Nope", "KBnotanumber").returncode == 2
    assert run("lists", "show", "Nope").returncode == 1
    assert "no update list named 'Nope'" in _one_line(run("lists", "add", "Nope", f"KB{CU[4]}"))


def test_toml_round_trip_and_unconfirmed_imports(run, tmp_path):
    refs = [f"KB{ROLLUP[4]}", f"KB{IE[1]}", f"KB{CU[1]}"]
    assert run("lists", "create", "Check", "--description", "three KBs", *refs).returncode == 0
    before = _updates(run, "Check")
    exported = tmp_path / "check.toml"
    assert run("lists", "export", "Check", "-o", exported).returncode == 0
    assert run("lists", "export", "Check").stdout == exported.read_text()  # stdout and file: the same bytes
    asked = run("lists", "delete", "Check")  # stdin is not a terminal: nothing deleted
    assert asked.returncode == 1 and "add --yes" in asked.stderr
    assert run("lists", "delete", "Check", "--yes").returncode == 0
    imported = run("lists", "import", exported, "--yes")
    assert imported.returncode == 0, imported.stderr
    assert _updates(run, "Check") == before
    again = tmp_path / "again.toml"
    assert run("lists", "export", "Check", "-o", again).returncode == 0
    assert again.read_bytes() == exported.read_bytes()
    unchanged = run("lists", "import", exported)  # nothing to change: no question, exit 0
    assert unchanged.returncode == 0 and "no changes" in unchanged.stdout

    edited = tmp_path / "edited.toml"
    edited.write_text(exported.read_text().replace(ROLLUP[4], ROLLUP[3]).replace("three KBs", "edited"))
    refused = run("lists", "import", edited)
    assert refused.returncode == 1 and "nothing changed" in refused.stderr
    assert f"  + KB{ROLLUP[3]}  {W2012R2}  {PRODUCTS[W2012R2]}" in refused.stdout.splitlines()
    assert f"  - KB{ROLLUP[4]}  {W81}  {PRODUCTS[W81]}" in refused.stdout.splitlines()
    assert _updates(run, "Check") == before
    declined = run("lists", "import", edited, typed="no\n")
    assert declined.returncode == 1 and "Type yes to confirm" in declined.stdout and _updates(run, "Check") == before
    confirmed = run("lists", "import", edited, typed="yes\n")
    assert confirmed.returncode == 0, confirmed.stderr
    document, updates = _updates(run, "Check")
    assert document["description"] == "edited" and (ROLLUP[3], W2012R2) in updates and (ROLLUP[4], W81) not in updates


def test_an_import_with_one_bad_file_changes_nothing(run, tmp_path):
    good = tmp_path / "good.toml"
    good.write_text(f'format = "sumtui-update-list/1"\nname = "Good"\n[[updates]]\nkb = "KB{CU[4]}"\n')
    bad = tmp_path / "bad.toml"
    bad.write_text('format = "sumtui-update-list/1"\nname = "Bad"\n[[updates]]\nkb = "KB7777777"\n')
    done = run("lists", "import", good, bad, "--yes")
    assert done.returncode == 1 and _one_line(done).startswith(f"sumtui: {bad}: KB7777777 is not in the catalog")
    assert json.loads(run("lists", "--format", "json").stdout) == []
    binary = tmp_path / "blob.toml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    assert "not UTF-8" in _one_line(run("lists", "import", binary, "--yes"))


def test_compliance_for_a_list_is_the_update_summary_restricted_to_it(run, tmp_path):
    _client(run, tmp_path, "SRV-1", f"KB{ROLLUP[4]}")
    _client(run, tmp_path, "SRV-2")
    _client(run, tmp_path, "WS-1", os_name="Microsoft Windows 10 Enterprise", build="10.0.17763")
    assert run("lists", "create", "April", f"KB{ROLLUP[4]}", f"KB{CU[4]}", f"KB{IE[1]}").returncode == 0
    listed = {(k, p) for k, p in _updates(run, "April")[1]}
    every = json.loads(run("compliance", "--format", "json").stdout)
    done = run("compliance", "--list", "april", "--format", "json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert rows == [r for r in every if (r["kb"], r["product_id"]) in listed]
    assert {(r["kb"], r["product_id"]): (r["required"], r["installed"]) for r in rows}[(ROLLUP[4], W2012R2)] == (1, 1)
    client_rows = json.loads(run("compliance", "--client", "WS-1", "--list", "April", "--format", "json").stdout)
    assert {r["kb"] for r in client_rows} <= {ROLLUP[4], CU[4], IE[1]} and CU[4] in {r["kb"] for r in client_rows}
    assert run("compliance", "--list", "April", "--by", "client").returncode == 2
    assert "no update list named 'Nope'" in _one_line(run("compliance", "--list", "Nope"))


def test_templates_with_every_setting_as_flags_round_trip(run, tmp_path):
    assert run("lists").returncode == 0  # opens the site: All Systems exists
    flags = ["--collection", "all systems", "--no-notify-users", "--no-show-progress", "--time-basis", "utc",
             "--duration", "36", "--duration-unit", "hours", "--suppress-restart-servers", "--suppress-restart-workstations",
             "--allow-restart-outside-windows", "--install-outside-windows-at-deadline", "--om-alert-on-failure",
             "--disable-om-alerts-while-installing", "--slow-boundary", "download-and-install",
             "--fallback-source", "download_and_install"]
    created = run("templates", "create", "Everything", "--description", "all changed", *flags)
    assert created.returncode == 0, created.stderr
    shown = json.loads(run("templates", "show", "everything", "--format", "json").stdout)
    assert shown == {"name": "Everything", "description": "all changed",
                     "settings": {**EVERY_CHANGED, "collection": "All Systems"}}
    exported = tmp_path / "everything.toml"
    assert run("templates", "export", "Everything", "-o", exported).returncode == 0
    assert run("templates", "delete", "Everything").returncode == 1  # not confirmed
    assert run("templates", "delete", "Everything", "--yes").returncode == 0
    assert run("templates", "import", exported).returncode == 1  # new, but not confirmed
    assert json.loads(run("templates", "--format", "json").stdout) == []
    assert run("templates", "import", exported, "--yes").returncode == 0
    assert json.loads(run("templates", "show", "Everything", "--format", "json").stdout) == shown
    edited = run("templates", "edit", "Everything", "--duration", "2", "--duration-unit", "days", "--collection", "")
    assert edited.returncode == 0, edited.stderr
    settings = json.loads(run("templates", "show", "Everything", "--format", "json").stdout)["settings"]
    assert (settings["duration"], settings["duration_unit"], settings["collection"], settings["time_basis"]) == (2, "days", None, "utc")


def test_template_usage_and_validation_errors(run):
    assert run("templates", "create", "T", "--duration", "two").returncode == 2
    assert run("templates", "create", "T", "--time-basis", "gmt").returncode == 2
    assert "duration of 60 weeks is longer than a year" in _one_line(run("templates", "create", "T", "--duration", "60"))
    assert "no collection named 'Ring 9'" in _one_line(run("templates", "create", "T", "--collection", "Ring 9"))
    assert "at most 50" in _one_line(run("templates", "create", "T" * 51))
    assert run("templates", "edit", "Nope").returncode == 2
    assert json.loads(run("templates", "--format", "json").stdout) == []


def test_hostile_text_is_shown_escaped_and_round_trips(tmp_path, capsys, monkeypatch):
    from sumtui.catalog.sync import import_files
    from sumtui.site import open_site

    site = open_site(f"sqlite:///{tmp_path / 'site.db'}", content_dir=tmp_path / "content")
    assert import_files(site.engine, write_catalog(tmp_path / "months", hostile=True)).status == "ok"
    site.close()
    run = _runner(site.url, capsys, monkeypatch)
    created = run("lists", "create", "December", "KB4592440")
    assert created.returncode == 0, created.stderr
    table = run("lists", "show", "December")
    assert SHOWN in table.stdout and not any(raw in table.stdout for raw in RAW)
    exported = run("lists", "export", "December")
    assert not any(raw in exported.stdout for raw in RAW) and "\\u001b[31m" in exported.stdout
    path = tmp_path / "december.toml"
    path.write_text(exported.stdout.replace('name = "December"', 'name = "December two"'))
    diff = run("lists", "import", path)
    assert diff.returncode == 1 and SHOWN in diff.stdout and not any(raw in diff.stdout for raw in RAW)
    assert run("lists", "import", path, "--yes").returncode == 0
    assert _updates(run, "December two")[1] == _updates(run, "December")[1]
    refused = run("lists", "create", "Ring \x1b[31m0\u202e")
    assert refused.returncode == 1 and "'Ring \\x1b[31m0\\u202e'" in _one_line(refused)
    assert not any(raw in refused.stderr for raw in RAW)
    hostile_file = tmp_path / "hostile.toml"
    hostile_file.write_text('format = "sumtui-update-list/1"\nname = "Evil\\u202eTXT"\n')
    done = run("lists", "import", hostile_file, "--yes")
    assert done.returncode == 1 and "'Evil\\u202eTXT'" in _one_line(done)
    assert [r["name"] for r in json.loads(run("lists", "--format", "json").stdout)] == ["December", "December two"]

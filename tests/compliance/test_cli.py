"""The fleet and compliance commands as scripts use them: JSON shapes, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "inventory"


@pytest.fixture
def run(catalog_site, tmp_path):
    env = {**os.environ, "SUMTUI_DB": catalog_site.url, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "c"),
           "XDG_DATA_HOME": str(tmp_path / "d"), "XDG_STATE_HOME": str(tmp_path / "s")}

    def sumtui(*args):
        return subprocess.run([sys.executable, "-m", "sumtui", *map(str, args)], env=env, capture_output=True, text=True, timeout=120)

    return sumtui


def test_clients_import_then_list_as_json(run):
    done = run("clients", "import", FIXTURES / "agent_pc044.json")
    assert done.returncode == 0, done.stderr
    merged = run("clients", "import", "--name", "pc044", FIXTURES / "qfe_pc044_utf16.txt")
    assert merged.returncode == 0, merged.stderr
    listed = run("clients", "--format", "json")
    assert listed.returncode == 0
    (client,) = json.loads(listed.stdout)
    for key in ("name", "os", "os_product", "build", "installed_kbs", "source", "last_inventory"):
        assert key in client
    assert client["name"] == "PC044"
    assert client["os_product"] == "Windows 10 Version 1809 for x64-based Systems"
    assert client["build"] == "10.0.17763.3287"
    assert {"KB5005030", "KB4100347"} <= set(client["installed_kbs"])  # the qfe list added its KBs
    assert client["source"] == "imported"


def test_unknown_os_is_kept_unmapped(run):
    assert run("clients", "import", FIXTURES / "xp_sp3_unmapped_systeminfo.txt").returncode == 0
    (client,) = json.loads(run("clients", "--format", "json").stdout)
    assert client["os_product"] is None and client["reported"] is False and client["compliant"] is None
    states = json.loads(run("compliance", "--client", client["name"], "--format", "json").stdout)
    assert states and {s["state"] for s in states} == {"unknown"}


def test_compliance_for_a_client_explains_every_state(run, tmp_path):
    inventory = {"format": "sumtui-inventory/1", "name": "WS-9", "os_name": "Microsoft Windows 10 Enterprise",
                 "build": "10.0.17763", "architecture": "x64", "is_server": False, "installed_kbs": ["KB5009557"]}
    path = tmp_path / "ws9.json"
    path.write_text(json.dumps(inventory))
    assert run("clients", "import", path).returncode == 0
    rows = json.loads(run("compliance", "--client", "ws-9", "--format", "json").stdout)
    for row in rows:
        assert {"kb", "product_id", "product", "state", "reason"} <= set(row)
        assert row["state"] in ("required", "installed", "not_required", "unknown", "failed")
        assert row["reason"]
    required = {r["kb"] for r in rows if r["state"] == "required"}
    assert required == {"5012647", "5011570", "5011267"}
    only = json.loads(run("compliance", "--client", "WS-9", "--state", "installed", "--format", "json").stdout)
    assert {r["state"] for r in only} == {"installed"}


def test_compliance_by_update_collection_and_client(run, tmp_path):
    for name, kbs in (("A", []), ("B", ["KB5012647", "KB5011267"])):
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps({"format": "sumtui-inventory/1", "name": name, "os_name": "Microsoft Windows 10 Pro",
                                    "build": "10.0.17763", "architecture": "x64", "is_server": False, "installed_kbs": kbs}))
        assert run("clients", "import", path).returncode == 0
    by_update = json.loads(run("compliance", "--format", "json", "--state", "required").stdout)
    cu = next(r for r in by_update if r["kb"] == "5012647")
    assert (cu["required"], cu["installed"], cu["unknown"]) == (1, 1, 0)
    assert cu["compliant_pct"] == 50.0
    (all_systems,) = json.loads(run("compliance", "--by", "collection", "--format", "json").stdout)
    assert (all_systems["members"], all_systems["compliant"]) == (2, 1)
    by_client = json.loads(run("compliance", "--by", "client", "--format", "json").stdout)
    assert {c["name"]: c["state"] for c in by_client} == {"A": "required", "B": "compliant"}


def test_bad_inventory_files_fail_with_one_line_and_change_nothing(run, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "blob.bin"
    binary.write_bytes(bytes(range(256)) * 8)
    truncated = tmp_path / "cut.txt"
    truncated.write_bytes((FIXTURES / "fr_10_22h2_pro_cp850_systeminfo.txt").read_bytes()[:300])
    for path in (empty, binary, truncated, tmp_path / "missing.txt"):
        done = run("clients", "import", path)
        assert done.returncode == 1, path
        assert "Traceback" not in done.stderr
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and path.name in lines[0], done.stderr
    assert json.loads(run("clients", "--format", "json").stdout) == []


def test_unknown_client_and_collection(run):
    done = run("compliance", "--client", "nobody")
    assert done.returncode == 1 and "no client named" in done.stderr
    done = run("compliance", "--collection", "Nope")
    assert done.returncode == 1 and "no collection named" in done.stderr
    assert run("compliance", "--by", "sideways").returncode == 2


def test_agent_with_a_bad_server_url_is_bad_usage(run):
    assert run("agent", "--server", "ftp://x", "--once").returncode == 2


def test_an_inventory_without_its_host_name_imports_with_name(run, tmp_path):
    # A real capture may lack systeminfo's first line: the operator names the machine.
    text = (FIXTURES / "fr_10_22h2_pro_cp850_systeminfo.txt").read_bytes().decode("cp850")
    lines = text.splitlines(keepends=True)
    first = next(i for i, line in enumerate(lines) if line.strip())
    nameless = tmp_path / "nameless.txt"
    nameless.write_bytes("".join(lines[:first] + lines[first + 1:]).encode("cp850"))
    refused = run("clients", "import", nameless)
    assert refused.returncode == 1
    assert refused.stderr.strip().endswith("give the machine's name (--name NAME)"), refused.stderr
    done = run("clients", "import", "--name", "PC-FR-042", nameless)
    assert done.returncode == 0, done.stderr
    (client,) = json.loads(run("clients", "--format", "json").stdout)
    assert client["name"] == "PC-FR-042" and client["os_product"] == "Windows 10 Version 22H2 for x64-based Systems"


def test_compliance_severity_takes_the_consoles_abbreviations_or_is_bad_usage(run, tmp_path):
    path = tmp_path / "ws.json"
    path.write_text(json.dumps({"format": "sumtui-inventory/1", "name": "WS-1", "os_name": "Microsoft Windows 10 Pro",
                                "build": "10.0.17763", "architecture": "x64", "is_server": False, "installed_kbs": []}))
    assert run("clients", "import", path).returncode == 0
    full = json.loads(run("compliance", "--severity", "Critical", "--state", "required", "--format", "json").stdout)
    assert full and {r["severity"] for r in full} == {"Critical"}
    short = json.loads(run("compliance", "--severity", "Crit", "--state", "required", "--format", "json").stdout)
    assert short == full
    mine = json.loads(run("compliance", "--client", "ws-1", "--severity", "crit", "--format", "json").stdout)
    assert mine and {r["severity"] for r in mine} == {"Critical"}
    for args in (("--severity", "Severe"), ("--client", "ws-1", "--severity", "Crtical")):
        done = run("compliance", *args)
        assert done.returncode == 2 and done.stdout == "", done.stderr
        assert done.stderr.startswith("usage: sumtui compliance") and "is not a severity" in done.stderr

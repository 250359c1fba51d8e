"""The catalog commands as scripts use them: `python -m sumtui …` in a subprocess, with SUMTUI_DB on a
temporary SQLite file and HOME / XDG_* folders under the test's tmp_path.

Covers `sumtui import` + `sumtui updates` (JSON fields, every update listed with superseded/expired
marked, CSV, the filters), `sumtui sync` against the real loopback mirror (`--json` run record, exit
1 when a month failed, 0 otherwise, an unchanged re-sync downloading nothing, `--if-due`), `sumtui
runs --format json`, `sumtui locate`, bad usage (exit 2) and failures (one line on stderr, no
traceback, exit 1). Read-only commands run concurrently to keep the module fast.
"""

from __future__ import annotations

import csv
import io
import json
import os
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.catalog.xmldoc import to_xml
from tests.cvrf_builder import Fix, Vuln, month_doc, write
from tests.mirror import MirrorServer

PRODUCTS = {"11569": "Windows 10 Version 1809 for x64-based Systems", "11571": "Windows Server 2019"}
FIELDS = {"kb", "product", "product_id", "title", "classification", "subtype", "severity", "impact", "released",
          "revised", "document", "cves", "supersedes", "superseded_by", "restart", "url", "fixed_build", "expired",
          "superseded"}


def nov() -> dict:
    return month_doc(2020, 11, PRODUCTS, [
        Vuln("CVE-2020-17087", [Fix("4586793", ["11569", "11571"], fixed_build="10.0.17763.1577")]),
        Vuln("CVE-2020-17088", [Fix("4586830", ["11569"], subtype="Servicing Stack Update")], severity="Moderate"),
    ])


def dec() -> dict:
    return month_doc(2020, 12, PRODUCTS, [
        Vuln("CVE-2020-17095", [Fix("4592440", ["11569", "11571"], supersedes="4586793")], severity="Critical",
             title="Hyper-V Remote Code Execution Vulnerability"),
    ])


class Cli:
    """Runs `python -m sumtui` with an isolated home and one site database."""

    def __init__(self, root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.root = root
        self.db = f"sqlite:///{root / 'site.db'}"
        home = root / "home"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("SUMTUI_") and not k.startswith("XDG_")}
        self.env.update(SUMTUI_DB=self.db, HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
                        XDG_DATA_HOME=str(home / ".local/share"), XDG_STATE_HOME=str(home / ".local/state"),
                        XDG_CACHE_HOME=str(home / ".cache"), NO_COLOR="1")

    def __call__(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "sumtui", *args], env=self.env, cwd=self.root,
                              capture_output=True, text=True, timeout=120)

    def many(self, *commands: tuple[str, ...]) -> list[subprocess.CompletedProcess]:
        """Read-only commands at once: each is a new interpreter, mostly waiting on its imports."""
        with ThreadPoolExecutor(max_workers=4) as pool:
            return list(pool.map(lambda c: self(*c), commands))

    def json(self, *args: str):
        done = self(*args)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)


def one_line_error(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 1, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("sumtui: ")
    return lines[0]


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """A site that imported November (JSON) and December (XML) through `sumtui import`."""
    root = tmp_path_factory.mktemp("cli-import")
    cli = Cli(root)
    write(root / "2020-Nov.json", nov())
    (root / "2020-Dec.xml").write_bytes(to_xml(dec()))
    done = cli("import", str(root / "2020-Nov.json"), str(root / "2020-Dec.xml"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("import ok: 2 month(s) fetched, 0 unchanged, 0 failed; updates 5 new, 0 revised, 2 superseded")
    return cli


def test_updates_json_lists_every_update_with_its_fields(imported):
    rows = imported.json("updates", "--format", "json")
    assert isinstance(rows, list) and len(rows) == 5
    for row in rows:
        assert FIELDS <= set(row), FIELDS - set(row)
    by_key = {(r["kb"], r["product_id"]): r for r in rows}
    old = by_key[("4586793", "11569")]
    # Superseded (and, in 2020, long expired) updates are listed too, marked as such.
    assert (old["superseded"], old["expired"], old["superseded_by"]) == (True, True, ["4592440"])
    assert old["fixed_build"] == "10.0.17763.1577" and old["restart"] == "Yes" and old["subtype"] == "Security Update"
    new = by_key[("4592440", "11571")]
    assert new["supersedes"] == ["4586793"] and new["cves"] == ["CVE-2020-17095"]
    assert (new["severity"], new["impact"], new["classification"]) == ("Critical", "Remote Code Execution", "Security Updates")
    assert new["product"] == "Windows Server 2019" and new["document"] == "2020-Dec"
    assert new["released"].startswith("2020-12-10T08:00:00") and new["revised"].startswith("2020-12-10")
    assert new["url"] == "https://catalog.update.microsoft.com/v7/site/Search.aspx?q=KB4592440"
    assert new["title"] == "2020-12 Security Update for Windows Server 2019 (KB4592440)"
    assert [r["kb"] for r in rows] == ["4586793", "4586793", "4586830", "4592440", "4592440"]  # --sort kb by default


def test_updates_csv(imported):
    done = imported("updates", "--format", "csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(io.StringIO(done.stdout)))
    assert rows[0][:4] == ["kb", "product_id", "product", "title"] and set(rows[0]) >= FIELDS
    assert len(rows) == 1 + 5 and all(len(r) == len(rows[0]) for r in rows)
    record = dict(zip(rows[0], rows[-1]))
    assert (record["kb"], record["superseded"], record["cves"]) == ("4592440", "no", "CVE-2020-17095")
    assert dict(zip(rows[0], rows[1]))["superseded_by"] == "4592440"


def test_updates_filters(imported):
    # Each flag is paired so that both narrow the result (a new interpreter per query is the cost here).
    def kbs(done):
        assert done.returncode == 0, done.stderr
        return sorted((r["kb"], r["product_id"]) for r in json.loads(done.stdout))

    by_kb, by_cve, severity, text = imported.many(
        ("updates", "--format", "json", "--kb", "KB4592440"),
        ("updates", "--format", "json", "--cve", "cve-2020-17088"),
        ("updates", "--format", "json", "--severity", "Important,moderate", "--no-superseded"),
        ("updates", "--format", "json", "windows 2019", "--superseded"),
    )
    assert kbs(by_kb) == [("4592440", "11569"), ("4592440", "11571")]
    assert kbs(by_cve) == [("4586830", "11569")]
    assert kbs(severity) == [("4586830", "11569")]  # the Important ones are superseded
    assert kbs(text) == [("4586793", "11571")]  # KB4592440 on Server 2019 is not superseded


def test_bad_usage_exits_2(imported):
    runs = imported.many(
        ("sync", "--since", "2020-13"),
        ("updates", "--bogus"),
        ("sync", "--url", "ftp://example.invalid/"),
    )
    for done in runs:
        assert done.returncode == 2, (done.args, done.stderr)
        assert "usage:" in done.stderr and "Traceback" not in done.stderr
    assert "'2020-13' is not a month like 2020-Dec" in runs[0].stderr
    assert "unrecognized arguments: --bogus" in runs[1].stderr
    assert "is not an http:// or https:// URL" in runs[2].stderr


def stored_rows(cli: Cli) -> dict[str, list]:
    """Every catalog row, read in-process from the site file (cheaper than another `sumtui updates`)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(cli.db)
    try:
        with engine.connect() as connection:
            return {table: sorted(map(tuple, connection.execute(text(f"SELECT * FROM {table}"))))
                    for table in ("cvrf_document", "product", "vulnerability", "catalog_update", "update_source")}
    finally:
        engine.dispose()


def test_bad_files_fail_with_one_line(imported, tmp_path):
    before = stored_rows(imported)
    good = json.dumps(dec())
    (tmp_path / "cut.json").write_text(good[: len(good) // 2])
    (tmp_path / "bomb.xml").write_text('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><d>&a;</d>')
    (tmp_path / "binary.json").write_bytes(b"\xff\xfe\x00garbage\x00\x01")
    runs = imported.many(*[("import", str(tmp_path / name)) for name in ("cut.json", "bomb.xml", "binary.json")])
    lines = [one_line_error(done) for done in runs]
    assert lines[0].startswith(f"sumtui: {tmp_path / 'cut.json'}: malformed JSON at line 1")
    assert lines[1] == f"sumtui: {tmp_path / 'bomb.xml'}: XML with a DTD or entity declarations is refused (entity expansion, external entities)"
    assert lines[2] == f"sumtui: {tmp_path / 'binary.json'}: binary or UTF-16 data, not a UTF-8 CVRF document"
    assert all(done.stdout.startswith("import failed: 0 month(s) fetched") for done in runs)
    assert stored_rows(imported) == before


def test_import_with_one_bad_file_exits_1_and_keeps_the_good_one(tmp_path):
    cli = Cli(tmp_path / "site")
    write(tmp_path / "2020-Nov.json", nov())
    (tmp_path / "bad.json").write_text("[1, 2")
    done = cli("import", "--json", str(tmp_path / "2020-Nov.json"), str(tmp_path / "bad.json"))
    record = json.loads(done.stdout)
    assert done.returncode == 1 and record["status"] == "partial"
    assert [e["month"] for e in record["errors"]] == [str(tmp_path / "bad.json")]
    assert done.stderr.startswith(f"sumtui: {tmp_path / 'bad.json'}: malformed JSON")
    assert len(stored_rows(cli)["catalog_update"]) == 3


@pytest.fixture
def mirror():
    with MirrorServer() as server:
        server.put_index(["2020-Nov", "2020-Dec"])
        server.put_month("2020-Nov", nov())
        server.put_month("2020-Dec", dec())
        yield server


def test_sync_json_record_and_exit_codes(tmp_path, mirror):
    cli = Cli(tmp_path / "site")
    done = cli("sync", "--url", mirror.url, "--month", "2020-Dec", "--json")
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert record["kind"] == "sync" and record["status"] == "ok" and record["source"] == mirror.url
    assert record["months"] == {"fetched": 1, "unchanged": 0, "failed": 0}
    assert record["updates"] == {"new": 2, "revised": 0, "superseded": 0, "expired": 0}
    assert record["errors"] == [] and record["started_at"] and record["ended_at"]
    assert [p for _, p, _ in mirror.requests] == ["/updates", "/cvrf/2020-Dec"]

    # A month that fails (404, not retried) next to a good one: partial, exit 1, the error listed.
    done = cli("sync", "--url", mirror.url, "--month", "2020-Nov", "--month", "2019-Jan", "--json")
    assert done.returncode == 1
    record = json.loads(done.stdout)
    assert record["status"] == "partial"
    assert record["months"] == {"fetched": 1, "unchanged": 0, "failed": 1}
    assert record["updates"]["new"] == 3
    assert [(e["month"], e["reason"]) for e in record["errors"]] == [
        ("2019-Jan", f"GET {mirror.url}cvrf/2019-Jan: HTTP 404 Not Found")]
    assert done.stderr.strip() == f"sumtui: GET {mirror.url}cvrf/2019-Jan: HTTP 404 Not Found"

    # Nothing changed upstream: no month document is downloaded, and the run is ok.
    fetched = mirror.count("/cvrf/")
    done = cli("sync", "--url", mirror.url, "--month", "2020-Nov", "--month", "2020-Dec", "--json")
    assert done.returncode == 0 and mirror.count("/cvrf/") == fetched
    assert json.loads(done.stdout)["months"] == {"fetched": 0, "unchanged": 2, "failed": 0}

    runs = cli.json("runs", "--format", "json")
    # Newest first, each with its counts and errors.
    assert [(r["kind"], r["status"]) for r in runs] == [("sync", "ok"), ("sync", "partial"), ("sync", "ok")]
    assert runs[0]["months"] == {"fetched": 0, "unchanged": 2, "failed": 0}
    assert runs[1]["errors"][0]["month"] == "2019-Jan" and runs[1]["message"] == runs[1]["errors"][0]["reason"]
    assert runs[2]["updates"]["new"] == 2


def test_sync_if_due(tmp_path, mirror):
    cli = Cli(tmp_path / "site")
    first = cli("sync", "--if-due", "--url", mirror.url, "--since", "2020-Nov")
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("sync ok: 2 month(s) fetched")
    requests = len(mirror.requests)
    # A good sync a moment ago and the default 24 h interval: skipped without asking the upstream.
    second = cli("sync", "--if-due", "--url", mirror.url, "--since", "2020-Nov")
    assert second.returncode == 0
    assert second.stdout.startswith("sync not due: last good sync ") and "interval 24 h" in second.stdout
    assert len(mirror.requests) == requests


def test_sync_from_an_unreachable_url_fails_with_one_line(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cli = Cli(tmp_path / "site")
    done = cli("sync", "--url", f"http://127.0.0.1:{port}", "--retries", "0", "--timeout", "2")
    line = one_line_error(done)
    assert line.startswith(f"sumtui: GET http://127.0.0.1:{port}/updates: cannot connect (")
    assert line.endswith("after 1 attempts")
    assert done.stdout.startswith("sync failed:")


def test_locate(tmp_path):
    cli = Cli(tmp_path / "site")
    done = cli("locate")
    assert done.returncode == 0, done.stderr
    lines = dict(line.split(None, 1) for line in done.stdout.strip().splitlines())
    assert lines["database"] == cli.db
    assert lines["config"].startswith(str(tmp_path / "site" / "home" / ".config"))
    assert lines["content"] == str(tmp_path / "site" / "content")  # beside the SQLite file


def test_severity_takes_the_consoles_abbreviations_or_is_bad_usage(imported):
    def kbs(done):
        assert done.returncode == 0, done.stderr
        return sorted((r["kb"], r["product_id"]) for r in json.loads(done.stdout))

    full, short, lower, several, typo, empty = imported.many(
        ("updates", "--format", "json", "--severity", "Critical"),
        ("updates", "--format", "json", "--severity", "Crit"),  # as the console's grids show it
        ("updates", "--format", "json", "--severity", "c"),
        ("updates", "--format", "json", "--severity", "crit,MOD"),
        ("updates", "--format", "json", "--severity", "Crtical"),
        ("updates", "--format", "json", "--severity", "Critical,"),
    )
    assert kbs(full) == kbs(short) == kbs(lower) == [("4592440", "11569"), ("4592440", "11571")]
    assert kbs(several) == [("4586830", "11569"), ("4592440", "11569"), ("4592440", "11571")]
    for done in (typo, empty):  # never an empty result with exit 0
        assert done.returncode == 2 and done.stdout == "" and "Traceback" not in done.stderr
        assert done.stderr.startswith("usage: sumtui updates")
        assert "is not a severity: use Critical, Important, Moderate or Low" in done.stderr


def test_a_mistyped_flag_shows_the_commands_usage(imported):
    updates, runs, clients = imported.many(("updates", "--sevrity", "Critical"), ("runs", "--limt", "3"),
                                           ("clients", "import", "--nmae", "x", "y.txt"))
    for done, command in ((updates, "updates"), (runs, "runs"), (clients, "clients import")):
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith(f"usage: sumtui {command} ")  # the command's usage, not sumtui's
        assert f"sumtui {command}: error: unrecognized arguments: --" in done.stderr


def test_a_bad_month_id_is_refused_before_any_request(tmp_path, mirror):
    cli = Cli(tmp_path / "site")
    mirror.reset_requests()
    done = cli("sync", "--url", mirror.url, "--month", "2025-Fbe")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "argument --month: '2025-Fbe' is not a month document like 2020-Dec" in done.stderr
    assert mirror.requests == []
    done = cli("sync", "--url", mirror.url, "--month", "2020-dec", "--json")  # any case is a month
    assert done.returncode == 0, done.stderr
    assert [p for _, p, _ in mirror.requests] == ["/updates", "/cvrf/2020-Dec"]
